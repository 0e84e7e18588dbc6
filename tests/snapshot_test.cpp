// SPDX-License-Identifier: MIT
// Snapshots on real files: every field survives a round trip, bad files are refused with the
// file named and are never modified, and a failed save keeps the previous snapshot.
#include <sys/resource.h>
#include <sys/stat.h>

#include <hdf5.h>
#include <unistd.h>

#include <csignal>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/config_json.h"
#include "core/hdf5_file.h"
#include "tests/process_support.h"
#include "tests/snapshot_test_support.h"

namespace epsilon {
namespace {

namespace fs = std::filesystem;
using testing_support::fileBytes;
using testing_support::ScratchDirectory;
using testing_support::SnapshotTest;

void expectSameTensors(const NamedTensors& a, const NamedTensors& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (const auto& [name, tensor] : a) {
        ASSERT_EQ(b.count(name), 1u) << what << " " << name;
        EXPECT_EQ(tensor.scalar_type(), b.at(name).scalar_type()) << name;
        EXPECT_TRUE(torch::equal(tensor, b.at(name))) << what << " " << name;
    }
}

void expectSameEpochs(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const EpochRecord& x = a[i];
        const EpochRecord& y = b[i];
        EXPECT_EQ(x.epoch, y.epoch);
        EXPECT_EQ(x.step, y.step);
        EXPECT_EQ(x.train_loss, y.train_loss);
        EXPECT_EQ(x.train_accuracy, y.train_accuracy);
        EXPECT_EQ(x.test_loss, y.test_loss);
        EXPECT_EQ(x.test_accuracy, y.test_accuracy);
        EXPECT_EQ(x.side_test_accuracy, y.side_test_accuracy);
        EXPECT_EQ(x.learning_rate, y.learning_rate);
        EXPECT_EQ(x.epsilon, y.epsilon);
        EXPECT_EQ(x.dead_whole_epoch, y.dead_whole_epoch);
        EXPECT_EQ(x.discard_average, y.discard_average);
        EXPECT_EQ(x.discarded_count_average, y.discarded_count_average);
        EXPECT_EQ(x.epoch_max_abs, y.epoch_max_abs);
        EXPECT_EQ(x.epoch_mean_abs, y.epoch_mean_abs);
        EXPECT_EQ(x.test_batches_gate_on, y.test_batches_gate_on);
        EXPECT_EQ(x.test_batches, y.test_batches);
        EXPECT_EQ(x.schedule_restarted, y.schedule_restarted);
        EXPECT_EQ(x.images_per_second, y.images_per_second);
        EXPECT_EQ(x.seconds, y.seconds);
    }
}

void expectSameSteps(const StepHistory& a, const StepHistory& b) {
    EXPECT_EQ(a.stride(), b.stride());
    ASSERT_EQ(a.rows().size(), b.rows().size());
    for (size_t i = 0; i < a.rows().size(); ++i) {
        const StepRecord& x = a.rows()[i];
        const StepRecord& y = b.rows()[i];
        EXPECT_EQ(x.step, y.step);
        EXPECT_EQ(x.epoch, y.epoch);
        EXPECT_EQ(x.batch, y.batch);
        EXPECT_EQ(x.batches_per_epoch, y.batches_per_epoch);
        EXPECT_EQ(x.loss, y.loss);
        EXPECT_EQ(x.accuracy, y.accuracy);
        EXPECT_EQ(x.learning_rate, y.learning_rate);
        EXPECT_EQ(x.epsilon, y.epsilon);
        EXPECT_EQ(x.max_abs, y.max_abs);
        EXPECT_EQ(x.mean_abs, y.mean_abs);
        EXPECT_EQ(x.gate, y.gate);
        EXPECT_EQ(x.discard_average, y.discard_average);
        EXPECT_EQ(x.discarded_count_average, y.discarded_count_average);
    }
}

void expectSameRow(const NetworkRow& a, const NetworkRow& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.cost.layers, b.cost.layers);
    EXPECT_EQ(a.cost.blocks, b.cost.blocks);
    EXPECT_EQ(a.cost.parameters, b.cost.parameters);
    EXPECT_EQ(a.cost.macs, b.cost.macs);
    EXPECT_EQ(a.test_accuracy, b.test_accuracy);
    EXPECT_EQ(a.milliseconds_per_batch, b.milliseconds_per_batch);
}

