// SPDX-License-Identifier: MIT
// Standard and adaptive learning-rate schedules.
#include "core/lr_schedule.h"

#include <stdexcept>

namespace epsilon {
namespace {

void validateSteps(const std::vector<LrStep>& steps, const std::string& what) {
    if (steps.empty() || steps.front().after_epoch != 0) {
        throw std::invalid_argument(what + " must start with a rate for epoch 1 (after epoch 0)");
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        if (!(steps[i].learning_rate > 0.0)) {
            throw std::invalid_argument(what + " has a learning rate that is not positive");
        }
        if (i > 0 && steps[i].after_epoch <= steps[i - 1].after_epoch) {
            throw std::invalid_argument(what + " epochs must increase strictly");
        }
    }
}

double rateAt(const std::vector<LrStep>& steps, int epochs_since_start) {
    double rate = steps.front().learning_rate;
    for (const LrStep& step : steps) {
        if (epochs_since_start > step.after_epoch) {
            rate = step.learning_rate;
        }
    }
    return rate;
}

}  // namespace

void validate(const ScheduleConfig& config) {
    validateSteps(config.steps, "the learning-rate schedule");
    if (config.adaptive) {
        validateSteps(config.restart_steps, "the adaptive restart schedule");
    }
}

LrSchedule::LrSchedule(ScheduleConfig config) : config_(std::move(config)) {
    validate(config_);
}

double LrSchedule::learningRate(int epoch) const {
    if (restart_epoch_ > 0) {
        return rateAt(config_.restart_steps, epoch - restart_epoch_);
    }
    return rateAt(config_.steps, epoch);
}

bool LrSchedule::endEpoch(int epoch, double discarded_average) {
    const bool rose = discarded_average - previous_discarded_ >= 1.0;
    previous_discarded_ = discarded_average;
    if (config_.adaptive && rose) {
        restart_epoch_ = epoch;
        return true;
    }
    return false;
}

void LrSchedule::restore(int restart_epoch, double previous_discarded_average) {
    restart_epoch_ = restart_epoch;
    previous_discarded_ = previous_discarded_average;
}

}  // namespace epsilon
