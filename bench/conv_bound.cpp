// SPDX-License-Identifier: MIT
// Times a network's convolutions one by one, to bound what the whole network can reach.
#include "bench/conv_bound.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

#include "core/epsilon_resnet.h"

namespace epsilon::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Median milliseconds of `run` over `repeats` calls, after two untimed ones.
template <typename Run>
double medianMilliseconds(Run run, int repeats) {
    run();
    run();
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const Clock::time_point start = Clock::now();
        run();
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

struct LayerTimes {
    double inference_ms = 0.0;
    double training_ms = 0.0;
};

LayerTimes timeLayer(const ConvLayer& layer, const BenchSettings& settings) {
    const auto format = settings.channels_last ? torch::MemoryFormat::ChannelsLast
                                               : torch::MemoryFormat::Contiguous;
    const torch::Tensor input =
        torch::randn({settings.batch, layer.in_channels, layer.input_size, layer.input_size})
            .contiguous(format);
    const torch::Tensor weight =
        torch::randn({layer.out_channels, layer.in_channels, 3, 3}).contiguous(format);
    LayerTimes times;
    {
        c10::InferenceMode inference;
        times.inference_ms = medianMilliseconds(
            [&] { torch::conv2d(input, weight, {}, layer.stride, 1); }, settings.steps);
    }
    const torch::Tensor trained_weight = weight.detach().requires_grad_(true);
    const torch::Tensor trained_input = input.detach().requires_grad_(layer.needs_input_gradient);
    torch::Tensor output_gradient;
    times.training_ms = medianMilliseconds(
        [&] {
            const torch::Tensor output =
                torch::conv2d(trained_input, trained_weight, {}, layer.stride, 1);
            if (!output_gradient.defined()) {
                output_gradient = torch::randn_like(output);
            }
            output.backward(output_gradient);
        },
        settings.steps);
    return times;
}

}  // namespace

std::vector<ConvLayer> convolutionsOf(const BenchSettings& settings) {
    ModelConfig model;
    model.blocks_per_stage = blocksPerStageForDepth(settings.depth);
    model.in_channels = settings.channels;
    model.image_size = settings.image_size;
    validate(model);
    const std::vector<bool> removed = blockFlags(settings.removed, model.blockCount(), "--removed");

    std::vector<ConvLayer> layers;
    layers.push_back({settings.channels, kStageWidths[0], 1, settings.image_size, false});
    int size = settings.image_size;
    size_t index = 0;
    for (const BlockShape& block : blockShapesFor(model)) {
        const int output_size = size / block.stride;  // exact: validate() asks for a multiple of 4
        if (!removed[index++]) {
            layers.push_back({block.in_channels, block.out_channels, block.stride, size, true});
            layers.push_back({block.out_channels, block.out_channels, 1, output_size, true});
        }
        size = output_size;  // a removed block's pool-and-pad still halves the size
    }
    return layers;
}

nlohmann::json measureConvolutionBound(const BenchSettings& settings) {
    torch::manual_seed(1);
    double inference_ms = 0.0, training_ms = 0.0;
    const std::vector<ConvLayer> layers = convolutionsOf(settings);
    for (const ConvLayer& layer : layers) {
        const LayerTimes times = timeLayer(layer, settings);
        inference_ms += times.inference_ms;
        training_ms += times.training_ms;
    }
    return {{"convolutions", layers.size()},
            {"inference_milliseconds", inference_ms},
            {"training_milliseconds", training_ms},
            {"inference_images_per_second", 1000.0 * settings.batch / inference_ms},
            {"training_images_per_second", 1000.0 * settings.batch / training_ms}};
}

}  // namespace epsilon::bench
