// SPDX-License-Identifier: MIT
// The main window: run settings, the live views of training, and the controls.
#include "app/gui/main_window.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

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
    auto* form = new QFormLayout(panel);
    depth_ = new QComboBox;
    for (int depth : {8, 14, 20, 32, 44, 56, 110}) {
        depth_->addItem(QString("ResNet-%1").arg(depth), depth);
    }
    depth_->setCurrentIndex(2);
    epsilon_ = new QDoubleSpinBox;
    epsilon_->setRange(0.0, 1000.0);
    epsilon_->setDecimals(3);
    epsilon_->setValue(6.0);
    warmup_ = new QSpinBox;
    warmup_->setRange(0, 10000);
    warmup_->setValue(1);
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 10000);
    epochs_->setValue(4);
    train_limit_ = new QSpinBox;
    train_limit_->setRange(0, 10000000);
    train_limit_->setSpecialValueText("all");
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    seed_->setValue(1);
    form->addRow("Data set", new QLabel("Fashion-MNIST"));
    form->addRow("Depth", depth_);
    form->addRow("ε", epsilon_);
    form->addRow("ε = 0 for epochs", warmup_);
    form->addRow("Epochs", epochs_);
    form->addRow("Training images", train_limit_);
    form->addRow("Seed", seed_);
    start_ = new QPushButton("Start");
    stop_ = new QPushButton("Stop");
    stop_->setEnabled(false);
    pause_ = new QPushButton("Pause");
    pause_->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(pause_);
    buttons->addWidget(stop_);
    form->addRow(buttons);

    responses_ = new ResponsePlot;
    responses_->setEpsilon(epsilon_->value());
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
    connect(stop_, &QPushButton::clicked, this, &MainWindow::stopTraining);
    connect(pause_, &QPushButton::clicked, this, &MainWindow::togglePause);
    connect(epsilon_, &QDoubleSpinBox::valueChanged, responses_, &ResponsePlot::setEpsilon);
    connect(responses_, &ResponsePlot::epsilonDragged, this, [this](double value) {
        const QSignalBlocker quiet(epsilon_);
        epsilon_->setValue(value);
    });

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
                status_->setText("Pruned: " + compact.rule);
                emit pruneDone(true);
            });
    connect(worker_, &TrainingWorker::pruneFailed, this, [this](const QString& message) {
        setPruningEnabled(true);
        status_->setText("Pruning failed: " + message);
        emit pruneDone(false);
    });
    worker_thread_.start();

    QMenu* file_menu = menuBar()->addMenu("&File");
    save_action_ = file_menu->addAction("&Save snapshot...", this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, "Save snapshot", "run.h5",
                                                          "Epsilon Lab snapshot (*.h5)");
        if (!path.isEmpty())
            saveSnapshotTo(path);
    });
    save_action_->setShortcut(QKeySequence::Save);
    save_action_->setEnabled(false);
    QAction* export_plot = file_menu->addAction("&Export plot...", this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, "Export plot", views_->tabText(views_->currentIndex()) + ".png",
            "PNG image (*.png);;PDF document (*.pdf)");
        if (path.isEmpty()) {
            return;
        }
        const QString problem = exportCurrentPlot(path);
        if (!problem.isEmpty()) {
            QMessageBox::warning(this, "Export plot", problem);
        }
    });
    export_plot->setShortcut(QKeySequence("Ctrl+E"));
    // The comparison is a table, exported as CSV from its own tab.
    connect(views_, &QTabWidget::currentChanged, export_plot,
            [this, export_plot] { export_plot->setEnabled(currentPlot() != nullptr); });
    file_menu->addSeparator();
    file_menu->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
    connect(worker_, &TrainingWorker::saved, this, [this](const QString& path, int epochs) {
        status_->setText(QString("Saved %1 epochs to %2").arg(epochs).arg(path));
        emit saveDone(true, path);
    });
    connect(worker_, &TrainingWorker::saveFailed, this, [this](const QString& message) {
        status_->setText("Not saved: " + message);
        QMessageBox::warning(this, "Save snapshot", message);
        emit saveDone(false, message);
    });

    restoreSettings();
    refresh_timer_.setInterval(kRefreshMilliseconds);
    connect(&refresh_timer_, &QTimer::timeout, this, &MainWindow::refreshViews);
    resize(1100, 620);
}

