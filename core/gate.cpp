// SPDX-License-Identifier: MIT
// The ε-ResNet gate and its literal four-ReLU reference.
#include "core/gate.h"

#include <torch/torch.h>

namespace epsilon {
namespace {

// S = ReLU(1 - L·ReLU(1 - L·s)): 0 when s = 0, 1 once s > 1/L.
torch::Tensor sharpStep(const torch::Tensor& s) {
    return torch::relu(1.0 - kGateSharpness * torch::relu(1.0 - kGateSharpness * s));
}

}  // namespace

GateStatistics gateStatistics(const torch::Tensor& response, double epsilon) {
    const torch::Tensor magnitude = response.detach().abs();
    GateStatistics stats;
    stats.max_abs = magnitude.max();
    stats.mean_abs = magnitude.mean();
    stats.gate = sharpStep(torch::relu(stats.max_abs - epsilon));
    return stats;
}

torch::Tensor fourReluGate(const torch::Tensor& response, double epsilon) {
    const torch::Tensor f = response.detach();
    const torch::Tensor s = (torch::relu(f - epsilon) + torch::relu(-f - epsilon)).max();
    return sharpStep(s);
}

}  // namespace epsilon
