// SPDX-License-Identifier: MIT
// Runs the core trainer on the worker thread.
// Torch headers come before any Qt header: Qt's `slots` macro breaks them otherwise.
#include "core/dataset_registry.h"
#include "core/posthoc_sweep.h"
#include "core/presets.h"
#include "core/prune_report.h"
#include "core/runtime.h"
#include "core/snapshot.h"
#include "core/trainer.h"
// Qt from here on.
#include "app/gui/training_worker.h"

namespace epsilon {

// What the worker keeps of the last run besides its trainer.
struct WorkerRecords {
    DataSource source;
    std::vector<PruningRecord> prunings;
};

namespace {

// Forwards the trainer's records as signals; called on the worker thread.
class SignalObserver : public TrainingObserver {
  public:
    explicit SignalObserver(TrainingWorker& worker) : worker_(worker) {}
    void onStep(const StepRecord& record) override {
        emit worker_.stepDone(record);
        worker_.waitWhilePaused();
    }
    void onEpoch(const EpochRecord& record) override { emit worker_.epochDone(record); }

  private:
    TrainingWorker& worker_;
};

TrainConfig configFor(const RunSettings& s, const DatasetPair& data) {
    TrainConfig config = defaultExperiment();
    config.model.blocks_per_stage = blocksPerStageForDepth(s.depth);
    fitModelToData(config.model, data.train);
    config.model.epsilon = s.epsilon;
    config.epochs = s.epochs;
    config.epsilon_warmup_epochs = s.epsilon_warmup;
    config.batch_size = s.batch_size;
    config.schedule.steps = stepsScaledTo(s.epochs);
    config.seed = s.seed;
    config.train_limit = s.train_limit;
    config.test_limit = s.test_limit;
    config.horizontal_flip = defaultHorizontalFlip(s.dataset.toStdString());
    validate(config);
    return config;
}

ComparisonRow rowFrom(const NetworkRow& row, const QString& rule, bool matches) {
    ComparisonRow out;
    out.name = QString::fromStdString(row.name);
    out.rule = rule;
    out.layers = row.cost.layers;
    out.blocks = row.cost.blocks;
    out.parameters = row.cost.parameters;
    out.macs = row.cost.macs;
    out.test_accuracy = row.test_accuracy;
    out.milliseconds_per_batch = row.milliseconds_per_batch;
    out.matches_gated = matches;
    return out;
}

// Images on which the ε line's responses are measured.
constexpr int64_t kCalibrationImages = 10000;

}  // namespace

TrainingWorker::TrainingWorker() : records_(std::make_unique<WorkerRecords>()) {}
TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::pause() {
    paused_ = true;
}

void TrainingWorker::resume() {
    {
        const std::lock_guard<std::mutex> lock(pause_mutex_);
        paused_ = false;
    }
    pause_changed_.notify_all();
}

void TrainingWorker::waitWhilePaused() {
    std::unique_lock<std::mutex> lock(pause_mutex_);
    pause_changed_.wait(lock, [this] { return !paused_ || stop_requested_; });
}

void TrainingWorker::requestStop() {
    {
        const std::lock_guard<std::mutex> lock(pause_mutex_);
        stop_requested_ = true;
    }
    pause_changed_.notify_all();
    if (Trainer* trainer = trainer_.load()) {
        trainer->requestStop();
    }
}

void TrainingWorker::start(const RunSettings& settings) {
    stop_requested_ = false;
    try {
        const DatasetPair data =
            loadDataset({settings.dataset.toStdString(), settings.data_path.toStdString()});
        last_.reset();
        records_->source = {settings.dataset.toStdString(), settings.data_path.toStdString()};
        records_->prunings.clear();
        last_ = std::make_unique<Trainer>(configFor(settings, data), data, chooseDevice("auto"));
        Trainer& trainer = *last_;
        trainer_ = &trainer;
        if (stop_requested_) {
            trainer.requestStop();
        }
        emit started(trainer.config().model.blocks_per_stage, trainer.data().train.size(),
                     trainer.data().test.size());
        SignalObserver observer(*this);
        const TrainOutcome outcome = trainer.run(&observer);
        trainer_ = nullptr;
        emit finished(outcome == TrainOutcome::Cancelled);
    } catch (const std::exception& error) {
        trainer_ = nullptr;
        emit failed(QString::fromStdString(error.what()));
    }
}

void TrainingWorker::prune(bool below_epsilon, double epsilon) {
    if (!last_ || last_->epochsDone() == 0) {
        emit pruneFailed("train at least one epoch before pruning");
        return;
    }
    try {
        Trainer& trainer = *last_;
        std::vector<bool> removed;
        QString rule = "blocks off in the whole last epoch";
        if (below_epsilon) {
            const std::vector<float> responses = calibrateResponses(
                trainer.model(), takeFirst(trainer.data().train, kCalibrationImages),
                trainer.normalizer(), trainer.config().batch_size, trainer.device());
            for (float response : responses) {
                removed.push_back(static_cast<double>(response) <= epsilon);
            }
            rule = QString("responses at most ε = %1").arg(epsilon, 0, 'g', 4);
        } else {
            removed = selectBlocks(PruneRule::DeadLastEpoch, trainer.deadLastEpoch(),
                                   trainer.discardAverage(), 1.0);
        }
        const PruneReport report = compareWithout(
            trainer, removed, below_epsilon ? PruneRule::BelowEpsilon : PruneRule::DeadLastEpoch);
        records_->prunings.push_back(recordPruning(trainer, report, 1.0));
        emit pruned(rowFrom(report.original, QString(), true),
                    rowFrom(report.pruned, rule, report.check.matches));
    } catch (const std::exception& error) {
        emit pruneFailed(QString::fromStdString(error.what()));
    }
}

void TrainingWorker::save(const QString& path) {
    if (!last_) {
        emit saveFailed("nothing trained yet");
        return;
    }
    try {
        saveSnapshot(path.toStdString(),
                     captureSnapshot(*last_, records_->source, records_->prunings));
        emit saved(path, last_->epochsDone());
    } catch (const std::exception& error) {
        emit saveFailed(QString::fromStdString(error.what()));
    }
}

void registerTrainingTypes() {
    qRegisterMetaType<ComparisonRow>();
    qRegisterMetaType<RunSettings>();
    qRegisterMetaType<StepRecord>();
    qRegisterMetaType<EpochRecord>();
}

}  // namespace epsilon
