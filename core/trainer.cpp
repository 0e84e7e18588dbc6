// SPDX-License-Identifier: MIT
// The training loop of ε-ResNet.
#include "core/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include <torch/torch.h>

#include "core/evaluation.h"

namespace epsilon {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void checkMatches(const ModelConfig& model, const Dataset& data) {
    if (data.size() == 0) {
        throw std::invalid_argument("data set " + data.name + " has no images");
    }
    if (data.channels() != model.in_channels || data.height() != model.image_size ||
        data.width() != model.image_size || data.num_classes != model.num_classes) {
        throw std::invalid_argument(
            "the model expects " + std::to_string(model.in_channels) + "x" +
            std::to_string(model.image_size) + "x" + std::to_string(model.image_size) +
            " images in " + std::to_string(model.num_classes) + " classes, but " + data.name +
            " has " + std::to_string(data.channels()) + "x" + std::to_string(data.height()) + "x" +
            std::to_string(data.width()) + " in " + std::to_string(data.num_classes));
    }
}

torch::optim::SGDOptions sgdOptions(const TrainConfig& config, double weight_decay) {
    return torch::optim::SGDOptions(config.schedule.steps.front().learning_rate)
        .momentum(config.momentum)
        .weight_decay(weight_decay);
}

}  // namespace

void validate(const TrainConfig& config) {
    validate(config.model);
    validate(config.schedule);
    if (config.epochs < 0) {
        throw std::invalid_argument("epochs must be at least 0");
    }
    if (config.batch_size < 1) {
        throw std::invalid_argument("batch size must be at least 1");
    }
    if (!(config.momentum >= 0.0 && config.momentum < 1.0)) {
        throw std::invalid_argument("momentum must be in [0, 1)");
    }
    if (!(config.weight_decay >= 0.0) || !(config.side_loss_weight >= 0.0)) {
        throw std::invalid_argument("weight decay and side-loss weight must be >= 0");
    }
    if (!(config.discard_average_decay >= 0.0 && config.discard_average_decay < 1.0)) {
        throw std::invalid_argument("the moving-average decay must be in [0, 1)");
    }
    if (config.epsilon_warmup_epochs < 0 || config.crop_padding < 0) {
        throw std::invalid_argument("warm-up epochs and crop padding must be >= 0");
    }
    if (config.skip_discarded_after < 0) {
        throw std::invalid_argument("the steps before a discarded block is skipped must be >= 0");
    }
    if (config.epsilon_epochs < 0) {
        throw std::invalid_argument("the epochs during which ε applies must be >= 0");
    }
    if (config.epsilon_epochs > 0 && config.skip_discarded_after == 0) {
        throw std::invalid_argument(
            "ending ε after some epochs needs skipping of discarded blocks, or they would all "
            "switch back on when ε returns to 0");
    }
    if (config.train_limit < 0 || config.test_limit < 0) {
        throw std::invalid_argument("image limits must be >= 0");
    }
}

double epsilonForEpoch(const TrainConfig& config, int epoch) {
    const bool after_discard_phase =
        config.epsilon_epochs > 0 && epoch > config.epsilon_warmup_epochs + config.epsilon_epochs;
    return epoch <= config.epsilon_warmup_epochs || after_discard_phase ? 0.0
                                                                        : config.model.epsilon;
}

Dataset takeFirst(const Dataset& data, int64_t limit) {
    if (limit <= 0 || limit >= data.size()) {
        return data;
    }
    Dataset subset = data;
    subset.images = data.images.narrow(0, 0, limit);
    subset.labels = data.labels.narrow(0, 0, limit);
    return subset;
}

// Weight decay applies to convolution and fully-connected weights (the only parameters with
// more than one dimension), not to batch-norm parameters or biases.
struct Trainer::Optimizer {
    explicit Optimizer(const TrainConfig& config, torch::nn::Module& model)
        : sgd(groups(config, model), sgdOptions(config, 0.0)) {}

    static std::vector<torch::optim::OptimizerParamGroup> groups(const TrainConfig& config,
                                                                 torch::nn::Module& model) {
        std::vector<torch::Tensor> decayed, plain;
        for (const torch::Tensor& parameter : model.parameters()) {
            (parameter.dim() > 1 ? decayed : plain).push_back(parameter);
        }
        std::vector<torch::optim::OptimizerParamGroup> result;
        result.emplace_back(decayed, std::make_unique<torch::optim::SGDOptions>(
                                         sgdOptions(config, config.weight_decay)));
        result.emplace_back(plain,
                            std::make_unique<torch::optim::SGDOptions>(sgdOptions(config, 0.0)));
        return result;
    }

