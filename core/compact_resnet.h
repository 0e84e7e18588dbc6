// SPDX-License-Identifier: MIT
// The compact network pruned from an ε-ResNet: a plain pre-activation ResNet, no gates, no side
// head.
#pragma once

#include <vector>

#include <torch/nn/modules/container/modulelist.h>

#include "core/network_parts.h"

namespace epsilon {

/// One step of the compact network: a kept residual block, or the parameter-free pool-and-pad
/// that a removed down-sampling block leaves behind.
struct CompactUnit {
    BlockShape shape;
    /// False for a removed down-sampling block: only its shortcut remains.
    bool has_branch = true;
};

/// Plain pre-activation ResNet made of the units given. Parameter names: stem.*,
/// blocks.<k>.* (kept blocks renumbered from 0), head.*.
class CompactResNetImpl : public torch::nn::Module {
  public:
    CompactResNetImpl(int in_channels, int num_classes, std::vector<CompactUnit> units);

    /// Logits, [N, classes].
    torch::Tensor forward(const torch::Tensor& images);

    const std::vector<CompactUnit>& units() const { return units_; }
    /// Number of kept residual blocks.
    int blockCount() const { return static_cast<int>(branches.size()); }

    Stem stem{nullptr};
    std::vector<ResidualBranch> branches;
    Classifier head{nullptr};

  private:
    std::vector<CompactUnit> units_;
    torch::nn::ModuleList block_list_{nullptr};
};
TORCH_MODULE(CompactResNet);

}  // namespace epsilon
