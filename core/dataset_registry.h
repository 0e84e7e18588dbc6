// SPDX-License-Identifier: MIT
// Loads both splits of a named data set ("fashion-mnist", "cifar10", ...) from its files.
#pragma once

#include "core/data_files.h"
#include "core/dataset.h"

namespace epsilon {

/// Loads the training and test splits of the data set whose files locateDataFiles() finds.
/// Throws as locateDataFiles() does, and DataError for unusable files.
DatasetPair loadDataset(const DataSource& source);

}  // namespace epsilon
