// SPDX-License-Identifier: MIT
// A bounded, evenly thinned record of every optimisation step of a run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/training_records.h"

namespace epsilon {

/// Keeps every `stride()`-th step (steps whose number is a multiple of the stride). When
/// `capacity` rows are held, every other row is dropped and the stride doubles, so a run of any
/// length keeps between capacity/2 and capacity evenly spaced rows. What is kept depends only
/// on the number of steps taken, so a resumed run keeps exactly what an uninterrupted one would.
class StepHistory {
  public:
    static constexpr size_t kDefaultCapacity = 16384;

    explicit StepHistory(size_t capacity = kDefaultCapacity);

    /// Offers the record of one step; keeps it when its step number falls on the stride.
    void add(const StepRecord& record);
    const std::vector<StepRecord>& rows() const { return rows_; }
    int64_t stride() const { return stride_; }
    size_t capacity() const { return capacity_; }
    /// Replaces the contents (when loading a snapshot). Throws std::invalid_argument when the
    /// rows do not follow the stride or exceed the capacity.
    void restore(std::vector<StepRecord> rows, int64_t stride);

  private:
    size_t capacity_;
    int64_t stride_ = 1;
    std::vector<StepRecord> rows_;
};

}  // namespace epsilon
