// SPDX-License-Identifier: MIT
// Post-hoc ε sweep: what could be cut from a trained network at each ε, without retraining.
#pragma once

#include <vector>

#include <torch/types.h>

#include "core/batch_loader.h"
#include "core/epsilon_resnet.h"
#include "core/pruning.h"

namespace epsilon {

/// Per block, the largest max|F| over every batch of `data`, with every block computing
/// (ε = 0) in eval mode. A block whose value is at most ε had gate 0 on every batch.
std::vector<float> calibrateResponses(EpsilonResNet& model, const Dataset& data,
                                      const Normalizer& normalizer, int batch_size,
                                      torch::Device device);

/// `count` ε values spread over the observed responses: geometrically from half the smallest
/// to just past the largest, plus each response itself (where a block's fate changes), sorted
/// and without repeats.
std::vector<double> epsilonGrid(const std::vector<float>& responses, int count);

/// One point of the sweep.
struct SweepPoint {
    double epsilon = 0.0;
    std::vector<bool> removed;  ///< Blocks whose calibrated response is at most ε.
    NetworkCost cost;           ///< Of the network without them.
    double test_accuracy = 0.0;
};

/// For each ε, removes the blocks whose response is at most ε and measures the compact network
/// on `test`. Each distinct set of removed blocks is evaluated once.
std::vector<SweepPoint> posthocSweep(EpsilonResNet& model, const std::vector<float>& responses,
                                     const std::vector<double>& epsilons, const Dataset& test,
                                     const Normalizer& normalizer, int batch_size,
                                     torch::Device device);

}  // namespace epsilon
