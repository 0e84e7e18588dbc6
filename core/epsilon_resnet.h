// SPDX-License-Identifier: MIT
// The gated ε-ResNet: a pre-activation ResNet whose every residual branch passes through a gate.
#pragma once

#include <vector>

#include <torch/nn/modules/container/modulelist.h>

#include "core/model_config.h"
#include "core/network_parts.h"

namespace epsilon {

/// What one forward pass of the gated network yields. The per-block statistics come from the
/// same pass (no extra passes over the data) and carry no gradient.
struct GatedOutput {
    /// Main classifier's logits, [N, classes].
    torch::Tensor logits;
    /// Side classifier's logits, [N, classes]; undefined when the model has no side head.
    torch::Tensor side_logits;
    /// Per block max |F| over the batch, float [blocks].
    torch::Tensor max_abs;
    /// Per block mean |F| over the batch, float [blocks].
    torch::Tensor mean_abs;
    /// Per block gate S in {0, 1}, float [blocks].
    torch::Tensor gates;
};

/// ε-ResNet of depth 6n + 2 (Yu, Yu and Ramalingam, CVPR 2018): y = x + S(F(x))·F(x) per block.
/// Parameter names: stem.*, blocks.<i>.{bn1,conv1,bn2,conv2}.*, head.*, side_head.*.
class EpsilonResNetImpl : public torch::nn::Module {
  public:
    explicit EpsilonResNetImpl(const ModelConfig& config);

    GatedOutput forward(const torch::Tensor& images);

    const ModelConfig& config() const { return config_; }
    /// Changes ε for the passes that follow (e.g. after a warm-up with ε = 0).
    void setEpsilon(double epsilon) { config_.epsilon = epsilon; }
    /// Shape of each block, in order.
    std::vector<BlockShape> blockShapes() const;
    /// From now on computes nothing for block `block`, in training and in evaluation: its output
    /// is its shortcut, its gate 0 and its max|F| and mean|F| NaN (not computed). There is no
    /// way back: a skipped block is a fixed identity, so the network is the one without it.
    /// Evaluation does not compute it either, because its batch-norm running statistics stopped
    /// when it was skipped and no longer fit its input: computed, it would switch on again on
    /// test batches with responses of a network that training no longer has.
    void skipBlock(size_t block);
    /// Per block: true once skipBlock was called for it.
    const std::vector<bool>& skippedBlocks() const { return skipped_; }
    /// Trainable parameters of the inference path: everything except the side classifier.
    int64_t inferenceParameterCount() const;

    Stem stem{nullptr};
    std::vector<ResidualBranch> branches;
    Classifier head{nullptr};
    Classifier side_head{nullptr};  ///< Null when config().side_head is false.

  private:
    ModelConfig config_;
    torch::nn::ModuleList block_list_{nullptr};
    std::vector<bool> skipped_;
};
TORCH_MODULE(EpsilonResNet);

/// Shapes of the 3n blocks of an ε-ResNet with this configuration.
std::vector<BlockShape> blockShapesFor(const ModelConfig& config);

}  // namespace epsilon
