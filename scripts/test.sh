#!/usr/bin/env bash
# Installs, builds, and runs every test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh
build_dir=${HSI_BUILD_DIR:-build}
ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)"
