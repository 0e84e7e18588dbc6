// SPDX-License-Identifier: MIT
// The shape of an ε-ResNet: depth, input, classes, and the gate threshold ε.
#pragma once

#include <array>
#include <stdexcept>
#include <string>

namespace epsilon {

/// Output channels of the three stages, as in the CIFAR ResNets of He et al.
constexpr std::array<int, 3> kStageWidths = {16, 32, 64};
/// Number of stages; stages 2 and 3 start with a down-sampling block.
constexpr int kStageCount = 3;

/// Everything needed to build an ε-ResNet. Example: a ResNet-20 for Fashion-MNIST is
/// `ModelConfig{}` with `blocks_per_stage = 3`.
struct ModelConfig {
    /// n: residual blocks per stage; the depth is 6n + 2.
    int blocks_per_stage = 3;
    /// Channels of the input images (1 for Fashion-MNIST, 3 for CIFAR).
    int in_channels = 1;
    /// Classes of the classifier.
    int num_classes = 10;
    /// Height and width of the (square) input images; must be a multiple of 4.
    int image_size = 28;
    /// Gate threshold: a block is off for a batch when every |F| is at most ε.
    double epsilon = 2.5;
    /// Whether to attach the side classifier in the middle of stage 2.
    bool side_head = true;

    int depth() const { return 6 * blocks_per_stage + 2; }
    int blockCount() const { return kStageCount * blocks_per_stage; }
    /// Global index of the block after which the side classifier is attached.
    int sideHeadAfterBlock() const { return blocks_per_stage + blocks_per_stage / 2; }
};

/// n for a depth of 6n + 2; throws std::invalid_argument for any other depth.
inline int blocksPerStageForDepth(int depth) {
    if (depth < 8 || (depth - 2) % 6 != 0) {
        throw std::invalid_argument("depth " + std::to_string(depth) +
                                    " is not of the form 6n+2 with n >= 1 (8, 14, 20, 56, 110...)");
    }
    return (depth - 2) / 6;
}

/// Throws std::invalid_argument naming the first impossible field of `config`.
inline void validate(const ModelConfig& config) {
    if (config.blocks_per_stage < 1) {
        throw std::invalid_argument("blocks per stage must be at least 1");
    }
    if (config.in_channels < 1) {
        throw std::invalid_argument("input channels must be at least 1");
    }
    if (config.num_classes < 2) {
        throw std::invalid_argument("a classifier needs at least 2 classes");
    }
    if (config.image_size < 4 || config.image_size % 4 != 0) {
        throw std::invalid_argument("image size " + std::to_string(config.image_size) +
                                    " must be a positive multiple of 4 (two halvings)");
    }
    if (!(config.epsilon >= 0.0)) {
        throw std::invalid_argument("epsilon must be a number >= 0");
    }
}

}  // namespace epsilon
