// SPDX-License-Identifier: MIT
// The speed a network could reach if its convolutions were all it computed.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "bench/measurements.h"

namespace epsilon::bench {

/// One 3×3 convolution of a network, as it runs on a batch.
struct ConvLayer {
    int in_channels = 0;
    int out_channels = 0;
    int stride = 1;
    /// Height and width of its input.
    int input_size = 0;
    /// False for the stem, whose input needs no gradient.
    bool needs_input_gradient = true;
};

/// The 3×3 convolutions of an ε-ResNet of `settings.depth` for `settings.channels` ×
/// `settings.image_size`² inputs, without those of the blocks in `settings.removed`.
std::vector<ConvLayer> convolutionsOf(const BenchSettings& settings);

/// Times every convolution of the network on its own, on random data in its best layout
/// (channels-last unless `settings.channels_last` is false), batch `settings.batch`: forward
/// only in inference mode, and forward with both backward products as training needs them. The
/// sums are what the network's convolutions cost with nothing else running: the images per
/// second a program would reach if everything else it computes took no time.
nlohmann::json measureConvolutionBound(const BenchSettings& settings);

}  // namespace epsilon::bench
