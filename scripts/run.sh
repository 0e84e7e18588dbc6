#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and open the desktop application, ready to train
# on Fashion-MNIST. Without a display, runs the same default experiment headless instead, with
# the arguments passed to `epsilon-lab-cli train` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec build/app/epsilon-lab
fi
echo "no display (neither DISPLAY nor WAYLAND_DISPLAY is set): running the default experiment" \
    "headless with epsilon-lab-cli train" >&2
exec build/app/epsilon-lab-cli train "$@"
