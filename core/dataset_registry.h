// SPDX-License-Identifier: MIT
// Maps data set names ("fashion-mnist", "cifar10", ...) to their files and loads both splits.
#pragma once

#include <string>
#include <vector>

#include "core/dataset.h"

namespace epsilon {

/// A data set to load: one of knownDatasets() and the directory holding its files.
struct DataSource {
    /// Data set name, e.g. "fashion-mnist"; see knownDatasets().
    std::string name;
    /// Directory with the data set's files; empty means the default where one exists.
    std::string path;
};

/// Loads the training and test splits of a data set.
///
/// "fashion-mnist", "mnist": a directory with train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each preferably with .gz. An empty path
/// means /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) or
/// /usr/share/datasets/mnist. "cifar10": data_batch_1.bin..data_batch_5.bin and test_batch.bin,
/// in path or in path/cifar-10-batches-bin. "cifar100" (fine labels), "cifar100-coarse": train.bin
/// and test.bin, in path or in path/cifar-100-binary. Throws std::invalid_argument for an unknown
/// name or a CIFAR source without a path, DataError for missing directories or files (naming the
/// files expected) and for unusable files.
DatasetPair loadDataset(const DataSource& source);

/// Names loadDataset() accepts, in the order a user would want them listed.
std::vector<std::string> knownDatasets();

/// Whether random horizontal flips suit the data set: true for clothes and natural images, false
/// for "mnist" because digits are not mirror-symmetric. Throws std::invalid_argument for an
/// unknown name.
bool defaultHorizontalFlip(const std::string& name);

}  // namespace epsilon
