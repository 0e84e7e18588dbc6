// SPDX-License-Identifier: MIT
// Experiment snapshots: a run's settings, weights, optimizer state, progress, history and
// pruning results in one HDF5 file (layout: docs/snapshot-format.md).
//
// Threads: HDF5 is built without thread safety, so every function here must be called from one
// thread only. The command line calls them from its main thread; the GUI from its training
// worker's thread, between epochs.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/config_json.h"
#include "core/durable_file.h"
#include "core/prune_report.h"
#include "core/trainer.h"

namespace epsilon {

/// Version of the layout written; readers accept this and older versions.
constexpr int kSnapshotFormatVersion = 1;
/// Value of the root attribute "format" that marks a file as an Epsilon Lab snapshot.
constexpr const char* kSnapshotFormatName = "epsilon-lab-snapshot";

/// A snapshot could not be written or read; what() starts with the file's path and says why.
class SnapshotError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Tensors by name, on the CPU, as a module names its parameters and buffers.
using NamedTensors = std::map<std::string, torch::Tensor>;

/// One pruning of the trained network: what was removed, the comparison, and the compact weights.
struct PruningRecord {
    /// Epochs trained when the network was pruned.
    int after_epoch = 0;
    PruneReport report;
    /// Threshold of PruneRule::DiscardAverage, or the ε of PruneRule::BelowEpsilon.
    double threshold = 1.0;
    /// Parameters and buffers of the compact network (names: stem.*, blocks.<k>.*, head.*).
    NamedTensors compact_state;
};

/// Everything a snapshot holds.
struct Snapshot {
    ExperimentConfig config;
    /// Image counts actually used (after limits), and the per-pixel training mean [C, H, W].
    int64_t train_images = 0;
    int64_t test_images = 0;
    torch::Tensor mean_image;
    /// The gated model's parameters and buffers, and SGD's momentum buffers, by parameter name.
    NamedTensors model_state;
    NamedTensors momentum;
    TrainerProgress progress;
    std::vector<PruningRecord> prunings;

    /// Set when read from a file: where from, and who wrote it.
    std::string source_path;
    int format_version = kSnapshotFormatVersion;
    std::string app_version;
    std::string torch_version;
    std::string hdf5_version;
    std::string created_utc;
};

/// The state of `trainer` (tensors copied to the CPU) with the data source it trains on.
Snapshot captureSnapshot(Trainer& trainer, const DataSource& data,
                         std::vector<PruningRecord> prunings = {});
/// Records a pruning of `trainer`'s model, rebuilding the compact network from `report.removed`.
PruningRecord recordPruning(Trainer& trainer, const PruneReport& report, double threshold);

/// Called with the name of each stage of a save as it is reached ("file built", then those of
/// replaceFileDurably); a test uses it to stop a save half-way.
using SaveStageHook = WriteStageHook;

/// Writes `snapshot` to `path` through `path`.saving in the same directory, synced to disk and
/// then renamed over `path`: an existing snapshot is replaced whole or not at all. Throws
/// SnapshotError naming the path and the reason (full disk, read-only directory...).
void saveSnapshot(const std::string& path, const Snapshot& snapshot,
                  const SaveStageHook& on_stage = {});

/// Reads and checks a snapshot (read-only: the file is never changed). Throws SnapshotError
/// naming the file for anything that is not a complete snapshot this build can read: not HDF5,
/// truncated, another program's HDF5 file, a newer format, weights that do not fit the
/// configuration.
Snapshot loadSnapshot(const std::string& path);

/// Makes `trainer` continue the run saved in `snapshot`. The trainer must have been built from
/// the snapshot's configuration and the same data; throws SnapshotError when the data differ.
void restoreTrainer(const Snapshot& snapshot, Trainer& trainer);

/// The parameters and buffers of `module`, copied to contiguous CPU tensors.
NamedTensors stateOf(const torch::nn::Module& module);
/// Copies `state` into `module`'s same-named parameters and buffers, keeping their device and
/// memory layout. Every name must exist on both sides with the same shape.
void loadState(const NamedTensors& state, torch::nn::Module& module);

}  // namespace epsilon