MainWindow::~MainWindow() {
    worker_->requestStop();
    worker_thread_.quit();
    worker_thread_.wait();
}

RunSettings MainWindow::settings() const {
    RunSettings s;
    s.depth = depth_->currentData().toInt();
    s.epsilon = epsilon_->value();
    s.epsilon_warmup = warmup_->value();
    s.epochs = epochs_->value();
    s.train_limit = train_limit_->value();
    s.test_limit = train_limit_->value() == 0 ? 0 : std::max(256, train_limit_->value() / 6);
    s.seed = static_cast<quint64>(seed_->value());
    return s;
}

void MainWindow::setSettings(const RunSettings& s) {
    depth_->setCurrentIndex(std::max(0, depth_->findData(s.depth)));
    epsilon_->setValue(s.epsilon);
    warmup_->setValue(s.epsilon_warmup);
    epochs_->setValue(s.epochs);
    train_limit_->setValue(static_cast<int>(s.train_limit));
    seed_->setValue(static_cast<int>(s.seed));
}

void MainWindow::saveSettings() const {
    const RunSettings s = settings();
    QSettings store;
    store.setValue("run/depth", s.depth);
    store.setValue("run/epsilon", s.epsilon);
    store.setValue("run/epsilon_warmup", s.epsilon_warmup);
    store.setValue("run/epochs", s.epochs);
    store.setValue("run/train_limit", s.train_limit);
    store.setValue("run/seed", s.seed);
}

void MainWindow::restoreSettings() {
    const QSettings store;
    RunSettings s = settings();
    s.depth = store.value("run/depth", s.depth).toInt();
    s.epsilon = store.value("run/epsilon", s.epsilon).toDouble();
    s.epsilon_warmup = store.value("run/epsilon_warmup", s.epsilon_warmup).toInt();
    s.epochs = store.value("run/epochs", s.epochs).toInt();
    s.train_limit = store.value("run/train_limit", s.train_limit).toLongLong();
    s.seed = store.value("run/seed", s.seed).toULongLong();
    setSettings(s);
}

void MainWindow::startTraining() {
    if (training_) {
        return;
    }
    saveSettings();
    training_ = true;
    start_->setEnabled(false);
    stop_->setEnabled(true);
    pause_->setEnabled(true);
    setPruningEnabled(false);
    comparison_->clear();
    curves_->clear();
    block_map_->clear();
    pending_steps_.clear();
    latest_step_.reset();
    latest_epoch_.reset();
    status_->setText("Loading data...");
    progress_->setValue(0);
    QMetaObject::invokeMethod(worker_, "start", Qt::QueuedConnection,
                              Q_ARG(epsilon::RunSettings, settings()));
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
        pause_->setText("Resume");
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
    if (save_action_ != nullptr) {
        save_action_->setEnabled(enabled);
    }
}

void MainWindow::saveSnapshotTo(const QString& path) {
    status_->setText("Saving " + path + "...");
    QMetaObject::invokeMethod(worker_, "save", Qt::QueuedConnection, Q_ARG(QString, path));
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
    start_->setEnabled(true);
    stop_->setEnabled(false);
    pause_->setEnabled(false);
    pause_->setText("Pause");
    setPruningEnabled(latest_epoch_.has_value());
    status_->setText(message);
    emit runEnded(message);
}

void MainWindow::refreshViews() {
    for (const StepRecord& record : pending_steps_) {
        curves_->addStep(static_cast<double>(record.step), record.loss, record.accuracy);
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
        const int total = epochs_->value() * r.batches_per_epoch;
        progress_->setMaximum(std::max(1, total));
        progress_->setValue(static_cast<int>(r.step));
        status_->setText(QString("epoch %1/%2, step %3 · loss %4 · %5 img/s · %6 left")
                             .arg(r.epoch)
                             .arg(epochs_->value())
                             .arg(r.step)
                             .arg(r.loss, 0, 'f', 3)
                             .arg(r.images_per_second, 0, 'f', 0)
                             .arg(duration(r.seconds_left)));
    }
}

}  // namespace epsilon
