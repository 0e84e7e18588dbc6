#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test: install what is missing, build, then the GoogleTest suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh
scripts/check-format.sh
ctest --test-dir build --output-on-failure -j "${EPSILON_LAB_JOBS:-2}" --timeout 600
