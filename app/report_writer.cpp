// SPDX-License-Identifier: MIT
// The end-of-run comparison table and the JSON report of `epsilon-lab-cli train`.
#include "app/report_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace epsilon {
namespace {

void printRow(std::FILE* stream, const NetworkRow& row) {
    std::fprintf(stream, "%-26s %7d %7d %11lld %13lld %9.2f%% %11.1f\n", row.name.c_str(),
                 row.cost.layers, row.cost.blocks, static_cast<long long>(row.cost.parameters),
                 static_cast<long long>(row.cost.macs), 100.0 * row.test_accuracy,
                 row.milliseconds_per_batch);
}

}  // namespace

nlohmann::json rowJson(const NetworkRow& row) {
    return {{"name", row.name},
            {"layers", row.cost.layers},
            {"blocks", row.cost.blocks},
            {"params", row.cost.parameters},
            {"macs", row.cost.macs},
            {"test_accuracy", row.test_accuracy},
            {"milliseconds_per_batch", row.milliseconds_per_batch}};
}

namespace {

nlohmann::json historyJson(const std::vector<EpochRecord>& history) {
    nlohmann::json epochs = nlohmann::json::array();
    for (const EpochRecord& r : history) {
        epochs.push_back({{"epoch", r.epoch},
                          {"train_loss", r.train_loss},
                          {"train_accuracy", r.train_accuracy},
                          {"test_loss", r.test_loss},
                          {"test_accuracy", r.test_accuracy},
                          {"side_test_accuracy", r.side_test_accuracy},
                          {"learning_rate", r.learning_rate},
                          {"epsilon", r.epsilon},
                          {"dead_whole_epoch", r.dead_whole_epoch},
                          {"discard_average", r.discard_average},
                          {"epoch_max_abs", r.epoch_max_abs},
                          {"epoch_mean_abs", r.epoch_mean_abs},
                          {"test_batches_gate_on", r.test_batches_gate_on},
                          {"images_per_second", r.images_per_second},
                          {"seconds", r.seconds}});
    }
    return epochs;
}

// Where a report is written before it is renamed over `path`; in the same directory, so the
// rename is atomic.
std::string temporaryPathFor(const std::string& path) {
    return path + ".tmp";
}

}  // namespace

void printComparison(std::FILE* stream, const PruneReport& report) {
    std::fprintf(stream, "\n%-26s %7s %7s %11s %13s %10s %11s\n", "network", "layers", "blocks",
                 "params", "MACs/image", "test acc", "ms/batch");
    printRow(stream, report.original);
    printRow(stream, report.pruned);
    std::fprintf(stream, "(inference time: median of 5 batches of %d images)\n",
                 report.timing_batch);
    const PruneCheck& check = report.check;
    std::fprintf(stream,
                 "removed %d of %zu blocks; pruned network %s the gated one: %lld test batches "
                 "compared (max logit difference %.2g), %lld with a removed block switched on, "
                 "%lld with a kept block switched off\n",
                 countRemoved(report.removed), report.removed.size(),
                 check.matches ? "matches" : "does NOT match",
                 static_cast<long long>(check.compared_batches), check.max_logit_difference,
                 static_cast<long long>(check.mismatched_batches),
                 static_cast<long long>(check.kept_off_batches));
}

nlohmann::json reportJson(const Trainer& trainer, const PruneReport& report,
                          const RunContext& context) {
    const TrainConfig& config = trainer.config();
    return {
        {"dataset", context.dataset},
        {"depth", config.model.depth()},
        {"epsilon", config.model.epsilon},
        {"epsilon_warmup_epochs", config.epsilon_warmup_epochs},
        {"epsilon_epochs", config.epsilon_epochs},
        {"epochs", trainer.epochsDone()},
        {"batch_size", config.batch_size},
        {"seed", config.seed},
        {"adaptive_schedule", config.schedule.adaptive},
        {"train_images", trainer.data().train.size()},
        {"test_images", trainer.data().test.size()},
        {"device", context.device},
        {"threads", context.threads},
        {"params", report.original.cost.parameters},
        {"macs", report.original.cost.macs},
        {"test_accuracy", report.original.test_accuracy},
        {"blocks_total", report.removed.size()},
        {"blocks_discarded", countRemoved(report.removed)},
        {"removed_blocks", removedBlockIndices(report.removed)},
        {"prune_rule", pruneRuleName(report.rule)},
        {"pruned_params", report.pruned.cost.parameters},
        {"pruned_macs", report.pruned.cost.macs},
        {"pruned_test_accuracy", report.pruned.test_accuracy},
        {"pruned_matches_gated", report.check.matches},
        {"max_logit_difference", report.check.max_logit_difference},
        {"compared_batches", report.check.compared_batches},
        {"mismatched_batches", report.check.mismatched_batches},
        {"kept_off_batches", report.check.kept_off_batches},
        {"train_images_per_second", trainer.trainImagesPerSecond()},
        {"seconds", context.seconds},
        {"original", rowJson(report.original)},
        {"pruned", rowJson(report.pruned)},
        {"history", historyJson(trainer.history())},
    };
}

void checkWritable(const std::string& path, const std::string& what) {
    const std::string probe = temporaryPathFor(path);
    std::ofstream out(probe, std::ios::app);
    if (!out) {
        throw std::runtime_error(path + ": cannot write the " + what + " here (" +
                                 std::strerror(errno) + ")");
    }
    out.close();
    std::filesystem::remove(probe);
}

void writeTextFile(const std::string& path, const std::string& text) {
    const std::string temporary = temporaryPathFor(path);
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            const std::string reason = std::strerror(errno);
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw std::runtime_error(path + ": cannot write the file (" + reason + ")");
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw std::runtime_error(path + ": cannot write the file (" + error.message() + ")");
    }
}

void writeJsonFile(const std::string& path, const nlohmann::json& json) {
    writeTextFile(path, json.dump(2) + "\n");
}

}  // namespace epsilon
