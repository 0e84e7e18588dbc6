// SPDX-License-Identifier: MIT
// Trains an ε-ResNet: SGD, the schedules, per-epoch evaluation and per-block discard tracking.
#pragma once

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include <torch/types.h>

#include "core/batch_loader.h"
#include "core/dataset.h"
#include "core/epsilon_resnet.h"
#include "core/train_config.h"
#include "core/training_records.h"

namespace epsilon {

/// Training cannot go on; the message says why (e.g. the loss became NaN, and when).
class TrainingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// How a call to Trainer::run ended.
enum class TrainOutcome { Finished, Cancelled };

/// Owns the model, the optimizer and the data of one run. Not thread-safe, except
/// requestStop(), which any thread may call while run() is going on.
class Trainer {
  public:
    Trainer(TrainConfig config, DatasetPair data, torch::Device device);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    /// Trains from the current epoch to config().epochs, telling `observer` (may be null) of
    /// every step and epoch. Throws TrainingError when the loss stops being finite.
    TrainOutcome run(TrainingObserver* observer);
    /// Asks run() to return after the current batch.
    void requestStop() { stop_requested_ = true; }

    const TrainConfig& config() const { return config_; }
    /// Changes the planned number of epochs (e.g. to extend a resumed run).
    void setEpochs(int epochs);
    EpsilonResNet& model() { return model_; }
    const DatasetPair& data() const { return data_; }
    const Normalizer& normalizer() const { return normalizer_; }
    torch::Device device() const { return device_; }
    int epochsDone() const { return epochs_done_; }
    int64_t stepsDone() const { return steps_done_; }
    /// Per block: 1 when its gate was 0 on every training batch of the last finished epoch.
    const std::vector<uint8_t>& deadLastEpoch() const { return dead_last_epoch_; }
    /// Per block moving average of is_discarded.
    const std::vector<float>& discardAverage() const { return discard_average_; }
    const std::vector<EpochRecord>& history() const { return history_; }
    /// Mean training throughput over the epochs run by this object.
    double trainImagesPerSecond() const;

  private:
    struct Optimizer;
    struct EpochTally;
    bool trainEpoch(int epoch, TrainingObserver* observer, EpochRecord& record);
    // One SGD step on `batch`; returns loss, correct count, then max|F|, mean|F| and gate per
    // block, on the host.
    std::vector<float> optimiseStep(const Batch& batch, int epoch);
    // Moving averages, whole-epoch deadness and epoch maxima from one step's values.
    void trackBlocks(const std::vector<float>& values, StepRecord& step, EpochTally& tally);
    void finishEpoch(int epoch, EpochRecord& record);

    TrainConfig config_;
    DatasetPair data_;
    torch::Device device_;
    Normalizer normalizer_;
    EpsilonResNet model_{nullptr};
    std::unique_ptr<Optimizer> optimizer_;
    std::unique_ptr<BatchLoader> train_loader_;
    LrSchedule schedule_;
    std::atomic<bool> stop_requested_{false};
    int epochs_done_ = 0;
    int64_t steps_done_ = 0;
    std::vector<uint8_t> dead_last_epoch_;
    std::vector<float> discard_average_;
    double discarded_count_average_ = 0.0;
    std::vector<EpochRecord> history_;
    double train_seconds_ = 0.0;
    int64_t train_images_ = 0;
};

/// The first `limit` examples of `data` (all of them when limit is 0 or too large).
Dataset takeFirst(const Dataset& data, int64_t limit);

}  // namespace epsilon
