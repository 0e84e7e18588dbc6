// SPDX-License-Identifier: MIT
// Tests of normalisation and the batch loader: coverage, determinism, augmentation, teardown.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <torch/torch.h>

#include "core/batch_loader.h"

#include "tests/data_test_support.h"

namespace epsilon {
namespace {

using namespace testdata;  // NOLINT(google-build-using-namespace): test helpers only

// Guards the preprocessing the ε thresholds are calibrated for: per-pixel mean, scale 1/128.
TEST(NormalizerTest, SubtractsPerPixelMeanAndDividesBy128) {
    const torch::Tensor train =
        torch::tensor({0, 10, 200, 255, 30, 20, 100, 254, 60, 0, 0, 253}, torch::kUInt8)
            .reshape({3, 1, 2, 2});
    const Normalizer normalizer(train);
    const torch::Tensor expected_mean =
        torch::tensor({30.f, 10.f, 100.f, 254.f}).reshape({1, 2, 2});
    EXPECT_TRUE(torch::equal(normalizer.mean(), expected_mean));
    const torch::Tensor mean_image = expected_mean.to(torch::kUInt8).unsqueeze(0);
    EXPECT_TRUE(torch::equal(normalizer.apply(mean_image), torch::zeros({1, 1, 2, 2})));
    const torch::Tensor output = normalizer.apply(train);
    EXPECT_EQ(output.scalar_type(), torch::kFloat32);
    EXPECT_FLOAT_EQ(output[0][0][1][0].item<float>(), (200.f - 100.f) / 128.f);
    EXPECT_THROW(normalizer.apply(torch::zeros({1, 1, 3, 2}, torch::kUInt8)),
                 std::invalid_argument);
}

// A data set whose pixels (0,0) and (0,1) of channel 0 encode the example's index.
Dataset indexedDataset(int64_t count, int64_t channels, int64_t height, int64_t width) {
    Dataset data;
    data.name = "indexed";
    data.num_classes = 7;
    data.images = torch::empty({count, channels, height, width}, torch::kUInt8);
    auto pixels = data.images.accessor<uint8_t, 4>();
    for (int64_t i = 0; i < count; ++i) {
        for (int64_t p = 0; p < channels * height * width; ++p) {
            pixels[i][p / (height * width)][p / width % height][p % width] = pixelValue(i, p);
        }
        pixels[i][0][0][0] = static_cast<uint8_t>(i % 256);
        pixels[i][0][0][1] = static_cast<uint8_t>(i / 256);
    }
    data.labels = torch::arange(count, torch::kInt64).remainder(7);
    return data;
}

// With a zero mean the loader's output is pixels / 128, which decodes back to exact indices.
Normalizer identityNormalizer(const Dataset& data) {
    return Normalizer(
        torch::zeros({1, data.channels(), data.height(), data.width()}, torch::kUInt8));
}

std::vector<int64_t> decodeIndices(const Batch& batch) {
    const torch::Tensor pixels = (batch.images * 128).round().to(torch::kInt64);
    const torch::Tensor index = pixels.select(1, 0).select(1, 0);  // [B, W] of row 0
    std::vector<int64_t> out;
    for (int64_t b = 0; b < index.size(0); ++b) {
        out.push_back(index[b][0].item<int64_t>() + 256 * index[b][1].item<int64_t>());
    }
    return out;
}

std::vector<int64_t> epochOrder(BatchLoader& loader, int epoch) {
    loader.startEpoch(epoch);
    std::vector<int64_t> order;
    while (const std::optional<Batch> batch = loader.next()) {
        const std::vector<int64_t> indices = decodeIndices(*batch);
        order.insert(order.end(), indices.begin(), indices.end());
    }
    return order;
}

// Guards the epoch contract: a shuffled permutation with each example's own label.
TEST(BatchLoaderTest, EpochVisitsEveryExampleExactlyOnce) {
    const Dataset data = indexedDataset(300, 1, 3, 3);
    BatchLoader loader(data, identityNormalizer(data), LoaderOptions{32, true, std::nullopt, 7});
    loader.startEpoch(0);
    std::vector<int64_t> order;
    while (const std::optional<Batch> batch = loader.next()) {
        const std::vector<int64_t> indices = decodeIndices(*batch);
        for (size_t b = 0; b < indices.size(); ++b) {
            EXPECT_EQ(batch->labels[static_cast<int64_t>(b)].item<int64_t>(), indices[b] % 7);
        }
        order.insert(order.end(), indices.begin(), indices.end());
    }
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> identity(300);
    std::iota(identity.begin(), identity.end(), 0);
    EXPECT_EQ(sorted, identity);
    EXPECT_NE(order, identity);
}

// Guards reproducibility: equal (seed, epoch) give equal batches however fast they are consumed.
TEST(BatchLoaderTest, SameSeedAndEpochGiveIdenticalBatches) {
    const Dataset data = indexedDataset(100, 2, 6, 6);
    const Normalizer normalizer(data.images);
    const LoaderOptions options{16, true, AugmentOptions{2, true}, 42};
    BatchLoader fast(data, normalizer, options);
    BatchLoader slow(data, normalizer, options);
    fast.startEpoch(3);
    slow.startEpoch(3);
    for (int64_t b = 0; b < fast.batchesPerEpoch(); ++b) {
        std::this_thread::sleep_for(std::chrono::milliseconds(b % 3));
        const std::optional<Batch> one = fast.next();
        const std::optional<Batch> two = slow.next();
        ASSERT_TRUE(one && two);
        EXPECT_TRUE(torch::equal(one->images, two->images)) << b;
        EXPECT_TRUE(torch::equal(one->labels, two->labels)) << b;
    }
    EXPECT_FALSE(fast.next().has_value());
}

// Guards that randomness actually depends on both the seed and the epoch.
TEST(BatchLoaderTest, DifferentSeedOrEpochChangesTheOrder) {
    const Dataset data = indexedDataset(200, 1, 2, 2);
    BatchLoader seed1(data, identityNormalizer(data), LoaderOptions{50, true, std::nullopt, 1});
    BatchLoader seed2(data, identityNormalizer(data), LoaderOptions{50, true, std::nullopt, 2});
    const std::vector<int64_t> base = epochOrder(seed1, 0);
    EXPECT_NE(base, epochOrder(seed2, 0));
    EXPECT_NE(base, epochOrder(seed1, 1));
    EXPECT_EQ(base, epochOrder(seed1, 0));  // and restarting an epoch replays it
}

// Guards against dropping the remainder: 10 examples in batches of 4 are 4, 4 and 2.
TEST(BatchLoaderTest, LastBatchIsSmallerAndNothingIsDropped) {
    const Dataset data = indexedDataset(10, 1, 2, 2);
    BatchLoader loader(data, identityNormalizer(data), LoaderOptions{4, false, std::nullopt, 0});
    EXPECT_EQ(loader.batchesPerEpoch(), 3);
    EXPECT_THROW(loader.next(), std::logic_error);
    loader.startEpoch(0);
    for (const int64_t expected : {4, 4, 2}) {
        const std::optional<Batch> batch = loader.next();
        ASSERT_TRUE(batch.has_value());
        EXPECT_EQ(batch->images.size(0), expected);
        EXPECT_EQ(batch->labels.size(0), expected);
    }
    EXPECT_FALSE(loader.next().has_value());
    EXPECT_FALSE(loader.next().has_value());
}

// Finds the (dy, dx, flip) for which `image` is a crop of `padded`; false when there is none.
bool isCropOf(const torch::Tensor& image, const torch::Tensor& padded, int pad, int64_t* offset,
              bool* flipped) {
    const int64_t height = image.size(1);
    const int64_t width = image.size(2);
    for (int64_t dy = 0; dy <= 2 * pad; ++dy) {
        for (int64_t dx = 0; dx <= 2 * pad; ++dx) {
            const torch::Tensor crop = padded.narrow(1, dy, height).narrow(2, dx, width);
            for (const bool flip : {false, true}) {
                if (torch::equal(image, flip ? crop.flip({2}) : crop)) {
                    *offset = dy * (2 * pad + 1) + dx;
                    *flipped = flip;
                    return true;
                }
            }
        }
    }
    return false;
}

// Guards augmentation: shape kept, each image a crop of its zero-padded normalised self,
// with varied offsets and both flip states, labels untouched.
TEST(BatchLoaderTest, AugmentedImagesAreShiftedCropsOfPaddedImages) {
    const Dataset data = indexedDataset(60, 2, 6, 5);
    const Normalizer normalizer(data.images);
    BatchLoader loader(data, normalizer, LoaderOptions{16, false, AugmentOptions{2, true}, 5});
    const torch::Tensor padded =
        torch::constant_pad_nd(normalizer.apply(data.images), {2, 2, 2, 2}, 0.0);
    std::set<int64_t> offsets;
    int flips = 0;
    int64_t index = 0;
    loader.startEpoch(0);
    while (const std::optional<Batch> batch = loader.next()) {
        ASSERT_EQ(batch->images.sizes().slice(1), data.images.sizes().slice(1));
        for (int64_t b = 0; b < batch->images.size(0); ++b, ++index) {
            int64_t offset = 0;
            bool flipped = false;
            ASSERT_TRUE(isCropOf(batch->images[b], padded[index], 2, &offset, &flipped)) << index;
            offsets.insert(offset);
            flips += flipped ? 1 : 0;
            EXPECT_EQ(batch->labels[b].item<int64_t>(), index % 7);
        }
    }
    EXPECT_EQ(index, 60);
    EXPECT_GT(offsets.size(), 8u);
    EXPECT_GT(flips, 10);
    EXPECT_LT(flips, 50);
}

torch::Tensor concatenatedImages(BatchLoader& loader) {
    std::vector<torch::Tensor> parts;
    loader.startEpoch(0);
    while (const std::optional<Batch> batch = loader.next()) {
        parts.push_back(batch->images);
    }
    return torch::cat(parts);
}

// Guards evaluation batches and the identity case of augmentation: exactly apply(images).
TEST(BatchLoaderTest, WithoutAugmentationOrShuffleYieldsNormalizedImagesInOrder) {
    const Dataset data = indexedDataset(50, 3, 4, 4);
    const Normalizer normalizer(data.images);
    const torch::Tensor expected = normalizer.apply(data.images);
    BatchLoader plain(data, normalizer, LoaderOptions{8, false, std::nullopt, 9});
    EXPECT_TRUE(torch::equal(concatenatedImages(plain), expected));
    BatchLoader identity(data, normalizer, LoaderOptions{8, false, AugmentOptions{0, false}, 9});
    EXPECT_TRUE(torch::equal(concatenatedImages(identity), expected));
}

// Guards teardown: destroying or restarting with batches still being prepared is safe.
TEST(BatchLoaderTest, DestroyingOrRestartingMidEpochIsSafe) {
    const Dataset data = indexedDataset(2000, 1, 8, 8);
    const Normalizer normalizer(data.images);
    const LoaderOptions options{64, true, AugmentOptions{4, true}, 3};
    { BatchLoader loader(data, normalizer, options); }
    {
        BatchLoader loader(data, normalizer, options);
        loader.startEpoch(0);
    }
    BatchLoader first(data, normalizer, options);
    first.startEpoch(0);
    const torch::Tensor reference = first.next()->images;
    first.next();
    first.startEpoch(0);
    EXPECT_TRUE(torch::equal(first.next()->images, reference));
    BatchLoader moved = std::move(first);
    EXPECT_TRUE(moved.next().has_value());
}

// Guards option validation: impossible settings fail at construction, not mid-training.
TEST(BatchLoaderTest, RejectsInvalidOptions) {
    const Dataset data = indexedDataset(10, 1, 4, 4);
    const Normalizer normalizer(data.images);
    EXPECT_THROW(BatchLoader(data, normalizer, LoaderOptions{0, true, std::nullopt, 0}),
                 std::invalid_argument);
    EXPECT_THROW(BatchLoader(data, normalizer, LoaderOptions{4, true, AugmentOptions{-1, true}, 0}),
                 std::invalid_argument);
    const Normalizer other(torch::zeros({1, 1, 5, 5}, torch::kUInt8));
    EXPECT_THROW(BatchLoader(data, other, LoaderOptions{}), std::invalid_argument);
}

}  // namespace
}  // namespace epsilon
