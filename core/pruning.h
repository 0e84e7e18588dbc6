// SPDX-License-Identifier: MIT
// Pruning: which blocks to remove, the compact network without them, and proof that it agrees.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/batch_loader.h"
#include "core/compact_resnet.h"
#include "core/epsilon_resnet.h"

namespace epsilon {

/// How blocks are chosen for removal.
enum class PruneRule {
    /// Blocks whose gate was 0 on every training batch of the last epoch (the default): a
    /// block that switched on even once shaped what the layers after it learned.
    DeadLastEpoch,
    /// Blocks whose moving average of is_discarded is at least a threshold; the authors
    /// remove those whose average is exactly 1.
    DiscardAverage,
    /// Blocks whose largest max|F| on calibration images, in eval mode, is at most an ε chosen
    /// after training (the post-hoc sweep's and the GUI's ε line). selectBlocks does not apply it.
    BelowEpsilon,
};

/// The rule's name on the command line and in files: "dead-last-epoch" or "discard-average".
std::string pruneRuleName(PruneRule rule);
/// The rule of that name; throws std::invalid_argument for any other name.
PruneRule pruneRuleFromName(const std::string& name);

/// Per block true when `rule` removes it. `threshold` is used by DiscardAverage only.
std::vector<bool> selectBlocks(PruneRule rule, const std::vector<uint8_t>& dead_last_epoch,
                               const std::vector<float>& discard_average, double threshold);

/// The units of the compact network left when the blocks marked in `removed` are cut from a
/// network with blocks of `shapes`. Throws std::invalid_argument unless there is one flag per
/// block.
std::vector<CompactUnit> compactUnits(const std::vector<BlockShape>& shapes,
                                      const std::vector<bool>& removed);

/// The compact network: `gated` without the blocks marked in `removed`, weights copied.
/// A removed down-sampling block leaves its pool-and-pad; kept blocks are renumbered.
CompactResNet buildCompact(EpsilonResNet& gated, const std::vector<bool>& removed);

/// Result of running the gated and compact networks side by side on a data set.
struct PruneCheck {
    /// Batches on which every removed block had gate 0 and every kept block gate 1, so both
    /// networks compute the same function and must agree.
    int64_t compared_batches = 0;
    /// Batches on which some removed block's gate was 1 (the gated network used it).
    int64_t mismatched_batches = 0;
    /// Batches on which some kept block's gate was 0: the gated network skipped a block that the
    /// compact network computes, so the two differ there too.
    int64_t kept_off_batches = 0;
    /// Largest |logit difference| over the compared batches.
    double max_logit_difference = 0.0;
    /// Compared batches whose difference exceeded the tolerance.
    int64_t disagreeing_batches = 0;
    /// True when every batch was compared and agreed: the compact network is the gated one.
    bool matches = false;
    /// Test accuracy of each network over every batch (compared or not).
    double gated_accuracy = 0.0;
    double compact_accuracy = 0.0;
};

/// Largest logit difference accepted as agreement.
constexpr double kLogitTolerance = 1e-4;

/// Runs both networks in eval mode over `data` in batches of `batch_size`.
PruneCheck checkCompact(EpsilonResNet& gated, CompactResNet& compact,
                        const std::vector<bool>& removed, const Dataset& data,
                        const Normalizer& normalizer, int batch_size, torch::Device device);

/// Size and cost of a network, for the comparison table.
struct NetworkCost {
    int layers = 0;  ///< Convolution and fully-connected layers on the inference path.
    int blocks = 0;  ///< Residual blocks that compute something.
    int64_t parameters = 0;
    int64_t macs = 0;  ///< Multiply-accumulates per image, convolutions and classifier.
};

/// Cost of a network made of `units` on images of `image_size`, parameters counted separately.
NetworkCost costOf(const std::vector<CompactUnit>& units, int in_channels, int num_classes,
                   int image_size);
NetworkCost costOf(const EpsilonResNetImpl& gated);
NetworkCost costOf(const CompactResNetImpl& compact, int image_size);

/// Median milliseconds of `forward` on a random batch of `batch` images, after a warm-up.
double inferenceMilliseconds(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                             int64_t batch, int channels, int image_size, torch::Device device,
                             int repeats = 5);

}  // namespace epsilon
