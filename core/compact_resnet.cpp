// SPDX-License-Identifier: MIT
// Forward pass of the compact (pruned) ResNet.
#include "core/compact_resnet.h"

#include <torch/torch.h>

#include "core/model_config.h"

namespace epsilon {

CompactResNetImpl::CompactResNetImpl(int in_channels, int num_classes,
                                     std::vector<CompactUnit> units)
    : units_(std::move(units)) {
    stem = register_module("stem", Stem(in_channels, kStageWidths[0]));
    block_list_ = register_module("blocks", torch::nn::ModuleList());
    for (const CompactUnit& unit : units_) {
        if (unit.has_branch) {
            branches.emplace_back(unit.shape);
            block_list_->push_back(branches.back());
        }
    }
    head = register_module("head", Classifier(kStageWidths[2], num_classes));
}

torch::Tensor CompactResNetImpl::forward(const torch::Tensor& images) {
    torch::Tensor x = stem(inLayoutOf(images, *stem));
    size_t next_branch = 0;
    for (const CompactUnit& unit : units_) {
        if (unit.has_branch) {
            x = shortcut(x, unit.shape) + branches[next_branch++](x);
        } else {
            x = shortcut(x, unit.shape);
        }
    }
    return head(x);
}

}  // namespace epsilon
