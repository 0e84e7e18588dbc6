// SPDX-License-Identifier: MIT
// Block selection, compact-network construction, agreement check and cost of ε-ResNets.
#include "core/pruning.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "core/evaluation.h"

namespace epsilon {

std::string pruneRuleName(PruneRule rule) {
    switch (rule) {
        case PruneRule::DeadLastEpoch:
            return "dead-last-epoch";
        case PruneRule::DiscardAverage:
            return "discard-average";
        case PruneRule::BelowEpsilon:
            return "below-epsilon";
    }
    return "unknown";
}

PruneRule pruneRuleFromName(const std::string& name) {
    for (PruneRule rule :
         {PruneRule::DeadLastEpoch, PruneRule::DiscardAverage, PruneRule::BelowEpsilon}) {
        if (name == pruneRuleName(rule)) {
            return rule;
        }
    }
    throw std::invalid_argument("unknown pruning rule '" + name + "'");
}

std::vector<bool> selectBlocks(PruneRule rule, const std::vector<uint8_t>& dead_last_epoch,
                               const std::vector<float>& discard_average, double threshold) {
    if (rule == PruneRule::BelowEpsilon) {
        throw std::invalid_argument("below-epsilon needs calibrated responses (posthoc_sweep.h)");
    }
    std::vector<bool> removed;
    if (rule == PruneRule::DeadLastEpoch) {
        for (uint8_t dead : dead_last_epoch) {
            removed.push_back(dead != 0);
        }
    } else {
        for (float average : discard_average) {
            removed.push_back(static_cast<double>(average) >= threshold);
        }
    }
    return removed;
}

std::vector<CompactUnit> compactUnits(const std::vector<BlockShape>& shapes,
                                      const std::vector<bool>& removed) {
    if (removed.size() != shapes.size()) {
        throw std::invalid_argument("pruning needs one flag per block: got " +
                                    std::to_string(removed.size()) + " for " +
                                    std::to_string(shapes.size()) + " blocks");
    }
    std::vector<CompactUnit> units;
    for (size_t i = 0; i < shapes.size(); ++i) {
        if (!removed[i]) {
            units.push_back({shapes[i], true});
        } else if (shapes[i].downsamples()) {
            units.push_back({shapes[i], false});
        }
    }
    return units;
}

CompactResNet buildCompact(EpsilonResNet& gated, const std::vector<bool>& removed) {
    const std::vector<BlockShape> shapes = gated->blockShapes();
    const ModelConfig& config = gated->config();
    CompactResNet compact(config.in_channels, config.num_classes, compactUnits(shapes, removed));
    copyState(*gated->stem, *compact->stem);
    size_t kept = 0;
    for (size_t i = 0; i < shapes.size(); ++i) {
        if (!removed[i]) {
            copyState(*gated->branches[i], *compact->branches[kept++]);
        }
    }
    copyState(*gated->head, *compact->head);
    compact->to(gated->parameters().front().device());
    if (gated->stem->conv->weight.suggest_memory_format() == torch::MemoryFormat::ChannelsLast) {
        useChannelsLast(*compact);
    }
    compact->eval();
    return compact;
}

PruneCheck checkCompact(EpsilonResNet& gated, CompactResNet& compact,
                        const std::vector<bool>& removed, const Dataset& data,
                        const Normalizer& normalizer, int batch_size, torch::Device device) {
    torch::NoGradGuard no_grad;
    const bool gated_was_training = gated->is_training();
    gated->eval();
    compact->eval();
    std::vector<uint8_t> removed_flags(removed.begin(), removed.end());
    const torch::Tensor removed_mask = torch::tensor(removed_flags, torch::kBool);

    PruneCheck check;
    int64_t gated_correct = 0, compact_correct = 0;
    BatchLoader loader(data, normalizer, evaluationOptions(batch_size));
    loader.startEpoch(0);
    while (auto batch = loader.next()) {
        const torch::Tensor images = batch->images.to(device);
        const torch::Tensor labels = batch->labels.to(device);
        const GatedOutput out = gated->forward(images);
        const torch::Tensor logits = compact->forward(images);
        gated_correct += correctCount(out.logits, labels);
        compact_correct += correctCount(logits, labels);
        const torch::Tensor on = out.gates.cpu().gt(0.5);
        const bool removed_on = (on & removed_mask).any().item<bool>();
        const bool kept_off = (~on & ~removed_mask).any().item<bool>();
        check.mismatched_batches += removed_on ? 1 : 0;
        check.kept_off_batches += kept_off ? 1 : 0;
        if (removed_on || kept_off) {
            continue;
        }
        const double difference = (out.logits - logits).abs().max().item<double>();
        check.max_logit_difference = std::max(check.max_logit_difference, difference);
        check.disagreeing_batches += difference > kLogitTolerance ? 1 : 0;
        ++check.compared_batches;
    }
    gated->train(gated_was_training);
    const double images = static_cast<double>(std::max<int64_t>(1, data.size()));
    check.gated_accuracy = static_cast<double>(gated_correct) / images;
    check.compact_accuracy = static_cast<double>(compact_correct) / images;
    check.matches = check.compared_batches > 0 && check.mismatched_batches == 0 &&
                    check.kept_off_batches == 0 && check.disagreeing_batches == 0;
    return check;
}

NetworkCost costOf(const std::vector<CompactUnit>& units, int in_channels, int num_classes,
                   int image_size) {
    NetworkCost cost;
    int64_t side = image_size;
    cost.macs = 9LL * in_channels * kStageWidths[0] * side * side;
    for (const CompactUnit& unit : units) {
        side /= unit.shape.stride;
        if (unit.has_branch) {
            const int64_t in = unit.shape.in_channels, out = unit.shape.out_channels;
            cost.macs += 9 * (in * out + out * out) * side * side;
            ++cost.blocks;
        }
    }
    cost.macs += static_cast<int64_t>(kStageWidths[2]) * num_classes;
    cost.layers = 2 * cost.blocks + 2;
    return cost;
}

NetworkCost costOf(const EpsilonResNetImpl& gated) {
    const ModelConfig& config = gated.config();
    std::vector<CompactUnit> units;
    for (const BlockShape& shape : gated.blockShapes()) {
        units.push_back({shape, true});
    }
    NetworkCost cost = costOf(units, config.in_channels, config.num_classes, config.image_size);
    cost.parameters = gated.inferenceParameterCount();
    return cost;
}

NetworkCost costOf(const CompactResNetImpl& compact, int image_size) {
    const int in_channels = static_cast<int>(compact.stem->conv->weight.size(1));
    const int num_classes = static_cast<int>(compact.head->fc->weight.size(0));
    NetworkCost cost = costOf(compact.units(), in_channels, num_classes, image_size);
    cost.parameters = trainableParameterCount(compact);
    return cost;
}

double inferenceMilliseconds(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                             int64_t batch, int channels, int image_size, torch::Device device,
                             int repeats) {
    torch::NoGradGuard no_grad;
    const torch::Tensor input =
        torch::randn({batch, channels, image_size, image_size}, torch::device(device));
    // Warm-up: the first passes allocate and pick kernels.
    for (int i = 0; i < 2; ++i) {
        forward(input).sum().item<float>();
    }
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        forward(input).sum().item<float>();  // .item() waits for an asynchronous device
        times.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

}  // namespace epsilon