    void setLearningRate(double rate) {
        for (auto& group : sgd.param_groups()) {
            static_cast<torch::optim::SGDOptions&>(group.options()).lr(rate);
        }
    }

    torch::optim::SGD sgd;
};

Trainer::Trainer(TrainConfig config, DatasetPair data, torch::Device device)
    : config_(std::move(config)),
      data_{takeFirst(data.train, config_.train_limit), takeFirst(data.test, config_.test_limit)},
      device_(device),
      normalizer_(data_.train.images),
      schedule_(config_.schedule) {
    validate(config_);
    checkMatches(config_.model, data_.train);
    checkMatches(config_.model, data_.test);
    torch::manual_seed(config_.seed);
    model_ = EpsilonResNet(config_.model);
    model_->to(device_);
    if (config_.channels_last) {
        useChannelsLast(*model_);
    }
    optimizer_ = std::make_unique<Optimizer>(config_, *model_);

    LoaderOptions options;
    options.batch_size = config_.batch_size;
    options.shuffle = true;
    options.augment = AugmentOptions{config_.crop_padding, config_.horizontal_flip};
    options.seed = config_.seed;
    train_loader_ = std::make_unique<BatchLoader>(data_.train, normalizer_, options);

    const size_t blocks = static_cast<size_t>(config_.model.blockCount());
    progress_.dead_last_epoch.assign(blocks, 0);
    progress_.discard_average.assign(blocks, 0.0f);
    progress_.gate_off_steps.assign(blocks, 0);
}

Trainer::~Trainer() = default;

void Trainer::setEpochs(int epochs) {
    if (epochs < 0) {
        throw std::invalid_argument("epochs must be at least 0");
    }
    config_.epochs = epochs;
}

double Trainer::trainImagesPerSecond() const {
    return progress_.train_seconds > 0.0
               ? static_cast<double>(progress_.train_images) / progress_.train_seconds
               : 0.0;
}

TrainOutcome Trainer::run(TrainingObserver* observer) {
    for (int epoch = progress_.epochs_done + 1; epoch <= config_.epochs; ++epoch) {
        EpochRecord record;
        const Clock::time_point start = Clock::now();
        if (!trainEpoch(epoch, observer, record)) {
            stop_requested_ = false;
            return TrainOutcome::Cancelled;
        }
        finishEpoch(epoch, record);
        record.seconds = secondsSince(start);
        progress_.history.push_back(record);
        if (observer != nullptr) {
            observer->onEpoch(record);
        }
    }
    return TrainOutcome::Finished;
}

// Sums over the batches of one epoch.
struct Trainer::EpochTally {
    explicit EpochTally(size_t blocks)
        : dead(blocks, 1), max_abs(blocks, 0.0f), mean_abs_sum(blocks, 0.0f), computed(blocks, 0) {}

    std::vector<uint8_t> dead;  // gate 0 on every batch so far
    // Over the batches on which the block was computed (not skipped).
    std::vector<float> max_abs;
    std::vector<float> mean_abs_sum;
    std::vector<int> computed;
    double loss_sum = 0.0;
    int64_t correct = 0;
    int64_t images = 0;
};

bool Trainer::trainEpoch(int epoch, TrainingObserver* observer, EpochRecord& record) {
    StepRecord step;
    step.epoch = epoch;
    step.batches_per_epoch = static_cast<int>(train_loader_->batchesPerEpoch());
    step.learning_rate = schedule_.learningRate(epoch);
    step.epsilon = epsilonForEpoch(config_, epoch);
    optimizer_->setLearningRate(step.learning_rate);
    model_->setEpsilon(step.epsilon);
    model_->train();
    train_loader_->startEpoch(epoch);

    EpochTally tally(progress_.discard_average.size());
    const Clock::time_point start = Clock::now();
    while (auto batch = train_loader_->next()) {
        if (stop_requested_) {
            return false;
        }
        const std::vector<float> values = optimiseStep(*batch, epoch);
        const int64_t n = batch->labels.size(0);
        tally.loss_sum += values[0] * n;
        tally.correct += static_cast<int64_t>(values[1]);
        tally.images += n;
        ++step.batch;
        step.step = progress_.steps_done;
        step.loss = values[0];
        step.accuracy = values[1] / static_cast<double>(n);
        trackBlocks(values, step, tally);
        progress_.steps.add(step);

        const double elapsed = secondsSince(start);
        step.images_per_second = elapsed > 0.0 ? tally.images / elapsed : 0.0;
        const int64_t steps_left =
            static_cast<int64_t>(config_.epochs - epoch) * step.batches_per_epoch +
            (step.batches_per_epoch - step.batch);
        step.seconds_left = elapsed * static_cast<double>(steps_left) / step.batch;
        if (observer != nullptr) {
            observer->onStep(step);
        }
    }
    progress_.train_seconds += secondsSince(start);
    progress_.train_images += tally.images;

    record.epoch = epoch;
    record.step = progress_.steps_done;
    const double images = static_cast<double>(std::max<int64_t>(1, tally.images));
    record.train_loss = tally.loss_sum / images;
    record.train_accuracy = static_cast<double>(tally.correct) / images;
    record.learning_rate = step.learning_rate;
    record.epsilon = step.epsilon;
    record.images_per_second = step.images_per_second;
    const float not_computed = std::numeric_limits<float>::quiet_NaN();
    for (size_t b = 0; b < tally.computed.size(); ++b) {
        const bool any = tally.computed[b] > 0;
        record.epoch_max_abs.push_back(any ? tally.max_abs[b] : not_computed);
        record.epoch_mean_abs.push_back(any ? tally.mean_abs_sum[b] / tally.computed[b]
                                            : not_computed);
    }
    progress_.dead_last_epoch = tally.dead;
    return true;
}

