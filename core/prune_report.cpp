// SPDX-License-Identifier: MIT
// Prunes a trained ε-ResNet and compares the compact network with the original.
#include "core/prune_report.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/folded_resnet.h"

namespace epsilon {

std::vector<int> removedBlockIndices(const std::vector<bool>& removed) {
    std::vector<int> indices;
    for (size_t i = 0; i < removed.size(); ++i) {
        if (removed[i])
            indices.push_back(static_cast<int>(i));
    }
    return indices;
}

int countRemoved(const std::vector<bool>& removed) {
    return static_cast<int>(std::count(removed.begin(), removed.end(), true));
}

std::vector<bool> blocksToRemove(PruneRule rule, const TrainerProgress& progress,
                                 const TrainConfig& config, double threshold) {
    std::vector<bool> removed =
        selectBlocks(rule, progress.dead_last_epoch, progress.discard_average, threshold);
    const std::vector<bool> skipped = skippedBlocks(progress, config);
    for (size_t b = 0; b < removed.size(); ++b) {
        removed[b] = removed[b] || skipped[b];
    }
    return removed;
}

PruneReport pruneAndCompare(Trainer& trainer, PruneRule rule, double threshold, int timing_batch) {
    return compareWithout(trainer,
                          blocksToRemove(rule, trainer.progress(), trainer.config(), threshold),
                          rule, timing_batch);
}

PruneReport compareWithout(Trainer& trainer, std::vector<bool> removed, PruneRule rule,
                           int timing_batch) {
    EpsilonResNet& gated = trainer.model();
    const ModelConfig& config = gated->config();
    const Dataset& test = trainer.data().test;
    const int batch_size = trainer.config().batch_size;
    const torch::Device device = trainer.device();

    PruneReport report;
    report.rule = rule;
    report.timing_batch = timing_batch;
    report.removed = std::move(removed);
    CompactResNet compact = buildCompact(gated, report.removed);
    report.check = checkCompact(gated, compact, report.removed, test, trainer.normalizer(),
                                batch_size, device);

    const bool was_training = gated->is_training();
    gated->eval();
    report.original.name = "ε-ResNet-" + std::to_string(config.depth()) + " (gated)";
    report.original.cost = costOf(*gated);
    report.original.test_accuracy = report.check.gated_accuracy;
    report.original.milliseconds_per_batch =
        inferenceMilliseconds([&](const torch::Tensor& x) { return gated->forward(x).logits; },
                              timing_batch, config.in_channels, config.image_size, device);

    report.pruned.cost = costOf(*compact, config.image_size);
    report.pruned.name = "pruned ResNet-" + std::to_string(report.pruned.cost.layers);
    report.pruned.test_accuracy = report.check.compact_accuracy;
    // The pruned network is timed as it would be deployed: batch norm folded, inference mode.
    compact->eval();
    const FoldedResNet folded(*compact);
    report.pruned.milliseconds_per_batch =
        inferenceMilliseconds([&](const torch::Tensor& x) { return folded.forward(x); },
                              timing_batch, config.in_channels, config.image_size, device);
    gated->train(was_training);
    return report;
}

}  // namespace epsilon
