#!/usr/bin/env bash
# Starts the desktop program under Xvfb on the bundled sample, saves a PNG of
# every view into the folder given as $1 (default: build/screenshots) and
# quits. Needs a built tree (scripts/build.sh) and xvfb-run.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${HSI_BUILD_DIR:-build}
out_dir=${1:-$build_dir/screenshots}
program=$build_dir/app/gui/hotshard-investigator
if [ ! -x "$program" ]; then
  echo "screenshots: $program not found; run scripts/build.sh first" >&2
  exit 1
fi
mkdir -p "$out_dir"
# A fresh settings folder, so that window state from earlier runs does not
# change the pictures.
config_dir=$(mktemp -d)
trap 'rm -rf "$config_dir"' EXIT
XDG_CONFIG_HOME=$config_dir QT_QPA_PLATFORM=xcb timeout 300 \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$program" --sample --screenshot-dir "$out_dir"
ls "$out_dir"/*.png
