// SPDX-License-Identifier: MIT
// The ε-ResNet gate: a block's branch is switched off for a batch when all |F| <= ε.
#pragma once

#include <torch/types.h>

namespace epsilon {

/// L in the four-ReLU gate; the authors' code uses 10^6.
constexpr double kGateSharpness = 1e6;

/// Per-block statistics of one forward pass, each a 0-dim float tensor (no gradient).
struct GateStatistics {
    /// max |F| over every element of the batch's branch output.
    torch::Tensor max_abs;
    /// mean |F| over every element.
    torch::Tensor mean_abs;
    /// The gate S in {0, 1} (exactly the four-ReLU value, see fourReluGate).
    torch::Tensor gate;
};

/// Statistics and gate of `response` (the branch output F, any shape) for threshold `epsilon`.
/// Computes |F| once and derives the gate from max |F|. This is bitwise equal to the four-ReLU
/// form because ReLU(F - ε) + ReLU(-F - ε) is ReLU(|F| - ε) element by element, and
/// subtracting ε is monotone, so its maximum is ReLU(max|F| - ε).
GateStatistics gateStatistics(const torch::Tensor& response, double epsilon);

/// The reference gate, literally S = ReLU(1 - L·ReLU(1 - L·s)) with
/// s = max(ReLU(F - ε) + ReLU(-F - ε)), evaluated over the whole tensor. For tests.
torch::Tensor fourReluGate(const torch::Tensor& response, double epsilon);

}  // namespace epsilon
