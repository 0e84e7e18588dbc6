// SPDX-License-Identifier: MIT
// Shapes, parameter counts, initialisation and gradient flow of the gated ε-ResNet.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/epsilon_resnet.h"
#include "core/network_parts.h"
#include "core/pruning.h"

namespace epsilon {
namespace {

ModelConfig configFor(int n, int channels, int image_size, double eps = 2.5) {
    ModelConfig config;
    config.blocks_per_stage = n;
    config.in_channels = channels;
    config.image_size = image_size;
    config.epsilon = eps;
    return config;
}

// Trainable parameters of the inference path, derived by hand: 3×3 convs without bias,
// two per batch norm (γ, β), and the classifier's weights and biases.
int64_t expectedParameters(int n, int channels, int classes) {
    const int64_t w[3] = {16, 32, 64};
    int64_t count = 9 * channels * w[0] + 2 * w[0];  // stem
    for (int stage = 0; stage < 3; ++stage) {
        const int64_t in_first = stage == 0 ? w[0] : w[stage - 1], out = w[stage];
        // The first block: conv in->out, BN, conv out->out, and a leading BN on its input
        // except for the network's very first block.
        count += 9 * in_first * out + 2 * out + 9 * out * out + (stage == 0 ? 0 : 2 * in_first);
        count += (n - 1) * (2 * out + 9 * out * out + 2 * out + 9 * out * out);
    }
    return count + 2 * w[2] + w[2] * classes + classes;  // head
}

class ModelTest : public ::testing::Test {
  protected:
    void SetUp() override { torch::manual_seed(3); }
};

TEST_F(ModelTest, ForwardGivesLogitsSideLogitsAndOneStatisticPerBlock) {
    for (const auto& [n, channels, size] : {std::tuple{1, 1, 28}, std::tuple{2, 3, 32}}) {
        EpsilonResNet model(configFor(n, channels, size));
        const GatedOutput out = model->forward(torch::randn({5, channels, size, size}));
        EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{5, 10}));
        EXPECT_EQ(out.side_logits.sizes(), (std::vector<int64_t>{5, 10}));
        EXPECT_EQ(out.max_abs.sizes(), (std::vector<int64_t>{3 * n}));
        EXPECT_EQ(out.mean_abs.sizes(), (std::vector<int64_t>{3 * n}));
        EXPECT_EQ(out.gates.sizes(), (std::vector<int64_t>{3 * n}));
        EXPECT_TRUE(out.max_abs.ge(out.mean_abs).all().item<bool>());
    }
}

TEST_F(ModelTest, ParameterCountsMatchTheFormulaAndThePaper) {
    const std::pair<int, double> cases[] = {{3, 0.27e6}, {9, 0.85e6}, {18, 1.73e6}};
    for (const auto& [n, paper] : cases) {
        EpsilonResNet model(configFor(n, 3, 32));
        EXPECT_EQ(model->inferenceParameterCount(), expectedParameters(n, 3, 10)) << "n " << n;
        EXPECT_NEAR(static_cast<double>(model->inferenceParameterCount()), paper, 0.01e6);
    }
}

TEST_F(ModelTest, SideHeadSitsInTheMiddleOfStageTwo) {
    EXPECT_EQ(configFor(3, 1, 28).sideHeadAfterBlock(), 4);
    EXPECT_EQ(configFor(1, 1, 28).sideHeadAfterBlock(), 1);
    ModelConfig config = configFor(1, 1, 28);
    config.side_head = false;
    EpsilonResNet model(config);
    EXPECT_FALSE(model->forward(torch::randn({2, 1, 28, 28})).side_logits.defined());
}

TEST_F(ModelTest, DepthMustBeSixNPlusTwo) {
    EXPECT_EQ(blocksPerStageForDepth(20), 3);
    EXPECT_EQ(blocksPerStageForDepth(110), 18);
    EXPECT_THROW(blocksPerStageForDepth(21), std::invalid_argument);
    EXPECT_THROW(blocksPerStageForDepth(2), std::invalid_argument);
    ModelConfig bad = configFor(1, 1, 30);
    EXPECT_THROW(EpsilonResNet{bad}, std::invalid_argument);
}

