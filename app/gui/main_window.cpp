// SPDX-License-Identifier: MIT
// The main window: run settings, the live views of training, and the controls.
#include "app/gui/main_window.h"

#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "app/gui/settings_panel.h"
#include "app/gui/sweep_page.h"
#include "app/gui/training_worker.h"
#include "widgets/block_map.h"
#include "widgets/comparison_table.h"
#include "widgets/plot_export.h"
#include "widgets/response_plot.h"
#include "widgets/training_curves.h"

namespace epsilon {
namespace {

// Views are redrawn at most this often, however fast the trainer reports.
constexpr int kRefreshMilliseconds = 100;

QString duration(double seconds) {
    const int total = static_cast<int>(seconds);
    return QString("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QChar('0'));
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), worker_(new TrainingWorker) {
    registerTrainingTypes();
    setWindowTitle("Epsilon Lab");

    auto* panel = new QWidget;
    auto* panel_layout = new QVBoxLayout(panel);
    panel_ = new SettingsPanel(TrainingWorker::cudaAvailable());
    panel_layout->addWidget(panel_);
    start_ = new QPushButton("Start");
    start_->setToolTip("Train a new network with these settings");
    start_->setObjectName("start");
    resume_ = new QPushButton("Resume");
    resume_->setObjectName("resume");
    resume_->setToolTip("Train the run shown on, to the number of epochs set above");
    stop_ = new QPushButton("Stop");
    pause_ = new QPushButton("Pause");
    auto* buttons = new QHBoxLayout;
    for (QPushButton* button : {start_, resume_, pause_, stop_}) {
        buttons->addWidget(button);
    }
    panel_layout->addLayout(buttons);
    panel_layout->addStretch();
    panel->setMaximumWidth(380);

    responses_ = new ResponsePlot;
    responses_->setEpsilon(panel_->settings().epsilon);
    curves_ = new TrainingCurves;
    views_ = new QTabWidget;
    QTabWidget* views = views_;
    views->addTab(responses_, "Responses against ε");
    views->addTab(curves_, "Training curves");
    block_map_ = new BlockMap;
    views->addTab(block_map_, "Block map");
    auto* compare_page = new QWidget;
    auto* compare_layout = new QVBoxLayout(compare_page);
    auto* compare_buttons = new QHBoxLayout;
    prune_rule_ = new QPushButton("Prune by training rule");
    prune_rule_->setToolTip("Remove the blocks whose gate was 0 on every batch of the last epoch");
    prune_epsilon_ = new QPushButton("Prune at the ε line");
    prune_epsilon_->setToolTip(
        "Remove the blocks whose largest response on 10,000 training images is at most ε");
    auto* remove_row = new QPushButton("Remove selected");
    auto* export_csv = new QPushButton("Export CSV...");
    for (QPushButton* button : {prune_rule_, prune_epsilon_, remove_row, export_csv}) {
        compare_buttons->addWidget(button);
    }
    compare_buttons->addStretch();
    comparison_ = new ComparisonTable;
    compare_layout->addLayout(compare_buttons);
    compare_layout->addWidget(comparison_);
    views->addTab(compare_page, "Prune and compare");
    sweep_page_ = new SweepPage;
    views->addTab(sweep_page_, "ε sweep");
    setPruningEnabled(false);
    connect(prune_rule_, &QPushButton::clicked, this, &MainWindow::pruneByTrainingRule);
    connect(prune_epsilon_, &QPushButton::clicked, this, &MainWindow::pruneAtEpsilon);
    connect(remove_row, &QPushButton::clicked, comparison_, &ComparisonTable::removeSelected);
    connect(export_csv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, "Export comparison",
                                                          "comparison.csv", "CSV (*.csv)");
        if (!path.isEmpty())
            exportComparison(path);
    });

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->addWidget(panel);
    layout->addWidget(views, 1);
    setCentralWidget(central);

    status_ = new QLabel("Ready");
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(240);
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progress_);

