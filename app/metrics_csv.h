// SPDX-License-Identifier: MIT
// A run's history as CSV tables, for spreadsheets and plotting tools.
#pragma once

#include <string>

#include "core/step_history.h"
#include "core/training_records.h"

namespace epsilon {

/// One row per epoch: the epoch's scalars, then per block b the columns max_abs_b, mean_abs_b,
/// discard_average_b, dead_b and test_gate_on_b.
std::string epochCsv(const std::vector<EpochRecord>& epochs, size_t blocks);
/// One row per kept step: the step's scalars, then per block max_abs_b, mean_abs_b, gate_b and
/// discard_average_b.
std::string stepCsv(const StepHistory& steps, size_t blocks);

}  // namespace epsilon
