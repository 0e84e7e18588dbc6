// SPDX-License-Identifier: MIT
// Runs the core trainer on its own thread and reports progress as queued signals of plain
// records. The GUI never touches tensors; the worker never waits on the GUI.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "app/gui/run_settings.h"
#include "core/training_records.h"
#include "widgets/comparison_table.h"
#include "widgets/sweep_view.h"

Q_DECLARE_METATYPE(epsilon::StepRecord)
Q_DECLARE_METATYPE(epsilon::EpochRecord)
Q_DECLARE_METATYPE(epsilon::ComparisonRow)

namespace epsilon {

class Trainer;

/// What the GUI shows of a run read from a snapshot: plain data.
struct OpenedRun {
    QString path;
    RunSettings settings;
    int blocks_per_stage = 0;
    int epochs_done = 0;
    qint64 train_images = 0;
    qint64 test_images = 0;
    /// The snapshot's thinned step history and every finished epoch.
    std::vector<StepRecord> steps;
    std::vector<EpochRecord> epochs;
    /// Per pruning saved with the run: the original network's row and the pruned one's.
    std::vector<std::pair<ComparisonRow, ComparisonRow>> prunings;
};

/// Lives on a QThread (moveToThread). start() loads the data and trains to the end, to a stop
/// request or to an error, then emits exactly one of finished() or failed().
class TrainingWorker : public QObject {
    Q_OBJECT

  public:
    TrainingWorker();
    ~TrainingWorker() override;

    /// Any thread: asks the run to stop after the current batch.
    void requestStop();
    /// Any thread: holds the run after the current batch until resumed (or stopped).
    void pause();
    void resume();
    bool isPaused() const { return paused_; }
    /// Worker thread, between batches: blocks while paused.
    void waitWhilePaused();

    /// Whether this LibTorch build and machine can train on CUDA.
    static bool cudaAvailable();

  public slots:
    void start(const epsilon::RunSettings& settings);
    /// Continues the last run (opened or trained) to `epochs` epochs in all; emits as start().
    void resume(int epochs);
    /// Reads the snapshot at `path`, loads its data and makes it the last run, ready to prune,
    /// save or resume. When the run's data are not where it was trained (another machine), and
    /// `local` names the same data set, its folder is tried instead. Emits opened() or
    /// openFailed().
    void open(const QString& path, const epsilon::RunSettings& local);
    /// Prunes the last trained network: by the training rule (blocks off on every batch of the
    /// last epoch), or, when `below_epsilon`, the blocks whose response on calibration images is
    /// at most `epsilon`. Emits pruned() or failed().
    void prune(bool below_epsilon, double epsilon);
    /// Saves the last run, with the prunings made of it, as an HDF5 snapshot at `path` (the GUI's
    /// HDF5 calls all happen here, on the worker thread). Emits saved() or saveFailed().
    void save(const QString& path);
    /// The same, returning what went wrong (empty when saved) instead of emitting; for a caller
    /// that must know before it goes on (BlockingQueuedConnection from the GUI thread).
    Q_INVOKABLE QString saveNow(const QString& path);
    /// Prunes the last run at `points` ε values spread over its blocks' responses on
    /// calibration images, measuring each network on the test set. Emits posthocSwept() or
    /// sweepFailed().
    void posthocSweep(int points);
    /// Reads the plan and the finished runs' snapshots of the training sweep in `dir` (made by
    /// `epsilon-lab-cli sweep --train`). Emits sweepRead() or sweepFailed().
    void readSweep(const QString& dir);

  signals:
    /// The network's shape, once the run is set up.
    void started(int blocks_per_stage, qint64 train_images, qint64 test_images);
    void stepDone(const epsilon::StepRecord& record);
    void epochDone(const epsilon::EpochRecord& record);
    /// `cancelled`: stopped on request before the last epoch.
    void finished(bool cancelled);
    void failed(const QString& message);
    void pruneFailed(const QString& message);
    void saved(const QString& path, int epochs);
    void saveFailed(const QString& message);
    void pruned(const epsilon::ComparisonRow& original, const epsilon::ComparisonRow& compact);
    void opened(const epsilon::OpenedRun& run);
    void posthocSwept(const std::vector<epsilon::SweepResult>& points);
    /// The finished runs of the sweep in `dir`, and how many runs it plans.
    void sweepRead(const QString& dir, const std::vector<epsilon::SweepResult>& runs, int planned);
    void sweepFailed(const QString& message);
    void openFailed(const QString& message);

  private:
    // Trains `trainer` from where it stands, emitting started, the records and the outcome.
    void train(Trainer& trainer);

    // The last run's trainer, kept for pruning; touched on the worker thread only.
    std::unique_ptr<Trainer> last_;
    std::unique_ptr<struct WorkerRecords> records_;
    std::atomic<Trainer*> trainer_{nullptr};
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> paused_{false};
    std::mutex pause_mutex_;
    std::condition_variable pause_changed_;
};

/// Registers the record types for queued connections; call once before connecting.
void registerTrainingTypes();

}  // namespace epsilon

Q_DECLARE_METATYPE(epsilon::OpenedRun)