    connect(start_, &QPushButton::clicked, this, &MainWindow::startTraining);
    connect(resume_, &QPushButton::clicked, this, &MainWindow::resumeTraining);
    connect(stop_, &QPushButton::clicked, this, &MainWindow::stopTraining);
    connect(pause_, &QPushButton::clicked, this, &MainWindow::togglePause);
    connect(panel_, &SettingsPanel::epsilonChanged, responses_, &ResponsePlot::setEpsilon);
    connect(responses_, &ResponsePlot::epsilonDragged, panel_, &SettingsPanel::showEpsilon);
    connect(panel_, &SettingsPanel::changed, this, &MainWindow::updateControls);
    // The post-hoc sweep's marker follows the ε line, wherever ε is set.
    connect(panel_, &SettingsPanel::epsilonChanged, sweep_page_->view(),
            &SweepView::setEpsilonMarker);
    connect(responses_, &ResponsePlot::epsilonDragged, sweep_page_->view(),
            &SweepView::setEpsilonMarker);

    worker_->moveToThread(&worker_thread_);
    connect(&worker_thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &TrainingWorker::started, this, &MainWindow::onStarted);
    connect(worker_, &TrainingWorker::stepDone, this, &MainWindow::onStep);
    connect(worker_, &TrainingWorker::epochDone, this, &MainWindow::onEpoch);
    connect(worker_, &TrainingWorker::finished, this,
            [this](bool cancelled) { onEnded(cancelled ? "Stopped" : "Finished"); });
    connect(worker_, &TrainingWorker::failed, this,
            [this](const QString& message) { onEnded("Failed: " + message); });
    connect(worker_, &TrainingWorker::pruned, this,
            [this](const ComparisonRow& original, const ComparisonRow& compact) {
                comparison_->addRow(original);
                comparison_->addRow(compact);
                setPruningEnabled(true);
                unsaved_ = true;
                status_->setText("Pruned: " + compact.rule);
                emit pruneDone(true);
            });
    connect(worker_, &TrainingWorker::pruneFailed, this, [this](const QString& message) {
        setPruningEnabled(true);
        status_->setText("Pruning failed: " + message);
        emit pruneDone(false);
    });
    worker_thread_.start();

    connect(worker_, &TrainingWorker::opened, this, &MainWindow::onOpened);
    connect(worker_, &TrainingWorker::openFailed, this, [this](const QString& message) {
        status_->setText("Not opened: " + message);
        updateControls();
        emit openDone(false, message);
    });
    connect(worker_, &TrainingWorker::saved, this, &MainWindow::onSaved);
    connect(worker_, &TrainingWorker::saveFailed, this, [this](const QString& message) {
        status_->setText("Not saved: " + message);
        QMessageBox::warning(this, "Save snapshot", message);
        emit saveDone(false, message);
    });
    connect(sweep_page_, &SweepPage::posthocRequested, this, [this](int points) {
        QMetaObject::invokeMethod(worker_, "posthocSweep", Qt::QueuedConnection,
                                  Q_ARG(int, points));
    });
    connect(sweep_page_, &SweepPage::sweepReadRequested, this, [this](const QString& dir) {
        QMetaObject::invokeMethod(worker_, "readSweep", Qt::QueuedConnection, Q_ARG(QString, dir));
    });
    connect(sweep_page_, &SweepPage::trainingSweepRequested, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, "Folder for the sweep (a new one, or one to go on with)");
        if (!dir.isEmpty()) {
            sweep_page_->startTrainingSweep(settings(), dir);
        }
    });
    connect(worker_, &TrainingWorker::posthocSwept, sweep_page_, &SweepPage::showPosthoc);
    connect(worker_, &TrainingWorker::sweepRead, sweep_page_, &SweepPage::showTrainingSweep);
    connect(worker_, &TrainingWorker::sweepFailed, sweep_page_, &SweepPage::showFailure);
    connect(sweep_page_->view(), &SweepView::runClicked, this, &MainWindow::openSnapshot);
    sweep_page_->view()->setEpsilonMarker(panel_->settings().epsilon);
    createFileMenu();

    restoreSettings();
    updateControls();
    refresh_timer_.setInterval(kRefreshMilliseconds);
    connect(&refresh_timer_, &QTimer::timeout, this, &MainWindow::refreshViews);
    resize(1280, 760);
}

