// SPDX-License-Identifier: MIT
// Experiment snapshots in HDF5: writing through a renamed temporary file, and defensive reading.
#include "core/snapshot.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <torch/torch.h>
#include <torch/version.h>

#include "core/compact_resnet.h"
#include "core/durable_file.h"
#include "core/epsilon_resnet.h"
#include "core/hdf5_file.h"
#include "core/history_tables.h"
#include "core/pruning.h"
#include "core/version.h"

namespace epsilon {
namespace {

using hdf5::Handle;

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

torch::Tensor flagsTensor(const std::vector<uint8_t>& flags) {
    return torch::tensor(std::vector<int64_t>(flags.begin(), flags.end())).to(torch::kUInt8);
}

std::vector<uint8_t> flagsFrom(const torch::Tensor& tensor) {
    const torch::Tensor flags = tensor.to(torch::kUInt8).contiguous();
    return std::vector<uint8_t>(flags.data_ptr<uint8_t>(),
                                flags.data_ptr<uint8_t>() + flags.numel());
}

void writeState(hid_t parent, const std::string& name, const NamedTensors& state) {
    const Handle group = hdf5::createGroup(parent, name);
    for (const auto& [tensor_name, tensor] : state) {
        hdf5::writeTensor(group.id(), tensor_name, tensor);
    }
}

NamedTensors readState(hid_t parent, const std::string& name) {
    const Handle group = hdf5::openGroup(parent, name);
    NamedTensors state;
    for (const std::string& tensor_name : hdf5::childNames(group.id())) {
        state[tensor_name] = hdf5::readTensor(group.id(), tensor_name);
    }
    return state;
}

// What a module's state must look like: names and shapes of its parameters and buffers.
std::map<std::string, std::vector<int64_t>> shapesOf(const torch::nn::Module& module) {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& item : module.named_parameters()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    for (const auto& item : module.named_buffers()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    return shapes;
}

std::string shapeText(const std::vector<int64_t>& shape) {
    return c10::str(torch::IntArrayRef(shape));
}

// Throws unless `state` has exactly the names and shapes in `expected` (a subset of them when
// `allow_missing`: momentum exists only for parameters already stepped).
void checkShapes(const NamedTensors& state,
                 const std::map<std::string, std::vector<int64_t>>& expected,
                 const std::string& group, const std::string& what, bool allow_missing) {
    for (const auto& [name, tensor] : state) {
        const auto found = expected.find(name);
        if (found == expected.end()) {
            throw hdf5::Error(group + "/" + name + " is not a tensor of " + what);
        }
        if (tensor.sizes().vec() != found->second) {
            throw hdf5::Error(group + "/" + name + " has shape " + shapeText(tensor.sizes().vec()) +
                              ", but " + what + " needs " + shapeText(found->second));
        }
    }
    if (!allow_missing) {
        for (const auto& [name, shape] : expected) {
            if (state.count(name) == 0) {
                throw hdf5::Error(group + "/" + name + " (" + shapeText(shape) + ") is missing; " +
                                  what + " needs it");
            }
        }
    }
}

void writeConfig(hid_t file, const ExperimentConfig& config) {
    const Handle group = hdf5::createGroup(file, "config");
    const TrainConfig& t = config.train;
    hdf5::writeAttribute(group.id(), "json", toJson(config));
    // The same settings as attributes, for HDFView and h5dump; the JSON is what is read back.
    hdf5::writeAttribute(group.id(), "dataset", config.data.name);
    hdf5::writeAttribute(group.id(), "data_path", config.data.path);
    hdf5::writeAttribute(group.id(), "depth", static_cast<int64_t>(t.model.depth()));
    hdf5::writeAttribute(group.id(), "blocks_per_stage",
                         static_cast<int64_t>(t.model.blocks_per_stage));
    hdf5::writeAttribute(group.id(), "epsilon", t.model.epsilon);
    hdf5::writeAttribute(group.id(), "epochs", static_cast<int64_t>(t.epochs));
    hdf5::writeAttribute(group.id(), "epsilon_warmup_epochs",
                         static_cast<int64_t>(t.epsilon_warmup_epochs));
    hdf5::writeAttribute(group.id(), "epsilon_epochs", static_cast<int64_t>(t.epsilon_epochs));
    hdf5::writeAttribute(group.id(), "batch_size", static_cast<int64_t>(t.batch_size));
    hdf5::writeAttribute(group.id(), "seed", static_cast<int64_t>(t.seed));
    hdf5::writeAttribute(group.id(), "schedule", t.schedule.adaptive ? "adaptive" : "standard");
}

void writeProgress(hid_t file, const TrainerProgress& p, size_t blocks) {
    const Handle group = hdf5::createGroup(file, "progress");
    hdf5::writeAttribute(group.id(), "epochs_done", static_cast<int64_t>(p.epochs_done));
    hdf5::writeAttribute(group.id(), "steps_done", p.steps_done);
    hdf5::writeAttribute(group.id(), "discarded_count_average", p.discarded_count_average);
    hdf5::writeAttribute(group.id(), "schedule_restart_epoch",
                         static_cast<int64_t>(p.schedule_restart_epoch));
    hdf5::writeAttribute(group.id(), "schedule_previous_discarded", p.schedule_previous_discarded);
    hdf5::writeAttribute(group.id(), "train_seconds", p.train_seconds);
    hdf5::writeAttribute(group.id(), "train_images", p.train_images);
    hdf5::writeTensor(group.id(), "dead_last_epoch", flagsTensor(p.dead_last_epoch));
    hdf5::writeTensor(group.id(), "discard_average", torch::tensor(p.discard_average));
    hdf5::writeTensor(group.id(), "gate_off_steps", torch::tensor(p.gate_off_steps));
    const Handle history = hdf5::createGroup(file, "history");
    const Handle epochs = hdf5::createGroup(history.id(), "epochs");
    writeEpochTable(epochs.id(), p.history, blocks);
    const Handle steps = hdf5::createGroup(history.id(), "steps");
    writeStepTable(steps.id(), p.steps, blocks);
}

TrainerProgress readProgress(hid_t file, size_t blocks) {
    const Handle group = hdf5::openGroup(file, "progress");
    TrainerProgress p;
    p.epochs_done = static_cast<int>(hdf5::readIntAttribute(group.id(), "epochs_done"));
    p.steps_done = hdf5::readIntAttribute(group.id(), "steps_done");
    p.discarded_count_average = hdf5::readDoubleAttribute(group.id(), "discarded_count_average");
    p.schedule_restart_epoch =
        static_cast<int>(hdf5::readIntAttribute(group.id(), "schedule_restart_epoch"));
    p.schedule_previous_discarded =
        hdf5::readDoubleAttribute(group.id(), "schedule_previous_discarded");
    p.train_seconds = hdf5::readDoubleAttribute(group.id(), "train_seconds");
    p.train_images = hdf5::readIntAttribute(group.id(), "train_images");
    p.dead_last_epoch = flagsFrom(hdf5::readTensor(group.id(), "dead_last_epoch"));
    const torch::Tensor average = hdf5::readTensor(group.id(), "discard_average").to(torch::kFloat);
    p.discard_average.assign(average.data_ptr<float>(),
                             average.data_ptr<float>() + average.numel());
    // Absent from files written before it existed; restoreProgress then starts it at 0.
    if (hdf5::hasChild(group.id(), "gate_off_steps")) {
        const torch::Tensor off = hdf5::readTensor(group.id(), "gate_off_steps").to(torch::kLong);
        p.gate_off_steps.assign(off.data_ptr<int64_t>(), off.data_ptr<int64_t>() + off.numel());
    }
    if (p.dead_last_epoch.size() != blocks || p.discard_average.size() != blocks ||
        (!p.gate_off_steps.empty() && p.gate_off_steps.size() != blocks)) {
        throw hdf5::Error("/progress has per-block values for " +
                          std::to_string(p.discard_average.size()) + " blocks; the model has " +
                          std::to_string(blocks));
    }
    const Handle history = hdf5::openGroup(file, "history");
    const Handle epochs = hdf5::openGroup(history.id(), "epochs");
    p.history = readEpochTable(epochs.id(), blocks);
    if (p.history.size() != static_cast<size_t>(p.epochs_done)) {
        throw hdf5::Error("/history/epochs has " + std::to_string(p.history.size()) + " rows for " +
                          std::to_string(p.epochs_done) + " epochs done");
    }
    const Handle steps = hdf5::openGroup(history.id(), "steps");
    readStepTable(steps.id(), blocks, p.steps);
    return p;
}

void writeRow(hid_t parent, const std::string& name, const NetworkRow& row) {
    const Handle group = hdf5::createGroup(parent, name);
    hdf5::writeAttribute(group.id(), "name", row.name);
    hdf5::writeAttribute(group.id(), "layers", static_cast<int64_t>(row.cost.layers));
    hdf5::writeAttribute(group.id(), "blocks", static_cast<int64_t>(row.cost.blocks));
    hdf5::writeAttribute(group.id(), "parameters", row.cost.parameters);
    hdf5::writeAttribute(group.id(), "macs", row.cost.macs);
    hdf5::writeAttribute(group.id(), "test_accuracy", row.test_accuracy);
    hdf5::writeAttribute(group.id(), "milliseconds_per_batch", row.milliseconds_per_batch);
}

NetworkRow readRow(hid_t parent, const std::string& name) {
    const Handle group = hdf5::openGroup(parent, name);
    NetworkRow row;
    row.name = hdf5::readStringAttribute(group.id(), "name");
    row.cost.layers = static_cast<int>(hdf5::readIntAttribute(group.id(), "layers"));
    row.cost.blocks = static_cast<int>(hdf5::readIntAttribute(group.id(), "blocks"));
    row.cost.parameters = hdf5::readIntAttribute(group.id(), "parameters");
    row.cost.macs = hdf5::readIntAttribute(group.id(), "macs");
    row.test_accuracy = hdf5::readDoubleAttribute(group.id(), "test_accuracy");
    row.milliseconds_per_batch = hdf5::readDoubleAttribute(group.id(), "milliseconds_per_batch");
    return row;
}

void writePruning(hid_t parent, const std::string& name, const PruningRecord& pruning) {
    const Handle group = hdf5::createGroup(parent, name);
    const PruneReport& r = pruning.report;
    hdf5::writeAttribute(group.id(), "after_epoch", static_cast<int64_t>(pruning.after_epoch));
    hdf5::writeAttribute(group.id(), "rule", pruneRuleName(r.rule));
    hdf5::writeAttribute(group.id(), "threshold", pruning.threshold);
    hdf5::writeAttribute(group.id(), "timing_batch", static_cast<int64_t>(r.timing_batch));
    hdf5::writeAttribute(group.id(), "matches", static_cast<int64_t>(r.check.matches));
    hdf5::writeAttribute(group.id(), "compared_batches", r.check.compared_batches);
    hdf5::writeAttribute(group.id(), "mismatched_batches", r.check.mismatched_batches);
    hdf5::writeAttribute(group.id(), "kept_off_batches", r.check.kept_off_batches);
    hdf5::writeAttribute(group.id(), "disagreeing_batches", r.check.disagreeing_batches);
    hdf5::writeAttribute(group.id(), "max_logit_difference", r.check.max_logit_difference);
    hdf5::writeAttribute(group.id(), "gated_accuracy", r.check.gated_accuracy);
    hdf5::writeAttribute(group.id(), "compact_accuracy", r.check.compact_accuracy);
    hdf5::writeTensor(group.id(), "removed",
                      flagsTensor(std::vector<uint8_t>(r.removed.begin(), r.removed.end())));
    writeRow(group.id(), "original", r.original);
    writeRow(group.id(), "pruned", r.pruned);
    writeState(group.id(), "model", pruning.compact_state);
}

PruningRecord readPruning(hid_t parent, const std::string& name, const ModelConfig& model) {
    const Handle group = hdf5::openGroup(parent, name);
    PruningRecord pruning;
    PruneReport& r = pruning.report;
    pruning.after_epoch = static_cast<int>(hdf5::readIntAttribute(group.id(), "after_epoch"));
    try {
        r.rule = pruneRuleFromName(hdf5::readStringAttribute(group.id(), "rule"));
    } catch (const std::invalid_argument& error) {
        throw hdf5::Error("/pruning/" + name + ": " + error.what());
    }
    pruning.threshold = hdf5::readDoubleAttribute(group.id(), "threshold");
    r.timing_batch = static_cast<int>(hdf5::readIntAttribute(group.id(), "timing_batch"));
    r.check.matches = hdf5::readIntAttribute(group.id(), "matches") != 0;
    r.check.compared_batches = hdf5::readIntAttribute(group.id(), "compared_batches");
    r.check.mismatched_batches = hdf5::readIntAttribute(group.id(), "mismatched_batches");
    r.check.kept_off_batches = hdf5::readIntAttribute(group.id(), "kept_off_batches");
    r.check.disagreeing_batches = hdf5::readIntAttribute(group.id(), "disagreeing_batches");
    r.check.max_logit_difference = hdf5::readDoubleAttribute(group.id(), "max_logit_difference");
    r.check.gated_accuracy = hdf5::readDoubleAttribute(group.id(), "gated_accuracy");
    r.check.compact_accuracy = hdf5::readDoubleAttribute(group.id(), "compact_accuracy");
    for (uint8_t flag : flagsFrom(hdf5::readTensor(group.id(), "removed"))) {
        r.removed.push_back(flag != 0);
    }
    r.original = readRow(group.id(), "original");
    r.pruned = readRow(group.id(), "pruned");
    pruning.compact_state = readState(group.id(), "model");
    const std::string where = "/pruning/" + name + "/model";
    if (r.removed.size() != static_cast<size_t>(model.blockCount())) {
        throw hdf5::Error("/pruning/" + name + "/removed has " + std::to_string(r.removed.size()) +
                          " flags for " + std::to_string(model.blockCount()) + " blocks");
    }
    const CompactResNet compact(model.in_channels, model.num_classes,
                                compactUnits(blockShapesFor(model), r.removed));
    checkShapes(pruning.compact_state, shapesOf(*compact), where,
                "the compact network without the removed blocks", false);
    return pruning;
}

void writeAll(hid_t file, const Snapshot& s) {
    hdf5::writeAttribute(file, "format", kSnapshotFormatName);
    hdf5::writeAttribute(file, "format_version", static_cast<int64_t>(kSnapshotFormatVersion));
    hdf5::writeAttribute(file, "app_version", EPSILON_LAB_VERSION);
    hdf5::writeAttribute(file, "libtorch_version", TORCH_VERSION);
    hdf5::writeAttribute(file, "hdf5_version", hdf5::libraryVersion());
    hdf5::writeAttribute(file, "created_utc", utcNow());
    writeConfig(file, s.config);
    {
        const Handle data = hdf5::createGroup(file, "data");
        hdf5::writeAttribute(data.id(), "name", s.config.data.name);
        hdf5::writeAttribute(data.id(), "path", s.config.data.path);
        hdf5::writeAttribute(data.id(), "train_images", s.train_images);
        hdf5::writeAttribute(data.id(), "test_images", s.test_images);
        hdf5::writeTensor(data.id(), "mean_image", s.mean_image);
    }
    writeState(file, "model", s.model_state);
    {
        const Handle optimizer = hdf5::createGroup(file, "optimizer");
        writeState(optimizer.id(), "momentum", s.momentum);
    }
    writeProgress(file, s.progress, static_cast<size_t>(s.config.train.model.blockCount()));
    const Handle prunings = hdf5::createGroup(file, "pruning");
    for (size_t i = 0; i < s.prunings.size(); ++i) {
        writePruning(prunings.id(), std::to_string(i), s.prunings[i]);
    }
}

Snapshot readAll(hid_t file, const std::string& path) {
    Snapshot s;
    s.source_path = path;
    if (!hdf5::hasAttribute(file, "format") ||
        hdf5::readStringAttribute(file, "format") != kSnapshotFormatName) {
        throw hdf5::Error(
            "is an HDF5 file, but not an Epsilon Lab snapshot (its root has no attribute "
            "format = \"" +
            std::string(kSnapshotFormatName) + "\")");
    }
    s.format_version = static_cast<int>(hdf5::readIntAttribute(file, "format_version"));
    s.app_version = hdf5::readStringAttribute(file, "app_version");
    if (s.format_version > kSnapshotFormatVersion || s.format_version < 1) {
        throw hdf5::Error("was written in snapshot format " + std::to_string(s.format_version) +
                          " by Epsilon Lab " + s.app_version + "; this build reads formats 1 to " +
                          std::to_string(kSnapshotFormatVersion) +
                          " (a newer Epsilon Lab is needed)");
    }
    s.torch_version = hdf5::readStringAttribute(file, "libtorch_version");
    s.hdf5_version = hdf5::readStringAttribute(file, "hdf5_version");
    s.created_utc = hdf5::readStringAttribute(file, "created_utc");
    {
        const Handle config = hdf5::openGroup(file, "config");
        try {
            s.config = experimentFromJson(hdf5::readStringAttribute(config.id(), "json"));
            validate(s.config.train);
        } catch (const std::invalid_argument& error) {
            throw hdf5::Error(std::string("/config: ") + error.what());
        }
    }
    {
        const Handle data = hdf5::openGroup(file, "data");
        s.train_images = hdf5::readIntAttribute(data.id(), "train_images");
        s.test_images = hdf5::readIntAttribute(data.id(), "test_images");
        s.mean_image = hdf5::readTensor(data.id(), "mean_image");
    }
    const ModelConfig& model_config = s.config.train.model;
    const EpsilonResNet model(model_config);
    const auto model_shapes = shapesOf(*model);
    s.model_state = readState(file, "model");
    checkShapes(s.model_state, model_shapes, "/model",
                "the configured ε-ResNet-" + std::to_string(model_config.depth()), false);
    {
        const Handle optimizer = hdf5::openGroup(file, "optimizer");
        s.momentum = readState(optimizer.id(), "momentum");
        checkShapes(s.momentum, model_shapes, "/optimizer/momentum",
                    "the configured model's parameters", true);
    }
    s.progress = readProgress(file, static_cast<size_t>(model_config.blockCount()));
    const Handle prunings = hdf5::openGroup(file, "pruning");
    const size_t count = hdf5::childNames(prunings.id()).size();
    for (size_t i = 0; i < count; ++i) {
        s.prunings.push_back(readPruning(prunings.id(), std::to_string(i), model_config));
    }
    return s;
}

}  // namespace

NamedTensors stateOf(const torch::nn::Module& module) {
    NamedTensors state;
    for (const auto& item : module.named_parameters()) {
        state[item.key()] = item.value().detach().to(torch::kCPU).contiguous().clone();
    }
    for (const auto& item : module.named_buffers()) {
        state[item.key()] = item.value().detach().to(torch::kCPU).contiguous().clone();
    }
    return state;
}

void loadState(const NamedTensors& state, torch::nn::Module& module) {
    checkShapes(state, shapesOf(module), "", "the module", false);
    torch::NoGradGuard no_grad;
    for (auto& item : module.named_parameters()) {
        item.value().copy_(state.at(item.key()));
    }
    for (auto& item : module.named_buffers()) {
        item.value().copy_(state.at(item.key()));
    }
}

Snapshot captureSnapshot(Trainer& trainer, const DataSource& data,
                         std::vector<PruningRecord> prunings) {
    Snapshot s;
    s.config = {trainer.config(), data};
    s.train_images = trainer.data().train.size();
    s.test_images = trainer.data().test.size();
    s.mean_image = trainer.normalizer().mean().to(torch::kCPU).contiguous().clone();
    s.model_state = stateOf(*trainer.model());
    for (const auto& [name, buffer] : trainer.momentumBuffers()) {
        s.momentum[name] = buffer.detach().to(torch::kCPU).contiguous().clone();
    }
    s.progress = trainer.progress();
    s.prunings = std::move(prunings);
    return s;
}

PruningRecord recordPruning(Trainer& trainer, const PruneReport& report, double threshold) {
    CompactResNet compact = buildCompact(trainer.model(), report.removed);
    return PruningRecord{trainer.epochsDone(), report, threshold, stateOf(*compact)};
}

void saveSnapshot(const std::string& path, const Snapshot& snapshot,
                  const SaveStageHook& on_stage) {
    try {
        // The file is built in memory, so a disk error surfaces only in replaceFileDurably.
        std::vector<char> image;
        {
            Handle file = hdf5::createInMemoryFile();
            writeAll(file.id(), snapshot);
            image = hdf5::fileImage(file.id());
            file.close();
        }
        if (on_stage)
            on_stage("file built");
        replaceFileDurably(path, image, on_stage);
    } catch (const std::exception& error) {
        throw SnapshotError(path + ": cannot save the snapshot: " + error.what() +
                            "; any earlier snapshot there is unchanged");
    }
}

Snapshot loadSnapshot(const std::string& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        throw SnapshotError(path + ": no such snapshot file");
    }
    if (!hdf5::isHdf5File(path)) {
        throw SnapshotError(path + ": not an HDF5 file, so not an Epsilon Lab snapshot");
    }
    try {
        Handle file = hdf5::openFileReadOnly(path);
        Snapshot snapshot = readAll(file.id(), path);
        file.close();
        return snapshot;
    } catch (const std::exception& failure) {
        throw SnapshotError(path + ": " + failure.what());
    }
}

void restoreTrainer(const Snapshot& snapshot, Trainer& trainer) {
    const std::string& path = snapshot.source_path;
    if (trainer.data().train.size() != snapshot.train_images ||
        trainer.data().test.size() != snapshot.test_images ||
        !torch::equal(trainer.normalizer().mean().to(torch::kCPU), snapshot.mean_image)) {
        throw SnapshotError(path + ": the data differ from the run's: it trained on " +
                            std::to_string(snapshot.train_images) + " images (test " +
                            std::to_string(snapshot.test_images) + ") with another mean image " +
                            "than the " + std::to_string(trainer.data().train.size()) + " (" +
                            std::to_string(trainer.data().test.size()) + ") loaded now");
    }
    try {
        loadState(snapshot.model_state, *trainer.model());
        trainer.restoreMomentumBuffers(snapshot.momentum);
        trainer.restoreProgress(snapshot.progress);
    } catch (const std::exception& error) {
        throw SnapshotError(path + ": " + error.what());
    }
}

}  // namespace epsilon
