// SPDX-License-Identifier: MIT
// `epsilon-lab-cli train`: train an ε-ResNet, prune it, and compare the two networks.
#include "app/train_command.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "app/progress_printer.h"
#include "app/report_writer.h"
#include "core/dataset_registry.h"
#include "core/presets.h"
#include "core/prune_report.h"
#include "core/runtime.h"
#include "core/snapshot.h"
#include "core/trainer.h"

namespace epsilon {
namespace {

// The trainer that Ctrl-C should stop; requestStop() only stores an atomic flag.
std::atomic<Trainer*> g_interruptible{nullptr};

void onInterrupt(int) {
    if (Trainer* trainer = g_interruptible.load()) {
        trainer->requestStop();
    }
}

std::string depthCheck(const std::string& text) {
    try {
        blocksPerStageForDepth(std::stoi(text));
        return {};
    } catch (const std::exception& error) {
        return error.what();
    }
}

ScheduleConfig scheduleFrom(const TrainOptions& o, int epochs) {
    ScheduleConfig schedule;
    schedule.adaptive = o.schedule == "adaptive";
    if (o.lr_values.empty() && o.lr_after.empty()) {
        schedule.steps = stepsScaledTo(epochs);
    } else {
        if (o.lr_values.size() != o.lr_after.size() + 1) {
            throw std::invalid_argument("--lr-values needs exactly one more value than --lr-after");
        }
        schedule.steps = {{0, o.lr_values[0]}};
        for (size_t i = 0; i < o.lr_after.size(); ++i) {
            schedule.steps.push_back({o.lr_after[i], o.lr_values[i + 1]});
        }
    }
    if (!o.restart_after.empty()) {
        if (o.restart_after.size() + 1 != schedule.steps.size()) {
            throw std::invalid_argument("--restart-after needs one offset per --lr-after step");
        }
        schedule.restart_steps = {{0, schedule.steps[0].learning_rate}};
        for (size_t i = 0; i < o.restart_after.size(); ++i) {
            schedule.restart_steps.push_back(
                {o.restart_after[i], schedule.steps[i + 1].learning_rate});
        }
    }
    return schedule;
}

TrainConfig configFrom(const TrainOptions& o, const DatasetPair& data) {
    TrainConfig config = defaultExperiment();
    const int epochs = o.epochs.value_or(config.epochs);
    config.model.blocks_per_stage = o.blocks_per_stage.value_or(blocksPerStageForDepth(o.depth));
    fitModelToData(config.model, data.train);
    config.model.epsilon = o.epsilon.value_or(defaultEpsilon(o.dataset));
    config.epochs = epochs;
    config.epsilon_warmup_epochs = o.epsilon_warmup.value_or(warmupScaledTo(epochs));
    config.skip_discarded_after = o.skip_discarded_after;
    // Without skipping, ending ε would switch the discarded blocks back on: ε then lasts.
    config.epsilon_epochs =
        o.epsilon_epochs.value_or(o.skip_discarded_after > 0 ? discardEpochsScaledTo(epochs) : 0);
    config.batch_size = o.batch_size;
    config.schedule = scheduleFrom(o, epochs);
    config.seed = o.seed;
    config.train_limit = o.train_limit;
    config.test_limit = o.test_limit;
    config.horizontal_flip = o.flip.value_or(defaultHorizontalFlip(o.dataset));
    config.channels_last = o.channels_last;
    validate(config);
    return config;
}

// Saves the run at the end of every `every`-th epoch. A failed save is reported and training
// goes on: the run is worth more than one snapshot, and the final save reports failure again.
class PeriodicSaver : public TrainingObserver {
  public:
    PeriodicSaver(Trainer& trainer, const DataSource& source, const std::string& path, int every,
                  TrainingObserver* next)
        : trainer_(trainer), source_(source), path_(path), every_(every), next_(next) {}

    void onStep(const StepRecord& record) override {
        if (next_ != nullptr)
            next_->onStep(record);
    }
    void onEpoch(const EpochRecord& record) override {
        if (next_ != nullptr)
            next_->onEpoch(record);
        if (path_.empty() || every_ <= 0 || record.epoch % every_ != 0 ||
            record.epoch >= trainer_.config().epochs) {
            return;
        }
        try {
            saveSnapshot(path_, captureSnapshot(trainer_, source_, prunings));
            saved_epoch = record.epoch;
        } catch (const SnapshotError& error) {
            std::fprintf(stderr, "warning: %s\n", error.what());
        }
    }

    std::vector<PruningRecord> prunings;
    int saved_epoch = 0;