MainWindow::~MainWindow() {
    // After a close the thread has finished and deleted the worker (deleteLater).
    if (worker_thread_.isRunning()) {
        worker_->requestStop();
        worker_thread_.quit();
        worker_thread_.wait();
    }
}

RunSettings MainWindow::settings() const {
    return panel_->settings();
}

void MainWindow::setSettings(const RunSettings& settings) {
    panel_->setSettings(settings);
}

void MainWindow::saveSettings() const {
    panel_->save();
}

void MainWindow::restoreSettings() {
    panel_->restore();
}

void MainWindow::setUnsavedWorkPrompt(std::function<UnsavedChoice(const QString&)> prompt) {
    unsaved_prompt_ = std::move(prompt);
}

bool MainWindow::canResume() const {
    return !training_ && resumable_ && panel_->settings().epochs > epochsDone() &&
           panel_->problem().isEmpty();
}

void MainWindow::updateControls() {
    start_->setEnabled(!training_ && panel_->problem().isEmpty());
    start_->setToolTip(panel_->problem().isEmpty() ? "Train a new network with these settings"
                                                   : panel_->problem());
    resume_->setEnabled(canResume());
    stop_->setEnabled(training_);
    pause_->setEnabled(training_);
    panel_->setEnabled(!training_);
    if (open_action_ != nullptr) {
        open_action_->setEnabled(!training_);
        recent_menu_->setEnabled(!training_);
        resume_action_->setEnabled(canResume());
    }
}

void MainWindow::clearViews() {
    comparison_->clear();
    curves_->clear();
    block_map_->clear();
    pending_steps_.clear();
    latest_step_.reset();
    latest_epoch_.reset();
}

void MainWindow::startTraining() {
    if (training_ || !panel_->problem().isEmpty() || !confirmLosingWork("start a new run")) {
        return;
    }
    saveSettings();
    training_ = true;
    resumable_ = false;
    setCurrentPath(QString());
    setPruningEnabled(false);
    clearViews();
    updateControls();
    status_->setText("Loading data...");
    progress_->setValue(0);
    QMetaObject::invokeMethod(worker_, "start", Qt::QueuedConnection,
                              Q_ARG(epsilon::RunSettings, settings()));
    refresh_timer_.start();
    emit runStarted();
}

void MainWindow::resumeTraining() {
    if (!canResume()) {
        return;
    }
    saveSettings();
    training_ = true;
    resumable_ = false;
    setPruningEnabled(false);
    updateControls();
    status_->setText(QString("Resuming after epoch %1...").arg(epochsDone()));
    QMetaObject::invokeMethod(worker_, "resume", Qt::QueuedConnection,
                              Q_ARG(int, panel_->settings().epochs));
    refresh_timer_.start();
    emit runStarted();
}

void MainWindow::togglePause() {
    if (worker_->isPaused()) {
        worker_->resume();
        pause_->setText("Pause");
        refresh_timer_.start();
    } else {
        worker_->pause();
        pause_->setText("Continue");
        refreshViews();
        refresh_timer_.stop();
        status_->setText(status_->text() + " · paused");
    }
}

bool MainWindow::isPaused() const {
    return worker_->isPaused();
}

void MainWindow::stopTraining() {
    worker_->requestStop();
    status_->setText("Stopping after this batch...");
}

void MainWindow::setPruningEnabled(bool enabled) {
    prune_rule_->setEnabled(enabled);
    prune_epsilon_->setEnabled(enabled);
    sweep_page_->setPosthocAvailable(enabled);
    if (save_action_ != nullptr) {
        save_action_->setEnabled(enabled);
        save_as_action_->setEnabled(enabled);
    }
}

void MainWindow::pruneByTrainingRule() {
    setPruningEnabled(false);
    status_->setText("Pruning and measuring both networks...");
    QMetaObject::invokeMethod(worker_, "prune", Qt::QueuedConnection, Q_ARG(bool, false),
                              Q_ARG(double, 0.0));
}

