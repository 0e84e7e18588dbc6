// SPDX-License-Identifier: MIT
// Normalisation, seeded shuffling and crop/flip augmentation, prepared ahead on async tasks.
#include "core/batch_loader.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace epsilon {
namespace {

// Batches prepared ahead of the consumer: one covers the time a training step takes, the second
// absorbs jitter.
constexpr int kPrefetch = 2;
// Images per step of the mean computation: bounds the float64 copy to a few tens of MB.
constexpr int64_t kMeanChunk = 1024;
// Separate random streams, so turning shuffling on or off leaves the crops and flips unchanged.
constexpr uint32_t kOrderStream = 1;
constexpr uint32_t kAugmentStream = 2;

void checkImages(const torch::Tensor& images, const char* who) {
    if (!images.defined() || images.scalar_type() != torch::kUInt8 || images.dim() != 4) {
        throw std::invalid_argument(std::string(who) +
                                    ": images must be a uint8 [N, C, H, W] tensor");
    }
}

// Generators are built from a seed_seq because its mixing is fixed by the standard, like
// mt19937_64 itself: the same (seed, epoch) gives the same stream on every platform.
std::mt19937_64 generator(uint64_t seed, int epoch, uint32_t stream) {
    std::seed_seq sequence{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                           static_cast<uint32_t>(epoch), stream};
    return std::mt19937_64(sequence);
}

// Uniform in [0, bound) by rejection; std::uniform_int_distribution's algorithm differs between
// standard libraries, which would break reproducibility across them.
uint64_t uniformBelow(std::mt19937_64& rng, uint64_t bound) {
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound: values below are biased
    while (true) {
        const uint64_t value = rng();
        if (value >= threshold) {
            return value % bound;
        }
    }
}

// Everything one batch needs, held by value so a task never touches the loader, which may be
// moved or destroyed while the task runs.
struct BatchJob {
    torch::Tensor images;  // uint8 [N, C, H, W], shared with the loader
    torch::Tensor labels;  // int64 [N]
    Normalizer normalizer;
    torch::Tensor indices;  // int64 [B], the examples of this batch
    int pad = 0;
    std::vector<int64_t> dy{};     // crop row offset per batch position, when pad > 0
    std::vector<int64_t> dx{};     // crop column offset per batch position
    std::vector<int64_t> flips{};  // batch positions to mirror
};

torch::Tensor randomCrops(const torch::Tensor& images, int pad, const std::vector<int64_t>& dy,
                          const std::vector<int64_t>& dx) {
    const int64_t height = images.size(2);
    const int64_t width = images.size(3);
    // Zero is the training mean after normalisation, so the border looks like "average" pixels.
    const torch::Tensor padded = torch::constant_pad_nd(images, {pad, pad, pad, pad}, 0.0);
    torch::Tensor crops = torch::empty_like(images);
    for (int64_t i = 0; i < images.size(0); ++i) {
        crops[i].copy_(padded[i].narrow(1, dy[i], height).narrow(2, dx[i], width));
    }
    return crops;
}

Batch prepareBatch(const BatchJob& job) {
    torch::NoGradGuard no_grad;
    torch::Tensor images = job.normalizer.apply(job.images.index_select(0, job.indices));
    torch::Tensor labels = job.labels.index_select(0, job.indices);
    if (job.pad > 0) {
        images = randomCrops(images, job.pad, job.dy, job.dx);
    }
    if (!job.flips.empty()) {
        const torch::Tensor which = torch::tensor(job.flips, torch::kInt64);
        images.index_copy_(0, which, images.index_select(0, which).flip({3}));
    }
    return Batch{images, labels};
}

}  // namespace

Normalizer::Normalizer(const torch::Tensor& train_images_u8) {
    checkImages(train_images_u8, "Normalizer");
    const int64_t count = train_images_u8.size(0);
    if (count == 0) {
        throw std::invalid_argument("Normalizer: the training set has no images");
    }
    torch::NoGradGuard no_grad;
    // Summed in float64 by chunks: exact for any realistic N, without a float copy of the set.
    torch::Tensor sum = torch::zeros(train_images_u8.sizes().slice(1),
                                     train_images_u8.options().dtype(torch::kFloat64));
    for (int64_t start = 0; start < count; start += kMeanChunk) {
        const int64_t length = std::min(kMeanChunk, count - start);
        sum += train_images_u8.narrow(0, start, length).to(torch::kFloat64).sum(0);
    }
    mean_ = (sum / static_cast<double>(count)).to(torch::kFloat32);
}

torch::Tensor Normalizer::apply(const torch::Tensor& images_u8) const {
    checkImages(images_u8, "Normalizer::apply");
    if (images_u8.sizes().slice(1) != mean_.sizes()) {
        throw std::invalid_argument(
            "Normalizer::apply: images do not have the training set's C, H, W");
    }
    // 128, not the standard deviation: the ε-ResNet authors' scale, which ε thresholds assume.
    return (images_u8.to(torch::kFloat32) - mean_).div_(128.0);
}

