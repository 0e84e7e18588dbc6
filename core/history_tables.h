// SPDX-License-Identifier: MIT
// Training history as column datasets in HDF5: one dataset per field, [rows] or [rows x blocks].
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <vector>

#include "core/step_history.h"
#include "core/training_records.h"

namespace epsilon {

/// Writes one dataset per EpochRecord field into `group`.
void writeEpochTable(hid_t group, const std::vector<EpochRecord>& epochs, size_t blocks);
/// Reads what writeEpochTable wrote; throws hdf5::Error naming a missing or misshapen dataset.
std::vector<EpochRecord> readEpochTable(hid_t group, size_t blocks);

/// Writes one dataset per StepRecord field kept by `steps`, and its stride as an attribute.
void writeStepTable(hid_t group, const StepHistory& steps, size_t blocks);
/// Reads what writeStepTable wrote into `steps`.
void readStepTable(hid_t group, size_t blocks, StepHistory& steps);

}  // namespace epsilon
