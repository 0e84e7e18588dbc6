// SPDX-License-Identifier: MIT
// Runs the tasks of a training sweep as child processes, and gathers their snapshots.
#include "app/training_sweep.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/prune_report.h"
#include "core/snapshot.h"

extern char** environ;

namespace epsilon {
namespace {

namespace fs = std::filesystem;

// A finished run: every planned epoch trained and pruned afterwards.
bool finished(const Snapshot& s) {
    return s.progress.epochs_done >= s.config.train.epochs && !s.prunings.empty() &&
           s.prunings.back().after_epoch == s.progress.epochs_done;
}

// Starts `program` with `arguments`, both output streams into `log`; returns its pid or -1.
pid_t spawn(const std::string& program, const std::vector<std::string>& arguments,
            const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const std::string& argument : arguments)
        argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int failed = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return failed == 0 ? pid : -1;
}

int exitStatus(int raw) {
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + (WIFSIGNALED(raw) ? WTERMSIG(raw) : 0);
}

// The arguments for task `index`, or empty when it is already finished.
std::vector<std::string> taskArguments(const SweepPlan& plan, const std::string& dir, int index) {
    const std::string snapshot = dir + "/" + plan.snapshotOf(index);
    if (fs::exists(snapshot)) {
        try {
            if (finished(loadSnapshot(snapshot)))
                return {};
            return {
                "train",  "--resume", snapshot, "--threads", std::to_string(plan.threads_per_run),
                "--quiet"};
        } catch (const SnapshotError&) {
            // An unreadable snapshot is trained again from the start.
        }
    }
    return plan.commandOf(index, dir);
}

std::string logOf(const SweepPlan& plan, const std::string& dir, int index) {
    return dir + "/logs/" + fs::path(plan.snapshotOf(index)).stem().string() + ".log";
}

pid_t startTask(const SweepPlan& plan, const std::string& dir, int index,
                const std::string& program, bool* skipped) {
    const std::vector<std::string> arguments = taskArguments(plan, dir, index);
    *skipped = arguments.empty();
    if (*skipped)
        return 0;
    fs::create_directories(dir + "/runs");
    fs::create_directories(dir + "/logs");
    std::fprintf(stderr, "sweep: task %d (ε = %g, seed %llu) started\n", index,
                 plan.epsilonOf(index), static_cast<unsigned long long>(plan.seedOf(index)));
    return spawn(program, arguments, logOf(plan, dir, index));
}

struct Stats {
    double mean = 0.0;
    double spread = 0.0;  // sample standard deviation; 0 for one value
};

Stats statsOf(const std::vector<double>& values) {
    Stats stats;
    for (double v : values)
        stats.mean += v / static_cast<double>(values.size());
    if (values.size() > 1) {
        double sum = 0.0;
        for (double v : values)
            sum += (v - stats.mean) * (v - stats.mean);
        stats.spread = std::sqrt(sum / static_cast<double>(values.size() - 1));
    }
    return stats;
}

}  // namespace

int runSweepTask(const SweepPlan& plan, const std::string& dir, int index,
                 const std::string& program) {
    bool skipped = false;
    const pid_t pid = startTask(plan, dir, index, program, &skipped);
    if (skipped)
        return 0;
    if (pid < 0)
        return 1;
    int raw = 0;
    ::waitpid(pid, &raw, 0);
    return exitStatus(raw);
}

int runSweepLocally(const SweepPlan& plan, const std::string& dir, int parallel,
                    const std::string& program) {
    std::map<pid_t, int> running;  // pid -> task
    int failures = 0;
    const auto waitForOne = [&] {
        int raw = 0;
        const pid_t pid = ::wait(&raw);
        const int task = running.at(pid);
        running.erase(pid);
        const int status = exitStatus(raw);
        std::fprintf(stderr, "sweep: task %d %s\n", task,
                     status == 0 ? "finished" : ("failed, see " + logOf(plan, dir, task)).c_str());
        failures += status != 0;
    };
    for (int index = 0; index < plan.taskCount(); ++index) {
        if (static_cast<int>(running.size()) >= parallel)
            waitForOne();
        bool skipped = false;
        const pid_t pid = startTask(plan, dir, index, program, &skipped);
        if (skipped) {
            std::fprintf(stderr, "sweep: task %d already finished, skipped\n", index);
        } else if (pid < 0) {
            ++failures;
        } else {
            running[pid] = index;
        }
    }
    while (!running.empty())
        waitForOne();
    return failures;
}

