// SPDX-License-Identifier: MIT
// The compact network must reproduce the gated one whenever the removed blocks are off.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/batch_loader.h"
#include "core/evaluation.h"
#include "core/pruning.h"

namespace epsilon {
namespace {

constexpr int kBlocksPerStage = 2;  // blocks 0-1 stage 1, 2-3 stage 2, 4-5 stage 3

class PruningTest : public ::testing::Test {
  protected:
    void SetUp() override {
        torch::manual_seed(11);
        ModelConfig config;
        config.blocks_per_stage = kBlocksPerStage;
        config.epsilon = 0.05;
        model_ = EpsilonResNet(config);
        randomizeBatchNorm();
        data_.name = "random";
        data_.images = torch::randint(0, 256, {96, 1, 28, 28}).to(torch::kUInt8);
        data_.labels = torch::randint(0, 10, {96});
        data_.num_classes = 10;
    }

    // Non-trivial running statistics and affine parameters, so that a wrong wiring shows.
    void randomizeBatchNorm() {
        torch::NoGradGuard no_grad;
        for (auto& item : model_->named_buffers()) {
            if (item.key().find("running_mean") != std::string::npos) {
                item.value().uniform_(-0.3, 0.3);
            } else if (item.key().find("running_var") != std::string::npos) {
                item.value().uniform_(0.5, 2.0);
            }
        }
        for (auto& item : model_->named_parameters()) {
            if (item.value().dim() == 1 && item.key().find("bn") != std::string::npos) {
                item.value().uniform_(0.5, 1.5);
            }
        }
    }

    // Kills blocks by zeroing their last convolution: F = 0, so the gate is 0 at any ε.
    std::vector<bool> killBlocks(const std::vector<int>& blocks) {
        torch::NoGradGuard no_grad;
        std::vector<bool> removed(model_->branches.size(), false);
        for (int b : blocks) {
            model_->branches[b]->conv2->weight.zero_();
            removed[b] = true;
        }
        return removed;
    }

    PruneCheck check(const std::vector<bool>& removed) {
        CompactResNet compact = buildCompact(model_, removed);
        const Normalizer normalizer(data_.images);
        return checkCompact(model_, compact, removed, data_, normalizer, 32, torch::kCPU);
    }

    EpsilonResNet model_{nullptr};
    Dataset data_;
};

TEST_F(PruningTest, RemovingAMiddleBlockKeepsTheLogits) {
    const PruneCheck result = check(killBlocks({3}));
    EXPECT_TRUE(result.matches);
    EXPECT_EQ(result.compared_batches, 3);
    EXPECT_LE(result.max_logit_difference, kLogitTolerance);
}

TEST_F(PruningTest, TheCheckMeasuresBothNetworksLikeAnEvaluation) {
    const std::vector<bool> removed = killBlocks({1, 4});
    CompactResNet compact = buildCompact(model_, removed);
    const Normalizer normalizer(data_.images);
    const PruneCheck result =
        checkCompact(model_, compact, removed, data_, normalizer, 32, torch::kCPU);
    EXPECT_DOUBLE_EQ(result.gated_accuracy,
                     evaluateGated(model_, data_, normalizer, 32, torch::kCPU).accuracy);
    EXPECT_DOUBLE_EQ(result.compact_accuracy,
                     evaluateCompact(compact, data_, normalizer, 32, torch::kCPU).accuracy);
}

TEST_F(PruningTest, RemovingADownsamplingBlockLeavesItsPoolAndPad) {
    const std::vector<bool> removed = killBlocks({kBlocksPerStage, 2 * kBlocksPerStage});
    CompactResNet compact = buildCompact(model_, removed);
    ASSERT_EQ(compact->units().size(), 6u);
    EXPECT_FALSE(compact->units()[2].has_branch);
    EXPECT_EQ(compact->blockCount(), 4);
    EXPECT_TRUE(check(removed).matches);
}

TEST_F(PruningTest, RemovingTheFirstBlockFeedsTheStemToTheNext) {
    const std::vector<bool> removed = killBlocks({0});
    CompactResNet compact = buildCompact(model_, removed);
    EXPECT_TRUE(compact->units().front().shape.preactivate);
    EXPECT_TRUE(check(removed).matches);
}

TEST_F(PruningTest, RemovingEveryBlockLeavesStemPoolsAndHead) {
    const std::vector<bool> removed = killBlocks({0, 1, 2, 3, 4, 5});
    CompactResNet compact = buildCompact(model_, removed);
    EXPECT_EQ(compact->blockCount(), 0);
    EXPECT_EQ(compact->units().size(), 2u);  // the two pool-and-pad shortcuts
    const PruneCheck result = check(removed);
    EXPECT_TRUE(result.matches);
    const NetworkCost cost = costOf(*compact, 28);
    EXPECT_EQ(cost.macs, 9LL * 16 * 28 * 28 + 64 * 10);
    EXPECT_EQ(cost.parameters, trainableParameterCount(*compact));
    EXPECT_EQ(cost.layers, 2);
}

TEST_F(PruningTest, RemovingALiveBlockIsReportedAsMismatch) {
    std::vector<bool> removed(model_->branches.size(), false);
    removed[1] = true;  // alive: its gate is 1 on random data at ε = 0.05
    const PruneCheck result = check(removed);
    EXPECT_FALSE(result.matches);
    EXPECT_EQ(result.mismatched_batches, 3);
    EXPECT_EQ(result.compared_batches, 0);
}

TEST_F(PruningTest, AKeptBlockSwitchedOffIsReportedAndNotCompared) {
    // Block 2 is dead but kept: on every batch the gated network skips it, the compact one not.
    std::vector<bool> removed = killBlocks({2});
    removed[2] = false;
    const PruneCheck result = check(removed);
    EXPECT_FALSE(result.matches);
    EXPECT_EQ(result.kept_off_batches, 3);
    EXPECT_EQ(result.mismatched_batches, 0);
    EXPECT_EQ(result.compared_batches, 0);
}

TEST_F(PruningTest, RemovingNothingCopiesTheWholeNetwork) {
    const std::vector<bool> removed(model_->branches.size(), false);
    CompactResNet compact = buildCompact(model_, removed);
    EXPECT_EQ(trainableParameterCount(*compact), model_->inferenceParameterCount());
    EXPECT_EQ(costOf(*compact, 28).macs, costOf(*model_).macs);
    EXPECT_TRUE(check(removed).matches);
}

TEST_F(PruningTest, RulesSelectDeadBlocksOrHighAverages) {
    const std::vector<uint8_t> dead = {1, 0, 1};
    const std::vector<float> average = {1.0f, 0.96f, 0.2f};
    EXPECT_EQ(selectBlocks(PruneRule::DeadLastEpoch, dead, average, 1.0),
              (std::vector<bool>{true, false, true}));
    EXPECT_EQ(selectBlocks(PruneRule::DiscardAverage, dead, average, 1.0),
              (std::vector<bool>{true, false, false}));
    EXPECT_EQ(selectBlocks(PruneRule::DiscardAverage, dead, average, 0.95),
              (std::vector<bool>{true, true, false}));
}

}  // namespace
}  // namespace epsilon
