// SPDX-License-Identifier: MIT
// A run's settings as JSON text: stored in snapshots and readable by any JSON tool.
#pragma once

#include <string>

#include "core/dataset_registry.h"
#include "core/train_config.h"

namespace epsilon {

/// The settings of one experiment: what to train and on which data.
struct ExperimentConfig {
    TrainConfig train;
    DataSource data;
};

/// Every field of `config` as a JSON object (pretty-printed), e.g.
/// {"data": {"name": "fashion-mnist", ...}, "model": {"blocks_per_stage": 3, ...}, ...}.
std::string toJson(const ExperimentConfig& config);
/// Parses what toJson wrote. Throws std::invalid_argument naming a missing or mistyped field;
/// fields it does not know are ignored, so older programs read newer settings.
ExperimentConfig experimentFromJson(const std::string& text);

}  // namespace epsilon
