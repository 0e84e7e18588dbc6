// SPDX-License-Identifier: MIT
// The gate must equal the four-ReLU formula on every batch, edge cases included.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/gate.h"

namespace epsilon {
namespace {

class GateTest : public ::testing::Test {
  protected:
    void SetUp() override { torch::manual_seed(7); }

    // Asserts that the fast gate and the literal formula agree bitwise, and returns the gate.
    static float gateOf(const torch::Tensor& response, double eps) {
        const GateStatistics stats = gateStatistics(response, eps);
        const torch::Tensor reference = fourReluGate(response, eps);
        EXPECT_EQ(stats.gate.item<float>(), reference.item<float>()) << "epsilon " << eps;
        return stats.gate.item<float>();
    }
};

TEST_F(GateTest, EveryElementExactlyAtEpsilonClosesTheGate) {
    const double eps = 2.5;
    const torch::Tensor signs = torch::randint(0, 2, {4, 3, 5, 5}).mul(2).sub(1).to(torch::kFloat);
    EXPECT_EQ(gateOf(signs * static_cast<float>(eps), eps), 0.0f);
}

TEST_F(GateTest, OneElementJustAboveEpsilonFollowsTheFormula) {
    const double eps = 2.5;
    torch::Tensor response = torch::rand({8, 16, 7, 7}) * 2.0;  // all below ε
    // One float step above ε: s is about 2e-7 < 1/L, so the four-ReLU form still gives 0.
    response[3][5][2][4] = std::nextafter(static_cast<float>(eps), 10.0f);
    EXPECT_EQ(gateOf(response, eps), 0.0f);
    // Clearly above: s = 1e-3 > 1/L opens the gate.
    response[3][5][2][4] = static_cast<float>(eps + 1e-3);
    EXPECT_EQ(gateOf(response, eps), 1.0f);
}

TEST_F(GateTest, LargeNegativeResponsesOpenTheGate) {
    torch::Tensor response = torch::zeros({2, 4, 3, 3});
    response[1][2][0][0] = -1000.0f;
    EXPECT_EQ(gateOf(response, 2.5), 1.0f);
    EXPECT_EQ(gateOf(-torch::full({2, 4, 3, 3}, 1e6f), 2.5), 1.0f);
}

TEST_F(GateTest, ZeroEpsilonClosesOnlyForAnAllZeroResponse) {
    EXPECT_EQ(gateOf(torch::zeros({2, 2, 2, 2}), 0.0), 0.0f);
    torch::Tensor response = torch::zeros({2, 2, 2, 2});
    response[0][1][1][0] = -0.5f;
    EXPECT_EQ(gateOf(response, 0.0), 1.0f);
}

TEST_F(GateTest, RandomBatchesNearTheThresholdAgreeWithTheFormula) {
    int open = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const torch::Tensor response = torch::randn({4, 8, 6, 6}) * (1.0 + trial % 7);
        const double max_abs = response.abs().max().item<double>();
        // Thresholds just below, at and above the largest response.
        const double eps = max_abs * (0.999 + 0.002 * (trial % 3) / 2.0);
        open += gateOf(response, eps) == 1.0f ? 1 : 0;
    }
    EXPECT_GT(open, 0);
    EXPECT_LT(open, 300);
}

TEST_F(GateTest, StatisticsAreMaxAndMeanOfTheMagnitude) {
    const torch::Tensor response = torch::randn({5, 3, 4, 4});
    const GateStatistics stats = gateStatistics(response, 1.0);
    EXPECT_EQ(stats.max_abs.item<float>(), response.abs().max().item<float>());
    EXPECT_NEAR(stats.mean_abs.item<float>(), response.abs().mean().item<float>(), 1e-6);
    EXPECT_EQ(stats.max_abs.dim(), 0);
}

}  // namespace
}  // namespace epsilon
