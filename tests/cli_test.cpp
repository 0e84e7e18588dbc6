// SPDX-License-Identifier: MIT
// The command line as a user runs it: exit codes, error messages and the JSON report.
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/process_support.h"

namespace {

using epsilon::testing_support::runCli;
using CliResult = epsilon::testing_support::ProcessResult;
using epsilon::testing_support::ScratchDirectory;

TEST(CommandLine, HelpDocumentsEveryTrainFlag) {
    const CliResult run = runCli("train --help");
    EXPECT_EQ(run.status, 0);
    for (const char* flag :
         {"--dataset", "--data-path", "--depth", "--epsilon", "--epochs", "--batch-size",
          "--schedule", "--seed", "--threads", "--train-limit", "--test-limit", "--report"}) {
        EXPECT_NE(run.output.find(flag), std::string::npos) << flag;
    }
}

TEST(CommandLine, BadUsageExitsWithTwo) {
    EXPECT_EQ(runCli("train --no-such-flag").status, 2);
    EXPECT_EQ(runCli("train --epsilon -1").status, 2);
    const CliResult depth = runCli("train --depth 21");
    EXPECT_EQ(depth.status, 2);
    EXPECT_NE(depth.output.find("6n+2"), std::string::npos) << depth.output;
    EXPECT_EQ(runCli("").status, 2);
    EXPECT_EQ(runCli("train --lr-values 0.1,0.01").status, 2);
}

TEST(CommandLine, MissingDataExitsWithOneAndNamesThePath) {
    const CliResult run = runCli("train --dataset cifar10 --data-path /nonexistent/cifar");
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.output.find("/nonexistent/cifar"), std::string::npos) << run.output;
}

TEST(CommandLine, AQuickRunWritesTheReport) {
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
    const ScratchDirectory scratch("cli-test");
    const auto report = scratch / "report.json";
    const CliResult run = runCli(
        "train --depth 8 --epochs 1 --train-limit 512 --test-limit 256 "
        "--epsilon 1e6 --threads 2 --report " +
        report.string());
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("pruned"), std::string::npos);
    std::ifstream in(report);
    const nlohmann::json json = nlohmann::json::parse(in);
    for (const char* key :
         {"dataset", "depth", "epsilon", "epochs", "params", "macs", "test_accuracy",
          "blocks_total", "blocks_discarded", "pruned_params", "pruned_macs",
          "pruned_test_accuracy", "pruned_matches_gated", "max_logit_difference",
          "mismatched_batches", "train_images_per_second"}) {
        EXPECT_TRUE(json.contains(key)) << key;
    }
    EXPECT_EQ(json["depth"], 8);
    EXPECT_EQ(json["blocks_total"], 3);
    EXPECT_EQ(json["blocks_discarded"], 3);
    EXPECT_EQ(json["pruned_matches_gated"], true);
    EXPECT_LT(json["pruned_params"].get<int64_t>(), json["params"].get<int64_t>());
}

TEST(CommandLine, AnUnwritableReportPathExitsWithOne) {
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
    const CliResult run = runCli(
        "train --depth 8 --epochs 1 --train-limit 256 --test-limit 128 -q "
        "--report /nonexistent/dir/report.json");
    EXPECT_EQ(run.status, 1);
    EXPECT_NE(run.output.find("/nonexistent/dir/report.json"), std::string::npos);
}

}  // namespace
