// SPDX-License-Identifier: MIT
// Test-set evaluation of the gated and the compact networks.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <torch/types.h>

#include "core/batch_loader.h"
#include "core/compact_resnet.h"
#include "core/epsilon_resnet.h"

namespace epsilon {

/// Accuracy and loss of a network on one pass over a data set.
struct EvalResult {
    double loss = 0.0;
    double accuracy = 0.0;
    double side_accuracy = 0.0;  ///< Gated network with a side head only.
    int64_t batches = 0;
    /// Gated network only: batches on which each block's gate was 1.
    std::vector<int64_t> batches_gate_on;
};

/// Evaluates the gated network in eval mode (running batch-norm statistics); gates are
/// recomputed on every batch, as the method prescribes.
EvalResult evaluateGated(EpsilonResNet& model, const Dataset& data, const Normalizer& normalizer,
                         int batch_size, torch::Device device);

/// Evaluates the compact network in eval mode.
EvalResult evaluateCompact(CompactResNet& model, const Dataset& data, const Normalizer& normalizer,
                           int batch_size, torch::Device device);
/// The same, computed by the compact network's folded inference form (FoldedResNet): the same
/// logits up to float rounding, in fewer passes over the activations.
EvalResult evaluateFolded(CompactResNet& model, const Dataset& data, const Normalizer& normalizer,
                          int batch_size, torch::Device device);

/// Images of the batch whose largest logit is at their label.
int64_t correctCount(const torch::Tensor& logits, const torch::Tensor& labels);

/// Options of a loader that visits `data` once, in order, without augmentation.
LoaderOptions evaluationOptions(int batch_size);

}  // namespace epsilon
