// SPDX-License-Identifier: MIT
// Stem, residual branch, classifier and shortcut, with the authors' initialisation.
#include "core/network_parts.h"

#include <cmath>

#include <torch/torch.h>

namespace epsilon {
namespace {

// TensorFlow's batch-norm momentum 0.9 keeps 0.9 of the old statistic; torch's 0.1 is the same.
constexpr double kBatchNormMomentum = 0.1;
constexpr double kBatchNormEpsilon = 1e-5;
// A normal truncated at two standard deviations has this standard deviation, per unit scale;
// dividing by it gives the truncated distribution the intended variance (TensorFlow does so).
constexpr double kTruncatedNormalStd = 0.87962566103423978;

// Fills `weight` with a normal of standard deviation `stddev`, resampling values beyond 2σ.
void truncatedNormal(torch::Tensor weight, double stddev) {
    torch::NoGradGuard no_grad;
    weight.normal_(0.0, stddev);
    torch::Tensor outside = weight.abs() > 2.0 * stddev;
    while (outside.any().item<bool>()) {
        weight.copy_(torch::where(outside, torch::randn_like(weight) * stddev, weight));
        outside = weight.abs() > 2.0 * stddev;
    }
}

// Variance scaling with scale 2 (He et al.) on the given fan, truncated normal.
void varianceScaling(torch::Tensor weight, int64_t fan) {
    truncatedNormal(weight, std::sqrt(2.0 / static_cast<double>(fan)) / kTruncatedNormalStd);
}

torch::nn::Conv2d conv3x3(int in_channels, int out_channels, int stride) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(in_channels, out_channels, 3)
                               .stride(stride)
                               .padding(1)
                               .bias(false));
    varianceScaling(conv->weight, 9 * static_cast<int64_t>(out_channels));  // fan-out
    return conv;
}

torch::nn::BatchNorm2d batchNorm(int channels) {
    return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)
                                      .momentum(kBatchNormMomentum)
                                      .eps(kBatchNormEpsilon));
}

}  // namespace

StemImpl::StemImpl(int in_channels, int out_channels) {
    conv = register_module("conv", conv3x3(in_channels, out_channels, 1));
    bn = register_module("bn", batchNorm(out_channels));
}

torch::Tensor StemImpl::forward(const torch::Tensor& images) {
    return bn(conv(images)).relu_();  // in place: batch norm's backward needs only its input
}

ResidualBranchImpl::ResidualBranchImpl(BlockShape block_shape) : shape(block_shape) {
    if (shape.preactivate) {
        bn1 = register_module("bn1", batchNorm(shape.in_channels));
    }
    conv1 = register_module("conv1", conv3x3(shape.in_channels, shape.out_channels, shape.stride));
    bn2 = register_module("bn2", batchNorm(shape.out_channels));
    conv2 = register_module("conv2", conv3x3(shape.out_channels, shape.out_channels, 1));
}

torch::Tensor ResidualBranchImpl::forward(const torch::Tensor& x) {
    // ReLU in place on batch-norm outputs, which batch norm's backward does not need.
    const torch::Tensor activated = shape.preactivate ? bn1(x).relu_() : x;
    return conv2(bn2(conv1(activated)).relu_());
}

ClassifierImpl::ClassifierImpl(int in_channels, int num_classes) {
    bn = register_module("bn", batchNorm(in_channels));
    fc = register_module("fc", torch::nn::Linear(in_channels, num_classes));
    varianceScaling(fc->weight, in_channels);  // fan-in
    torch::NoGradGuard no_grad;
    fc->bias.zero_();
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& features) {
    return fc(torch::relu(bn(features)).mean({2, 3}));
}

torch::Tensor shortcut(const torch::Tensor& x, const BlockShape& shape) {
    if (!shape.downsamples()) {
        return x;
    }
    const torch::Tensor pooled = shape.stride == 1 ? x : torch::avg_pool2d(x, 2, 2);
    const int64_t before = (shape.out_channels - shape.in_channels) / 2;
    const int64_t after = shape.out_channels - shape.in_channels - before;
    // Pads dimension 1 (channels); the pad list runs from the last dimension backwards.
    return torch::constant_pad_nd(pooled, {0, 0, 0, 0, before, after});
}

torch::Tensor inMemoryFormat(const torch::Tensor& tensor, torch::MemoryFormat format) {
    if (tensor.suggest_memory_format() == format && tensor.is_contiguous(format)) {
        return tensor;
    }
    return torch::empty_like(tensor, tensor.options(), format).copy_(tensor);
}

void useChannelsLast(torch::nn::Module& module) {
    torch::NoGradGuard no_grad;
    for (torch::Tensor& parameter : module.parameters()) {
        if (parameter.dim() == 4) {
            parameter.set_data(inMemoryFormat(parameter, torch::MemoryFormat::ChannelsLast));
        }
    }
}

torch::Tensor inLayoutOf(const torch::Tensor& images, const StemImpl& stem) {
    return inMemoryFormat(images, stem.conv->weight.suggest_memory_format());
}

int64_t trainableParameterCount(const torch::nn::Module& module) {
    int64_t count = 0;
    for (const auto& parameter : module.parameters()) {
        if (parameter.requires_grad()) {
            count += parameter.numel();
        }
    }
    return count;
}

void copyState(const torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard no_grad;
    const auto source_parameters = from.named_parameters();
    for (auto& item : to.named_parameters()) {
        item.value().copy_(source_parameters[item.key()]);
    }
    const auto source_buffers = from.named_buffers();
    for (auto& item : to.named_buffers()) {
        item.value().copy_(source_buffers[item.key()]);
    }
}

}  // namespace epsilon
