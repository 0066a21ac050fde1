#!/usr/bin/env bash
# Installs missing packages, then configures and builds into build/ (or
# $HSI_BUILD_DIR) with every core of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
build_dir=${HSI_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" --parallel "$(nproc)"
