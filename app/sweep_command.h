// SPDX-License-Identifier: MIT
// `epsilon-lab-cli sweep`: how accuracy and size trade off against ε.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace epsilon {

struct SweepOptions {
    /// Snapshot of a trained run to sweep post hoc (no retraining).
    std::string posthoc_path;
    /// Training sweep modes, each working on the sweep directory `dir`.
    bool train = false;
    bool emit_slurm = false;
    bool collect = false;
    int run_task = -1;
    std::string dir;
    /// ε values to try; for a post-hoc sweep, empty: chosen from the calibrated responses.
    std::vector<double> epsilons;
    std::vector<uint64_t> seeds = {1};
    /// Runs trained at the same time; the threads are divided between them.
    int parallel = 1;
    /// Flags of `train` shared by every run of a training sweep (after `--`).
    std::vector<std::string> train_arguments;
    int points = 20;
    /// Training images used to calibrate each block's response (0: all used in training).
    int64_t calibration_images = 10000;
    std::string csv_path;
    std::string json_path;
    /// Post hoc: the sweep recorded in HDF5 (a training sweep records its own in DIR/sweep.h5).
    std::string hdf5_path;
    int threads = 0;
    std::string device = "auto";
};

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& options);

/// Returns the exit status: 0 success, 1 unreadable snapshot or data, 2 bad usage.
int runSweep(const SweepOptions& options);

}  // namespace epsilon
