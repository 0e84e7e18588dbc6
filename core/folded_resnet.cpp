// SPDX-License-Identifier: MIT
// Folding batch norm into the convolutions of the compact network, and its inference pass.
#include "core/folded_resnet.h"

#include <torch/torch.h>

namespace epsilon {
namespace {

torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     int64_t stride) {
    return torch::conv2d(x, weight, bias, {stride, stride}, {1, 1});
}

}  // namespace

FoldedResNet::Conv FoldedResNet::fold(const torch::nn::Conv2dImpl& conv,
                                      const torch::nn::BatchNorm2dImpl& bn) {
    torch::NoGradGuard no_grad;
    // bn(conv(x)) = scale·(W∗x − mean) + β with scale = γ / √(var + eps), per output channel.
    const torch::Tensor scale = bn.weight / torch::sqrt(bn.running_var + bn.options.eps());
    Conv folded = plain(conv);
    folded.weight = inMemoryFormat(conv.weight * scale.reshape({-1, 1, 1, 1}),
                                   conv.weight.suggest_memory_format());
    folded.bias = bn.bias - bn.running_mean * scale;
    return folded;
}

FoldedResNet::Conv FoldedResNet::plain(const torch::nn::Conv2dImpl& conv) {
    torch::NoGradGuard no_grad;
    Conv copy;
    copy.weight = conv.weight.detach().clone(torch::MemoryFormat::Preserve);
    copy.stride = conv.options.stride()->at(0);
    return copy;
}

FoldedResNet::Norm FoldedResNet::norm(const torch::nn::BatchNorm2dImpl& bn) {
    torch::NoGradGuard no_grad;
    return {bn.weight.detach().clone(), bn.bias.detach().clone(), bn.running_mean.clone(),
            bn.running_var.clone(), bn.options.eps()};
}

torch::Tensor FoldedResNet::normalize(const torch::Tensor& x, const Norm& norm) {
    return torch::batch_norm(x, norm.weight, norm.bias, norm.mean, norm.variance,
                             /*training=*/false, /*momentum=*/0.0, norm.epsilon,
                             /*cudnn_enabled=*/true);
}

FoldedResNet::FoldedResNet(const CompactResNetImpl& compact) {
    stem_ = fold(*compact.stem->conv, *compact.stem->bn);
    size_t next_branch = 0;
    for (const CompactUnit& unit : compact.units()) {
        Unit folded;
        folded.shape = unit.shape;
        folded.has_branch = unit.has_branch;
        if (unit.has_branch) {
            const ResidualBranchImpl& branch = *compact.branches[next_branch++];
            folded.has_norm = !branch.bn1.is_empty();
            if (folded.has_norm) {
                folded.norm = norm(*branch.bn1);
            }
            folded.conv1 = fold(*branch.conv1, *branch.bn2);
            folded.conv2 = plain(*branch.conv2);
        }
        units_.push_back(std::move(folded));
    }
    head_norm_ = norm(*compact.head->bn);
    torch::NoGradGuard no_grad;
    fc_weight_ = compact.head->fc->weight.detach().clone();
    fc_bias_ = compact.head->fc->bias.detach().clone();
}

torch::Tensor FoldedResNet::forward(const torch::Tensor& images) const {
    c10::InferenceMode inference;
    torch::Tensor x = inMemoryFormat(images, stem_.weight.suggest_memory_format());
    x = conv2d(x, stem_.weight, stem_.bias, 1).relu_();
    for (const Unit& unit : units_) {
        torch::Tensor sum = shortcut(x, unit.shape);
        if (unit.has_branch) {
            torch::Tensor h = unit.has_norm ? normalize(x, unit.norm).relu_() : x;
            h = conv2d(h, unit.conv1.weight, unit.conv1.bias, unit.conv1.stride).relu_();
            sum = conv2d(h, unit.conv2.weight, {}, 1).add_(sum);
        }
        x = std::move(sum);
    }
    const torch::Tensor pooled = normalize(x, head_norm_).relu_().mean({2, 3});
    return torch::linear(pooled, fc_weight_, fc_bias_);
}

}  // namespace epsilon
