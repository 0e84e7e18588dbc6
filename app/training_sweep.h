// SPDX-License-Identifier: MIT
// Runs the tasks of a training sweep as child processes, and gathers their snapshots.
#pragma once

#include <string>
#include <vector>

#include "app/sweep_plan.h"
#include "core/sweep_record.h"

namespace epsilon {

/// What one finished run of the sweep gave.
struct SweepRunResult {
    int task = 0;
    double epsilon = 0.0;
    uint64_t seed = 0;
    double test_accuracy = 0.0;  ///< Gated network after the last epoch.
    double pruned_accuracy = 0.0;
    int64_t params = 0;
    int64_t macs = 0;
    int64_t pruned_params = 0;
    int64_t pruned_macs = 0;
    int blocks_discarded = 0;
    int blocks_total = 0;
    double train_seconds = 0.0;
};

/// Runs task `index` of the plan in `dir` as a child process of `program` (the command line
/// itself), its output going to dir/logs/. A finished run is skipped; a run with a partial
/// snapshot is resumed. Returns the child's exit status (0 for a skipped run).
int runSweepTask(const SweepPlan& plan, const std::string& dir, int index,
                 const std::string& program);

/// Runs every unfinished task, at most `parallel` at a time. Returns how many failed.
int runSweepLocally(const SweepPlan& plan, const std::string& dir, int parallel,
                    const std::string& program);

/// Results of the tasks whose snapshots hold finished runs, in task order; `missing` gets the
/// indices of the others.
std::vector<SweepRunResult> collectSweep(const SweepPlan& plan, const std::string& dir,
                                         std::vector<int>* missing);

/// The results as an HDF5 sweep record of `dir`, one row per run.
SweepRecord sweepRecord(const std::vector<SweepRunResult>& results, const std::string& dir);
/// One row per run.
std::string sweepRunsCsv(const std::vector<SweepRunResult>& results);
/// One row per ε: mean and standard deviation over its seeds of every measure.
std::string sweepSummaryCsv(const std::vector<SweepRunResult>& results);

/// The Slurm job-array script for the plan in `dir`: each array task runs one (ε, seed) with
/// `program sweep --run-task $SLURM_ARRAY_TASK_ID --dir dir`.
std::string slurmScript(const SweepPlan& plan, const std::string& dir, const std::string& program);

}  // namespace epsilon
