// SPDX-License-Identifier: MIT
// Prints training progress: a live bar on a terminal, plain lines in a log.
#pragma once

#include <cstdio>

#include "core/training_records.h"

namespace epsilon {

/// A TrainingObserver that writes to a stdio stream (standard error by default).
class ProgressPrinter : public TrainingObserver {
  public:
    /// `live`: redraw one line in place (for a terminal); otherwise print plain lines.
    ProgressPrinter(std::FILE* stream, bool live, int total_epochs);

    void onStep(const StepRecord& record) override;
    void onEpoch(const EpochRecord& record) override;

  private:
    std::FILE* stream_;
    bool live_;
    int total_epochs_;
    int last_reported_tenth_ = -1;
};

/// "1:05:09" or "4:07" for a duration in seconds.
std::string formatDuration(double seconds);

}  // namespace epsilon
