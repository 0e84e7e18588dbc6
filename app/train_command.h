// SPDX-License-Identifier: MIT
// `epsilon-lab-cli train`: train an ε-ResNet, prune it, and compare the two networks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/presets.h"

namespace epsilon {

/// The command's flags as parsed; unset optionals take defaults that depend on other flags.
struct TrainOptions {
    std::string dataset = "fashion-mnist";
    std::string data_path;
    int depth = 20;
    std::optional<int> blocks_per_stage;
    std::optional<double> epsilon;
    std::optional<int> epsilon_warmup;
    std::optional<int> epsilon_epochs;
    /// Unset: the default experiment's, or a resumed run's planned epochs.
    std::optional<int> epochs;
    int batch_size = defaultExperiment().batch_size;
    std::string schedule = "standard";
    std::vector<double> lr_values;
    std::vector<int> lr_after;
    std::vector<int> restart_after;
    uint64_t seed = defaultExperiment().seed;
    int threads = 0;
    std::string device = "auto";
    int64_t train_limit = 0;
    int64_t test_limit = 0;
    std::optional<bool> flip;
    bool channels_last = true;
    int64_t skip_discarded_after = defaultExperiment().skip_discarded_after;
    std::string prune_rule = "dead-last-epoch";
    double prune_threshold = 1.0;
    std::string report_path;
    /// Snapshot written at the end and every `save_every` epochs (0: only at the end).
    std::string snapshot_path;
    int save_every = 0;
    /// Snapshot of the run to continue; it also receives the new snapshots unless
    /// `snapshot_path` is set.
    std::string resume_path;
    bool quiet = false;
};

/// Adds the `train` subcommand and its flags to `app`, filling `options` when parsed.
CLI::App* addTrainCommand(CLI::App& app, TrainOptions& options);

/// Runs the command; returns the exit status (0 success, 1 runtime failure, 2 bad settings).
int runTrain(const TrainOptions& options);

}  // namespace epsilon
