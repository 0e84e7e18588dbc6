#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks Epsilon Lab against its PyTorch peer: install what is missing (python3-torch too),
# build, then bench/run.py with this script's arguments (bench/run.py --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh --bench
scripts/build.sh
exec /usr/bin/python3 bench/run.py --build build "$@"
