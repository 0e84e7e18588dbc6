// SPDX-License-Identifier: MIT
// Timed runs of the core's training and inference paths on random data.
#include "bench/measurements.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "core/folded_resnet.h"
#include "core/pruning.h"
#include "core/trainer.h"

namespace epsilon::bench {
namespace {

using Clock = std::chrono::steady_clock;

double peakResidentMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

ModelConfig modelFor(const BenchSettings& settings) {
    ModelConfig model;
    model.blocks_per_stage = blocksPerStageForDepth(settings.depth);
    model.in_channels = settings.channels;
    model.image_size = settings.image_size;
    model.epsilon = 0.0;
    return model;
}

Dataset randomImages(const BenchSettings& settings, int64_t count) {
    Dataset data;
    data.name = "random";
    data.images =
        torch::randint(0, 256, {count, settings.channels, settings.image_size, settings.image_size})
            .to(torch::kUInt8);
    data.labels = torch::randint(0, 10, {count});
    data.num_classes = 10;
    return data;
}

// Throughput over the timed steps, from when each of the warm-up and timed steps ended.
nlohmann::json stepTiming(const std::vector<Clock::time_point>& ends,
                          const BenchSettings& settings) {
    const int steps = settings.warmup + settings.steps;
    if (static_cast<int>(ends.size()) != steps || settings.warmup < 1 || settings.steps < 1) {
        throw std::invalid_argument("expected " + std::to_string(steps) +
                                    " steps, at least one of them a warm-up and one timed");
    }
    const double seconds =
        std::chrono::duration<double>(ends.back() - ends[settings.warmup - 1]).count();
    return {{"images_per_second", settings.steps * settings.batch / seconds},
            {"milliseconds_per_step", 1000.0 * seconds / settings.steps},
            {"peak_rss_mib", peakResidentMiB()}};
}

// Records when each training step ended.
class StepClock : public TrainingObserver {
  public:
    void onStep(const StepRecord& /*record*/) override { ends.push_back(Clock::now()); }
    std::vector<Clock::time_point> ends;
};

EpsilonResNet gatedNetwork(const BenchSettings& settings) {
    torch::manual_seed(1);
    EpsilonResNet gated(modelFor(settings));
    if (settings.channels_last) {
        useChannelsLast(*gated);
    }
    gated->eval();
    return gated;
}

nlohmann::json inferenceResult(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                               const BenchSettings& settings, const NetworkCost& cost) {
    const double ms = inferenceMilliseconds(forward, settings.batch, settings.channels,
                                            settings.image_size, torch::kCPU, settings.steps);
    return {{"milliseconds_per_batch", ms},
            {"images_per_second", 1000.0 * settings.batch / ms},
            {"macs", cost.macs},
            {"parameters", cost.parameters},
            {"peak_rss_mib", peakResidentMiB()}};
}

}  // namespace

std::vector<bool> blockFlags(const std::vector<int>& indices, int blocks, const char* option) {
    std::vector<bool> flags(static_cast<size_t>(blocks), false);
    for (int b : indices) {
        if (b < 0 || b >= blocks) {
            throw std::invalid_argument(std::string(option) + ": block " + std::to_string(b) +
                                        " does not exist (the network has " +
                                        std::to_string(blocks) + ")");
        }
        flags[static_cast<size_t>(b)] = true;
    }
    return flags;
}

nlohmann::json measureTraining(const BenchSettings& settings) {
    TrainConfig config;
    config.model = modelFor(settings);
    config.epochs = 1;
    config.batch_size = settings.batch;
    config.channels_last = settings.channels_last;
    const int steps = settings.warmup + settings.steps;
    DatasetPair data{randomImages(settings, static_cast<int64_t>(steps) * settings.batch),
                     randomImages(settings, settings.batch)};
    config.skip_discarded_after = settings.skip_after;
    Trainer trainer(config, data, torch::kCPU);
    const std::vector<bool> dead = blockFlags(settings.dead, config.model.blockCount(), "--dead");
    for (size_t b = 0; b < dead.size(); ++b) {
        if (dead[b]) {
            torch::NoGradGuard no_grad;
            trainer.model()->branches[b]->conv2->weight.zero_();
        }
    }
    StepClock clock;
    trainer.run(&clock);
    nlohmann::json result = stepTiming(clock.ends, settings);
    const NetworkCost cost = costOf(*trainer.model());
    result["macs"] = cost.macs;
    result["parameters"] = cost.parameters;
    return result;
}

nlohmann::json measureModelStep(const BenchSettings& settings) {
    torch::manual_seed(1);
    EpsilonResNet model(modelFor(settings));
    if (settings.channels_last) {
        useChannelsLast(*model);
    }
    model->train();
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    const torch::Tensor images =
        torch::randn({settings.batch, settings.channels, settings.image_size, settings.image_size});
    const torch::Tensor labels = torch::randint(0, 10, {settings.batch});
    std::vector<Clock::time_point> ends;
    for (int step = 0; step < settings.warmup + settings.steps; ++step) {
        sgd.zero_grad();
        const GatedOutput out = model->forward(images);
        torch::Tensor loss = torch::cross_entropy_loss(out.logits, labels) +
                             0.1 * torch::cross_entropy_loss(out.side_logits, labels);
        loss.backward();
        // The same host copy of the statistics as the trainer and the peer make.
        const torch::Tensor summary =
            torch::cat({loss.detach().reshape({1}), out.max_abs, out.mean_abs, out.gates});
        if (!std::isfinite(summary[0].item<float>())) {
            throw std::runtime_error("the loss became NaN");
        }
        sgd.step();
        ends.push_back(Clock::now());
    }
    return stepTiming(ends, settings);
}

nlohmann::json measureGatedInference(const BenchSettings& settings) {
    EpsilonResNet gated = gatedNetwork(settings);
    return inferenceResult([&](const torch::Tensor& x) { return gated->forward(x).logits; },
                           settings, costOf(*gated));
}

nlohmann::json measureCompactInference(const BenchSettings& settings, bool folded) {
    EpsilonResNet gated = gatedNetwork(settings);
    CompactResNet compact = buildCompact(
        gated, blockFlags(settings.removed, gated->config().blockCount(), "--removed"));
    compact->eval();
    const NetworkCost cost = costOf(*compact, settings.image_size);
    if (folded) {
        const FoldedResNet network(*compact);
        return inferenceResult([&](const torch::Tensor& x) { return network.forward(x); }, settings,
                               cost);
    }
    return inferenceResult([&](const torch::Tensor& x) { return compact->forward(x); }, settings,
                           cost);
}

nlohmann::json measureConvCeiling(const BenchSettings& settings) {
    torch::NoGradGuard no_grad;
    constexpr int64_t kChannels = 64, kSize = 32;
    const double flops = 2.0 * settings.batch * kChannels * kChannels * 9 * kSize * kSize;
    nlohmann::json result;
    for (const bool channels_last : {false, true}) {
        const auto format =
            channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        const torch::Tensor input =
            torch::randn({settings.batch, kChannels, kSize, kSize}).contiguous(format);
        const torch::Tensor weight = torch::randn({kChannels, kChannels, 3, 3}).contiguous(format);
        const double ms = inferenceMilliseconds(
            [&](const torch::Tensor&) { return torch::conv2d(input, weight, {}, 1, 1); }, 1, 1, 4,
            torch::kCPU, settings.steps);
        result[channels_last ? "channels_last_gflops" : "contiguous_gflops"] = flops / ms / 1e6;
    }
    result["peak_rss_mib"] = peakResidentMiB();
    return result;
}

}  // namespace epsilon::bench