std::vector<float> Trainer::optimiseStep(const Batch& batch, int epoch) {
    const torch::Tensor inputs = batch.images.to(device_);
    const torch::Tensor labels = batch.labels.to(device_);

    // Forward and backward; the side classifier's loss is added with its weight.
    optimizer_->sgd.zero_grad();
    const GatedOutput out = model_->forward(inputs);
    torch::Tensor loss = torch::cross_entropy_loss(out.logits, labels);
    if (out.side_logits.defined()) {
        loss = loss + config_.side_loss_weight * torch::cross_entropy_loss(out.side_logits, labels);
    }
    loss.backward();
    giveSkippedBlocksZeroGradients();

    // One transfer brings loss, hits and every block's statistics to the host. The loss is
    // checked before the step, so a NaN never reaches the weights.
    const torch::Tensor hits = out.logits.argmax(1).eq(labels).sum().to(torch::kFloat);
    const torch::Tensor summary = torch::cat({loss.detach().reshape({1}), hits.reshape({1}),
                                              out.max_abs, out.mean_abs, out.gates})
                                      .to(torch::kCPU, torch::kFloat);
    std::vector<float> values(summary.data_ptr<float>(),
                              summary.data_ptr<float>() + summary.numel());
    if (!std::isfinite(values[0])) {
        throw TrainingError("the loss became " + std::to_string(values[0]) + " at epoch " +
                            std::to_string(epoch) + ", step " +
                            std::to_string(progress_.steps_done + 1) +
                            "; training stopped (try a lower learning rate)");
    }
    optimizer_->sgd.step();
    ++progress_.steps_done;
    return values;
}

void Trainer::trackBlocks(const std::vector<float>& values, StepRecord& step, EpochTally& tally) {
    const size_t blocks = progress_.discard_average.size();
    const auto block_values = [&](size_t part) {
        return std::vector<float>(values.begin() + 2 + part * blocks,
                                  values.begin() + 2 + (part + 1) * blocks);
    };
    step.max_abs = block_values(0);
    step.mean_abs = block_values(1);
    step.gate = block_values(2);

    // Moving averages of is_discarded and of the discarded count, and whole-epoch deadness.
    const float decay = static_cast<float>(config_.discard_average_decay);
    float discarded_now = 0.0f;
    for (size_t b = 0; b < blocks; ++b) {
        const float discarded = step.gate[b] == 0.0f ? 1.0f : 0.0f;
        progress_.discard_average[b] =
            decay * progress_.discard_average[b] + (1.0f - decay) * discarded;
        tally.dead[b] = tally.dead[b] && discarded == 1.0f;
        progress_.gate_off_steps[b] = discarded == 1.0f ? progress_.gate_off_steps[b] + 1 : 0;
        if (!std::isnan(step.max_abs[b])) {  // NaN: skipped, not computed
            tally.max_abs[b] = std::max(tally.max_abs[b], step.max_abs[b]);
            tally.mean_abs_sum[b] += step.mean_abs[b];
            ++tally.computed[b];
        }
        discarded_now += discarded;
    }
    progress_.discarded_count_average =
        decay * progress_.discarded_count_average + (1.0 - decay) * discarded_now;
    applySkipping();
    step.discard_average = progress_.discard_average;
    step.discarded_count_average = progress_.discarded_count_average;
}

void Trainer::giveSkippedBlocksZeroGradients() {
    const std::vector<bool>& skipped = model_->skippedBlocks();
    for (size_t b = 0; b < skipped.size(); ++b) {
        if (!skipped[b]) {
            continue;
        }
        for (torch::Tensor& parameter : model_->branches[b]->parameters()) {
            if (!parameter.grad().defined()) {
                parameter.mutable_grad() = torch::zeros_like(parameter);
            }
        }
    }
}

