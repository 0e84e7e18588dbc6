// SPDX-License-Identifier: MIT
// Process-wide torch settings: thread count and compute device.
#include "core/runtime.h"

#include <mutex>
#include <stdexcept>
#include <thread>

#include <torch/torch.h>

namespace epsilon {

void configureThreads(int threads) {
    if (threads < 0) {
        throw std::invalid_argument("threads must be 0 (all cores) or more");
    }
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int count = threads == 0 ? cores : threads;
    static std::once_flag interop_once;
    std::call_once(interop_once, [count] { at::set_num_interop_threads(count); });
    at::set_num_threads(count);
}

int currentThreads() {
    return at::get_num_threads();
}

torch::Device chooseDevice(const std::string& request) {
    if (request == "cpu") {
        return torch::kCPU;
    }
    if (request == "cuda") {
        if (!torch::cuda::is_available()) {
            throw std::invalid_argument(
                "device cuda was asked for, but this LibTorch build or machine has no CUDA");
        }
        return torch::Device(torch::kCUDA, 0);
    }
    if (request == "auto") {
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
    }
    throw std::invalid_argument("device must be auto, cpu or cuda, not '" + request + "'");
}

std::string describeDevice(torch::Device device) {
    if (device.is_cuda()) {
        return device.str();
    }
    return "cpu (" + std::to_string(currentThreads()) + " threads)";
}

}  // namespace epsilon
