// SPDX-License-Identifier: MIT
// Runs the core trainer on the worker thread.
// Torch headers come before any Qt header: Qt's `slots` macro breaks them otherwise.
#include "app/sweep_plan.h"
#include "app/training_sweep.h"
#include "core/dataset_registry.h"
#include "core/posthoc_sweep.h"
#include "core/presets.h"
#include "core/prune_report.h"
#include "core/runtime.h"
#include "core/snapshot.h"
#include "core/trainer.h"

#include <torch/cuda.h>
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
    config.epsilon_epochs = s.epsilon_epochs;
    config.batch_size = s.batch_size;
    config.schedule.steps = stepsScaledTo(s.epochs);
    config.schedule.adaptive = s.adaptive_schedule;
    config.seed = s.seed;
    config.train_limit = s.train_limit;
    config.test_limit = s.test_limit;
    config.skip_discarded_after = s.skip_discarded_after;
    config.horizontal_flip = defaultHorizontalFlip(s.dataset.toStdString());
    validate(config);
    return config;
}

// The panel's view of a saved run's settings.
RunSettings settingsFrom(const ExperimentConfig& saved) {
    const TrainConfig& c = saved.train;
    RunSettings s;
    s.dataset = QString::fromStdString(saved.data.name);
    s.data_path = QString::fromStdString(saved.data.path);
    s.depth = c.model.depth();
    s.epsilon = c.model.epsilon;
    s.epsilon_warmup = c.epsilon_warmup_epochs;
    s.epsilon_epochs = c.epsilon_epochs;
    s.epochs = c.epochs;
    s.batch_size = c.batch_size;
    s.adaptive_schedule = c.schedule.adaptive;
    s.seed = c.seed;
    s.train_limit = c.train_limit;
    s.test_limit = c.test_limit;
    s.skip_discarded_after = static_cast<int>(c.skip_discarded_after);
    return s;
}

QString ruleLabel(PruneRule rule, double threshold) {
    switch (rule) {
        case PruneRule::DeadLastEpoch:
            return "blocks off in the whole last epoch";
        case PruneRule::DiscardAverage:
            return QString("discard average at least %1").arg(threshold, 0, 'g', 4);
        case PruneRule::BelowEpsilon:
            return QString("responses at most ε = %1").arg(threshold, 0, 'g', 4);
    }
    return QString();
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
        configureThreads(settings.threads);
        const torch::Device device = chooseDevice(settings.device.toStdString());
        const DatasetPair data =
            loadDataset({settings.dataset.toStdString(), settings.data_path.toStdString()});
        last_.reset();
        records_->source = {settings.dataset.toStdString(), settings.data_path.toStdString()};
        records_->prunings.clear();
        last_ = std::make_unique<Trainer>(configFor(settings, data), data, device);
    } catch (const std::exception& error) {
        emit failed(QString::fromStdString(error.what()));
        return;
    }
    train(*last_);
}

void TrainingWorker::resume(int epochs) {
    stop_requested_ = false;
    if (!last_) {
        emit failed("there is no run to resume: open a snapshot first");
        return;
    }
    if (epochs <= last_->epochsDone()) {
        emit failed(QString("the run has already trained %1 epochs; set Epochs higher to train on")
                        .arg(last_->epochsDone()));
        return;
    }
    last_->setEpochs(epochs);
    train(*last_);
}

