#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a C++ file is not formatted as .clang-format says (100 columns), if clang-format
# is installed; prints the files to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format > /dev/null; then
    echo "clang-format not installed; format not checked"
    exit 0
fi
bad=()
while IFS= read -r file; do
    if ! clang-format --dry-run --Werror "$file" > /dev/null 2>&1; then
        bad+=("$file")
    fi
done < <(git ls-files '*.cpp' '*.h')
if [ ${#bad[@]} -gt 0 ]; then
    echo "not formatted (run clang-format -i): ${bad[*]}"
    exit 1
fi
