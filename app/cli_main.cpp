// SPDX-License-Identifier: MIT
// epsilon-lab-cli: the headless command line of Epsilon Lab.
#include <csignal>

#include <CLI/CLI.hpp>

#include "app/snapshot_commands.h"
#include "app/sweep_command.h"
#include "app/train_command.h"

int main(int argc, char** argv) {
    // Past a file-size limit, writes then fail with EFBIG and are reported like a full disk,
    // instead of the signal killing the process in the middle of a save.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app(
        "Epsilon Lab: train, prune and compare ε-ResNets (Yu, Yu and Ramalingam, "
        "CVPR 2018).\nExit status: 0 success, 1 runtime failure, 2 bad usage.");
    app.require_subcommand(1);
    epsilon::TrainOptions train_options;
    CLI::App* train = epsilon::addTrainCommand(app, train_options);
    epsilon::InspectOptions inspect_options;
    CLI::App* inspect = epsilon::addInspectCommand(app, inspect_options);
    epsilon::ExportOptions export_options;
    CLI::App* export_command = epsilon::addExportCommand(app, export_options);
    epsilon::SweepOptions sweep_options;
    CLI::App* sweep = epsilon::addSweepCommand(app, sweep_options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int status = app.exit(error);
        return status == 0 ? 0 : 2;
    }
    if (train->parsed()) {
        return epsilon::runTrain(train_options);
    }
    if (inspect->parsed()) {
        return epsilon::runInspect(inspect_options);
    }
    if (export_command->parsed()) {
        return epsilon::runExport(export_options);
    }
    if (sweep->parsed()) {
        return epsilon::runSweep(sweep_options);
    }
    return 2;
}
