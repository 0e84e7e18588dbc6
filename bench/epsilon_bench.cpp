// SPDX-License-Identifier: MIT
// epsilon-lab-bench: one measurement per process, printed as one JSON line, so that the driver
// (bench/run.py) can interleave it with the Python peer and read each process's peak memory.
#include <iostream>

#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include "bench/conv_bound.h"
#include "bench/measurements.h"
#include "core/runtime.h"

int main(int argc, char** argv) {
    using namespace epsilon::bench;
    CLI::App app{
        "Times one of Epsilon Lab's training or inference paths on random data and prints "
        "the result as a JSON line."};
    BenchSettings settings;
    std::string mode = "train";
    int threads = 0;
    app.add_option("mode", mode,
                   "train, model-step, infer, infer-compact, infer-compact-unfolded, "
                   "conv-ceiling or conv-bound (the network's convolutions timed one by one; "
                   "--removed leaves blocks out)")
        ->check(CLI::IsMember({"train", "model-step", "infer", "infer-compact",
                               "infer-compact-unfolded", "conv-ceiling", "conv-bound"}));
    app.add_option("--depth", settings.depth, "6n+2")->capture_default_str();
    app.add_option("--channels", settings.channels, "input channels")->capture_default_str();
    app.add_option("--size", settings.image_size, "image height and width")->capture_default_str();
    app.add_option("--batch", settings.batch, "images per batch")->capture_default_str();
    app.add_option("--steps", settings.steps, "timed steps or passes")->capture_default_str();
    app.add_option("--warmup", settings.warmup, "untimed steps first")->capture_default_str();
    app.add_option("--threads", threads, "torch threads (0: one per core)")->capture_default_str();
    app.add_option("--removed", settings.removed, "blocks removed for infer-compact and conv-bound")
        ->delimiter(',');
    app.add_option("--dead", settings.dead, "blocks made dead for train (F = 0)")->delimiter(',');
    app.add_option("--skip-after", settings.skip_after,
                   "train: stop computing a block after its gate was 0 this many steps (0: never)")
        ->capture_default_str();
    app.add_flag("--channels-last,!--no-channels-last", settings.channels_last,
                 "store weights and activations channels-last")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        epsilon::configureThreads(threads);
        nlohmann::json result;
        if (mode == "train") {
            result = measureTraining(settings);
        } else if (mode == "model-step") {
            result = measureModelStep(settings);
        } else if (mode == "infer") {
            result = measureGatedInference(settings);
        } else if (mode == "conv-ceiling") {
            result = measureConvCeiling(settings);
        } else if (mode == "conv-bound") {
            result = measureConvolutionBound(settings);
        } else {
            result = measureCompactInference(settings, mode == "infer-compact");
        }
        result["implementation"] = "epsilon-lab";
        result["mode"] = mode;
        result["threads"] = epsilon::currentThreads();
        result["channels_last"] = settings.channels_last;
        std::cout << result.dump() << std::endl;
    } catch (const std::exception& error) {
        std::cerr << "epsilon-lab-bench: " << error.what() << std::endl;
        return 1;
    }
    return 0;
}
