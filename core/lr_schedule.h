// SPDX-License-Identifier: MIT
// Learning-rate schedules of ε-ResNet: the standard step schedule and the adaptive restarts.
#pragma once

#include <string>
#include <vector>

namespace epsilon {

/// A learning rate that holds for every epoch after `after_epoch` (epochs count from 1).
struct LrStep {
    int after_epoch = 0;
    double learning_rate = 0.1;
};

/// Settings of the schedule; the defaults are the authors' CIFAR values (method.md).
struct ScheduleConfig {
    /// True: restart the steps whenever training discards another block (adaptive schedule).
    bool adaptive = true;
    /// Standard steps: 0.1, 0.01 after epoch 82, 0.001 after 123, 2e-4 after 300.
    std::vector<LrStep> steps = {{0, 0.1}, {82, 0.01}, {123, 0.001}, {300, 2e-4}};
    /// Steps after a restart at epoch N, offsets from N: 0.1 from N+1, 0.01 from N+41,
    /// 0.001 from N+61, 2e-4 from N+150.
    std::vector<LrStep> restart_steps = {{0, 0.1}, {40, 0.01}, {60, 0.001}, {149, 2e-4}};
};

/// Throws std::invalid_argument unless the steps start at 0, increase, and have positive rates.
void validate(const ScheduleConfig& config);

/// The learning rate of each epoch, including the adaptive schedule's restarts.
class LrSchedule {
  public:
    explicit LrSchedule(ScheduleConfig config);

    /// Learning rate for epoch `epoch` (counting from 1).
    double learningRate(int epoch) const;
    /// Called at the end of `epoch` with the moving-average count of discarded blocks. In the
    /// adaptive schedule, a rise of at least one since the previous epoch restarts the steps
    /// from this epoch; returns whether it did.
    bool endEpoch(int epoch, double discarded_average);
    /// Epoch of the last restart, or 0 if none.
    int restartEpoch() const { return restart_epoch_; }
    /// Discarded-count average seen at the end of the previous epoch.
    double previousDiscardedAverage() const { return previous_discarded_; }
    /// Restores the state saved by restartEpoch() and previousDiscardedAverage().
    void restore(int restart_epoch, double previous_discarded_average);
    const ScheduleConfig& config() const { return config_; }

  private:
    ScheduleConfig config_;
    int restart_epoch_ = 0;
    double previous_discarded_ = 0.0;
};

}  // namespace epsilon
