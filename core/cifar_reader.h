// SPDX-License-Identifier: MIT
// Reads the binary versions of CIFAR-10 and CIFAR-100 (fixed-size label + pixel records).
#pragma once

#include <string>
#include <vector>

#include "core/dataset.h"

namespace epsilon {

/// Which of the two label sets of a CIFAR-100 record becomes the Dataset's labels.
enum class Cifar100Labels {
    /// The 100 fine classes (second byte of each record).
    Fine,
    /// The 20 coarse super-classes (first byte of each record).
    Coarse,
};

/// Reads CIFAR-10 binary batches (records of 1 label byte + 3072 CHW pixel bytes) in the order
/// given into uint8 images [N, 3, 32, 32] with 10 classes. Throws DataError for a missing, empty
/// or unreadable file, a size that is not a whole number of records, or a label above 9, and
/// std::invalid_argument for an empty file list.
Dataset readCifar10(const std::vector<std::string>& files, const std::string& name);

/// Reads CIFAR-100 binary files (records of coarse byte, fine byte, 3072 CHW pixel bytes) with
/// the chosen labels: 100 fine or 20 coarse classes. Errors as for readCifar10.
Dataset readCifar100(const std::vector<std::string>& files, Cifar100Labels which,
                     const std::string& name);

}  // namespace epsilon
