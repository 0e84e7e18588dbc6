// SPDX-License-Identifier: MIT
// Snapshots across real processes: a save killed half-way, a run resumed in a new process, the
// exported model read by a separate program, the file read by h5py, and the commands.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "core/model_export.h"
#include "core/sweep_record.h"
#include "tests/process_support.h"
#include "tests/snapshot_test_support.h"

extern char** environ;

namespace epsilon {
namespace {

namespace fs = std::filesystem;
using testing_support::fileBytes;
using testing_support::runCli;
using testing_support::runCommand;
using testing_support::ScratchDirectory;
using testing_support::SnapshotTest;

// Starts `program` with `arguments`, reads its standard output up to the first line, then kills
// it with SIGKILL. Returns that line.
std::string killAfterFirstLine(const std::string& program, std::vector<std::string> arguments) {
    int out[2];
    if (::pipe(out) != 0)
        return "pipe failed";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (std::string& argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    pid_t child = 0;
    const int spawned =
        posix_spawn(&child, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0)
        return "spawn failed";
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
        line += c;
    ::close(out[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        return "not killed: " + line;
    return line;
}

class KilledSave : public SnapshotTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(KilledSave, KeepsThePreviousSnapshotWhole) {
    const char* stage = GetParam();
    const ScratchDirectory scratch("killed-save");
    const fs::path path = scratch / "run.h5";
    saveSnapshot(path.string(), snapshot_);
    const std::string before = fileBytes(path);

    EXPECT_EQ(killAfterFirstLine(SNAPSHOT_SAVE_HELPER, {path.string(), stage}),
              std::string("stopped at ") + stage);

    EXPECT_EQ(fileBytes(path), before);
    const Snapshot survivor = loadSnapshot(path.string());
    EXPECT_EQ(survivor.progress.train_seconds, snapshot_.progress.train_seconds);
    EXPECT_EQ(survivor.progress.history.size(), 2u);
    const fs::path left_over = path.string() + ".saving";
    EXPECT_EQ(fs::exists(left_over), std::string(stage) != "file built");
    if (std::string(stage) == "half written") {
        EXPECT_THROW(loadSnapshot(left_over.string()), SnapshotError);
    }
    // The next save replaces the abandoned temporary file.
    saveSnapshot(path.string(), snapshot_);
    EXPECT_FALSE(fs::exists(left_over));
    EXPECT_EQ(loadSnapshot(path.string()).progress.epochs_done, 2);
}

INSTANTIATE_TEST_SUITE_P(AtEachStage, KilledSave,
                         ::testing::Values("file built", "half written", "before rename"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (char& c : name)
                                 c = c == ' ' ? '_' : c;
                             return name;
                         });

TEST_F(SnapshotTest, ResumingInANewProcessMatchesAnUninterruptedRun) {
    const ScratchDirectory scratch("resume");
    const fs::path& dir = scratch.path();
    const std::string common =
        " --depth 8 --train-limit 512 --test-limit 128 --threads 2 --lr-values 0.1,0.01 "
        "--lr-after 1 --epsilon-warmup 0 -q";
    const std::string whole = (dir / "whole.h5").string();
    const std::string parts = (dir / "parts.h5").string();
    ASSERT_EQ(runCli("train --epochs 2 --snapshot " + whole + common).status, 0);
    ASSERT_EQ(runCli("train --epochs 1 --snapshot " + parts + common).status, 0);
    const auto resumed = runCli("train --resume " + parts + " --epochs 2 --threads 2 -q");
    ASSERT_EQ(resumed.status, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resuming " + parts + " after epoch 1 of 2"), std::string::npos)
        << resumed.output;

    const Snapshot a = loadSnapshot(whole);
    const Snapshot b = loadSnapshot(parts);
    EXPECT_EQ(toJson(a.config), toJson(b.config));
    ASSERT_EQ(a.model_state.size(), b.model_state.size());
    for (const auto& [name, tensor] : a.model_state) {
        EXPECT_TRUE(torch::equal(tensor, b.model_state.at(name))) << name;
    }
    ASSERT_EQ(a.momentum.size(), b.momentum.size());
    for (const auto& [name, tensor] : a.momentum) {
        EXPECT_TRUE(torch::equal(tensor, b.momentum.at(name))) << name;
    }
    EXPECT_EQ(a.progress.steps_done, b.progress.steps_done);
    EXPECT_EQ(a.progress.discard_average, b.progress.discard_average);
    ASSERT_EQ(b.progress.history.size(), 2u);
    for (size_t e = 0; e < 2; ++e) {
        EXPECT_EQ(a.progress.history[e].train_loss, b.progress.history[e].train_loss);
        EXPECT_EQ(a.progress.history[e].test_accuracy, b.progress.history[e].test_accuracy);
    }
    ASSERT_EQ(a.progress.steps.rows().size(), b.progress.steps.rows().size());
    EXPECT_EQ(a.progress.steps.rows().back().loss, b.progress.steps.rows().back().loss);
    // The resumed run keeps the pruning of its first session and adds its own.
    ASSERT_EQ(b.prunings.size(), 2u);
    EXPECT_EQ(b.prunings[0].after_epoch, 1);
    EXPECT_EQ(b.prunings[1].after_epoch, 2);
}

TEST_F(SnapshotTest, TheExportedModelGivesTheCompactNetworksLogitsInAnotherProgram) {
    const ScratchDirectory scratch("export");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    saveSnapshot(path, snapshot_);
    const auto exported = runCli("export " + path + " --model " + (dir / "model.pt").string());
    ASSERT_EQ(exported.status, 0) << exported.output;

    const torch::Tensor images = trainer_->data().test.images.narrow(0, 0, 64).clone();
    torch::save(images, (dir / "inputs.pt").string());
    const auto read =
        runCommand(std::string(EXPORT_READER) + " " + (dir / "model.pt").string() + " " +
                   (dir / "inputs.pt").string() + " " + (dir / "logits.pt").string());
    ASSERT_EQ(read.status, 0) << read.output;
    torch::Tensor logits;
    torch::load(logits, (dir / "logits.pt").string());

    const Snapshot loaded = loadSnapshot(path);
    CompactResNet compact = compactFromSnapshot(loaded);
    torch::NoGradGuard no_grad;
    const torch::Tensor expected = compact->forward(trainer_->normalizer().apply(images));
    ASSERT_EQ(logits.sizes(), expected.sizes());
    EXPECT_LT((logits - expected).abs().max().item<double>(), 1e-4);
    // The compact network is the one pruned from the trained model.
    CompactResNet direct = buildCompact(trainer_->model(), snapshot_.prunings[0].report.removed);
    EXPECT_LT((direct->forward(trainer_->normalizer().apply(images)) - expected)
                  .abs()
                  .max()
                  .item<double>(),
              1e-4);
}

TEST_F(SnapshotTest, H5pyReadsTheParametersUnderTheModelsOwnNames) {
    if (runCommand("/usr/bin/python3 -c 'import h5py'").status != 0) {
        GTEST_SKIP() << "python3-h5py is not installed";
    }
    const ScratchDirectory scratch("h5py");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    saveSnapshot(path, snapshot_);
    const std::string script =
        "import h5py, json, sys\n"
        "f = h5py.File(sys.argv[1], 'r')\n"
        "assert f.attrs['format'] == 'epsilon-lab-snapshot'\n"
        "config = json.loads(f['config'].attrs['json'])\n"
        "print('depth', config['model']['depth'])\n"
        "for name, d in f['model'].items():\n"
        "    print(name, 'x'.join(str(n) for n in d.shape), d.dtype)\n"
        "print('epochs', f['history/epochs/test_accuracy'].shape[0])\n"
        "print('blocks', f['history/steps/max_abs'].shape[1])\n";
    std::ofstream(dir / "read.py") << script;
    const auto run = runCommand("/usr/bin/python3 " + (dir / "read.py").string() + " " + path);
    ASSERT_EQ(run.status, 0) << run.output;

    std::string expected = "depth 8\n";
    for (const auto& [name, tensor] : stateOf(*trainer_->model())) {
        std::string shape;
        for (int64_t extent : tensor.sizes()) {
            shape += (shape.empty() ? "" : "x") + std::to_string(extent);
        }
        expected += name + " " + shape + " " +
                    (tensor.scalar_type() == torch::kInt64 ? "int64" : "float32") + "\n";
    }
    expected += "epochs 2\nblocks 3\n";
    EXPECT_EQ(run.output, expected);
}

TEST_F(SnapshotTest, InspectDescribesTheRunInTextAndJson) {
    const ScratchDirectory scratch("inspect");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    saveSnapshot(path, snapshot_);
    const auto text = runCli("inspect " + path);
    ASSERT_EQ(text.status, 0) << text.output;
    for (const char* expected :
         {"ε-ResNet-8 on fashion-mnist (384 training, 256 test images)", "progress: epoch 2 of 2",
          "blocks: ", "pruning 0, after epoch 2", "test accuracy"}) {
        EXPECT_NE(text.output.find(expected), std::string::npos) << expected << "\n" << text.output;
    }
    const auto json = runCli("inspect --json " + path);
    ASSERT_EQ(json.status, 0) << json.output;
    const nlohmann::json parsed = nlohmann::json::parse(json.output);
    EXPECT_EQ(parsed.at("epochs_done"), 2);
    EXPECT_EQ(parsed.at("config").at("model").at("depth"), 8);
    EXPECT_EQ(parsed.at("blocks").size(), 3u);
    EXPECT_EQ(parsed.at("prunings").size(), 1u);
    EXPECT_EQ(parsed.at("test_accuracy").get<double>(),
              snapshot_.progress.history[1].test_accuracy);
}

TEST_F(SnapshotTest, InspectMarksTheBlocksTrainingSkipped) {
    const ScratchDirectory scratch("inspect-skipped");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    Snapshot skipping = snapshot_;
    skipping.config.train.skip_discarded_after = 5;
    skipping.progress.gate_off_steps = {0, 7, 4};  // block 1 past the window, block 2 not yet
    saveSnapshot(path, skipping);
    const auto text = runCli("inspect " + path);
    ASSERT_EQ(text.status, 0) << text.output;
    EXPECT_NE(text.output.find("2 alive, 0 discarded in every batch of the last epoch, 1 skipped"),
              std::string::npos)
        << text.output;
    const size_t row = text.output.find("\n      1     2 ");
    ASSERT_NE(row, std::string::npos) << text.output;
    const std::string block_row =
        text.output.substr(row + 1, text.output.find('\n', row + 1) - row - 1);
    EXPECT_EQ(block_row.substr(block_row.size() - 7), "skipped") << block_row;
    const auto json = runCli("inspect --json " + path);
    ASSERT_EQ(json.status, 0) << json.output;
    const nlohmann::json blocks = nlohmann::json::parse(json.output).at("blocks");
    EXPECT_EQ(blocks.at(0).at("skipped"), false);
    EXPECT_EQ(blocks.at(1).at("skipped"), true);
    EXPECT_EQ(blocks.at(2).at("skipped"), false);
}

TEST_F(SnapshotTest, ExportWritesTheHistoryAsCsv) {
    const ScratchDirectory scratch("csv");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    saveSnapshot(path, snapshot_);
    const auto run = runCli("export " + path + " --metrics " + (dir / "epochs.csv").string() +
                            " --step-metrics " + (dir / "steps.csv").string());
    ASSERT_EQ(run.status, 0) << run.output;
    const std::string epochs = fileBytes(dir / "epochs.csv");
    EXPECT_EQ(epochs.rfind("epoch,step,train_loss,", 0), 0u);
    EXPECT_NE(epochs.find(",max_abs_0,max_abs_1,max_abs_2,"), std::string::npos);
    EXPECT_EQ(std::count(epochs.begin(), epochs.end(), '\n'), 3);
    const std::string steps = fileBytes(dir / "steps.csv");
    EXPECT_EQ(std::count(steps.begin(), steps.end(), '\n'), 1 + snapshot_.progress.steps_done);
}

TEST_F(SnapshotTest, SweepWritesOneCsvRowPerEpsilon) {
    const ScratchDirectory scratch("sweep");
    const fs::path& dir = scratch.path();
    const std::string path = (dir / "run.h5").string();
    saveSnapshot(path, snapshot_);
    const auto run = runCli(
        "sweep --post-hoc " + path + " --epsilons 0,1000 --csv " + (dir / "sweep.csv").string() +
        " --json " + (dir / "sweep.json").string() + " --hdf5 " + (dir / "sweep.h5").string());
    ASSERT_EQ(run.status, 0) << run.output;
    const std::string csv = fileBytes(dir / "sweep.csv");
    EXPECT_EQ(csv.rfind("epsilon,blocks_removed,removed_blocks,", 0), 0u) << csv;
    EXPECT_NE(csv.find("\n0,0,,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\n1000,3,0 1 2,"), std::string::npos) << csv;
    const nlohmann::json json = nlohmann::json::parse(fileBytes(dir / "sweep.json"));
    EXPECT_EQ(json.at("points").size(), 2u);
    EXPECT_EQ(json.at("block_responses").size(), 3u);
    // The HDF5 record holds the same sweep.
    const SweepRecord record = loadSweepRecord((dir / "sweep.h5").string());
    EXPECT_EQ(record.kind, "post-hoc");
    EXPECT_EQ(record.source, path);
    ASSERT_EQ(record.rows(), 2u);
    EXPECT_EQ(record.column("epsilon"), (std::vector<double>{0.0, 1000.0}));
    EXPECT_EQ(record.column("blocks_removed"), (std::vector<double>{0.0, 3.0}));
    EXPECT_EQ(record.column("test_accuracy")[0], json.at("points")[0].at("test_accuracy"));
    EXPECT_EQ(record.responses.size(), 3u);
    EXPECT_EQ(record.removed, (std::vector<std::vector<uint8_t>>{{0, 0, 0}, {1, 1, 1}}));
}

TEST(SnapshotCommandLine, BadRequestsGetClearErrors) {
    const ScratchDirectory scratch("snapshot-cli");
    const fs::path& dir = scratch.path();
    std::ofstream(dir / "text.h5") << "not a snapshot\n";
    const auto inspect = runCli("inspect " + (dir / "text.h5").string());
    EXPECT_EQ(inspect.status, 1);
    EXPECT_NE(inspect.output.find((dir / "text.h5").string() + ": not an HDF5 file"),
              std::string::npos)
        << inspect.output;
    EXPECT_EQ(runCli("export " + (dir / "text.h5").string()).status, 2);  // nothing to export
    EXPECT_EQ(runCli("train --resume " + (dir / "text.h5").string() + " --depth 20").status, 2);
    const auto sweep = runCli("sweep --post-hoc " + (dir / "text.h5").string());
    EXPECT_EQ(sweep.status, 1);
    EXPECT_NE(sweep.output.find("not an HDF5 file"), std::string::npos) << sweep.output;
    const auto resume = runCli("train --resume " + (dir / "text.h5").string());
    EXPECT_EQ(resume.status, 1);
    EXPECT_NE(resume.output.find("not an HDF5 file"), std::string::npos) << resume.output;
}

}  // namespace
}  // namespace epsilon