// Expects loading `path` to fail with a message that names the file and contains `reason`, and
// the file to be byte-for-byte and time-for-time what it was.
void expectRefused(const fs::path& path, const std::string& reason) {
    const std::string before = fileBytes(path);
    struct stat before_stat {};
    ::stat(path.c_str(), &before_stat);
    try {
        loadSnapshot(path.string());
        ADD_FAILURE() << path << " was accepted";
    } catch (const SnapshotError& error) {
        const std::string message = error.what();
        EXPECT_EQ(message.rfind(path.string(), 0), 0u) << message;
        EXPECT_NE(message.find(reason), std::string::npos) << message;
    }
    struct stat after_stat {};
    ::stat(path.c_str(), &after_stat);
    EXPECT_EQ(fileBytes(path), before) << path << " changed";
    EXPECT_EQ(after_stat.st_mtim.tv_sec, before_stat.st_mtim.tv_sec);
    EXPECT_EQ(after_stat.st_mtim.tv_nsec, before_stat.st_mtim.tv_nsec);
}

TEST_F(SnapshotTest, EveryFieldSurvivesARoundTrip) {
    const ScratchDirectory scratch("round-trip");
    const fs::path path = scratch / "run.h5";
    saveSnapshot(path.string(), snapshot_);
    const Snapshot loaded = loadSnapshot(path.string());

    EXPECT_EQ(loaded.source_path, path.string());
    EXPECT_EQ(loaded.format_version, kSnapshotFormatVersion);
    EXPECT_FALSE(loaded.app_version.empty());
    EXPECT_EQ(loaded.torch_version.substr(0, 2), "1.");
    EXPECT_EQ(loaded.hdf5_version, hdf5::libraryVersion());
    EXPECT_EQ(loaded.created_utc.size(), 20u);
    EXPECT_EQ(toJson(loaded.config), toJson(snapshot_.config));
    EXPECT_EQ(loaded.train_images, 384);
    EXPECT_EQ(loaded.test_images, 256);
    EXPECT_TRUE(torch::equal(loaded.mean_image, snapshot_.mean_image));
    expectSameTensors(loaded.model_state, snapshot_.model_state, "model");
    EXPECT_EQ(loaded.model_state.size(), trainer_->model()->named_parameters().size() +
                                             trainer_->model()->named_buffers().size());
    expectSameTensors(loaded.momentum, snapshot_.momentum, "momentum");
    EXPECT_EQ(loaded.momentum.size(), trainer_->model()->named_parameters().size());

    const TrainerProgress& p = loaded.progress;
    const TrainerProgress& q = snapshot_.progress;
    EXPECT_EQ(p.epochs_done, 2);
    EXPECT_EQ(p.steps_done, q.steps_done);
    EXPECT_EQ(p.dead_last_epoch, q.dead_last_epoch);
    EXPECT_EQ(p.discard_average, q.discard_average);
    EXPECT_EQ(p.gate_off_steps, q.gate_off_steps);
    EXPECT_EQ(p.gate_off_steps.size(), p.discard_average.size());
    EXPECT_EQ(p.discarded_count_average, q.discarded_count_average);
    EXPECT_EQ(p.schedule_restart_epoch, q.schedule_restart_epoch);
    EXPECT_EQ(p.schedule_previous_discarded, q.schedule_previous_discarded);
    EXPECT_EQ(p.train_seconds, q.train_seconds);
    EXPECT_EQ(p.train_images, q.train_images);
    expectSameEpochs(p.history, q.history);
    expectSameSteps(p.steps, q.steps);
    EXPECT_EQ(p.steps.rows().size(), static_cast<size_t>(q.steps_done));

    ASSERT_EQ(loaded.prunings.size(), 1u);
    const PruningRecord& a = loaded.prunings[0];
    const PruningRecord& b = snapshot_.prunings[0];
    EXPECT_EQ(a.after_epoch, 2);
    EXPECT_EQ(a.threshold, b.threshold);
    EXPECT_EQ(a.report.rule, b.report.rule);
    EXPECT_EQ(a.report.removed, b.report.removed);
    EXPECT_EQ(a.report.timing_batch, b.report.timing_batch);
    expectSameRow(a.report.original, b.report.original);
    expectSameRow(a.report.pruned, b.report.pruned);
    EXPECT_EQ(a.report.check.matches, b.report.check.matches);
    EXPECT_EQ(a.report.check.compared_batches, b.report.check.compared_batches);
    EXPECT_EQ(a.report.check.mismatched_batches, b.report.check.mismatched_batches);
    EXPECT_EQ(a.report.check.kept_off_batches, b.report.check.kept_off_batches);
    EXPECT_EQ(a.report.check.disagreeing_batches, b.report.check.disagreeing_batches);
    EXPECT_EQ(a.report.check.max_logit_difference, b.report.check.max_logit_difference);
    EXPECT_EQ(a.report.check.gated_accuracy, b.report.check.gated_accuracy);
    EXPECT_EQ(a.report.check.compact_accuracy, b.report.check.compact_accuracy);
    expectSameTensors(a.compact_state, b.compact_state, "compact model");
}

