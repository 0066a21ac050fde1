#!/usr/bin/env bash
# Installs, builds, and investigates the bundled sample incident: in the
# desktop program when a display is available, otherwise with `hotshard scan`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
build_dir=${HSI_BUILD_DIR:-build}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$build_dir/app/gui/hotshard-investigator" --sample
fi
exec "$build_dir/app/hotshard" scan "$build_dir/resources/sample-incident.json.gz"
