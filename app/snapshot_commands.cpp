// SPDX-License-Identifier: MIT
// `epsilon-lab-cli inspect` and `export`.
#include "app/snapshot_commands.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/metrics_csv.h"
#include "app/report_writer.h"
#include "core/model_export.h"
#include "core/snapshot.h"

namespace epsilon {
namespace {

nlohmann::json inspectJson(const Snapshot& s) {
    const TrainConfig& t = s.config.train;
    const TrainerProgress& p = s.progress;
    nlohmann::json blocks = nlohmann::json::array();
    const std::vector<bool> skipped = skippedBlocks(p, t);
    const EpochRecord* last = p.history.empty() ? nullptr : &p.history.back();
    for (int b = 0; b < t.model.blockCount(); ++b) {
        nlohmann::json block = {{"index", b},
                                {"stage", b / t.model.blocks_per_stage + 1},
                                {"dead_last_epoch", p.dead_last_epoch[b] != 0},
                                {"skipped", static_cast<bool>(skipped[b])},
                                {"discard_average", p.discard_average[b]}};
        if (last != nullptr) {
            block["epoch_max_abs"] = last->epoch_max_abs[b];
            block["epoch_mean_abs"] = last->epoch_mean_abs[b];
        }
        blocks.push_back(block);
    }
    nlohmann::json prunings = nlohmann::json::array();
    for (const PruningRecord& pruning : s.prunings) {
        const PruneReport& r = pruning.report;
        prunings.push_back({{"after_epoch", pruning.after_epoch},
                            {"rule", pruneRuleName(r.rule)},
                            {"threshold", pruning.threshold},
                            {"removed_blocks", removedBlockIndices(r.removed)},
                            {"matches_gated", r.check.matches},
                            {"max_logit_difference", r.check.max_logit_difference},
                            {"original", rowJson(r.original)},
                            {"pruned", rowJson(r.pruned)}});
    }
    nlohmann::json out = {
        {"file", s.source_path},
        {"format_version", s.format_version},
        {"app_version", s.app_version},
        {"libtorch_version", s.torch_version},
        {"hdf5_version", s.hdf5_version},
        {"created_utc", s.created_utc},
        {"config", nlohmann::json::parse(toJson(s.config))},
        {"train_images", s.train_images},
        {"test_images", s.test_images},
        {"epochs_done", p.epochs_done},
        {"epochs_planned", t.epochs},
        {"steps_done", p.steps_done},
        {"blocks_total", t.model.blockCount()},
        {"blocks_dead_last_epoch",
         std::count(p.dead_last_epoch.begin(), p.dead_last_epoch.end(), uint8_t{1})},
        {"blocks", blocks},
        {"prunings", prunings},
        {"step_rows", p.steps.rows().size()},
        {"step_stride", p.steps.stride()},
    };
    if (last != nullptr) {
        out["test_accuracy"] = last->test_accuracy;
        out["train_loss"] = last->train_loss;
        out["train_accuracy"] = last->train_accuracy;
    }
    return out;
}

void printInspection(const Snapshot& s) {
    const TrainConfig& t = s.config.train;
    const TrainerProgress& p = s.progress;
    std::printf("%s\n", s.source_path.c_str());
    std::printf("  written %s by Epsilon Lab %s (snapshot format %d, LibTorch %s, HDF5 %s)\n",
                s.created_utc.c_str(), s.app_version.c_str(), s.format_version,
                s.torch_version.c_str(), s.hdf5_version.c_str());
    std::printf("  ε-ResNet-%d on %s (%lld training, %lld test images), ε = %g from epoch %d",
                t.model.depth(), s.config.data.name.c_str(), static_cast<long long>(s.train_images),
                static_cast<long long>(s.test_images), t.model.epsilon,
                t.epsilon_warmup_epochs + 1);
    if (t.epsilon_epochs > 0) {
        std::printf(", 0 again after epoch %d", t.epsilon_warmup_epochs + t.epsilon_epochs);
    }
    std::printf("\n");
    std::printf("  batch %d, seed %llu, %s schedule\n", t.batch_size,
                static_cast<unsigned long long>(t.seed),
                t.schedule.adaptive ? "adaptive" : "standard");
    std::printf("  progress: epoch %d of %d, step %lld\n", p.epochs_done, t.epochs,
                static_cast<long long>(p.steps_done));
    if (!p.history.empty()) {
        const EpochRecord& last = p.history.back();
        std::printf("  last epoch: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%%\n",
                    last.train_loss, 100.0 * last.train_accuracy, 100.0 * last.test_accuracy);
    }
    const int dead = static_cast<int>(
        std::count(p.dead_last_epoch.begin(), p.dead_last_epoch.end(), uint8_t{1}));
    const std::vector<bool> skipped = skippedBlocks(p, t);
    int alive = 0;  // neither off in the whole last epoch nor skipped (the "state" column)
    for (size_t b = 0; b < skipped.size(); ++b) {
        alive += !skipped[b] && p.dead_last_epoch[b] == 0 ? 1 : 0;
    }
    std::printf("  blocks: %d alive, %d discarded in every batch of the last epoch", alive, dead);
    if (t.skip_discarded_after > 0) {
        std::printf(", %d skipped (no longer computed, always pruned)",
                    static_cast<int>(std::count(skipped.begin(), skipped.end(), true)));
    }
    std::printf("\n\n");
    std::printf("  %5s %5s %12s %12s %12s %8s\n", "block", "stage", "max|F|", "mean|F|",
                "discard avg", "state");
    for (int b = 0; b < t.model.blockCount(); ++b) {
        const float max_abs = p.history.empty() ? 0.0f : p.history.back().epoch_max_abs[b];
        const float mean_abs = p.history.empty() ? 0.0f : p.history.back().epoch_mean_abs[b];
        std::printf("  %5d %5d %12.4g %12.4g %12.3f %8s\n", b, b / t.model.blocks_per_stage + 1,
                    max_abs, mean_abs, p.discard_average[b],
                    skipped[b]             ? "skipped"
                    : p.dead_last_epoch[b] ? "dead"
                                           : "alive");
    }
    std::printf(
        "  (max|F|: largest over the last epoch's training batches that computed the "
        "block; mean|F|: its mean; nan: none did)\n");
    if (s.prunings.empty()) {
        std::printf("\n  no pruning results\n");
    }
    for (size_t i = 0; i < s.prunings.size(); ++i) {
        const PruningRecord& pruning = s.prunings[i];
        const PruneReport& r = pruning.report;
        std::string removed;
        for (int block : removedBlockIndices(r.removed)) {
            removed += (removed.empty() ? "" : ", ") + std::to_string(block);
        }
        std::printf("\n  pruning %zu, after epoch %d, rule %s: removed blocks [%s]\n", i,
                    pruning.after_epoch, pruneRuleName(r.rule).c_str(), removed.c_str());
        std::printf("    %-9s %7s %10s %12s %9s\n", "network", "blocks", "params", "MACs/image",
                    "test acc");
        for (const NetworkRow* row : {&r.original, &r.pruned}) {
            std::printf("    %-9s %7d %10lld %12lld %8.2f%%\n",
                        row == &r.original ? "original" : "pruned", row->cost.blocks,
                        static_cast<long long>(row->cost.parameters),
                        static_cast<long long>(row->cost.macs), 100.0 * row->test_accuracy);
        }
        std::printf("    pruned network %s the gated one (max logit difference %.2g)\n",
                    r.check.matches ? "matches" : "does NOT match", r.check.max_logit_difference);
    }
}

}  // namespace

CLI::App* addInspectCommand(CLI::App& app, InspectOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "inspect", "Describe a snapshot: settings, progress, accuracy, blocks and pruning results");
    cmd->add_option("file", o.path, "Snapshot (.h5) written by train --snapshot")->required();
    cmd->add_flag("--json", o.json, "Print JSON instead of text");
    return cmd;
}

