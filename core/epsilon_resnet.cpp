// SPDX-License-Identifier: MIT
// Forward pass of the gated ε-ResNet.
#include "core/epsilon_resnet.h"

#include <limits>

#include <torch/torch.h>

#include "core/gate.h"

namespace epsilon {
namespace {

// shortcut + S·F. On the CPU reading S costs no synchronisation, and when S is 1 the product
// is F itself, bit for bit, in value and in gradient; skipping it saves a pass over F forward
// and one backward. When S is 0 the product stays: the zero gradient it gives the branch's
// weights is what lets weight decay shrink them.
torch::Tensor gatedSum(const torch::Tensor& shortcut, const torch::Tensor& gate,
                       const torch::Tensor& response) {
    if (gate.device().is_cpu() && gate.item<float>() == 1.0f) {
        return shortcut + response;
    }
    return shortcut + gate * response;
}

// A skipped block's statistics: gate 0, magnitudes not computed.
GateStatistics skippedStatistics(const torch::Tensor& like) {
    const auto options = like.options().dtype(torch::kFloat);
    const double not_computed = std::numeric_limits<double>::quiet_NaN();
    return {torch::full({}, not_computed, options), torch::full({}, not_computed, options),
            torch::zeros({}, options)};
}

}  // namespace

std::vector<BlockShape> blockShapesFor(const ModelConfig& config) {
    std::vector<BlockShape> shapes;
    int in_channels = kStageWidths[0];
    for (int stage = 0; stage < kStageCount; ++stage) {
        for (int i = 0; i < config.blocks_per_stage; ++i) {
            BlockShape shape;
            shape.in_channels = in_channels;
            shape.out_channels = kStageWidths[stage];
            shape.stride = (stage > 0 && i == 0) ? 2 : 1;
            shape.preactivate = !(stage == 0 && i == 0);
            shapes.push_back(shape);
            in_channels = shape.out_channels;
        }
    }
    return shapes;
}

EpsilonResNetImpl::EpsilonResNetImpl(const ModelConfig& config) : config_(config) {
    validate(config_);
    stem = register_module("stem", Stem(config_.in_channels, kStageWidths[0]));
    block_list_ = register_module("blocks", torch::nn::ModuleList());
    for (const BlockShape& shape : blockShapesFor(config_)) {
        branches.emplace_back(shape);
        block_list_->push_back(branches.back());
    }
    skipped_.assign(branches.size(), false);
    head = register_module("head", Classifier(kStageWidths[2], config_.num_classes));
    if (config_.side_head) {
        side_head = register_module("side_head", Classifier(kStageWidths[1], config_.num_classes));
    }
}

GatedOutput EpsilonResNetImpl::forward(const torch::Tensor& images) {
    const int side_after = config_.side_head ? config_.sideHeadAfterBlock() : -1;
    std::vector<torch::Tensor> max_abs, mean_abs, gates;
    GatedOutput out;
    torch::Tensor x = stem(inLayoutOf(images, *stem));
    for (size_t i = 0; i < branches.size(); ++i) {
        GateStatistics stats;
        if (skipped_[i]) {
            stats = skippedStatistics(x);
            x = shortcut(x, branches[i]->shape);
        } else {
            const torch::Tensor response = branches[i](x);
            stats = gateStatistics(response, config_.epsilon);
            x = gatedSum(shortcut(x, branches[i]->shape), stats.gate, response);
        }
        max_abs.push_back(std::move(stats.max_abs));
        mean_abs.push_back(std::move(stats.mean_abs));
        gates.push_back(std::move(stats.gate));
        if (static_cast<int>(i) == side_after) {
            out.side_logits = side_head(x);
        }
    }
    out.logits = head(x);
    out.max_abs = torch::stack(max_abs);
    out.mean_abs = torch::stack(mean_abs);
    out.gates = torch::stack(gates);
    return out;
}

void EpsilonResNetImpl::skipBlock(size_t block) {
    skipped_.at(block) = true;
}

std::vector<BlockShape> EpsilonResNetImpl::blockShapes() const {
    return blockShapesFor(config_);
}

int64_t EpsilonResNetImpl::inferenceParameterCount() const {
    int64_t count = trainableParameterCount(*this);
    if (side_head) {
        count -= trainableParameterCount(*side_head);
    }
    return count;
}

}  // namespace epsilon
