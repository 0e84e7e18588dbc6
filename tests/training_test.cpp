// SPDX-License-Identifier: MIT
// Training on real Fashion-MNIST subsets: learning, discarding, pruning, NaN and cancellation.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/dataset_registry.h"
#include "core/presets.h"
#include "core/prune_report.h"
#include "core/trainer.h"

namespace epsilon {
namespace {

class TrainingTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
            data_ = new DatasetPair(loadDataset({"fashion-mnist", ""}));
        }
    }
    static void TearDownTestSuite() {
        delete data_;
        data_ = nullptr;
    }
    void SetUp() override {
        if (data_ == nullptr) {
            GTEST_SKIP() << "dataset-fashion-mnist is not installed";
        }
    }

    // A depth-8 network on a subset, quick enough for a unit test.
    static TrainConfig smallRun(double eps, int epochs, int64_t train_images) {
        TrainConfig config = defaultExperiment();
        config.model.blocks_per_stage = 1;
        config.model.epsilon = eps;
        config.epochs = epochs;
        config.epsilon_warmup_epochs = 0;
        // The method as stated: ε to the end, every block computed on every step.
        config.epsilon_epochs = 0;
        config.skip_discarded_after = 0;
        config.schedule.steps = stepsScaledTo(epochs);
        config.train_limit = train_images;
        config.test_limit = 1000;
        return config;
    }

    static DatasetPair* data_;
};
DatasetPair* TrainingTest::data_ = nullptr;

// Stops the run it watches after a given number of steps.
class StopAfter : public TrainingObserver {
  public:
    StopAfter(Trainer& trainer, int64_t steps) : trainer_(trainer), steps_(steps) {}
    void onStep(const StepRecord& record) override {
        blocks_seen = record.gate.size();
        if (record.step == steps_) {
            trainer_.requestStop();
        }
    }
    size_t blocks_seen = 0;

  private:
    Trainer& trainer_;
    int64_t steps_;
};

TEST_F(TrainingTest, ASubsetOfFashionMnistIsLearnedWellAboveChance) {
    Trainer trainer(smallRun(0.0, 2, 4000), *data_, torch::kCPU);
    ASSERT_EQ(trainer.run(nullptr), TrainOutcome::Finished);
    ASSERT_EQ(trainer.history().size(), 2u);
    EXPECT_GT(trainer.history().back().test_accuracy, 0.6);  // chance is 0.1
    EXPECT_GT(trainer.trainImagesPerSecond(), 0.0);
    // ε = 0 keeps every block alive, and the compact network is the whole network.
    const PruneReport report = pruneAndCompare(trainer, PruneRule::DeadLastEpoch, 1.0, 8);
    EXPECT_EQ(countRemoved(report.removed), 0);
    EXPECT_TRUE(report.check.matches);
    EXPECT_DOUBLE_EQ(report.pruned.test_accuracy, report.original.test_accuracy);
}

TEST_F(TrainingTest, AHugeEpsilonDiscardsAndPrunesEveryBlock) {
    Trainer trainer(smallRun(1e6, 1, 2000), *data_, torch::kCPU);
    ASSERT_EQ(trainer.run(nullptr), TrainOutcome::Finished);
    EXPECT_EQ(trainer.deadLastEpoch(), std::vector<uint8_t>(3, 1));
    EXPECT_GT(trainer.discardAverage()[0], 0.5f);
    // Every block went off at once, so the adaptive schedule would restart; standard does not.
    EXPECT_FALSE(trainer.history().back().schedule_restarted);
    const PruneReport report = pruneAndCompare(trainer, PruneRule::DeadLastEpoch, 1.0, 8);
    EXPECT_EQ(countRemoved(report.removed), 3);
    EXPECT_EQ(report.pruned.cost.blocks, 0);
    EXPECT_TRUE(report.check.matches);
    EXPECT_LE(report.check.max_logit_difference, kLogitTolerance);
    EXPECT_NEAR(report.pruned.test_accuracy, report.original.test_accuracy, 1e-12);
    EXPECT_LT(report.pruned.cost.macs, report.original.cost.macs / 10);
}

TEST_F(TrainingTest, TheAdaptiveScheduleRestartsWhenBlocksAreDiscarded) {
    TrainConfig config = smallRun(1e6, 1, 2000);
    config.schedule.adaptive = true;
    Trainer trainer(config, *data_, torch::kCPU);
    ASSERT_EQ(trainer.run(nullptr), TrainOutcome::Finished);
    EXPECT_TRUE(trainer.history().back().schedule_restarted);
    EXPECT_GE(trainer.history().back().discarded_count_average, 1.0);
}

TEST_F(TrainingTest, ADivergingLossStopsWithAClearMessage) {
    TrainConfig config = smallRun(0.0, 1, 2000);
    config.schedule.steps = {{0, 1e12}};
    Trainer trainer(config, *data_, torch::kCPU);
    try {
        trainer.run(nullptr);
        FAIL() << "training with learning rate 1e12 should have diverged";
    } catch (const TrainingError& error) {
        EXPECT_NE(std::string(error.what()).find("the loss became"), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("epoch 1"), std::string::npos);
    }
}

TEST_F(TrainingTest, RequestStopEndsTheRunAfterTheCurrentBatch) {
    Trainer trainer(smallRun(0.0, 2, 2000), *data_, torch::kCPU);
    StopAfter stopper(trainer, 3);
    EXPECT_EQ(trainer.run(&stopper), TrainOutcome::Cancelled);
    EXPECT_EQ(trainer.stepsDone(), 3);
    EXPECT_EQ(trainer.epochsDone(), 0);
    EXPECT_EQ(stopper.blocks_seen, 3u);
}

TEST_F(TrainingTest, TheSameSeedGivesTheSameRun) {
    TrainConfig config = smallRun(0.0, 1, 512);
    Trainer first(config, *data_, torch::kCPU);
    Trainer second(config, *data_, torch::kCPU);
    first.run(nullptr);
    second.run(nullptr);
    EXPECT_DOUBLE_EQ(first.history()[0].train_loss, second.history()[0].train_loss);
    EXPECT_TRUE(torch::equal(first.model()->head->fc->weight, second.model()->head->fc->weight));
}

TEST_F(TrainingTest, DataThatDoesNotFitTheModelIsRejected) {
    TrainConfig config = smallRun(0.0, 1, 512);
    config.model.image_size = 32;
    EXPECT_THROW(Trainer(config, *data_, torch::kCPU), std::invalid_argument);
}

}  // namespace
}  // namespace epsilon