// Files written before ε could end early lack the setting; they applied ε to the end.
TEST_F(SnapshotTest, AConfigWithoutEpsilonEpochsReadsAsEpsilonToTheEnd) {
    ExperimentConfig config = snapshot_.config;
    config.train.skip_discarded_after = 1;
    config.train.epsilon_epochs = 2;
    EXPECT_EQ(experimentFromJson(toJson(config)).train.epsilon_epochs, 2);
    nlohmann::json older = nlohmann::json::parse(toJson(config));
    older.erase("epsilon_epochs");
    ASSERT_FALSE(older.contains("epsilon_epochs"));
    const ExperimentConfig read = experimentFromJson(older.dump());
    EXPECT_EQ(read.train.epsilon_epochs, 0);
    EXPECT_EQ(read.train.skip_discarded_after, 1);
}

TEST_F(SnapshotTest, RestoringGivesTheSameTrainerState) {
    Trainer copy(snapshot_.config.train, loadDataset(source_), torch::kCPU);
    restoreTrainer(snapshot_, copy);
    expectSameTensors(stateOf(*copy.model()), snapshot_.model_state, "model");
    EXPECT_EQ(copy.momentumBuffers().size(), snapshot_.momentum.size());
    for (const auto& [name, buffer] : copy.momentumBuffers()) {
        EXPECT_TRUE(torch::equal(buffer.contiguous(), snapshot_.momentum.at(name))) << name;
    }
    EXPECT_EQ(copy.epochsDone(), 2);
    EXPECT_EQ(copy.stepsDone(), trainer_->stepsDone());
    EXPECT_EQ(copy.history().size(), 2u);
}

TEST_F(SnapshotTest, RestoringOntoOtherDataIsRefused) {
    TrainConfig config = snapshot_.config.train;
    config.train_limit = 256;
    Trainer other(config, loadDataset(source_), torch::kCPU);
    snapshot_.source_path = "saved.h5";
    try {
        restoreTrainer(snapshot_, other);
        FAIL() << "restored onto other data";
    } catch (const SnapshotError& error) {
        EXPECT_NE(std::string(error.what()).find("saved.h5: the data differ"), std::string::npos)
            << error.what();
    }
}

TEST_F(SnapshotTest, AMissingFileOrATextFileIsRefused) {
    const ScratchDirectory scratch("bad-files");
    const fs::path& dir = scratch.path();
    try {
        loadSnapshot((dir / "absent.h5").string());
        FAIL();
    } catch (const SnapshotError& error) {
        EXPECT_NE(std::string(error.what()).find("absent.h5: no such snapshot file"),
                  std::string::npos);
    }
    std::ofstream(dir / "notes.h5") << "epoch,accuracy\n1,0.5\n";
    expectRefused(dir / "notes.h5", "not an HDF5 file");
}

TEST_F(SnapshotTest, ATruncatedSnapshotIsRefused) {
    const ScratchDirectory scratch("truncated");
    const fs::path& dir = scratch.path();
    saveSnapshot((dir / "whole.h5").string(), snapshot_);
    const std::string bytes = fileBytes(dir / "whole.h5");
    for (const size_t keep : {bytes.size() / 2, bytes.size() - 100}) {
        const fs::path cut = dir / ("cut-" + std::to_string(keep) + ".h5");
        std::ofstream(cut, std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(keep));
        expectRefused(cut, "truncated");
    }
}

TEST_F(SnapshotTest, AnotherProgramsHdf5FileIsRefused) {
    const ScratchDirectory scratch("foreign");
    const fs::path path = scratch / "measurements.h5";
    {
        hdf5::Handle file = hdf5::createFile(path.string());
        hdf5::writeTensor(file.id(), "temperature", torch::arange(10, torch::kFloat64));
        file.close();
    }
    expectRefused(path, "not an Epsilon Lab snapshot");
}

