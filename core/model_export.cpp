// SPDX-License-Identifier: MIT
// Exports a snapshot's compact network as a LibTorch archive.
#include "core/model_export.h"

#include <cstdio>
#include <filesystem>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/network_parts.h"
#include "core/prune_report.h"

namespace epsilon {

CompactResNet compactFromSnapshot(const Snapshot& snapshot, int index) {
    const ModelConfig& model = snapshot.config.train.model;
    if (snapshot.prunings.empty()) {
        EpsilonResNet gated(model);
        loadState(snapshot.model_state, *gated);
        return buildCompact(gated, blocksToRemove(PruneRule::DeadLastEpoch, snapshot.progress,
                                                  snapshot.config.train));
    }
    const int count = static_cast<int>(snapshot.prunings.size());
    if (index < -1 || index >= count) {
        throw std::invalid_argument("pruning " + std::to_string(index) + " does not exist; " +
                                    snapshot.source_path + " has " + std::to_string(count));
    }
    const PruningRecord& pruning = snapshot.prunings[index < 0 ? count - 1 : index];
    CompactResNet compact(model.in_channels, model.num_classes,
                          compactUnits(blockShapesFor(model), pruning.report.removed));
    loadState(pruning.compact_state, *compact);
    compact->eval();
    return compact;
}

std::string compactLayoutJson(const CompactResNetImpl& compact, const Snapshot& snapshot) {
    const ModelConfig& model = snapshot.config.train.model;
    nlohmann::json units = nlohmann::json::array();
    for (const CompactUnit& unit : compact.units()) {
        units.push_back({{"in_channels", unit.shape.in_channels},
                         {"out_channels", unit.shape.out_channels},
                         {"stride", unit.shape.stride},
                         {"preactivate", unit.shape.preactivate},
                         {"has_branch", unit.has_branch}});
    }
    const nlohmann::json layout = {
        {"format_version", 1},
        {"in_channels", model.in_channels},
        {"image_size", model.image_size},
        {"num_classes", model.num_classes},
        {"stem_channels", kStageWidths[0]},
        {"head_channels", kStageWidths[2]},
        {"batch_norm_eps", 1e-5},
        {"input_scale", 128.0},
        {"units", units},
        {"dataset", snapshot.config.data.name},
        {"trained_epochs", snapshot.progress.epochs_done},
    };
    return layout.dump();
}

void exportCompact(CompactResNet& compact, const Snapshot& snapshot, const std::string& path) {
    torch::serialize::OutputArchive archive;
    compact->save(archive);
    archive.write(kExportLayoutKey, c10::IValue(compactLayoutJson(*compact, snapshot)));
    archive.write(kExportMeanKey, snapshot.mean_image, /*is_buffer=*/true);
    const std::string temporary = path + ".saving";
    try {
        archive.save_to(temporary);
    } catch (const c10::Error& error) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw std::runtime_error(path + ": cannot write the model (" +
                                 error.what_without_backtrace() + ")");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw std::runtime_error(path + ": cannot write the model (" + error.message() + ")");
    }
}

}  // namespace epsilon