std::vector<bool> skippedBlocks(const TrainerProgress& progress, const TrainConfig& config) {
    // One flag per block, also for progress saved before gate_off_steps existed (none skipped).
    std::vector<bool> skipped(progress.discard_average.size(), false);
    for (size_t b = 0; b < skipped.size() && b < progress.gate_off_steps.size(); ++b) {
        skipped[b] = config.skip_discarded_after > 0 &&
                     progress.gate_off_steps[b] >= config.skip_discarded_after;
    }
    return skipped;
}

void Trainer::applySkipping() {
    const std::vector<bool> skipped = skippedBlocks(progress_, config_);
    for (size_t b = 0; b < skipped.size(); ++b) {
        if (skipped[b]) {
            model_->skipBlock(b);
        }
    }
}

void Trainer::finishEpoch(int epoch, EpochRecord& record) {
    const EvalResult test =
        evaluateGated(model_, data_.test, normalizer_, config_.batch_size, device_);
    record.test_loss = test.loss;
    record.test_accuracy = test.accuracy;
    record.side_test_accuracy = test.side_accuracy;
    record.test_batches_gate_on = test.batches_gate_on;
    record.test_batches = test.batches;
    record.dead_whole_epoch = progress_.dead_last_epoch;
    record.discard_average = progress_.discard_average;
    record.discarded_count_average = progress_.discarded_count_average;
    record.schedule_restarted = schedule_.endEpoch(epoch, progress_.discarded_count_average);
    progress_.schedule_restart_epoch = schedule_.restartEpoch();
    progress_.schedule_previous_discarded = schedule_.previousDiscardedAverage();
    progress_.epochs_done = epoch;
}

void Trainer::restoreProgress(TrainerProgress progress) {
    const size_t blocks = static_cast<size_t>(config_.model.blockCount());
    if (progress.gate_off_steps.empty()) {
        progress.gate_off_steps.assign(blocks, 0);  // saved before the field existed
    }
    if (progress.dead_last_epoch.size() != blocks || progress.discard_average.size() != blocks ||
        progress.gate_off_steps.size() != blocks) {
        throw std::invalid_argument("the saved progress has per-block values for " +
                                    std::to_string(progress.discard_average.size()) +
                                    " blocks; the model has " + std::to_string(blocks));
    }
    if (progress.epochs_done < 0 || progress.steps_done < 0 ||
        progress.history.size() != static_cast<size_t>(progress.epochs_done)) {
        throw std::invalid_argument(
            "the saved progress has " + std::to_string(progress.history.size()) +
            " epochs of history for " + std::to_string(progress.epochs_done) + " epochs done");
    }
    schedule_.restore(progress.schedule_restart_epoch, progress.schedule_previous_discarded);
    progress_ = std::move(progress);
    applySkipping();
    // The gated network as it last trained: after the phase in which ε applies, that is ε = 0.
    if (progress_.epochs_done > 0) {
        model_->setEpsilon(epsilonForEpoch(config_, progress_.epochs_done));
    }
}

std::map<std::string, torch::Tensor> Trainer::momentumBuffers() const {
    std::map<std::string, torch::Tensor> buffers;
    auto& state = optimizer_->sgd.state();
    for (const auto& item : model_->named_parameters()) {
        const auto found = state.find(c10::guts::to_string(item.value().unsafeGetTensorImpl()));
        if (found == state.end()) {
            continue;
        }
        const auto& sgd_state = static_cast<const torch::optim::SGDParamState&>(*found->second);
        if (sgd_state.momentum_buffer().defined()) {
            buffers[item.key()] = sgd_state.momentum_buffer();
        }
    }
    return buffers;
}

void Trainer::restoreMomentumBuffers(const std::map<std::string, torch::Tensor>& buffers) {
    const auto parameters = model_->named_parameters();
    for (const auto& [name, buffer] : buffers) {
        const torch::Tensor* parameter = parameters.find(name);
        if (parameter == nullptr) {
            throw std::invalid_argument("momentum buffer for unknown parameter " + name);
        }
        if (parameter->sizes() != buffer.sizes()) {
            throw std::invalid_argument("momentum buffer " + name + " has the wrong shape");
        }
        // The optimizer finds a parameter's state by the address of its tensor.
        auto state = std::make_unique<torch::optim::SGDParamState>();
        torch::Tensor copy = torch::empty_like(*parameter);
        copy.copy_(buffer);
        state->momentum_buffer(copy);
        optimizer_->sgd.state()[c10::guts::to_string(parameter->unsafeGetTensorImpl())] =
            std::move(state);
    }
}

}  // namespace epsilon