std::vector<SweepRunResult> collectSweep(const SweepPlan& plan, const std::string& dir,
                                         std::vector<int>* missing) {
    std::vector<SweepRunResult> results;
    for (int index = 0; index < plan.taskCount(); ++index) {
        const std::string path = dir + "/" + plan.snapshotOf(index);
        try {
            if (!fs::exists(path))
                throw SnapshotError(path + ": not there");
            const Snapshot s = loadSnapshot(path);
            if (!finished(s))
                throw SnapshotError(path + ": not finished");
            const PruneReport& r = s.prunings.back().report;
            SweepRunResult result;
            result.task = index;
            result.epsilon = plan.epsilonOf(index);
            result.seed = plan.seedOf(index);
            result.test_accuracy = s.progress.history.back().test_accuracy;
            result.pruned_accuracy = r.pruned.test_accuracy;
            result.params = r.original.cost.parameters;
            result.macs = r.original.cost.macs;
            result.pruned_params = r.pruned.cost.parameters;
            result.pruned_macs = r.pruned.cost.macs;
            result.blocks_discarded = countRemoved(r.removed);
            result.blocks_total = static_cast<int>(r.removed.size());
            result.train_seconds = s.progress.train_seconds;
            results.push_back(result);
        } catch (const SnapshotError&) {
            if (missing != nullptr)
                missing->push_back(index);
        }
    }
    return results;
}

SweepRecord sweepRecord(const std::vector<SweepRunResult>& results, const std::string& dir) {
    SweepRecord record;
    record.kind = "training";
    record.source = dir;
    record.column_names = {
        "task",         "epsilon",      "seed",          "test_accuracy", "pruned_accuracy",
        "params",       "macs",         "pruned_params", "pruned_macs",   "blocks_discarded",
        "blocks_total", "train_seconds"};
    record.columns.resize(record.column_names.size());
    for (const SweepRunResult& r : results) {
        const double values[] = {static_cast<double>(r.task),
                                 r.epsilon,
                                 static_cast<double>(r.seed),
                                 r.test_accuracy,
                                 r.pruned_accuracy,
                                 static_cast<double>(r.params),
                                 static_cast<double>(r.macs),
                                 static_cast<double>(r.pruned_params),
                                 static_cast<double>(r.pruned_macs),
                                 static_cast<double>(r.blocks_discarded),
                                 static_cast<double>(r.blocks_total),
                                 r.train_seconds};
        for (size_t column = 0; column < record.columns.size(); ++column) {
            record.columns[column].push_back(values[column]);
        }
    }
    return record;
}

std::string sweepRunsCsv(const std::vector<SweepRunResult>& results) {
    std::ostringstream out;
    out.precision(9);
    out << "task,epsilon,seed,test_accuracy,pruned_accuracy,params,macs,pruned_params,"
           "pruned_macs,blocks_discarded,train_seconds\n";
    for (const SweepRunResult& r : results) {
        out << r.task << ',' << r.epsilon << ',' << r.seed << ',' << r.test_accuracy << ','
            << r.pruned_accuracy << ',' << r.params << ',' << r.macs << ',' << r.pruned_params
            << ',' << r.pruned_macs << ',' << r.blocks_discarded << ',' << r.train_seconds << '\n';
    }
    return out.str();
}

std::string sweepSummaryCsv(const std::vector<SweepRunResult>& results) {
    std::map<double, std::vector<const SweepRunResult*>> by_epsilon;
    for (const SweepRunResult& r : results)
        by_epsilon[r.epsilon].push_back(&r);
    std::ostringstream out;
    out.precision(9);
    out << "epsilon,runs";
    for (const char* name : {"test_accuracy", "pruned_accuracy", "pruned_params", "pruned_macs",
                             "blocks_discarded", "train_seconds"}) {
        out << ',' << name << "_mean," << name << "_std";
    }
    out << '\n';
    for (const auto& [epsilon, runs] : by_epsilon) {
        out << epsilon << ',' << runs.size();
        const auto column = [&](auto field) {
            std::vector<double> values;
            for (const SweepRunResult* r : runs)
                values.push_back(static_cast<double>(r->*field));
            const Stats stats = statsOf(values);
            out << ',' << stats.mean << ',' << stats.spread;
        };
        column(&SweepRunResult::test_accuracy);
        column(&SweepRunResult::pruned_accuracy);
        column(&SweepRunResult::pruned_params);
        column(&SweepRunResult::pruned_macs);
        column(&SweepRunResult::blocks_discarded);
        column(&SweepRunResult::train_seconds);
        out << '\n';
    }
    return out.str();
}

std::string slurmScript(const SweepPlan& plan, const std::string& dir, const std::string& program) {
    std::ostringstream out;
    out << "#!/bin/bash\n"
        << "# ε-ResNet training sweep written by epsilon-lab-cli: one array task per (ε, seed),\n"
        << "# each saving its own snapshot under runs/. Submit with: sbatch " << dir
        << "/sweep.sbatch\n"
        << "# Afterwards: " << program << " sweep --collect --dir " << dir << "\n"
        << "#SBATCH --job-name=epsilon-sweep\n"
        << "#SBATCH --array=0-" << plan.taskCount() - 1 << "\n"
        << "#SBATCH --cpus-per-task=" << plan.threads_per_run << "\n"
        << "#SBATCH --output=" << dir << "/logs/slurm-%A_%a.out\n"
        << "set -euo pipefail\n"
        << "exec " << program
        << " sweep --run-task \"${SLURM_ARRAY_TASK_ID:?not a Slurm array task}\" --dir " << dir
        << "\n";
    return out.str();
}

}  // namespace epsilon
