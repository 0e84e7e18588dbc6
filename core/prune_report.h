// SPDX-License-Identifier: MIT
// Prunes a trained ε-ResNet and compares the compact network with the original.
#pragma once

#include <string>
#include <vector>

#include "core/pruning.h"
#include "core/trainer.h"

namespace epsilon {

/// One row of the comparison table.
struct NetworkRow {
    std::string name;
    NetworkCost cost;
    double test_accuracy = 0.0;
    /// Median inference time of one batch of PruneReport::timing_batch images, eval mode.
    double milliseconds_per_batch = 0.0;
};

/// The outcome of pruning: what was removed, both networks' rows, and the agreement check.
struct PruneReport {
    PruneRule rule = PruneRule::DeadLastEpoch;
    std::vector<bool> removed;
    NetworkRow original;
    NetworkRow pruned;
    PruneCheck check;
    int timing_batch = 256;
};

/// The blocks `rule` removes from a run at `progress`, and every block the run skipped whatever
/// the rule: a skipped block is a fixed identity, so cutting it changes nothing, and keeping it
/// would make the compact network compute a block the gated one no longer has.
std::vector<bool> blocksToRemove(PruneRule rule, const TrainerProgress& progress,
                                 const TrainConfig& config, double threshold = 1.0);

/// Selects blocks by `rule` (blocksToRemove) from the trainer's last epoch, builds the compact
/// network, checks it against the gated one on the test set and measures both. `threshold`:
/// DiscardAverage only.
PruneReport pruneAndCompare(Trainer& trainer, PruneRule rule, double threshold = 1.0,
                            int timing_batch = 256);

/// The same for blocks chosen by the caller (e.g. those under an ε picked after training);
/// `rule` only labels the report.
PruneReport compareWithout(Trainer& trainer, std::vector<bool> removed, PruneRule rule,
                           int timing_batch = 256);

/// Number of true flags.
int countRemoved(const std::vector<bool>& removed);
/// Indices of the true flags, in order.
std::vector<int> removedBlockIndices(const std::vector<bool>& removed);

}  // namespace epsilon
