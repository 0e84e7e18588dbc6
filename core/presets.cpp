// SPDX-License-Identifier: MIT
// Ready-made experiments: the default run on Fashion-MNIST, and per-data-set ε defaults.
#include "core/presets.h"

#include <algorithm>
#include <cmath>

namespace epsilon {
namespace {

// Fashion-MNIST's ε: above the lower end of what the weakest blocks respond after one epoch
// (max|F| about 7-9), below the strongest (11-20); docs/choosing-epsilon.md has every run.
constexpr double kFashionMnistEpsilon = 7.5;
// The authors' values for CIFAR and SVHN (method.md).
constexpr double kCifarEpsilon = 2.5;
constexpr double kSvhnEpsilon = 1.5;

// The warm-up and the discard phase each take a fifth of a run, rounded, and at least an epoch.
int aFifthOf(int epochs) {
    return std::max(1, static_cast<int>(std::lround(0.2 * epochs)));
}

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
    config.epochs = 5;
    // ε = 0 first, so every block learns before the gates may close (the authors' later code).
    config.epsilon_warmup_epochs = warmupScaledTo(config.epochs);
    // A run this short cannot let a block near ε settle: it flickers on and off, and pruning it
    // or keeping it both change what the network computes. So a block is skipped from its
    // first batch off, and gates may close only during one phase, after which the remaining
    // blocks train on without ε, as pruning schedules end with fine-tuning.
    config.skip_discarded_after = 1;
    config.epsilon_epochs = discardEpochsScaledTo(config.epochs);
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
    return epochs < 2 ? 0 : aFifthOf(epochs);
}

int discardEpochsScaledTo(int epochs) {
    return aFifthOf(epochs);
}

}  // namespace epsilon
