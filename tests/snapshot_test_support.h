// SPDX-License-Identifier: MIT
// A small trained run and its snapshot, shared by the snapshot tests.
#pragma once

#include <filesystem>

#include <gtest/gtest.h>

#include "core/dataset_registry.h"
#include "core/presets.h"
#include "core/prune_report.h"
#include "core/snapshot.h"
#include "core/trainer.h"

namespace epsilon::testing_support {

constexpr const char* kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

/// A depth-8 run for `epochs` epochs on the first 384 Fashion-MNIST images.
inline TrainConfig tinyRunConfig(int epochs) {
    TrainConfig config = defaultExperiment();
    config.model.blocks_per_stage = 1;
    config.model.epsilon = 6.0;
    config.epochs = epochs;
    config.epsilon_warmup_epochs = 0;
    config.schedule.steps = {{0, 0.1}, {1, 0.01}};
    config.train_limit = 384;
    config.test_limit = 256;
    return config;
}

/// A trained tiny run, pruned once, and its snapshot. Skips the test when Fashion-MNIST is absent.
class SnapshotTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(kFashionMnistDirectory)) {
            GTEST_SKIP() << "dataset-fashion-mnist is not installed";
        }
        source_ = {"fashion-mnist", ""};
        trainer_ = std::make_unique<Trainer>(tinyRunConfig(2), loadDataset(source_), torch::kCPU);
        ASSERT_EQ(trainer_->run(nullptr), TrainOutcome::Finished);
        const PruneReport report = pruneAndCompare(*trainer_, PruneRule::DeadLastEpoch, 1.0, 16);
        snapshot_ = captureSnapshot(*trainer_, source_, {recordPruning(*trainer_, report, 1.0)});
    }

    DataSource source_;
    std::unique_ptr<Trainer> trainer_;
    Snapshot snapshot_;
};

}  // namespace epsilon::testing_support
