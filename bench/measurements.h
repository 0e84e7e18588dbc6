// SPDX-License-Identifier: MIT
// What the benchmark measures of Epsilon Lab's own code: training, inference, the conv ceiling.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace epsilon::bench {

/// One benchmark configuration; the Python peer takes the same settings.
struct BenchSettings {
    int depth = 20;
    int channels = 3;
    int image_size = 32;
    int batch = 128;
    /// Steps (training) or passes (inference) timed, after `warmup` untimed ones.
    int steps = 20;
    int warmup = 3;
    bool channels_last = true;
    /// Blocks removed from the network for the pruned-inference measurements.
    std::vector<int> removed;
    /// Blocks made dead for training (their last convolution zeroed, so F = 0 and the gate 0),
    /// and TrainConfig::skip_discarded_after for the run.
    std::vector<int> dead;
    int64_t skip_after = 0;
};

/// One flag per block of a network with `blocks` blocks, set for each of `indices`. Throws
/// std::invalid_argument, naming `option`, for an index that is not a block.
std::vector<bool> blockFlags(const std::vector<int>& indices, int blocks, const char* option);

/// Training through the real Trainer (data loader, gate statistics, observer) on random images
/// with ε = 0, so that every block computes. Reports images per second over the timed steps.
nlohmann::json measureTraining(const BenchSettings& settings);

/// The model's training step alone, the way the peer times it: one fixed batch of normalised
/// random images, forward, both losses, backward, SGD; no loader, no trainer bookkeeping. The
/// difference to measureTraining is what the trainer adds.
nlohmann::json measureModelStep(const BenchSettings& settings);

/// Eval-mode inference of the gated ε-ResNet, as the comparison table times it.
nlohmann::json measureGatedInference(const BenchSettings& settings);

/// Inference of the compact network without `settings.removed`: batch norm folded, inference
/// mode (`folded`), or the compact module in eval mode (`!folded`).
nlohmann::json measureCompactInference(const BenchSettings& settings, bool folded);

/// GFLOP/s of a 64→64 3×3 convolution at 32×32, batch `settings.batch`, forward only, in both
/// memory formats: the most this CPU gives the layers that dominate ResNet training.
nlohmann::json measureConvCeiling(const BenchSettings& settings);

}  // namespace epsilon::bench
