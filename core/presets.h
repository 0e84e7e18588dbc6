// SPDX-License-Identifier: MIT
// Ready-made experiments: the default run on Fashion-MNIST, and per-data-set ε defaults.
#pragma once

#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/train_config.h"

namespace epsilon {

/// The experiment that runs when the user changes nothing: a ResNet-20 on Fashion-MNIST, short
/// enough for a laptop, with the paper's schedule shape compressed to its length. The README
/// says how its ε was chosen.
TrainConfig defaultExperiment();

/// Sets the model's input channels, image size and classes to those of `train`.
void fitModelToData(ModelConfig& model, const Dataset& train);

/// ε to use on a data set when the user gives none. Responses on Fashion-MNIST are several
/// times larger than on CIFAR, so the paper's 2.5 would discard nothing there.
double defaultEpsilon(const std::string& dataset);

}  // namespace epsilon

namespace epsilon {

/// The standard schedule's shape over `epochs`: 0.1, then 0.01 after half the epochs and
/// 0.001 after three quarters (the authors' 82 and 123 of 164), rounded; steps that would
/// fall at or after the last epoch are left out.
std::vector<LrStep> stepsScaledTo(int epochs);

/// Epochs of ε = 0 before ε applies in a run of `epochs`: a fifth, rounded, and at least one
/// when there are two or more (a one-epoch run applies ε from the start).
int warmupScaledTo(int epochs);

/// Epochs during which ε applies after the warm-up (TrainConfig::epsilon_epochs), when blocks
/// are skipped: a fifth of `epochs`, rounded, at least one.
int discardEpochsScaledTo(int epochs);

}  // namespace epsilon
