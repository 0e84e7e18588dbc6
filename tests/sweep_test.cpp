// SPDX-License-Identifier: MIT
// Training sweeps: the plan, a real local sweep that resumes, and the same sweep as a Slurm
// array run task by task.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/sweep_plan.h"
#include "core/sweep_record.h"
#include "tests/process_support.h"

namespace epsilon {
namespace {

namespace fs = std::filesystem;
using testing_support::fileBytes;
using testing_support::runCli;
using testing_support::runCommand;
using testing_support::ScratchDirectory;

SweepPlan twoByTwo() {
    SweepPlan plan;
    plan.epsilons = {0.5, 6};
    plan.seeds = {1, 7};
    plan.train_arguments = {"--depth", "8"};
    return plan;
}

TEST(SweepPlan, TasksRunOverEveryEpsilonWithEverySeed) {
    const SweepPlan plan = twoByTwo();
    ASSERT_EQ(plan.taskCount(), 4);
    EXPECT_EQ(plan.epsilonOf(0), 0.5);
    EXPECT_EQ(plan.seedOf(1), 7u);
    EXPECT_EQ(plan.epsilonOf(2), 6.0);
    EXPECT_EQ(plan.snapshotOf(3), "runs/eps-6_seed-7.h5");
    const std::vector<std::string> command = plan.commandOf(1, "out");
    const std::vector<std::string> expected = {"train",
                                               "--depth",
                                               "8",
                                               "--epsilon",
                                               "0.5",
                                               "--seed",
                                               "7",
                                               "--threads",
                                               "1",
                                               "--snapshot",
                                               "out/runs/eps-0.5_seed-7.h5",
                                               "--quiet"};
    EXPECT_EQ(command, expected);
}

TEST(SweepPlan, SurvivesItsFileAndRefusesFlagsTheSweepSets) {
    const SweepPlan plan = twoByTwo();
    const SweepPlan back = planFromJson(planJson(plan));
    EXPECT_EQ(back.epsilons, plan.epsilons);
    EXPECT_EQ(back.seeds, plan.seeds);
    EXPECT_EQ(back.train_arguments, plan.train_arguments);
    SweepPlan bad = plan;
    bad.train_arguments = {"--epsilon=3"};
    EXPECT_THROW(validate(bad), std::invalid_argument);
    bad.train_arguments = {"--snapshot", "x.h5"};
    EXPECT_THROW(validate(bad), std::invalid_argument);
    bad = plan;
    bad.seeds.clear();
    EXPECT_THROW(validate(bad), std::invalid_argument);
    EXPECT_THROW(planFromJson("{}"), std::invalid_argument);
}

// Every column but the training time, which differs from run to run.
std::string withoutTimes(const std::string& csv) {
    std::istringstream in(csv);
    std::string line, out;
    while (std::getline(in, line))
        out += line.substr(0, line.rfind(',')) + "\n";
    return out;
}

TEST(TrainingSweep, RunsEachTaskOnceAndMatchesTheSlurmArray) {
    if (!fs::exists("/usr/share/datasets/fashion-mnist")) {
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
    const ScratchDirectory scratch("sweep");
    const fs::path& dir = scratch.path();
    const std::string flags =
        " --epsilons 0.5,6 --seeds 1,7 --threads 2 --parallel 2 -- --depth 8 --epochs 1 "
        "--train-limit 256 --test-limit 128";
    const std::string local = (dir / "local").string();
    const auto first = runCli("sweep --train --dir " + local + flags);
    ASSERT_EQ(first.status, 0) << first.output;
    EXPECT_NE(first.output.find("4 of 4 runs finished"), std::string::npos) << first.output;
    const std::string results = fileBytes(local + "/results.csv");
    EXPECT_EQ(std::count(results.begin(), results.end(), '\n'), 5) << results;

    // Started again, it skips finished runs and trains only the one that is gone.
    fs::remove(local + "/runs/eps-6_seed-1.h5");
    const auto second = runCli("sweep --train --dir " + local + flags);
    ASSERT_EQ(second.status, 0) << second.output;
    EXPECT_NE(second.output.find("task 0 already finished, skipped"), std::string::npos);
    EXPECT_NE(second.output.find("task 2 (ε = 6, seed 1) started"), std::string::npos);
    EXPECT_EQ(second.output.find("task 3 (ε = 6, seed 7) started"), std::string::npos);
    EXPECT_EQ(withoutTimes(fileBytes(local + "/results.csv")), withoutTimes(results));

    // The same sweep as a Slurm array, its tasks run here by index as Slurm would.
    const std::string array = (dir / "array").string();
    ASSERT_EQ(runCli("sweep --emit-slurm --dir " + array + flags).status, 0);
    const std::string script = fileBytes(array + "/sweep.sbatch");
    EXPECT_NE(script.find("#SBATCH --array=0-3"), std::string::npos) << script;
    EXPECT_NE(script.find("#SBATCH --cpus-per-task=1"), std::string::npos) << script;
    for (int task = 0; task < 4; ++task) {
        const auto run = runCommand("SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " bash " +
                                    array + "/sweep.sbatch");
        ASSERT_EQ(run.status, 0) << run.output;
    }
    const auto collected = runCli("sweep --collect --dir " + array);
    ASSERT_EQ(collected.status, 0) << collected.output;
    EXPECT_EQ(withoutTimes(fileBytes(array + "/results.csv")), withoutTimes(results));
    // The summary has one row per ε, each over its 2 seeds.
    const std::string summary = fileBytes(array + "/summary.csv");
    EXPECT_NE(summary.find("\n0.5,2,"), std::string::npos) << summary;
    EXPECT_NE(summary.find("\n6,2,"), std::string::npos) << summary;
    // The collected runs are recorded in HDF5 too, one row per run in task order.
    const SweepRecord record = loadSweepRecord(array + "/sweep.h5");
    EXPECT_EQ(record.kind, "training");
    ASSERT_EQ(record.rows(), 4u);
    EXPECT_EQ(record.column("epsilon"), (std::vector<double>{0.5, 0.5, 6.0, 6.0}));
    EXPECT_EQ(record.column("seed"), (std::vector<double>{1.0, 7.0, 1.0, 7.0}));
    EXPECT_EQ(record.column("blocks_total"), (std::vector<double>(4, 3.0)));
}

TEST(SweepRecordTest, RefusesFilesThatAreNotSweepRecordsByName) {
    const ScratchDirectory scratch("sweep-record");
    const fs::path& dir = scratch.path();
    const std::string text = (dir / "text.h5").string();
    std::ofstream(text) << "not HDF5\n";
    try {
        loadSweepRecord(text);
        FAIL() << "a text file was read as a sweep record";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()), text + ": not an HDF5 file");
    }
    SweepRecord uneven;
    uneven.kind = "post-hoc";
    uneven.column_names = {"epsilon", "test_accuracy"};
    uneven.columns = {{1.0, 2.0}, {0.5}};
    EXPECT_THROW(saveSweepRecord((dir / "uneven.h5").string(), uneven), std::invalid_argument);
    EXPECT_FALSE(fs::exists(dir / "uneven.h5"));
}

TEST(TrainingSweep, BadRequestsGetClearErrors) {
    const ScratchDirectory scratch("sweep-errors");
    const fs::path& dir = scratch.path();
    EXPECT_EQ(runCli("sweep --train --dir " + dir.string() + " -- --depth 8").status, 2);
    const auto reserved =
        runCli("sweep --train --dir " + dir.string() + " --epsilons 1 -- --epsilon 3");
    EXPECT_EQ(reserved.status, 2);
    EXPECT_NE(reserved.output.find("--epsilon is set by the sweep"), std::string::npos)
        << reserved.output;
    const auto collect = runCli("sweep --collect --dir " + (dir / "none").string());
    EXPECT_EQ(collect.status, 1);
    EXPECT_NE(collect.output.find("no sweep plan here"), std::string::npos) << collect.output;
    EXPECT_EQ(runCli("sweep --collect --train --dir " + dir.string()).status, 2);
}

}  // namespace
}  // namespace epsilon
