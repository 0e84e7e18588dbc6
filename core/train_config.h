// SPDX-License-Identifier: MIT
// Settings of one training run; the defaults are the authors' CIFAR recipe (method.md).
#pragma once

#include <cstdint>

#include "core/lr_schedule.h"
#include "core/model_config.h"

namespace epsilon {

/// Everything a training run needs besides the data. Example: 2 quick epochs with ε = 8,
/// `TrainConfig c; c.epochs = 2; c.model.epsilon = 8;`.
struct TrainConfig {
    ModelConfig model;
    ScheduleConfig schedule;
    /// Epochs to train in all (the authors run hundreds; defaultExperiment() is a short run).
    int epochs = 10;
    int batch_size = 128;
    double momentum = 0.9;
    /// λ of λ·½‖W‖², on convolution and fully-connected weights only.
    double weight_decay = 2e-4;
    /// Weight of the side classifier's cross-entropy in the loss.
    double side_loss_weight = 0.1;
    /// Decay of the per-block moving average of is_discarded and of the discarded count.
    double discard_average_decay = 0.95;
    /// Epochs trained with ε = 0 (a plain ResNet) before ε applies, as in the authors' later code.
    int epsilon_warmup_epochs = 0;
    /// Epochs after the warm-up during which ε applies; after them ε is 0
    /// again, so no further gate closes and the blocks skipped so far (skip_discarded_after)
    /// stay skipped while the rest train on: the discard phase ends and fine-tuning follows, as
    /// in pruning schedules that stop pruning before the end. 0: ε applies to the end of the run.
    /// Needs skip_discarded_after > 0, or the discarded blocks would come back.
    int epsilon_epochs = 0;
    /// Zero padding before the random crop; 0 disables cropping.
    int crop_padding = 4;
    bool horizontal_flip = true;
    /// Seeds the initialisation, the shuffling and the augmentation.
    uint64_t seed = 1;
    /// Store convolution weights and activations channels-last (faster on CPU, same results
    /// within float rounding).
    bool channels_last = true;
    /// When above 0, a block whose gate has been 0 on this many consecutive training steps is
    /// no longer computed, in training or evaluation: it is an identity for the rest of the
    /// run, and pruning always removes it. Its weights move as a computed dead block's do (zero
    /// gradient, weight decay, momentum); only its batch-norm running statistics stop. It can
    /// never switch back on, which the method allows in principle.
    /// 0: every block on every step, as the method states.
    int64_t skip_discarded_after = 0;
    /// Use at most this many training / test images (0: all), for quick runs.
    int64_t train_limit = 0;
    int64_t test_limit = 0;
};

/// Throws std::invalid_argument naming the first impossible setting.
void validate(const TrainConfig& config);

/// ε in `epoch` (1-based), given the warm-up and the end of the phase in which ε applies.
double epsilonForEpoch(const TrainConfig& config, int epoch);

}  // namespace epsilon
