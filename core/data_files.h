// SPDX-License-Identifier: MIT
// Which files each named data set ("fashion-mnist", "cifar10", ...) is read from, found without
// reading them. Free of torch, so that the GUI can check a data path as the user types it.
#pragma once

#include <string>
#include <vector>

namespace epsilon {

/// A data set to load: one of knownDatasets() and the directory holding its files.
struct DataSource {
    /// Data set name, e.g. "fashion-mnist"; see knownDatasets().
    std::string name;
    /// Directory with the data set's files; empty means the default where one exists.
    std::string path;
};

/// The files of both splits of a data set, in the order their readers take them.
struct DataFiles {
    /// IDX data sets: images then labels. CIFAR: the record files.
    std::vector<std::string> train;
    std::vector<std::string> test;
};

/// Finds the files of `source`:
///
/// "fashion-mnist", "mnist": a directory with train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each preferably with .gz. An empty path
/// means /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) or
/// /usr/share/datasets/mnist. "cifar10": data_batch_1.bin..data_batch_5.bin and test_batch.bin,
/// in path or in path/cifar-10-batches-bin. "cifar100" (fine labels), "cifar100-coarse": train.bin
/// and test.bin, in path or in path/cifar-100-binary. Throws std::invalid_argument for an unknown
/// name or a CIFAR source without a path, DataError for missing directories or files (naming the
/// files expected). Whether the files are usable is known only once they are read.
DataFiles locateDataFiles(const DataSource& source);

/// Names locateDataFiles() accepts, in the order a user would want them listed.
std::vector<std::string> knownDatasets();

/// Whether the data set has a default directory, so that an empty path works.
bool hasDefaultPath(const std::string& name);

/// Whether random horizontal flips suit the data set: true for clothes and natural images, false
/// for "mnist" because digits are not mirror-symmetric. Throws std::invalid_argument for an
/// unknown name.
bool defaultHorizontalFlip(const std::string& name);

}  // namespace epsilon
