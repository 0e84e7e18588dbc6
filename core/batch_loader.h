// SPDX-License-Identifier: MIT
// Turns an in-memory Dataset into normalised, augmented, deterministic mini-batches.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <vector>

#include <torch/types.h>

#include "core/dataset.h"

namespace epsilon {

/// The ε-ResNet authors' preprocessing: subtract the training set's per-pixel mean, divide by 128.
class Normalizer {
  public:
    /// Computes the mean image of uint8 training images [N, C, H, W] (N >= 1).
    explicit Normalizer(const torch::Tensor& train_images_u8);

    /// float [N, C, H, W] = (x - mean) / 128 for uint8 images of the training images' C, H, W.
    torch::Tensor apply(const torch::Tensor& images_u8) const;

    /// The per-pixel mean of the training images, float [C, H, W], in pixel units (0..255).
    const torch::Tensor& mean() const { return mean_; }

  private:
    torch::Tensor mean_;
};

/// Random translation and mirroring applied to training batches after normalisation.
struct AugmentOptions {
    /// Zero padding on each side before a random crop back to H x W; 0 disables translation.
    int pad = 4;
    /// Mirror each image left-right with probability 1/2.
    bool horizontal_flip = true;
};

/// One mini-batch, ready for the model.
struct Batch {
    /// Normalised (and possibly augmented) images, float [B, C, H, W].
    torch::Tensor images;
    /// Class indices, int64 [B].
    torch::Tensor labels;
};

/// How a BatchLoader orders, groups and augments examples.
struct LoaderOptions {
    /// Examples per batch (>= 1); the last batch of an epoch may be smaller.
    int batch_size = 128;
    /// Visit examples in a random order each epoch instead of 0..N-1.
    bool shuffle = true;
    /// Augmentation for training; empty for evaluation.
    std::optional<AugmentOptions> augment;
    /// With the epoch number, the only source of randomness: equal seeds give equal batches.
    uint64_t seed = 0;
};

/// Yields the batches of one epoch at a time, preparing them on background threads ahead of use.
/// Order, crops and flips depend only on (seed, epoch), never on timing. Not thread-safe itself:
/// one consumer thread calls startEpoch() and next().
class BatchLoader {
  public:
    /// Keeps (cheap, shared) references to the data's tensors and a copy of the normalizer.
    BatchLoader(const Dataset& data, const Normalizer& normalizer, LoaderOptions options);
    /// Waits for batches still being prepared, so destruction mid-epoch is safe.
    ~BatchLoader();
    /// Not copyable: each batch in flight belongs to exactly one loader.
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;
    /// Moves the loader; batches in flight stay valid because they never refer to the loader.
    BatchLoader(BatchLoader&&) = default;
    /// Move-assigns; batches in flight for the old state are waited for and dropped.
    BatchLoader& operator=(BatchLoader&&) = default;

    /// Starts (or restarts) an epoch, dropping unconsumed batches of the previous one.
    void startEpoch(int epoch);
    /// The epoch's next batch, or nullopt once all batchesPerEpoch() have been returned.
    /// Throws std::logic_error before the first startEpoch().
    std::optional<Batch> next();
    /// ceil(N / batch_size): every example appears in exactly one batch per epoch.
    int64_t batchesPerEpoch() const;

  private:
    // Where the random crop of one epoch position starts and whether it is mirrored.
    struct Placement {
        int32_t dy = 0;
        int32_t dx = 0;
        bool flip = false;
    };

    void planEpoch(int epoch);
    void launch(int64_t batch_index);

    torch::Tensor images_;
    torch::Tensor labels_;
    Normalizer normalizer_;
    LoaderOptions options_;
    bool started_ = false;
    // Example index for each position of the current epoch.
    std::vector<int64_t> order_;
    // Crop and flip for each position; empty without augmentation.
    std::vector<Placement> placements_;
    int64_t next_to_launch_ = 0;
    // Declared last so it is destroyed first, while everything else is still intact.
    std::deque<std::future<Batch>> pending_;
};

}  // namespace epsilon
