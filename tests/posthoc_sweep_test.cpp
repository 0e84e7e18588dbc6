// SPDX-License-Identifier: MIT
// Post-hoc ε sweep on a trained Fashion-MNIST network: its two ends and its monotonicity.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/evaluation.h"
#include "core/posthoc_sweep.h"
#include "tests/snapshot_test_support.h"

namespace epsilon {
namespace {

using testing_support::SnapshotTest;

TEST(EpsilonGrid, SpansTheResponsesAndIncludesEachOne) {
    const std::vector<double> grid = epsilonGrid({4.0f, 1.0f, 9.0f}, 5);
    ASSERT_GE(grid.size(), 5u);
    EXPECT_DOUBLE_EQ(grid.front(), 0.5);
    EXPECT_GT(grid.back(), 9.0);
    for (double response : {1.0, 4.0, 9.0}) {
        EXPECT_NE(std::find(grid.begin(), grid.end(), response), grid.end()) << response;
    }
    EXPECT_TRUE(std::is_sorted(grid.begin(), grid.end()));
    EXPECT_THROW(epsilonGrid({}, 5), std::invalid_argument);
}

// A block skipped in training responds 0; the grid must still span the blocks that respond.
TEST(EpsilonGrid, ASkippedBlocksZeroDoesNotStretchTheGrid) {
    const std::vector<double> grid = epsilonGrid({0.0f, 4.0f, 8.0f}, 5);
    EXPECT_DOUBLE_EQ(grid.front(), 0.0);
    EXPECT_DOUBLE_EQ(grid[1], 2.0);
    EXPECT_GT(grid.back(), 8.0);
    EXPECT_EQ(grid.size(), 8u);  // 5 points from 2 to 8.4, and the responses 0, 4 and 8
}

TEST_F(SnapshotTest, APosthocSweepGoesFromNothingRemovedToEverythingRemoved) {
    EpsilonResNet& model = trainer_->model();
    const Dataset& test = trainer_->data().test;
    const std::vector<float> responses =
        calibrateResponses(model, trainer_->data().train, trainer_->normalizer(), 128, torch::kCPU);
    ASSERT_EQ(responses.size(), 3u);
    for (float response : responses)
        EXPECT_GT(response, 0.0f);

    const float smallest = *std::min_element(responses.begin(), responses.end());
    const float largest = *std::max_element(responses.begin(), responses.end());
    std::vector<double> epsilons = epsilonGrid(responses, 6);
    epsilons.insert(epsilons.begin(), 0.5 * smallest);
    const std::vector<SweepPoint> points =
        posthocSweep(model, responses, epsilons, test, trainer_->normalizer(), 128, torch::kCPU);
    ASSERT_EQ(points.size(), epsilons.size());

    // Below every response nothing is removed, and the result is the unpruned network's.
    EXPECT_EQ(countRemoved(points.front().removed), 0);
    CompactResNet unpruned = buildCompact(model, std::vector<bool>(3, false));
    EXPECT_EQ(points.front().test_accuracy,
              evaluateCompact(unpruned, test, trainer_->normalizer(), 128, torch::kCPU).accuracy);
    EXPECT_EQ(points.front().cost.parameters, model->inferenceParameterCount());
    // Above every response everything is removed.
    EXPECT_GT(points.back().epsilon, largest);
    EXPECT_EQ(countRemoved(points.back().removed), 3);
    EXPECT_EQ(points.back().cost.blocks, 0);
    // The removed sets grow with ε, and so does the saving.
    for (size_t i = 1; i < points.size(); ++i) {
        for (size_t b = 0; b < 3; ++b) {
            EXPECT_LE(points[i - 1].removed[b], points[i].removed[b]) << i << " " << b;
        }
        EXPECT_LE(points[i].cost.macs, points[i - 1].cost.macs);
    }
}

}  // namespace
}  // namespace epsilon
