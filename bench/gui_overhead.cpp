// SPDX-License-Identifier: MIT
// epsilon-lab-gui-bench: trains in the real main window (offscreen unless a display is set)
// and reports, as one JSON line, the trainer's images per second while the window shows every
// step live, and how long the GUI's event loop went without running: the gaps between ticks of
// a 5 ms timer, beyond its interval.
#include "core/runtime.h"
// Qt from here on: its `slots` macro breaks torch headers.
#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app/gui/main_window.h"

int main(int argc, char** argv) {
    CLI::App cli{
        "Trains in the Epsilon Lab window and measures training throughput and "
        "event-loop stalls."};
    epsilon::RunSettings settings;
    settings.epochs = 1;
    settings.epsilon_warmup = 0;
    settings.train_limit = 6400;
    settings.test_limit = 2000;
    cli.add_option("--depth", settings.depth)->capture_default_str();
    cli.add_option("--epsilon", settings.epsilon)->capture_default_str();
    cli.add_option("--epochs", settings.epochs)->capture_default_str();
    cli.add_option("--train-limit", settings.train_limit)->capture_default_str();
    cli.add_option("--test-limit", settings.test_limit)->capture_default_str();
    cli.add_option("--threads", settings.threads, "0: one per core")->capture_default_str();
    CLI11_PARSE(cli, argc, argv);

    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    epsilon::configureThreads(settings.threads);
    QApplication app(argc, argv);
    // The window saves its settings on close; keep a user's own apart.
    QTemporaryDir settings_dir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings_dir.path());

    epsilon::MainWindow window;
    window.setSettings(settings);
    // Quitting closes the window, which would ask whether to save the run.
    window.setUnsavedWorkPrompt([](const QString&) { return epsilon::UnsavedChoice::Discard; });
    window.resize(1400, 900);
    window.show();

    std::vector<double> gaps_ms;
    QElapsedTimer since_tick;
    QTimer probe;
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        gaps_ms.push_back(static_cast<double>(since_tick.nsecsElapsed()) / 1e6);
        since_tick.restart();
    });
    QString outcome;
    QObject::connect(&window, &epsilon::MainWindow::runEnded, [&](const QString& message) {
        outcome = message;
        probe.stop();
        app.quit();
    });
    QTimer::singleShot(0, [&] {
        window.startTraining();
        since_tick.start();
        probe.start();
    });
    app.exec();

    std::sort(gaps_ms.begin(), gaps_ms.end());
    nlohmann::json result;
    result["outcome"] = outcome.toStdString();
    result["threads"] = epsilon::currentThreads();
    result["probe_ticks"] = gaps_ms.size();
    if (!gaps_ms.empty()) {
        result["longest_gap_ms"] = gaps_ms.back();
        result["p99_gap_ms"] = gaps_ms[gaps_ms.size() * 99 / 100];
        result["median_gap_ms"] = gaps_ms[gaps_ms.size() / 2];
    }
    if (window.latestStep()) {
        result["images_per_second"] = window.latestStep()->images_per_second;
    }
    std::cout << result.dump() << std::endl;
    return outcome == "Finished" ? 0 : 1;
}
