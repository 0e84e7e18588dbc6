// SPDX-License-Identifier: MIT
// The batch-norm-folded inference network must compute the compact network's eval logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/folded_resnet.h"
#include "core/network_parts.h"
#include "core/pruning.h"

namespace epsilon {
namespace {

// Running statistics and affine parameters far from their initial values, so that a folding
// that ignored one of them, or applied it to the wrong channel, would change the logits.
void randomizeBatchNorm(torch::nn::Module& model) {
    torch::NoGradGuard no_grad;
    for (auto& item : model.named_buffers()) {
        if (item.key().find("running_mean") != std::string::npos) {
            item.value().uniform_(-0.5, 0.5);
        } else if (item.key().find("running_var") != std::string::npos) {
            item.value().uniform_(0.3, 3.0);
        }
    }
    for (auto& item : model.named_parameters()) {
        if (item.value().dim() == 1 && item.key().find("bn") != std::string::npos) {
            item.value().uniform_(-1.5, 1.5);
        }
    }
}

double largestDifference(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

struct FoldCase {
    const char* name;
    bool channels_last;
    std::vector<bool> removed;  // 9 blocks: n = 3
};

class FoldedResNetTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldedResNetTest, MatchesCompactNetworkInEvalMode) {
    torch::manual_seed(5);
    ModelConfig config;
    config.blocks_per_stage = 3;
    config.in_channels = 3;
    config.image_size = 32;
    EpsilonResNet gated(config);
    randomizeBatchNorm(*gated);
    if (GetParam().channels_last) {
        useChannelsLast(*gated);
    }
    CompactResNet compact = buildCompact(gated, GetParam().removed);
    compact->eval();
    const FoldedResNet folded(*compact);

    const torch::Tensor images = torch::randn({16, 3, 32, 32});
    torch::Tensor expected;
    {
        torch::NoGradGuard no_grad;
        expected = compact->forward(images);
    }
    const torch::Tensor actual = folded.forward(images);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_LT(largestDifference(actual, expected),
              1e-4 * (1.0 + expected.abs().max().item<double>()));
    // The logits must not be trivially equal: the batch norms above make them large and varied.
    EXPECT_GT(expected.std().item<double>(), 1e-2);
}

INSTANTIATE_TEST_SUITE_P(
    RemovedSets, FoldedResNetTest,
    ::testing::Values(
        FoldCase{"AllKept", false, std::vector<bool>(9, false)},
        FoldCase{"AllKeptChannelsLast", true, std::vector<bool>(9, false)},
        // Block 0 (no pre-activation), block 3 (down-sampling) and a plain block removed.
        FoldCase{"SomeRemovedChannelsLast",
                 true,
                 {true, false, false, true, false, true, false, false, false}},
        FoldCase{"AllRemoved", false, std::vector<bool>(9, true)}),
    [](const ::testing::TestParamInfo<FoldCase>& info) { return std::string(info.param.name); });

TEST(FoldedResNet, KeepsItsOwnCopyOfTheWeights) {
    torch::manual_seed(6);
    ModelConfig config;
    config.blocks_per_stage = 1;
    EpsilonResNet gated(config);
    CompactResNet compact = buildCompact(gated, std::vector<bool>(3, false));
    compact->eval();
    const FoldedResNet folded(*compact);
    const torch::Tensor images = torch::randn({4, 1, 28, 28});
    const torch::Tensor before = folded.forward(images).clone();
    {
        torch::NoGradGuard no_grad;
        compact->stem->conv->weight.zero_();
    }
    EXPECT_TRUE(torch::equal(folded.forward(images), before));
}

}  // namespace
}  // namespace epsilon
