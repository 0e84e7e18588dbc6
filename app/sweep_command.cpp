// SPDX-License-Identifier: MIT
// `epsilon-lab-cli sweep`.
#include "app/sweep_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "app/report_writer.h"
#include "app/training_sweep.h"
#include "core/dataset_registry.h"
#include "core/posthoc_sweep.h"
#include "core/runtime.h"
#include "core/snapshot.h"

namespace epsilon {
namespace {

std::string sweepCsv(const std::vector<SweepPoint>& points) {
    std::ostringstream out;
    out.precision(9);
    out << "epsilon,blocks_removed,removed_blocks,layers,blocks,params,macs,test_accuracy\n";
    for (const SweepPoint& p : points) {
        std::string removed;
        for (int block : removedBlockIndices(p.removed)) {
            removed += (removed.empty() ? "" : " ") + std::to_string(block);
        }
        out << p.epsilon << ',' << countRemoved(p.removed) << ',' << removed << ',' << p.cost.layers
            << ',' << p.cost.blocks << ',' << p.cost.parameters << ',' << p.cost.macs << ','
            << p.test_accuracy << '\n';
    }
    return out.str();
}

SweepRecord posthocRecord(const std::string& snapshot, const std::vector<float>& responses,
                          const std::vector<SweepPoint>& points) {
    SweepRecord record;
    record.kind = "post-hoc";
    record.source = snapshot;
    record.column_names = {"epsilon", "blocks_removed", "layers",       "blocks",
                           "params",  "macs",           "test_accuracy"};
    record.columns.resize(record.column_names.size());
    for (const SweepPoint& p : points) {
        const double values[] = {p.epsilon,
                                 static_cast<double>(countRemoved(p.removed)),
                                 static_cast<double>(p.cost.layers),
                                 static_cast<double>(p.cost.blocks),
                                 static_cast<double>(p.cost.parameters),
                                 static_cast<double>(p.cost.macs),
                                 p.test_accuracy};
        for (size_t column = 0; column < record.columns.size(); ++column) {
            record.columns[column].push_back(values[column]);
        }
        record.removed.emplace_back(p.removed.begin(), p.removed.end());
    }
    record.responses = responses;
    return record;
}

nlohmann::json sweepJson(const std::string& snapshot, const std::vector<float>& responses,
                         int64_t calibration_images, const std::vector<SweepPoint>& points) {
    nlohmann::json rows = nlohmann::json::array();
    for (const SweepPoint& p : points) {
        rows.push_back({{"epsilon", p.epsilon},
                        {"removed_blocks", removedBlockIndices(p.removed)},
                        {"layers", p.cost.layers},
                        {"blocks", p.cost.blocks},
                        {"params", p.cost.parameters},
                        {"macs", p.cost.macs},
                        {"test_accuracy", p.test_accuracy}});
    }
    return {{"kind", "post-hoc"},
            {"snapshot", snapshot},
            {"calibration_images", calibration_images},
            {"block_responses", responses},
            {"points", rows}};
}

void printSweep(const std::vector<float>& responses, const std::vector<SweepPoint>& points) {
    std::printf("calibrated max|F| per block:");
    for (float response : responses)
        std::printf(" %.3g", response);
    std::printf("\n\n%10s %8s %7s %11s %13s %9s\n", "ε", "removed", "blocks", "params",
                "MACs/image", "test acc");
    for (const SweepPoint& p : points) {
        std::printf("%10.4g %8d %7d %11lld %13lld %8.2f%%\n", p.epsilon, countRemoved(p.removed),
                    p.cost.blocks, static_cast<long long>(p.cost.parameters),
                    static_cast<long long>(p.cost.macs), 100.0 * p.test_accuracy);
    }
}

}  // namespace

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "sweep",
        "ε sweeps. Post hoc (--post-hoc FILE): for each ε, remove the blocks of a trained network "
        "whose largest response on calibration images is at most ε, and measure what is left. "
        "Training (--train --dir DIR --epsilons ... --seeds ... -- TRAIN FLAGS): train one run "
        "per (ε, seed), each with its own snapshot in DIR/runs, skipping finished runs; "
        "--emit-slurm writes the same sweep as a Slurm job array, --collect gathers its results");
    auto* posthoc = cmd->add_option("--post-hoc", o.posthoc_path, "Snapshot of a trained run")
                        ->check(CLI::ExistingFile);
    auto* train = cmd->add_flag("--train", o.train, "Run a training sweep here");
    auto* slurm = cmd->add_flag("--emit-slurm", o.emit_slurm,
                                "Write DIR/sweep.sbatch, a Slurm array with one task per run");
    auto* collect = cmd->add_flag("--collect", o.collect, "Gather the finished runs of DIR");
    auto* task = cmd->add_option("--run-task", o.run_task,
                                 "Run task N of DIR's plan (what each Slurm array task does)")
                     ->check(CLI::NonNegativeNumber);
    posthoc->excludes(train)->excludes(slurm)->excludes(collect)->excludes(task);
    train->excludes(slurm)->excludes(collect)->excludes(task);
    slurm->excludes(collect)->excludes(task);
    collect->excludes(task);
    cmd->add_option("--dir", o.dir, "Sweep directory: plan, runs/, logs/ and results");
    cmd->add_option("--epsilons", o.epsilons,
                    "ε values, comma separated (post hoc, default: --points values spread over "
                    "the observed responses, plus each block's own response)")
        ->delimiter(',')
        ->allow_extra_args(false)  // one comma-separated word, so that `--` may follow
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--seeds", o.seeds, "Training sweep: seeds, comma separated")
        ->delimiter(',')
        ->allow_extra_args(false)
        ->capture_default_str();
    cmd->add_option("--parallel", o.parallel,
                    "Training sweep: runs at the same time, the threads divided between them")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--points", o.points, "Post hoc: number of automatic ε values")
        ->check(CLI::Range(2, 1000))
        ->capture_default_str();
    cmd->add_option("--calibration-images", o.calibration_images,
                    "Post hoc: training images (without augmentation) on which responses are "
                    "measured; 0: all the run trained on")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--csv", o.csv_path, "Post hoc: write the sweep as CSV");
    cmd->add_option("--json", o.json_path, "Post hoc: write the sweep as JSON");
    cmd->add_option("--hdf5", o.hdf5_path,
                    "Post hoc: record the sweep in an HDF5 file (a training sweep records its "
                    "runs in DIR/sweep.h5)");
    cmd->add_option("--threads", o.threads, "CPU threads in all (0: all cores)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--device", o.device, "auto, cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    cmd->add_option("train-flags", o.train_arguments,
                    "After --: flags of `train` shared by every run (not --epsilon, --seed, "
                    "--snapshot, --threads)");
    return cmd;
}