// Opens a saved snapshot for writing with HDF5 itself, as a damaged or foreign file would be.
template <typename Edit>
void editWithHdf5(const fs::path& path, Edit&& edit) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    edit(file);
    H5Fclose(file);
}

TEST_F(SnapshotTest, ANewerFormatIsRefused) {
    const ScratchDirectory scratch("newer");
    const fs::path path = scratch / "future.h5";
    saveSnapshot(path.string(), snapshot_);
    editWithHdf5(path, [](hid_t file) {
        hdf5::writeAttribute(file, "format_version", int64_t{kSnapshotFormatVersion + 1});
    });
    expectRefused(path, "snapshot format " + std::to_string(kSnapshotFormatVersion + 1));
    expectRefused(path, "a newer Epsilon Lab is needed");
}

TEST_F(SnapshotTest, WeightsThatDoNotFitTheConfigurationAreRefused) {
    const ScratchDirectory scratch("misshapen");
    const fs::path& dir = scratch.path();
    saveSnapshot((dir / "wrong-shape.h5").string(), snapshot_);
    editWithHdf5(dir / "wrong-shape.h5", [](hid_t file) {
        const hdf5::Handle model = hdf5::openGroup(file, "model");
        H5Ldelete(model.id(), "blocks.0.conv1.weight", H5P_DEFAULT);
        hdf5::writeTensor(model.id(), "blocks.0.conv1.weight", torch::zeros({16, 16, 5, 5}));
    });
    expectRefused(dir / "wrong-shape.h5", "/model/blocks.0.conv1.weight has shape [16, 16, 5, 5]");

    saveSnapshot((dir / "missing.h5").string(), snapshot_);
    editWithHdf5(dir / "missing.h5", [](hid_t file) {
        const hdf5::Handle model = hdf5::openGroup(file, "model");
        H5Ldelete(model.id(), "head.fc.bias", H5P_DEFAULT);
    });
    expectRefused(dir / "missing.h5", "/model/head.fc.bias ([10]) is missing");
}

TEST_F(SnapshotTest, AFullDiskKeepsThePreviousSnapshot) {
    const ScratchDirectory scratch("full-disk");
    const fs::path path = scratch / "run.h5";
    saveSnapshot(path.string(), snapshot_);
    const std::string before = fileBytes(path);

    // A file-size limit makes the kernel refuse writes past it, as a full disk does.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit original{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &original), 0);
    rlimit limited = original;
    limited.rlim_cur = before.size() / 3;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    std::string message;
    try {
        saveSnapshot(path.string(), snapshot_);
    } catch (const SnapshotError& error) {
        message = error.what();
    }
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &original), 0);

    EXPECT_EQ(message.rfind(path.string() + ": cannot save the snapshot", 0), 0u) << message;
    EXPECT_NE(message.find("File too large"), std::string::npos) << message;
    EXPECT_NE(message.find("earlier snapshot there is unchanged"), std::string::npos);
    EXPECT_EQ(fileBytes(path), before);
    EXPECT_FALSE(fs::exists(path.string() + ".saving"));
    EXPECT_EQ(loadSnapshot(path.string()).progress.epochs_done, 2);
}

TEST_F(SnapshotTest, AnUnwritableDirectoryGivesAClearError) {
    // /proc refuses new files even to root.
    try {
        saveSnapshot("/proc/self/run.h5", snapshot_);
        FAIL() << "saved into /proc";
    } catch (const SnapshotError& error) {
        EXPECT_NE(std::string(error.what())
                      .find("/proc/self/run.h5: cannot save the snapshot: "
                            "cannot create /proc/self/run.h5.saving"),
                  std::string::npos)
            << error.what();
    }
}

TEST_F(SnapshotTest, AReadOnlyDirectoryKeepsThePreviousSnapshot) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root may write into read-only directories";
    }
    const ScratchDirectory scratch("read-only");
    const fs::path& dir = scratch.path();
    const fs::path path = dir / "run.h5";
    saveSnapshot(path.string(), snapshot_);
    const std::string before = fileBytes(path);
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    std::string message;
    try {
        saveSnapshot(path.string(), snapshot_);
    } catch (const SnapshotError& error) {
        message = error.what();
    }
    fs::permissions(dir, fs::perms::owner_all);
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
    EXPECT_EQ(fileBytes(path), before);
}

}  // namespace
}  // namespace epsilon