CLI::App* addExportCommand(CLI::App& app, ExportOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "export",
        "Write a snapshot's compact network as a LibTorch archive, or its history as CSV");
    cmd->add_option("file", o.path, "Snapshot (.h5) written by train --snapshot")->required();
    cmd->add_option("--model", o.model_path,
                    "LibTorch archive (.pt) of the compact network, for torch::load "
                    "(layout: docs/snapshot-format.md)");
    cmd->add_option("--metrics", o.metrics_path, "CSV of the per-epoch history");
    cmd->add_option("--step-metrics", o.step_metrics_path, "CSV of the per-step history");
    cmd->add_option("--pruning", o.pruning,
                    "Which pruning result to export, from 0 (default: the last; with none, the "
                    "blocks training discarded)");
    return cmd;
}

int runInspect(const InspectOptions& o) {
    try {
        const Snapshot snapshot = loadSnapshot(o.path);
        if (o.json) {
            std::printf("%s\n", inspectJson(snapshot).dump(2).c_str());
        } else {
            printInspection(snapshot);
        }
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}

int runExport(const ExportOptions& o) {
    if (o.model_path.empty() && o.metrics_path.empty() && o.step_metrics_path.empty()) {
        std::fprintf(stderr,
                     "error: nothing to export; give --model, --metrics or --step-metrics\n");
        return 2;
    }
    try {
        const Snapshot snapshot = loadSnapshot(o.path);
        const size_t blocks = static_cast<size_t>(snapshot.config.train.model.blockCount());
        if (!o.model_path.empty()) {
            CompactResNet compact = compactFromSnapshot(snapshot, o.pruning);
            exportCompact(compact, snapshot, o.model_path);
            std::fprintf(stderr, "compact network (%d blocks) written to %s\n",
                         compact->blockCount(), o.model_path.c_str());
        }
        if (!o.metrics_path.empty()) {
            writeTextFile(o.metrics_path, epochCsv(snapshot.progress.history, blocks));
            std::fprintf(stderr, "epoch history written to %s\n", o.metrics_path.c_str());
        }
        if (!o.step_metrics_path.empty()) {
            writeTextFile(o.step_metrics_path, stepCsv(snapshot.progress.steps, blocks));
            std::fprintf(stderr, "step history written to %s\n", o.step_metrics_path.c_str());
        }
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}

}  // namespace epsilon
