#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build, and run the default experiment.
# Arguments are passed to `epsilon-lab-cli train` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh
exec build/app/epsilon-lab-cli train "$@"