void TrainingWorker::train(Trainer& trainer) {
    try {
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

void TrainingWorker::open(const QString& path, const RunSettings& local) {
    try {
        Snapshot snapshot = loadSnapshot(path.toStdString());
        DatasetPair data;
        try {
            data = loadDataset(snapshot.config.data);
        } catch (const std::exception& error) {
            const DataSource here{local.dataset.toStdString(), local.data_path.toStdString()};
            const bool other_folder =
                here.name == snapshot.config.data.name && here.path != snapshot.config.data.path;
            try {
                if (!other_folder) {
                    throw;
                }
                data = loadDataset(here);
                // restoreTrainer checks that these are the data the run trained on.
                snapshot.config.data = here;
            } catch (const std::exception&) {
                throw std::runtime_error(
                    path.toStdString() + ": the run's data set cannot be loaded: " + error.what() +
                    ". Choose its folder in the panel (data set " + snapshot.config.data.name +
                    ") and open the snapshot again.");
            }
        }
        auto trainer =
            std::make_unique<Trainer>(snapshot.config.train, std::move(data), chooseDevice("auto"));
        restoreTrainer(snapshot, *trainer);
        OpenedRun run;
        run.path = path;
        run.settings = settingsFrom(snapshot.config);
        run.blocks_per_stage = snapshot.config.train.model.blocks_per_stage;
        run.epochs_done = snapshot.progress.epochs_done;
        run.train_images = trainer->data().train.size();
        run.test_images = trainer->data().test.size();
        run.steps = snapshot.progress.steps.rows();
        run.epochs = snapshot.progress.history;
        for (const PruningRecord& pruning : snapshot.prunings) {
            const PruneReport& report = pruning.report;
            run.prunings.emplace_back(
                rowFrom(report.original, QString(), true),
                rowFrom(report.pruned, ruleLabel(report.rule, pruning.threshold),
                        report.check.matches));
        }
        last_ = std::move(trainer);
        records_->source = snapshot.config.data;
        records_->prunings = snapshot.prunings;
        emit opened(run);
    } catch (const std::exception& error) {
        emit openFailed(QString::fromStdString(error.what()));
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
        if (below_epsilon) {
            const std::vector<float> responses = calibrateResponses(
                trainer.model(), takeFirst(trainer.data().train, kCalibrationImages),
                trainer.normalizer(), trainer.config().batch_size, trainer.device());
            for (float response : responses) {
                removed.push_back(static_cast<double>(response) <= epsilon);
            }
        } else {
            removed =
                blocksToRemove(PruneRule::DeadLastEpoch, trainer.progress(), trainer.config());
        }
        const PruneRule rule = below_epsilon ? PruneRule::BelowEpsilon : PruneRule::DeadLastEpoch;
        const double threshold = below_epsilon ? epsilon : 1.0;
        const PruneReport report = compareWithout(trainer, removed, rule);
        records_->prunings.push_back(recordPruning(trainer, report, threshold));
        emit pruned(rowFrom(report.original, QString(), true),
                    rowFrom(report.pruned, ruleLabel(rule, threshold), report.check.matches));
    } catch (const std::exception& error) {
        emit pruneFailed(QString::fromStdString(error.what()));
    }
}

void TrainingWorker::save(const QString& path) {
    const QString problem = saveNow(path);
    if (problem.isEmpty()) {
        emit saved(path, last_->epochsDone());
    } else {
        emit saveFailed(problem);
    }
}

QString TrainingWorker::saveNow(const QString& path) {
    if (!last_) {
        return "nothing trained yet";
    }
    try {
        saveSnapshot(path.toStdString(),
                     captureSnapshot(*last_, records_->source, records_->prunings));
        return QString();
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what());
    }
}

void TrainingWorker::posthocSweep(int points) {
    if (!last_ || last_->epochsDone() == 0) {
        emit sweepFailed("train at least one epoch before a post-hoc sweep");
        return;
    }
    try {
        Trainer& trainer = *last_;
        const int batch = trainer.config().batch_size;
        EpsilonResNet& model = trainer.model();
        const std::vector<float> responses =
            calibrateResponses(model, takeFirst(trainer.data().train, kCalibrationImages),
                               trainer.normalizer(), batch, trainer.device());
        const std::vector<SweepPoint> swept = epsilon::posthocSweep(
            model, responses, epsilonGrid(responses, points), trainer.data().test,
            trainer.normalizer(), batch, trainer.device());
        std::vector<SweepResult> results;
        for (const SweepPoint& point : swept) {
            SweepResult result;
            result.epsilon = point.epsilon;
            result.accuracy = point.test_accuracy;
            result.parameters = static_cast<double>(point.cost.parameters);
            result.macs = static_cast<double>(point.cost.macs);
            result.blocks_removed = countRemoved(point.removed);
            result.block_count = static_cast<int>(point.removed.size());
            results.push_back(result);
        }
        emit posthocSwept(results);
    } catch (const std::exception& error) {
        emit sweepFailed(QString::fromStdString(error.what()));
    }
}

void TrainingWorker::readSweep(const QString& dir) {
    try {
        const std::string folder = dir.toStdString();
        const SweepPlan plan = readPlan(folder);
        std::vector<int> missing;
        std::vector<SweepResult> runs;
        for (const SweepRunResult& run : collectSweep(plan, folder, &missing)) {
            SweepResult result;
            result.epsilon = run.epsilon;
            result.seed = run.seed;
            result.accuracy = run.pruned_accuracy;
            result.parameters = static_cast<double>(run.pruned_params);
            result.macs = static_cast<double>(run.pruned_macs);
            result.blocks_removed = run.blocks_discarded;
            result.block_count = run.blocks_total;
            result.run_path = QString::fromStdString(folder + "/" + plan.snapshotOf(run.task));
            runs.push_back(result);
        }
        emit sweepRead(dir, runs, plan.taskCount());
    } catch (const std::exception& error) {
        emit sweepFailed(QString::fromStdString(error.what()));
    }
}

bool TrainingWorker::cudaAvailable() {
    return ::torch::cuda::is_available();
}

void registerTrainingTypes() {
    qRegisterMetaType<ComparisonRow>();
    qRegisterMetaType<RunSettings>();
    qRegisterMetaType<StepRecord>();
    qRegisterMetaType<EpochRecord>();
    qRegisterMetaType<OpenedRun>();
    qRegisterMetaType<std::vector<SweepResult>>();
}

}  // namespace epsilon
