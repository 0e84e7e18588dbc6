// SPDX-License-Identifier: MIT
// A training sweep: which (ε, seed) runs make it up, where each one's snapshot lives, and the
// plan file that a sweep directory keeps so that any process (a local runner, a Slurm array
// task, a collector) agrees on it.
#pragma once

#include <string>
#include <vector>

namespace epsilon {

struct SweepPlan {
    std::vector<double> epsilons;
    std::vector<uint64_t> seeds;
    /// Flags of `epsilon-lab-cli train` shared by every run (not --epsilon, --seed, --snapshot).
    std::vector<std::string> train_arguments;
    /// CPU threads of each run.
    int threads_per_run = 1;

    /// Runs in all: every ε with every seed.
    int taskCount() const { return static_cast<int>(epsilons.size() * seeds.size()); }
    /// ε and seed of task `index` (0 .. taskCount()-1): ε-major order.
    double epsilonOf(int index) const;
    uint64_t seedOf(int index) const;
    /// "runs/eps-6_seed-1.h5": the task's snapshot, relative to the sweep directory.
    std::string snapshotOf(int index) const;
    /// The arguments of `epsilon-lab-cli` for task `index` in sweep directory `dir`.
    std::vector<std::string> commandOf(int index, const std::string& dir) const;
};

/// Throws std::invalid_argument unless there is at least one ε and seed, ε >= 0, and the train
/// arguments do not set what the sweep sets.
void validate(const SweepPlan& plan);

/// The plan as JSON text, and back (throws std::invalid_argument naming the problem).
std::string planJson(const SweepPlan& plan);
SweepPlan planFromJson(const std::string& text);

/// The plan file of a sweep directory.
std::string planPath(const std::string& dir);
/// The plan kept in sweep directory `dir`. Throws std::runtime_error naming the plan file when
/// there is none, std::invalid_argument when it does not parse.
SweepPlan readPlan(const std::string& dir);

}  // namespace epsilon
