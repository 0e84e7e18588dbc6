// SPDX-License-Identifier: MIT
// A bounded, evenly thinned record of every optimisation step of a run.
#include "core/step_history.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace epsilon {

StepHistory::StepHistory(size_t capacity) : capacity_(capacity) {
    if (capacity_ < 2) {
        throw std::invalid_argument("a step history needs a capacity of at least 2");
    }
}

void StepHistory::add(const StepRecord& record) {
    if (record.step % stride_ != 0) {
        return;
    }
    rows_.push_back(record);
    // Images per second and the time left describe the moment, not the run; not kept.
    rows_.back().images_per_second = 0.0;
    rows_.back().seconds_left = 0.0;
    if (rows_.size() < capacity_) {
        return;
    }
    stride_ *= 2;
    size_t kept = 0;
    for (const StepRecord& row : rows_) {
        if (row.step % stride_ == 0) {
            rows_[kept++] = row;
        }
    }
    rows_.resize(kept);
}

void StepHistory::restore(std::vector<StepRecord> rows, int64_t stride) {
    if (stride < 1 || rows.size() >= capacity_) {
        throw std::invalid_argument("step history: stride " + std::to_string(stride) + " with " +
                                    std::to_string(rows.size()) + " rows does not fit capacity " +
                                    std::to_string(capacity_));
    }
    for (const StepRecord& row : rows) {
        if (row.step % stride != 0) {
            throw std::invalid_argument("step history: step " + std::to_string(row.step) +
                                        " is not a multiple of the stride " +
                                        std::to_string(stride));
        }
    }
    rows_ = std::move(rows);
    stride_ = stride;
}

}  // namespace epsilon
