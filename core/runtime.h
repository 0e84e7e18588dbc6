// SPDX-License-Identifier: MIT
// Process-wide torch settings: thread count and compute device.
#pragma once

#include <string>

#include <torch/types.h>

namespace epsilon {

/// Sets torch's intra-op threads (0: one per core). Torch starts with one thread on some
/// machines, and its inter-op pool can be sized only once, so call this early in main().
void configureThreads(int threads);

/// Threads torch uses now.
int currentThreads();

/// "auto" (CUDA when LibTorch and the machine have it, else CPU), "cpu" or "cuda".
/// Throws std::invalid_argument for another name or for "cuda" without CUDA.
torch::Device chooseDevice(const std::string& request);

/// e.g. "cpu (2 threads)" or "cuda:0 (NVIDIA H200)".
std::string describeDevice(torch::Device device);

}  // namespace epsilon