void MainWindow::pruneAtEpsilon() {
    setPruningEnabled(false);
    status_->setText("Measuring responses, pruning and measuring both networks...");
    QMetaObject::invokeMethod(worker_, "prune", Qt::QueuedConnection, Q_ARG(bool, true),
                              Q_ARG(double, responses_->epsilon()));
}

bool MainWindow::exportComparison(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text) ||
        file.write(comparison_->toCsv().toUtf8()) < 0) {
        QMessageBox::warning(this, "Export comparison",
                             QString("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    status_->setText("Comparison written to " + path);
    return true;
}

QCustomPlot* MainWindow::currentPlot() const {
    QWidget* view = views_->currentWidget();
    if (view == responses_) {
        return responses_->plot();
    }
    if (view == curves_) {
        return curves_->plot();
    }
    if (view == block_map_) {
        return block_map_->plot();
    }
    if (view == sweep_page_) {
        return sweep_page_->view()->plot();
    }
    return nullptr;
}

void MainWindow::showView(int index) {
    views_->setCurrentIndex(index);
}

QString MainWindow::exportCurrentPlot(const QString& path) {
    QCustomPlot* plot = currentPlot();
    if (plot == nullptr) {
        return "the " + views_->tabText(views_->currentIndex()) +
               " tab has no plot; its table is exported as CSV";
    }
    const QString problem = exportPlot(*plot, path);
    status_->setText(problem.isEmpty() ? "Plot written to " + path : "Not exported: " + problem);
    return problem;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmLosingWork("quit")) {
        event->ignore();
        return;
    }
    saveSettings();
    // The worker stops after its current batch; waiting for it keeps the exit clean.
    worker_->requestStop();
    worker_thread_.quit();
    worker_thread_.wait();
    event->accept();
}

void MainWindow::onStarted(int blocks_per_stage, qint64 train_images, qint64 test_images) {
    responses_->setBlocksPerStage(blocks_per_stage);
    status_->setText(QString("Training on %1 images (%2 test)").arg(train_images).arg(test_images));
}

void MainWindow::onStep(const StepRecord& record) {
    unsaved_ = true;
    pending_steps_.push_back(record);
    latest_step_ = record;
}

void MainWindow::onEpoch(const EpochRecord& record) {
    latest_epoch_ = record;
    curves_->addEpoch(static_cast<double>(record.step), record.test_loss, record.test_accuracy);
}

void MainWindow::onEnded(const QString& message) {
    refreshViews();
    refresh_timer_.stop();
    training_ = false;
    // A failed run may hold non-finite weights. A stopped one trains its cut epoch again from
    // the weights it had reached, as its snapshot would if saved and resumed.
    resumable_ = message == "Finished" || message == "Stopped";
    pause_->setText("Pause");
    setPruningEnabled(latest_epoch_.has_value());
    updateControls();
    status_->setText(message);
    emit runEnded(message);
}

void MainWindow::refreshViews() {
    for (const StepRecord& record : pending_steps_) {
        curves_->addStep(static_cast<double>(record.step), record.loss, record.accuracy,
                         record.learning_rate, record.discarded_count_average);
        block_map_->addStep(static_cast<double>(record.step), record.max_abs, record.gate);
    }
    pending_steps_.clear();
    curves_->refresh();
    block_map_->refresh();
    if (latest_step_) {
        const StepRecord& r = *latest_step_;
        responses_->setResponses(r.max_abs, r.mean_abs);
        if (latest_epoch_) {
            responses_->setDiscarded(latest_epoch_->dead_whole_epoch);
        }
        const int epochs = panel_->settings().epochs;
        const int total = epochs * r.batches_per_epoch;
        progress_->setMaximum(std::max(1, total));
        progress_->setValue(static_cast<int>(r.step));
        status_->setText(QString("epoch %1/%2, step %3 · loss %4 · %5 img/s · %6 left")
                             .arg(r.epoch)
                             .arg(epochs)
                             .arg(r.step)
                             .arg(r.loss, 0, 'f', 3)
                             .arg(r.images_per_second, 0, 'f', 0)
                             .arg(duration(r.seconds_left)));
    }
}

}  // namespace epsilon
