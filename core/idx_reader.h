// SPDX-License-Identifier: MIT
// Reads MNIST-style IDX image and label files, gzip-compressed or raw.
#pragma once

#include <string>

#include "core/dataset.h"

namespace epsilon {

/// Reads an IDX image file (magic 0x00000803) and its IDX label file (magic 0x00000801), each
/// either gzip-compressed or raw, into a Dataset with uint8 images [N, 1, rows, cols].
///
/// Throws DataError naming the file for: a missing or unreadable file, a wrong magic number, a
/// header or body shorter than the header promises, data left over after the promised images or
/// labels (trailing bytes are an error: they mean the header does not describe the file), an
/// empty file set (zero images or a zero image size), a label >= num_classes, and image and
/// label files that disagree on the number of examples. Throws std::invalid_argument when
/// num_classes is not in 1..256 (labels are single bytes).
Dataset readIdx(const std::string& images_path, const std::string& labels_path,
                const std::string& name, int num_classes);

}  // namespace epsilon
