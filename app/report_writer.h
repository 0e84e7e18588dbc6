// SPDX-License-Identifier: MIT
// The end-of-run comparison table and the JSON report of `epsilon-lab-cli train`.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "core/prune_report.h"
#include "core/trainer.h"

namespace epsilon {

/// What the report says about the run besides the trainer's own state.
struct RunContext {
    std::string dataset;
    std::string device;
    int threads = 1;
    double seconds = 0.0;  ///< Wall time of the whole command.
};

/// Prints the original and pruned networks side by side, and whether they agree.
void printComparison(std::FILE* stream, const PruneReport& report);

/// One network's row of the comparison as JSON (name, layers, blocks, params, macs...).
nlohmann::json rowJson(const NetworkRow& row);

/// The JSON report: settings, both networks' rows, the agreement check and the history.
nlohmann::json reportJson(const Trainer& trainer, const PruneReport& report,
                          const RunContext& context);

/// Throws std::runtime_error naming `path` unless a file can be written there, so that a long
/// run does not fail only at its end. `what` names the file in the message ("report").
void checkWritable(const std::string& path, const std::string& what);

/// Writes `text` to `path` through a temporary file and a rename. Throws std::runtime_error
/// naming the path.
void writeTextFile(const std::string& path, const std::string& text);

/// Writes `json` to `path` through a temporary file and a rename, so an existing report is
/// replaced whole or not at all. Throws std::runtime_error naming the path.
void writeJsonFile(const std::string& path, const nlohmann::json& json);

}  // namespace epsilon