BatchLoader::BatchLoader(const Dataset& data, const Normalizer& normalizer, LoaderOptions options)
    : images_(data.images), labels_(data.labels), normalizer_(normalizer), options_(options) {
    checkImages(images_, "BatchLoader");
    if (!labels_.defined() || labels_.dim() != 1 || labels_.size(0) != images_.size(0)) {
        throw std::invalid_argument("BatchLoader: labels must be a [N] tensor matching the images");
    }
    if (images_.sizes().slice(1) != normalizer_.mean().sizes()) {
        throw std::invalid_argument(
            "BatchLoader: the normalizer was built for another image shape");
    }
    if (options_.batch_size < 1) {
        throw std::invalid_argument("BatchLoader: batch_size must be >= 1, got " +
                                    std::to_string(options_.batch_size));
    }
    const int64_t largest_side = std::max(images_.size(2), images_.size(3));
    if (options_.augment && (options_.augment->pad < 0 || options_.augment->pad > largest_side)) {
        throw std::invalid_argument("BatchLoader: augmentation pad must be in 0.." +
                                    std::to_string(largest_side) + ", got " +
                                    std::to_string(options_.augment->pad));
    }
    labels_ = labels_.to(torch::kInt64);
}

BatchLoader::~BatchLoader() {
    for (std::future<Batch>& pending : pending_) {
        if (pending.valid()) {
            pending.wait();
        }
    }
}

void BatchLoader::startEpoch(int epoch) {
    for (std::future<Batch>& pending : pending_) {
        pending.wait();  // unwanted batches of the old epoch still finish: async tasks cannot be
                         // cancelled
    }
    pending_.clear();
    planEpoch(epoch);
    started_ = true;
    next_to_launch_ = 0;
    while (next_to_launch_ < batchesPerEpoch() && static_cast<int>(pending_.size()) < kPrefetch) {
        launch(next_to_launch_++);
    }
}

std::optional<Batch> BatchLoader::next() {
    if (!started_) {
        throw std::logic_error("BatchLoader::next() called before startEpoch()");
    }
    if (pending_.empty()) {
        return std::nullopt;
    }
    std::future<Batch> ready = std::move(pending_.front());
    pending_.pop_front();
    // Queued before waiting, so the background work stays kPrefetch batches ahead.
    if (next_to_launch_ < batchesPerEpoch()) {
        launch(next_to_launch_++);
    }
    return ready.get();
}

int64_t BatchLoader::batchesPerEpoch() const {
    return (images_.size(0) + options_.batch_size - 1) / options_.batch_size;
}

void BatchLoader::planEpoch(int epoch) {
    const int64_t count = images_.size(0);
    order_.resize(static_cast<size_t>(count));
    std::iota(order_.begin(), order_.end(), int64_t{0});
    if (options_.shuffle) {
        // Fisher-Yates with our own bounded draw: std::shuffle differs between libraries.
        std::mt19937_64 rng = generator(options_.seed, epoch, kOrderStream);
        for (int64_t i = count - 1; i > 0; --i) {
            std::swap(order_[i], order_[uniformBelow(rng, static_cast<uint64_t>(i) + 1)]);
        }
    }
    placements_.clear();
    if (options_.augment) {
        std::mt19937_64 rng = generator(options_.seed, epoch, kAugmentStream);
        const uint64_t span = 2 * static_cast<uint64_t>(options_.augment->pad) + 1;
        placements_.resize(static_cast<size_t>(count));
        for (Placement& placement : placements_) {
            placement.dy = static_cast<int32_t>(uniformBelow(rng, span));
            placement.dx = static_cast<int32_t>(uniformBelow(rng, span));
            // Drawn even without flipping, so the crops do not depend on that option.
            const bool coin = (rng() >> 63) != 0;
            placement.flip = coin && options_.augment->horizontal_flip;
        }
    }
}

void BatchLoader::launch(int64_t batch_index) {
    const int64_t begin = batch_index * options_.batch_size;
    const int64_t end = std::min<int64_t>(begin + options_.batch_size, images_.size(0));
    BatchJob job{images_, labels_, normalizer_, torch::empty({end - begin}, torch::kInt64)};
    std::copy(order_.begin() + begin, order_.begin() + end, job.indices.data_ptr<int64_t>());
    if (options_.augment) {
        job.pad = options_.augment->pad;
        for (int64_t position = begin; position < end; ++position) {
            const Placement& placement = placements_[static_cast<size_t>(position)];
            job.dy.push_back(placement.dy);
            job.dx.push_back(placement.dx);
            if (placement.flip) {
                job.flips.push_back(position - begin);
            }
        }
    }
    pending_.push_back(
        std::async(std::launch::async, [job = std::move(job)] { return prepareBatch(job); }));
}

}  // namespace epsilon
