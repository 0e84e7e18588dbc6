// SPDX-License-Identifier: MIT
// The main window: run settings, the live views of training, and the controls.
#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <QThread>
#include <QTimer>
#include <functional>
#include <optional>

#include "app/gui/run_settings.h"
#include "core/training_records.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QAction;
class QCustomPlot;
class QMenu;
class QTabWidget;

namespace epsilon {

class BlockMap;
class ComparisonTable;
class ResponsePlot;
class SettingsPanel;
class SweepPage;
class TrainingCurves;
class TrainingWorker;
struct OpenedRun;

/// What to do with a run that has not been saved, before it is replaced or the window closes.
enum class UnsavedChoice { Save, Discard, Cancel };

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
    /// A run trained, resumed or pruned since it was last saved or opened.
    bool hasUnsavedWork() const { return unsaved_; }
    /// The snapshot the run was last opened from or saved to; empty when none.
    const QString& currentPath() const { return current_path_; }
    /// Replaces the dialog that asks what to do with unsaved work (`action` says what would
    /// lose it, e.g. "quit"); tests answer it without a dialog.
    void setUnsavedWorkPrompt(std::function<UnsavedChoice(const QString& action)> prompt);
    /// Whether the run held now can train further: opened, finished or stopped, and the panel's
    /// Epochs above the epochs it has done.
    bool canResume() const;
    /// The last training step received from the worker in this run, if any.
    const std::optional<StepRecord>& latestStep() const { return latest_step_; }
    ResponsePlot* responsePlot() const { return responses_; }
    TrainingCurves* trainingCurves() const { return curves_; }
    BlockMap* blockMap() const { return block_map_; }
    ComparisonTable* comparison() const { return comparison_; }
    SettingsPanel* settingsPanel() const { return panel_; }
    SweepPage* sweepPage() const { return sweep_page_; }

  public slots:
    /// Starts a new run from the panel's settings (asking first when unsaved work would be lost).
    void startTraining();
    /// Trains the run held now on to the panel's number of epochs.
    void resumeTraining();
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
    /// Shows the view of that tab (0: responses, 1: curves, 2: block map, 3: comparison,
    /// 4: ε sweep).
    void showView(int index);
    /// Saves the finished run as an HDF5 snapshot (on the worker thread); emits saveDone.
    void saveSnapshotTo(const QString& path);
    /// Reads a snapshot on the worker thread and shows its run; emits openDone.
    void openSnapshot(const QString& path);

  signals:
    void runStarted();
    /// Emitted when a run ends, however it ends; `message` says how.
    void runEnded(const QString& message);
    /// A pruned network's row was added to the comparison, or pruning failed (`ok` false).
    void pruneDone(bool ok);
    void saveDone(bool ok, const QString& message);
    void openDone(bool ok, const QString& message);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void onStarted(int blocks_per_stage, qint64 train_images, qint64 test_images);
    void onStep(const StepRecord& record);
    void onEpoch(const EpochRecord& record);
    void onEnded(const QString& message);
    void onOpened(const OpenedRun& run);
    void onSaved(const QString& path, int epochs);
    void createFileMenu();
    void fillRecentMenu();
    // Asks what to do with unsaved work before `action`; true when it may go on (saved or
    // discarded), false when the user cancelled or saving failed.
    bool confirmLosingWork(const QString& action);
    void setCurrentPath(const QString& path);
    // Enables the controls that depend on whether a run is going on or held.
    void updateControls();
    void clearViews();
    // Epochs the run held now has finished: those its epoch records (received or opened) count.
    int epochsDone() const { return latest_epoch_ ? latest_epoch_->epoch : 0; }
    void setPruningEnabled(bool enabled);
    // The plot of the view shown now; null for the comparison table.
    QCustomPlot* currentPlot() const;

    SettingsPanel* panel_;
    QPushButton* start_;
    QPushButton* resume_;
    QPushButton* stop_;
    QPushButton* pause_;
    QTabWidget* views_;
    ResponsePlot* responses_;
    TrainingCurves* curves_;
    BlockMap* block_map_;
    ComparisonTable* comparison_;
    SweepPage* sweep_page_;
    QPushButton* prune_rule_;
    QPushButton* prune_epsilon_;
    QAction* save_action_ = nullptr;  // created after the pruning buttons
    QAction* save_as_action_ = nullptr;
    QAction* open_action_ = nullptr;
    QAction* resume_action_ = nullptr;
    QMenu* recent_menu_ = nullptr;
    QLabel* status_;
    QProgressBar* progress_;

    QThread worker_thread_;
    TrainingWorker* worker_;
    QTimer refresh_timer_;
    bool training_ = false;
    bool unsaved_ = false;
    // The worker holds a run that can train on: opened, finished or stopped.
    bool resumable_ = false;
    QString current_path_;
    std::function<UnsavedChoice(const QString&)> unsaved_prompt_;
    std::optional<StepRecord> latest_step_;
    std::vector<StepRecord> pending_steps_;
    std::optional<EpochRecord> latest_epoch_;
};

}  // namespace epsilon
