// SPDX-License-Identifier: MIT
// Ready-made experiments: the default run on Fashion-MNIST, and per-data-set ε defaults.
#include "core/presets.h"

#include <cmath>

namespace epsilon {
namespace {

// Fashion-MNIST's ε: the largest value tried that keeps the short default run's gated network
// sound on the test set. Larger values discard blocks but break it (README, "Choosing ε").
constexpr double kFashionMnistEpsilon = 6.0;
// The authors' values for CIFAR and SVHN (method.md).
constexpr double kCifarEpsilon = 2.5;
constexpr double kSvhnEpsilon = 1.5;

}  // namespace

void fitModelToData(ModelConfig& model, const Dataset& train) {
    model.in_channels = train.channels();
    model.image_size = train.height();
    model.num_classes = train.num_classes;
}

double defaultEpsilon(const std::string& dataset) {
    if (dataset == "fashion-mnist" || dataset == "mnist") {
        return kFashionMnistEpsilon;
    }
    if (dataset == "svhn") {
        return kSvhnEpsilon;
    }
    return kCifarEpsilon;
}

TrainConfig defaultExperiment() {
    TrainConfig config;
    config.model.blocks_per_stage = 3;
    config.model.in_channels = 1;
    config.model.num_classes = 10;
    config.model.image_size = 28;
    config.model.epsilon = kFashionMnistEpsilon;
    config.epochs = 4;
    // ε = 0 first, so every block learns before the gates may close (the authors' later code).
    config.epsilon_warmup_epochs = warmupScaledTo(config.epochs);
    // The adaptive restarts are off: in a run this short a restart would end it at rate 0.1.
    config.schedule.adaptive = false;
    config.schedule.steps = stepsScaledTo(config.epochs);
    return config;
}

std::vector<LrStep> stepsScaledTo(int epochs) {
    std::vector<LrStep> steps = {{0, 0.1}};
    const double drops[][2] = {{0.5, 0.01}, {0.75, 0.001}};
    for (const auto& drop : drops) {
        const int after = static_cast<int>(std::lround(drop[0] * epochs));
        if (after > steps.back().after_epoch && after < epochs) {
            steps.push_back({after, drop[1]});
        }
    }
    return steps;
}

int warmupScaledTo(int epochs) {
    return static_cast<int>(std::floor(0.4 * epochs));
}

}  // namespace epsilon
