// SPDX-License-Identifier: MIT
// `epsilon-lab-cli sweep`.
#include "app/sweep_command.h"

#include <chrono>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/report_writer.h"
#include "core/dataset_registry.h"
#include "core/posthoc_sweep.h"
#include "core/runtime.h"
#include "core/snapshot.h"

namespace epsilon {
namespace {

std::string sweepCsv(const std::vector<SweepPoint>& points) {
    std::ostringstream out;
    out.precision(9);
    out << "epsilon,blocks_removed,removed_blocks,layers,blocks,params,macs,test_accuracy\n";
    for (const SweepPoint& p : points) {
        std::string removed;
        for (int block : removedBlockIndices(p.removed)) {
            removed += (removed.empty() ? "" : " ") + std::to_string(block);
        }
        out << p.epsilon << ',' << countRemoved(p.removed) << ',' << removed << ',' << p.cost.layers
            << ',' << p.cost.blocks << ',' << p.cost.parameters << ',' << p.cost.macs << ','
            << p.test_accuracy << '\n';
    }
    return out.str();
}

nlohmann::json sweepJson(const std::string& snapshot, const std::vector<float>& responses,
                         int64_t calibration_images, const std::vector<SweepPoint>& points) {
    nlohmann::json rows = nlohmann::json::array();
    for (const SweepPoint& p : points) {
        rows.push_back({{"epsilon", p.epsilon},
                        {"removed_blocks", removedBlockIndices(p.removed)},
                        {"layers", p.cost.layers},
                        {"blocks", p.cost.blocks},
                        {"params", p.cost.parameters},
                        {"macs", p.cost.macs},
                        {"test_accuracy", p.test_accuracy}});
    }
    return {{"kind", "post-hoc"},
            {"snapshot", snapshot},
            {"calibration_images", calibration_images},
            {"block_responses", responses},
            {"points", rows}};
}

void printSweep(const std::vector<float>& responses, const std::vector<SweepPoint>& points) {
    std::printf("calibrated max|F| per block:");
    for (float response : responses)
        std::printf(" %.3g", response);
    std::printf("\n\n%10s %8s %7s %11s %13s %9s\n", "ε", "removed", "blocks", "params",
                "MACs/image", "test acc");
    for (const SweepPoint& p : points) {
        std::printf("%10.4g %8d %7d %11lld %13lld %8.2f%%\n", p.epsilon, countRemoved(p.removed),
                    p.cost.blocks, static_cast<long long>(p.cost.parameters),
                    static_cast<long long>(p.cost.macs), 100.0 * p.test_accuracy);
    }
}

}  // namespace

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "sweep",
        "ε sweep. --post-hoc FILE: for each ε, remove the blocks of a trained network whose "
        "largest response on calibration images is at most ε, and measure what is left");
    cmd->add_option("--post-hoc", o.posthoc_path, "Snapshot of a trained run")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--epsilons", o.epsilons,
                    "ε values, comma separated (default: --points values spread over the "
                    "observed responses, plus each block's own response)")
        ->delimiter(',')
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--points", o.points, "Number of automatic ε values")
        ->check(CLI::Range(2, 1000))
        ->capture_default_str();
    cmd->add_option("--calibration-images", o.calibration_images,
                    "Training images (without augmentation) on which responses are measured; 0: "
                    "all the run trained on")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--csv", o.csv_path, "Write the sweep as CSV");
    cmd->add_option("--json", o.json_path, "Write the sweep as JSON");
    cmd->add_option("--threads", o.threads, "CPU threads (0: all cores)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--device", o.device, "auto, cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    return cmd;
}

int runSweep(const SweepOptions& o) {
    try {
        configureThreads(o.threads);
        const torch::Device device = chooseDevice(o.device);
        const Snapshot snapshot = loadSnapshot(o.posthoc_path);
        const TrainConfig& config = snapshot.config.train;
        const DatasetPair data = loadDataset(snapshot.config.data);
        const Dataset train = takeFirst(data.train, config.train_limit);
        const Dataset test = takeFirst(data.test, config.test_limit);
        const Normalizer normalizer(train.images);
        if (!torch::equal(normalizer.mean(), snapshot.mean_image)) {
            throw std::runtime_error(o.posthoc_path + ": the data at " + snapshot.config.data.name +
                                     " differ from those the run trained on");
        }
        EpsilonResNet model(config.model);
        loadState(snapshot.model_state, *model);
        model->to(device);
        const auto start = std::chrono::steady_clock::now();
        const std::vector<float> responses = calibrateResponses(
            model, takeFirst(train, o.calibration_images), normalizer, config.batch_size, device);
        const std::vector<double> epsilons =
            o.epsilons.empty() ? epsilonGrid(responses, o.points) : o.epsilons;
        const std::vector<SweepPoint> points =
            posthocSweep(model, responses, epsilons, test, normalizer, config.batch_size, device);
        printSweep(responses, points);
        std::fprintf(
            stderr, "%zu ε values in %.1f s\n", points.size(),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (!o.csv_path.empty())
            writeTextFile(o.csv_path, sweepCsv(points));
        if (!o.json_path.empty()) {
            writeJsonFile(o.json_path,
                          sweepJson(o.posthoc_path, responses,
                                    takeFirst(train, o.calibration_images).size(), points));
        }
        return 0;
    } catch (const std::invalid_argument& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}

}  // namespace epsilon
