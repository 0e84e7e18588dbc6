// SPDX-License-Identifier: MIT
// Building blocks shared by the gated ε-ResNet and the compact network pruned from it.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace epsilon {

/// Where a residual block sits and what it maps from and to.
struct BlockShape {
    int in_channels = 16;
    int out_channels = 16;
    /// 2 for the first block of stages 2 and 3, which halves height and width.
    int stride = 1;
    /// False only for the network's first block, whose input the stem already activated.
    bool preactivate = true;

    bool downsamples() const { return stride != 1 || in_channels != out_channels; }
};

/// Stem: 3×3 convolution to the first stage's width, then batch norm and ReLU.
class StemImpl : public torch::nn::Module {
  public:
    StemImpl(int in_channels, int out_channels);
    torch::Tensor forward(const torch::Tensor& images);

    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(Stem);

/// The residual branch F of a pre-activation basic block: [BN, ReLU,] conv, BN, ReLU, conv.
class ResidualBranchImpl : public torch::nn::Module {
  public:
    explicit ResidualBranchImpl(BlockShape shape);
    torch::Tensor forward(const torch::Tensor& x);

    BlockShape shape;
    torch::nn::BatchNorm2d bn1{nullptr};  ///< Absent when !shape.preactivate.
    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn2{nullptr};
    torch::nn::Conv2d conv2{nullptr};
};
TORCH_MODULE(ResidualBranch);

/// Classifier: batch norm, ReLU, global average pool, fully connected layer.
class ClassifierImpl : public torch::nn::Module {
  public:
    ClassifierImpl(int in_channels, int num_classes);
    torch::Tensor forward(const torch::Tensor& features);

    torch::nn::BatchNorm2d bn{nullptr};
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Classifier);

/// The parameter-free shortcut: identity, or for a down-sampling block a 2×2 average pool of
/// the raw input zero-padded with half the input's channels on each side.
torch::Tensor shortcut(const torch::Tensor& x, const BlockShape& shape);

/// `tensor` with the strides of `format`. Unlike `Tensor::contiguous(format)`, this also lays out
/// a tensor with one channel (an image batch of Fashion-MNIST, the stem's weights for it) in the
/// format's strides; `contiguous` returns it unchanged, as it is contiguous in both, and the
/// convolutions then choose NCHW for it and for every layer after it.
torch::Tensor inMemoryFormat(const torch::Tensor& tensor, torch::MemoryFormat format);

/// Stores every 4-d parameter of `module` channels-last (NHWC), the faster layout for oneDNN's
/// 3×3 convolutions on CPU. Networks convert their input to their stem's layout.
void useChannelsLast(torch::nn::Module& module);

/// `images` in the memory layout of `stem`'s weights.
torch::Tensor inLayoutOf(const torch::Tensor& images, const StemImpl& stem);

/// Number of elements of all trainable parameters of `module` (running statistics excluded).
int64_t trainableParameterCount(const torch::nn::Module& module);

/// Copies every parameter and buffer of `from` into the same-named one of `to`.
void copyState(const torch::nn::Module& from, torch::nn::Module& to);

}  // namespace epsilon