TEST_F(ModelTest, ConvolutionsUseTruncatedHeNormalOnFanOut) {
    EpsilonResNet model(configFor(3, 3, 32));
    const torch::Tensor weight = model->branches[8]->conv2->weight;  // 64 -> 64
    const double stddev = std::sqrt(2.0 / (9 * 64));
    EXPECT_NEAR(weight.std().item<double>(), stddev, 0.05 * stddev);
    EXPECT_LE(weight.abs().max().item<double>(), 2.0 * stddev / 0.8796 + 1e-6);
    EXPECT_FALSE(model->branches[0]->bn1);  // the first block is not pre-activated
    EXPECT_TRUE(model->branches[1]->bn1);
}

TEST_F(ModelTest, ClosedGatesPassNoGradientToTheirBranches) {
    EpsilonResNet model(configFor(1, 1, 28, 1e9));
    const GatedOutput out = model->forward(torch::randn({4, 1, 28, 28}));
    EXPECT_EQ(out.gates.sum().item<float>(), 0.0f);
    torch::cross_entropy_loss(out.logits, torch::tensor({0, 1, 2, 3})).backward();
    for (const ResidualBranch& branch : model->branches) {
        EXPECT_EQ(branch->conv1->weight.grad().abs().max().item<float>(), 0.0f);
    }
    EXPECT_GT(model->stem->conv->weight.grad().abs().max().item<float>(), 0.0f);
}

TEST_F(ModelTest, MultiplyAccumulatesOfResNet20MatchTheHandCount) {
    EpsilonResNet model(configFor(3, 3, 32));
    // Stem 3->16 at 32², six 16->16 convs at 32², 16->32 and five 32->32 at 16²,
    // 32->64 and five 64->64 at 8², and the 64->10 classifier.
    const int64_t expected = 9LL * 3 * 16 * 1024 + 6 * 9LL * 16 * 16 * 1024 + 9LL * 16 * 32 * 256 +
                             5 * 9LL * 32 * 32 * 256 + 9LL * 32 * 64 * 64 + 5 * 9LL * 64 * 64 * 64 +
                             640;
    EXPECT_EQ(costOf(*model).macs, expected);
    EXPECT_EQ(costOf(*model).layers, 20);
}

// A batch with one channel is contiguous in both layouts, so Tensor::contiguous(ChannelsLast)
// leaves it, and the stem's weights for it, in NCHW strides; the convolutions then ran the whole
// network in NCHW, converting at every layer. The network must run channels-last from its stem
// on, and compute what the NCHW network computes.
TEST_F(ModelTest, ChannelsLastHoldsFromTheStemOnAlsoForOneInputChannel) {
    for (int channels : {1, 3}) {
        EpsilonResNet nchw(configFor(1, channels, 28, 0.0));
        EpsilonResNet nhwc(configFor(1, channels, 28, 0.0));
        {
            torch::NoGradGuard no_grad;
            const auto from = nchw->named_parameters();
            for (auto& to : nhwc->named_parameters()) {
                to.value().copy_(from[to.key()]);
            }
        }
        useChannelsLast(*nhwc);
        const auto channels_last = torch::MemoryFormat::ChannelsLast;
        EXPECT_EQ(nhwc->stem->conv->weight.suggest_memory_format(), channels_last) << channels;
        const torch::Tensor images = torch::randn({8, channels, 28, 28});
        const torch::Tensor input = inLayoutOf(images, *nhwc->stem);
        EXPECT_EQ(input.suggest_memory_format(), channels_last) << channels;
        EXPECT_TRUE(nhwc->stem(input).is_contiguous(channels_last)) << channels;
        EXPECT_TRUE(
            torch::allclose(nhwc->forward(images).logits, nchw->forward(images).logits, 1e-4, 1e-5))
            << channels;
    }
}

}  // namespace
}  // namespace epsilon
