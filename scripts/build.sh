#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures and builds Epsilon Lab in ./build (extra arguments go to CMake).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > build-configure.log ||
    { cat build-configure.log; exit 1; }
rm -f build-configure.log
# Compiling torch code takes about 2 GiB per job; two jobs fit the smallest machines we target.
ninja -C build -j "${EPSILON_LAB_JOBS:-2}"