namespace {

std::string selfProgram() {
    return std::filesystem::read_symlink("/proc/self/exe").string();
}

SweepPlan planFrom(const SweepOptions& o) {
    SweepPlan plan;
    plan.epsilons = o.epsilons;
    plan.seeds = o.seeds;
    plan.train_arguments = o.train_arguments;
    const int cores =
        o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
    plan.threads_per_run = std::max(1, cores / o.parallel);
    validate(plan);
    return plan;
}

// The plan of `dir`: written from the flags when the directory has none, otherwise read and, if
// flags were given, required to be the same sweep.
SweepPlan dirPlan(const SweepOptions& o, bool flags_define_it) {
    const std::string path = planPath(o.dir);
    if (std::filesystem::exists(path) || !flags_define_it) {
        const SweepPlan saved = readPlan(o.dir);
        if (flags_define_it && !o.epsilons.empty()) {
            const SweepPlan asked = planFrom(o);
            if (asked.epsilons != saved.epsilons || asked.seeds != saved.seeds ||
                asked.train_arguments != saved.train_arguments) {
                throw std::invalid_argument(path + " holds a different sweep; use another --dir");
            }
        }
        return saved;
    }
    const SweepPlan plan = planFrom(o);
    std::filesystem::create_directories(o.dir);
    writeTextFile(path, planJson(plan) + "\n");
    return plan;
}

int collectAndReport(const SweepPlan& plan, const std::string& dir) {
    std::vector<int> missing;
    const std::vector<SweepRunResult> results = collectSweep(plan, dir, &missing);
    writeTextFile(dir + "/results.csv", sweepRunsCsv(results));
    writeTextFile(dir + "/summary.csv", sweepSummaryCsv(results));
    saveSweepRecord(dir + "/sweep.h5", sweepRecord(results, dir));
    std::printf("%s", sweepSummaryCsv(results).c_str());
    std::fprintf(stderr,
                 "%zu of %d runs finished; results in %s/results.csv, summary.csv and sweep.h5\n",
                 results.size(), plan.taskCount(), dir.c_str());
    return missing.empty() ? 0 : 1;
}

int runTrainingSweep(const SweepOptions& o) {
    if (o.dir.empty()) {
        throw std::invalid_argument("a training sweep needs --dir");
    }
    if (o.run_task >= 0) {
        const SweepPlan plan = dirPlan(o, false);
        if (o.run_task >= plan.taskCount()) {
            throw std::invalid_argument("task " + std::to_string(o.run_task) + " does not exist; " +
                                        "the sweep has " + std::to_string(plan.taskCount()));
        }
        return runSweepTask(plan, o.dir, o.run_task, selfProgram());
    }
    if (o.collect) {
        return collectAndReport(dirPlan(o, false), o.dir);
    }
    if ((o.train || o.emit_slurm) && o.epsilons.empty() &&
        !std::filesystem::exists(planPath(o.dir))) {
        throw std::invalid_argument("a training sweep needs --epsilons");
    }
    const SweepPlan plan = dirPlan(o, true);
    if (o.emit_slurm) {
        const std::string script = o.dir + "/sweep.sbatch";
        writeTextFile(script,
                      slurmScript(plan, std::filesystem::absolute(o.dir).string(), selfProgram()));
        std::filesystem::permissions(script, std::filesystem::perms::owner_exec,
                                     std::filesystem::perm_options::add);
        std::fprintf(stderr, "wrote %s: %d array tasks; submit it with sbatch\n", script.c_str(),
                     plan.taskCount());
        return 0;
    }
    const int failures = runSweepLocally(plan, o.dir, o.parallel, selfProgram());
    const int status = collectAndReport(plan, o.dir);
    return failures > 0 ? 1 : status;
}

int runPosthocSweep(const SweepOptions& o) {
    configureThreads(o.threads);
    const torch::Device device = chooseDevice(o.device);
    const Snapshot snapshot = loadSnapshot(o.posthoc_path);
    const TrainConfig& config = snapshot.config.train;
    const DatasetPair data = loadDataset(snapshot.config.data);
    const Dataset train = takeFirst(data.train, config.train_limit);
    const Dataset test = takeFirst(data.test, config.test_limit);
    const Normalizer normalizer(train.images);
    if (!torch::equal(normalizer.mean(), snapshot.mean_image)) {
        throw std::runtime_error(o.posthoc_path + ": the data at " + snapshot.config.data.name +
                                 " differ from those the run trained on");
    }
    EpsilonResNet model(config.model);
    loadState(snapshot.model_state, *model);
    model->to(device);
    const auto start = std::chrono::steady_clock::now();
    const Dataset calibration = takeFirst(train, o.calibration_images);
    const std::vector<float> responses =
        calibrateResponses(model, calibration, normalizer, config.batch_size, device);
    const std::vector<double> epsilons =
        o.epsilons.empty() ? epsilonGrid(responses, o.points) : o.epsilons;
    const std::vector<SweepPoint> points =
        posthocSweep(model, responses, epsilons, test, normalizer, config.batch_size, device);
    printSweep(responses, points);
    std::fprintf(stderr, "%zu ε values in %.1f s\n", points.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (!o.csv_path.empty()) {
        writeTextFile(o.csv_path, sweepCsv(points));
    }
    if (!o.json_path.empty()) {
        writeJsonFile(o.json_path,
                      sweepJson(o.posthoc_path, responses, calibration.size(), points));
    }
    if (!o.hdf5_path.empty()) {
        saveSweepRecord(o.hdf5_path, posthocRecord(o.posthoc_path, responses, points));
    }
    return 0;
}

}  // namespace

int runSweep(const SweepOptions& o) {
    try {
        return o.posthoc_path.empty() ? runTrainingSweep(o) : runPosthocSweep(o);
    } catch (const std::invalid_argument& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}

}  // namespace epsilon