  private:
    Trainer& trainer_;
    const DataSource& source_;
    const std::string& path_;
    int every_;
    TrainingObserver* next_;
};

// What the command trains: a new run from the flags, or the run saved in --resume.
struct RunSetup {
    DataSource source;
    TrainConfig config;
    std::optional<Snapshot> resumed;
};

RunSetup resumedSetup(const TrainOptions& o) {
    RunSetup setup;
    setup.resumed = loadSnapshot(o.resume_path);
    setup.source = setup.resumed->config.data;
    if (!o.data_path.empty()) {
        setup.source.path = o.data_path;
    }
    setup.config = setup.resumed->config.train;
    const int done = setup.resumed->progress.epochs_done;
    if (o.epochs) {
        if (*o.epochs < done) {
            throw std::invalid_argument("--epochs " + std::to_string(*o.epochs) +
                                        " is fewer than the " + std::to_string(done) + " epochs " +
                                        o.resume_path + " has already trained");
        }
        setup.config.epochs = *o.epochs;
    }
    return setup;
}

}  // namespace

CLI::App* addTrainCommand(CLI::App& app, TrainOptions& o) {
    CLI::App* cmd = app.add_subcommand(
        "train",
        "Train an ε-ResNet, prune the blocks it discarded, and compare the compact network with "
        "the original. With no flags: the default experiment, a ResNet-20 on Fashion-MNIST.");
    cmd->add_option("--dataset", o.dataset, "Data set")
        ->check(CLI::IsMember(knownDatasets()))
        ->capture_default_str();
    cmd->add_option("--data-path", o.data_path,
                    "Directory of the data set's files (default for fashion-mnist: the Debian "
                    "package's /usr/share/datasets/fashion-mnist)");
    auto* depth = cmd->add_option("--depth", o.depth, "Network depth, 6n+2 (8, 14, 20, 56, 110...)")
                      ->check(CLI::Validator(depthCheck, "6n+2"))
                      ->capture_default_str();
    cmd->add_option("-n,--blocks-per-stage", o.blocks_per_stage,
                    "n, residual blocks per stage (instead of --depth)")
        ->check(CLI::PositiveNumber)
        ->excludes(depth);
    cmd->add_option("--epsilon", o.epsilon,
                    "Gate threshold ε (default: 7.5 for fashion-mnist and mnist, 2.5 otherwise)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--epsilon-warmup", o.epsilon_warmup,
                    "Epochs with ε = 0 before ε applies (default: a fifth of --epochs, at least 1)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--epsilon-epochs", o.epsilon_epochs,
                    "Epochs after the warm-up during which ε applies; then ε is 0 again and the "
                    "blocks skipped so far stay skipped while the rest train on (default: a "
                    "fifth of --epochs, at least 1, when blocks are skipped; 0: to the end, as "
                    "the method does)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--epochs", o.epochs,
                    "Epochs to train (default 5; with --resume, the run's planned epochs, or a "
                    "new total)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--batch-size", o.batch_size, "Mini-batch size")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--schedule", o.schedule,
                    "standard: fixed steps; adaptive: restart the steps whenever another block "
                    "is discarded")
        ->check(CLI::IsMember({"standard", "adaptive"}))
        ->capture_default_str();
    cmd->add_option("--lr-values", o.lr_values,
                    "Learning rates, comma separated (default 0.1,0.01,0.001)")
        ->delimiter(',');
    cmd->add_option("--lr-after", o.lr_after,
                    "Epochs after which each following rate starts (default: 1/2 and 3/4 of "
                    "--epochs; the paper's CIFAR run: 82,123,300 with rates 0.1,0.01,0.001,2e-4)")
        ->delimiter(',');
    cmd->add_option("--restart-after", o.restart_after,
                    "Adaptive schedule: offsets from a restart for the same rates (default "
                    "40,60,149)")
        ->delimiter(',');
    cmd->add_option("--seed", o.seed, "Seed of initialisation, shuffling and augmentation")
        ->capture_default_str();
    cmd->add_option("--threads", o.threads, "CPU threads (0: all cores)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--device", o.device, "auto (CUDA if available), cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    cmd->add_option("--train-limit", o.train_limit, "Use only the first N training images (0: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--test-limit", o.test_limit, "Use only the first N test images (0: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--flip,!--no-flip", o.flip,
                  "Random horizontal flips (default: on, except for mnist)");
    cmd->add_flag("--channels-last,!--no-channels-last", o.channels_last,
                  "Store activations channels-last (NHWC), faster on CPU (default: on)");
    cmd->add_option("--skip-discarded-after", o.skip_discarded_after,
                    "Stop computing a block once its gate has been 0 for N consecutive "
                    "training steps: it is an identity from then on, in training and "
                    "evaluation, and is pruned (1: from its first batch off; 0: compute every "
                    "block on every step, as the method does, so that a discarded block may "
                    "switch back on; ε then lasts to the end unless --epsilon-epochs is given)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--prune-rule", o.prune_rule,
                    "dead-last-epoch: remove blocks whose gate was 0 on every training batch of "
                    "the last epoch; discard-average: remove blocks whose moving average of "
                    "is_discarded is at least --prune-threshold")
        ->check(CLI::IsMember({"dead-last-epoch", "discard-average"}))
        ->capture_default_str();
    cmd->add_option("--prune-threshold", o.prune_threshold,
                    "Threshold for --prune-rule discard-average (the authors: 1)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--report", o.report_path, "Write a JSON report to this file");
    cmd->add_option("--snapshot", o.snapshot_path,
                    "Save the whole experiment to this HDF5 file at the end (and see "
                    "--save-every); an existing file is replaced only once the new one is "
                    "complete");
    cmd->add_option("--save-every", o.save_every,
                    "Also save the snapshot after every N-th epoch (0: only at the end)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    CLI::Option* resume =
        cmd->add_option("--resume", o.resume_path,
                        "Continue the run saved in this snapshot, with its settings, to its "
                        "planned epochs or to --epochs; saves back to it unless --snapshot is "
                        "given. --data-path may point to the data's new place")
            ->check(CLI::ExistingFile);
    // A resumed run keeps the settings it was started with.
    for (const char* name :
         {"--dataset", "--depth", "--blocks-per-stage", "--epsilon", "--epsilon-warmup",
          "--epsilon-epochs", "--batch-size", "--schedule", "--lr-values", "--lr-after",
          "--restart-after", "--seed", "--train-limit", "--test-limit", "--flip", "--channels-last",
          "--skip-discarded-after"}) {
        resume->excludes(cmd->get_option(name));
    }
    cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
    return cmd;
}

int runTrain(const TrainOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    RunSetup setup;
    DatasetPair data;
    torch::Device device = torch::kCPU;
    try {
        configureThreads(o.threads);
        device = chooseDevice(o.device);
        if (!o.resume_path.empty()) {
            setup = resumedSetup(o);
            data = loadDataset(setup.source);
        } else {
            setup.source = {o.dataset, o.data_path};
            data = loadDataset(setup.source);
            setup.config = configFrom(o, data);
        }
    } catch (const DataError& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    } catch (const SnapshotError& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    } catch (const std::invalid_argument& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 2;
    }
    const std::string snapshot_path = o.snapshot_path.empty() ? o.resume_path : o.snapshot_path;
    try {
        if (!o.report_path.empty()) {
            checkWritable(o.report_path, "report");
        }
        if (!snapshot_path.empty()) {
            checkWritable(snapshot_path, "snapshot");
        }
        Trainer trainer(setup.config, data, device);
        const TrainConfig& config = trainer.config();
        std::vector<PruningRecord> prunings;
        if (setup.resumed) {
            restoreTrainer(*setup.resumed, trainer);
            prunings = setup.resumed->prunings;
            std::fprintf(stderr, "resuming %s after epoch %d of %d\n", o.resume_path.c_str(),
                         trainer.epochsDone(), config.epochs);
        }
        std::fprintf(stderr, "training ε-ResNet-%d on %s (%lld images, %lld test) on %s, ε = %g\n",
                     config.model.depth(), setup.source.name.c_str(),
                     static_cast<long long>(trainer.data().train.size()),
                     static_cast<long long>(trainer.data().test.size()),
                     describeDevice(device).c_str(), config.model.epsilon);

        const bool live = !o.quiet && isatty(fileno(stderr));
        ProgressPrinter printer(stderr, live, config.epochs);
        PeriodicSaver saver(trainer, setup.source, snapshot_path, o.save_every,
                            o.quiet ? nullptr : &printer);
        saver.prunings = prunings;
        g_interruptible = &trainer;
        std::signal(SIGINT, onInterrupt);
        const TrainOutcome outcome = trainer.run(&saver);
        std::signal(SIGINT, SIG_DFL);
        g_interruptible = nullptr;
        if (outcome == TrainOutcome::Cancelled) {
            std::string kept = "nothing saved";
            if (saver.saved_epoch > 0) {
                kept = snapshot_path + " holds epoch " + std::to_string(saver.saved_epoch);
            } else if (setup.resumed) {
                kept = o.resume_path + " still holds epoch " +
                       std::to_string(setup.resumed->progress.epochs_done);
            }
            throw std::runtime_error("interrupted during epoch " +
                                     std::to_string(trainer.epochsDone() + 1) + "; " + kept);
        }

        const PruneReport report =
            pruneAndCompare(trainer, pruneRuleFromName(o.prune_rule), o.prune_threshold);
        printComparison(stdout, report);
        if (!snapshot_path.empty()) {
            prunings.push_back(recordPruning(trainer, report, o.prune_threshold));
            saveSnapshot(snapshot_path, captureSnapshot(trainer, setup.source, prunings));
            std::fprintf(stderr, "snapshot written to %s\n", snapshot_path.c_str());
        }
        if (!o.report_path.empty()) {
            const RunContext context{
                setup.source.name, describeDevice(device), currentThreads(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
            writeJsonFile(o.report_path, reportJson(trainer, report, context));
            std::fprintf(stderr, "report written to %s\n", o.report_path.c_str());
        }
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
}

}  // namespace epsilon
