// SPDX-License-Identifier: MIT
// Trains an ε-ResNet: SGD, the schedules, per-epoch evaluation and per-block discard tracking.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/batch_loader.h"
#include "core/dataset.h"
#include "core/epsilon_resnet.h"
#include "core/step_history.h"
#include "core/train_config.h"
#include "core/training_records.h"

namespace epsilon {

/// Training cannot go on; the message says why (e.g. the loss became NaN, and when).
class TrainingError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A run's progress apart from its tensors. With the configuration, the model's parameters and
/// buffers and the optimizer's momentum buffers, it is all that an exact resume needs: batches
/// depend only on (seed, epoch), and training draws no other random numbers.
struct TrainerProgress {
    int epochs_done = 0;
    int64_t steps_done = 0;
    /// Per block: 1 when its gate was 0 on every training batch of the last finished epoch.
    std::vector<uint8_t> dead_last_epoch;
    /// Per block moving average of is_discarded, and the moving average of the discarded count.
    std::vector<float> discard_average;
    double discarded_count_average = 0.0;
    /// Per block: consecutive training steps, up to now, on which its gate was 0.
    std::vector<int64_t> gate_off_steps;
    /// The adaptive schedule's state (LrSchedule::restartEpoch, previousDiscardedAverage).
    int schedule_restart_epoch = 0;
    double schedule_previous_discarded = 0.0;
    std::vector<EpochRecord> history;
    StepHistory steps;
    /// Time spent in training batches and images trained on, over every session of the run.
    double train_seconds = 0.0;
    int64_t train_images = 0;
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
    int epochsDone() const { return progress_.epochs_done; }
    int64_t stepsDone() const { return progress_.steps_done; }
    /// Per block: 1 when its gate was 0 on every training batch of the last finished epoch.
    const std::vector<uint8_t>& deadLastEpoch() const { return progress_.dead_last_epoch; }
    /// Per block moving average of is_discarded.
    const std::vector<float>& discardAverage() const { return progress_.discard_average; }
    const std::vector<EpochRecord>& history() const { return progress_.history; }
    const TrainerProgress& progress() const { return progress_; }
    /// Mean training throughput over all epochs of the run.
    double trainImagesPerSecond() const;

    /// Continues a run from `progress` (saved at the end of an epoch). The model's and the
    /// optimizer's tensors are restored separately; the model's ε becomes the last trained
    /// epoch's. Throws std::invalid_argument when it does not fit this trainer's configuration.
    void restoreProgress(TrainerProgress progress);
    /// The optimizer's momentum buffer of each parameter, by the parameter's name; parameters
    /// that have not been stepped yet have none.
    std::map<std::string, torch::Tensor> momentumBuffers() const;
    /// Sets momentum buffers (copied) by parameter name. Throws std::invalid_argument naming an
    /// unknown parameter or a buffer of the wrong shape.
    void restoreMomentumBuffers(const std::map<std::string, torch::Tensor>& buffers);

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
    // Stops computing the blocks off for config().skip_discarded_after consecutive steps.
    void applySkipping();
    // A computed block with gate 0 gets a zero gradient, so weight decay and momentum go on
    // moving its weights; a skipped block gets none from autograd. Giving it the same zeros
    // keeps its weights on the path they would have taken, whether or not the optimizer's
    // zero_grad() leaves gradients defined (LibTorch 1.13 does, 2.x does not).
    void giveSkippedBlocksZeroGradients();

    TrainConfig config_;
    DatasetPair data_;
    torch::Device device_;
    Normalizer normalizer_;
    EpsilonResNet model_{nullptr};
    std::unique_ptr<Optimizer> optimizer_;
    std::unique_ptr<BatchLoader> train_loader_;
    LrSchedule schedule_;
    std::atomic<bool> stop_requested_{false};
    TrainerProgress progress_;
};

/// Per block (one flag for each of progress.discard_average): true when a run with `config` at
/// `progress` no longer computes it (its gate has been 0 for config.skip_discarded_after
/// consecutive steps; never when that is 0).
std::vector<bool> skippedBlocks(const TrainerProgress& progress, const TrainConfig& config);

/// The first `limit` examples of `data` (all of them when limit is 0 or too large).
Dataset takeFirst(const Dataset& data, int64_t limit);

}  // namespace epsilon
