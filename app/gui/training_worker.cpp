// SPDX-License-Identifier: MIT
// Runs the core trainer on the worker thread.
// Torch headers come before any Qt header: Qt's `slots` macro breaks them otherwise.
#include "core/dataset_registry.h"
#include "core/presets.h"
#include "core/runtime.h"
#include "core/trainer.h"
// Qt from here on.
#include "app/gui/training_worker.h"

namespace epsilon {
namespace {

// Forwards the trainer's records as signals; called on the worker thread.
class SignalObserver : public TrainingObserver {
  public:
    explicit SignalObserver(TrainingWorker& worker) : worker_(worker) {}
    void onStep(const StepRecord& record) override { emit worker_.stepDone(record); }
    void onEpoch(const EpochRecord& record) override { emit worker_.epochDone(record); }

  private:
    TrainingWorker& worker_;
};

TrainConfig configFor(const RunSettings& s, const DatasetPair& data) {
    TrainConfig config = defaultExperiment();
    config.model.blocks_per_stage = blocksPerStageForDepth(s.depth);
    config.model.in_channels = data.train.channels();
    config.model.image_size = data.train.height();
    config.model.num_classes = data.train.num_classes;
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

}  // namespace

TrainingWorker::TrainingWorker() = default;
TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::requestStop() {
    stop_requested_ = true;
    if (Trainer* trainer = trainer_.load()) {
        trainer->requestStop();
    }
}

void TrainingWorker::start(const RunSettings& settings) {
    stop_requested_ = false;
    try {
        const DatasetPair data =
            loadDataset({settings.dataset.toStdString(), settings.data_path.toStdString()});
        Trainer trainer(configFor(settings, data), data, chooseDevice("auto"));
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

void registerTrainingTypes() {
    qRegisterMetaType<RunSettings>();
    qRegisterMetaType<StepRecord>();
    qRegisterMetaType<EpochRecord>();
}

}  // namespace epsilon
