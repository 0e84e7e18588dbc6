// SPDX-License-Identifier: MIT
// The compact network prepared for inference only, with batch norm folded into convolutions.
#pragma once

#include <vector>

#include <torch/types.h>

#include "core/compact_resnet.h"

namespace epsilon {

/// Inference form of a CompactResNet, computing its eval-mode logits (to float rounding) with
/// fewer passes over the activations. A batch norm that directly follows a convolution (the
/// stem's, and each block's second) is folded into that convolution's weights and a bias; a
/// batch norm that follows a residual sum cannot be, because the shortcut carries the sum
/// unnormalised, so it stays, with its running statistics. Runs under torch::InferenceMode.
/// Holds copies: later changes to the compact network do not reach it.
class FoldedResNet {
  public:
    explicit FoldedResNet(const CompactResNetImpl& compact);

    /// Logits, [N, classes].
    torch::Tensor forward(const torch::Tensor& images) const;

  private:
    struct Conv {
        torch::Tensor weight;
        torch::Tensor bias;  ///< Undefined for a convolution with no batch norm folded in.
        int64_t stride = 1;
    };
    struct Norm {
        torch::Tensor weight, bias, mean, variance;
        double epsilon = 1e-5;
    };
    struct Unit {
        BlockShape shape;
        bool has_branch = true;
        bool has_norm = false;  ///< False for the first block, whose input is already activated.
        Norm norm;              ///< The block's first batch norm, before its first ReLU.
        Conv conv1;             ///< With the block's second batch norm folded in.
        Conv conv2;
    };

    static Conv fold(const torch::nn::Conv2dImpl& conv, const torch::nn::BatchNorm2dImpl& bn);
    static Conv plain(const torch::nn::Conv2dImpl& conv);
    static Norm norm(const torch::nn::BatchNorm2dImpl& bn);
    static torch::Tensor normalize(const torch::Tensor& x, const Norm& norm);

    Conv stem_;
    std::vector<Unit> units_;
    Norm head_norm_;
    torch::Tensor fc_weight_, fc_bias_;
};

}  // namespace epsilon
