// SPDX-License-Identifier: MIT
// `epsilon-lab-cli inspect` and `export`: read a snapshot, describe it, write its parts out.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace epsilon {

struct InspectOptions {
    std::string path;
    bool json = false;
};

struct ExportOptions {
    std::string path;
    std::string model_path;
    std::string metrics_path;
    std::string step_metrics_path;
    int pruning = -1;
};

CLI::App* addInspectCommand(CLI::App& app, InspectOptions& options);
CLI::App* addExportCommand(CLI::App& app, ExportOptions& options);

/// Each returns the exit status: 0 success, 1 unreadable snapshot or unwritable output.
int runInspect(const InspectOptions& options);
int runExport(const ExportOptions& options);

}  // namespace epsilon
