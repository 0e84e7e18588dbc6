// SPDX-License-Identifier: MIT
// An image classification data set held in memory, as read from its files.
#pragma once

#include <stdexcept>
#include <string>

#include <torch/types.h>

#include "core/data_error.h"

namespace epsilon {

/// Images and labels of one split (train or test) of a data set.
struct Dataset {
    /// Short name, e.g. "fashion-mnist" or "cifar10".
    std::string name;
    /// Raw pixels, uint8, shape [N, C, H, W].
    torch::Tensor images;
    /// Class indices, int64, shape [N], each in [0, num_classes).
    torch::Tensor labels;
    /// Number of classes the labels range over.
    int num_classes = 0;

    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int channels() const { return static_cast<int>(images.size(1)); }
    int height() const { return static_cast<int>(images.size(2)); }
    int width() const { return static_cast<int>(images.size(3)); }
};

/// A training split and the test split it is evaluated on.
struct DatasetPair {
    Dataset train;
    Dataset test;
};

/// Throws DataError unless `path` names an existing, accessible regular file (not a directory).
void requireDataFile(const std::string& path);

}  // namespace epsilon
