// SPDX-License-Identifier: MIT
// Exports a snapshot's compact network as a LibTorch archive that torch::load reads
// (module layout: docs/snapshot-format.md, "Exported model").
#pragma once

#include <string>

#include "core/compact_resnet.h"
#include "core/snapshot.h"

namespace epsilon {

/// Archive key of the layout description (a JSON string) stored beside the weights.
constexpr const char* kExportLayoutKey = "epsilon_lab_layout";
/// Archive key of the per-pixel mean image [C, H, W] to subtract before dividing by 128.
constexpr const char* kExportMeanKey = "epsilon_lab_mean_image";

/// The compact network of pruning `index` of `snapshot` (the last one when index is -1), or, when
/// the snapshot holds no pruning, the network without the blocks that training discarded in the
/// last epoch. On the CPU, in eval mode.
CompactResNet compactFromSnapshot(const Snapshot& snapshot, int index = -1);

/// The layout of `compact` as JSON: input, classes, batch-norm epsilon, and per unit its
/// channels, stride, pre-activation and whether it has a residual branch.
std::string compactLayoutJson(const CompactResNetImpl& compact, const Snapshot& snapshot);

/// Writes `compact`'s parameters and buffers under their module names, the layout and the mean
/// image to `path` (through a temporary file). Throws std::runtime_error naming the path.
void exportCompact(CompactResNet& compact, const Snapshot& snapshot, const std::string& path);

}  // namespace epsilon
