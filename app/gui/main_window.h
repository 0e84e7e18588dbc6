// SPDX-License-Identifier: MIT
// The main window: run settings, the live views of training, and the controls.
#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <QThread>
#include <QTimer>
#include <optional>

#include "app/gui/run_settings.h"
#include "core/training_records.h"

class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QAction;
class QComboBox;
class QCustomPlot;
class QTabWidget;

namespace epsilon {

class BlockMap;
class ComparisonTable;
class ResponsePlot;
class TrainingCurves;
class TrainingWorker;

class MainWindow : public QMainWindow {
    Q_OBJECT

  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The settings shown in the panel, and setting them (e.g. from tests or saved settings).
    RunSettings settings() const;
    void setSettings(const RunSettings& settings);
    /// Keeps the panel's settings for the next launch (QSettings), and reads them back.
    void saveSettings() const;
    void restoreSettings();
    bool isTraining() const { return training_; }
    /// The last training step received from the worker in this run, if any.
    const std::optional<StepRecord>& latestStep() const { return latest_step_; }
    ResponsePlot* responsePlot() const { return responses_; }
    TrainingCurves* trainingCurves() const { return curves_; }
    BlockMap* blockMap() const { return block_map_; }
    ComparisonTable* comparison() const { return comparison_; }

  public slots:
    void startTraining();
    void stopTraining();
    /// Holds the run after its current batch, or lets it go on.
    void togglePause();
    bool isPaused() const;
    /// Pushes what arrived since the last refresh to the views; a timer calls it at a bounded
    /// rate while training runs.
    void refreshViews();
    /// Prunes the trained network by the training rule, or at the ε of the response view.
    void pruneByTrainingRule();
    void pruneAtEpsilon();
    /// Writes the comparison table to `path` as CSV; false (and a message) when it cannot.
    bool exportComparison(const QString& path);
    /// Writes the plot of the view shown now to `path` (.png or .pdf); returns an empty string,
    /// or what went wrong, naming the file.
    QString exportCurrentPlot(const QString& path);
    /// Shows the view of that tab (0: responses, 1: curves, 2: block map, 3: comparison).
    void showView(int index);
    /// Saves the finished run as an HDF5 snapshot (on the worker thread); emits saveDone.
    void saveSnapshotTo(const QString& path);

  signals:
    void runStarted();
    /// Emitted when a run ends, however it ends; `message` says how.
    void runEnded(const QString& message);
    /// A pruned network's row was added to the comparison, or pruning failed (`ok` false).
    void pruneDone(bool ok);
    void saveDone(bool ok, const QString& message);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void onStarted(int blocks_per_stage, qint64 train_images, qint64 test_images);
    void onStep(const StepRecord& record);
    void onEpoch(const EpochRecord& record);
    void onEnded(const QString& message);
    void setPruningEnabled(bool enabled);
    // The plot of the view shown now; null for the comparison table.
    QCustomPlot* currentPlot() const;

    QComboBox* depth_;
    QDoubleSpinBox* epsilon_;
    QSpinBox* warmup_;
    QSpinBox* epochs_;
    QSpinBox* train_limit_;
    QSpinBox* seed_;
    QPushButton* start_;
    QPushButton* stop_;
    QPushButton* pause_;
    QTabWidget* views_;
    ResponsePlot* responses_;
    TrainingCurves* curves_;
    BlockMap* block_map_;
    ComparisonTable* comparison_;
    QPushButton* prune_rule_;
    QPushButton* prune_epsilon_;
    QAction* save_action_ = nullptr;  // created after the pruning buttons
    QLabel* status_;
    QProgressBar* progress_;

    QThread worker_thread_;
    TrainingWorker* worker_;
    QTimer refresh_timer_;
    bool training_ = false;
    std::optional<StepRecord> latest_step_;
    std::vector<StepRecord> pending_steps_;
    std::optional<EpochRecord> latest_epoch_;
};

}  // namespace epsilon
