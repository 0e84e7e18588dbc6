// SPDX-License-Identifier: MIT
// Plain-data records of training progress, delivered to observers (a GUI, a terminal, a log).
#pragma once

#include <cstdint>
#include <vector>

namespace epsilon {

/// One optimisation step. Per-block vectors have one entry per residual block, in order.
struct StepRecord {
    int64_t step = 0;  ///< Steps done so far, counting this one (from 1).
    int epoch = 0;     ///< Current epoch, from 1.
    int batch = 0;     ///< Batch within the epoch, from 1.
    int batches_per_epoch = 0;
    double loss = 0.0;      ///< Cross-entropy of this batch: main + weighted side (no decay term).
    double accuracy = 0.0;  ///< Main classifier's accuracy on this batch, 0..1.
    double learning_rate = 0.0;
    double epsilon = 0.0;  ///< ε in force for this step.
    /// max |F| and mean |F| per block on this batch; NaN for a block not computed (skipped,
    /// see TrainConfig::skip_discarded_after).
    std::vector<float> max_abs;
    std::vector<float> mean_abs;
    std::vector<float> gate;               ///< Gate per block on this batch (0 or 1).
    std::vector<float> discard_average;    ///< Moving average of is_discarded per block.
    double discarded_count_average = 0.0;  ///< Moving average of the discarded-block count.
    double images_per_second = 0.0;        ///< Training throughput over the epoch so far.
    double seconds_left = 0.0;             ///< Estimated time to the end of training.
};

/// The end of one epoch, after evaluation on the test set.
struct EpochRecord {
    int epoch = 0;
    int64_t step = 0;
    double train_loss = 0.0;
    double train_accuracy = 0.0;
    double test_loss = 0.0;
    double test_accuracy = 0.0;       ///< Gated network, main classifier.
    double side_test_accuracy = 0.0;  ///< Side classifier (0 when the model has none).
    double learning_rate = 0.0;
    double epsilon = 0.0;
    /// 1 for each block whose gate was 0 on every training batch of this epoch.
    std::vector<uint8_t> dead_whole_epoch;
    std::vector<float> discard_average;
    double discarded_count_average = 0.0;
    /// Per block, the largest max |F| over this epoch's training batches: at any ε at or above
    /// it the block would have been off on every batch. Over the batches on which the block was
    /// computed; NaN when it was skipped on all of them.
    std::vector<float> epoch_max_abs;
    /// Per block, the mean over this epoch's training batches (computed ones) of mean |F|.
    std::vector<float> epoch_mean_abs;
    /// Test batches on which each block's gate was 1.
    std::vector<int64_t> test_batches_gate_on;
    int64_t test_batches = 0;
    bool schedule_restarted = false;  ///< The adaptive schedule restarted at this epoch's end.
    double images_per_second = 0.0;
    double seconds = 0.0;  ///< Wall time of the epoch, training and evaluation.
};

/// Receives records from the trainer, on the trainer's thread; must not block for long.
class TrainingObserver {
  public:
    virtual ~TrainingObserver() = default;
    virtual void onStep(const StepRecord& /*record*/) {}
    virtual void onEpoch(const EpochRecord& /*record*/) {}
};

}  // namespace epsilon
