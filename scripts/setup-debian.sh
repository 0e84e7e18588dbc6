#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages that Epsilon Lab needs to build, test and run, if missing.
# With --bench, also the PyTorch the benchmark's peer runs on.
set -euo pipefail

packages=(
    g++ cmake ninja-build ccache pkg-config
    libtorch-dev zlib1g-dev libhdf5-dev hdf5-tools libcli11-dev nlohmann-json3-dev libgtest-dev
    qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6 xvfb xauth
    dataset-fashion-mnist
    python3-h5py
)
if [ "${1:-}" = "--bench" ]; then
    packages+=(python3-torch)
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
