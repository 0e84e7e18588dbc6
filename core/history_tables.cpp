// SPDX-License-Identifier: MIT
// Training history as column datasets in HDF5.
#include "core/history_tables.h"

#include <string>

#include <torch/torch.h>

#include "core/hdf5_file.h"

namespace epsilon {
namespace {

using hdf5::Layout;

// A column of one scalar field, stored as `Stored` (double, int64_t or uint8_t).
template <typename Stored, typename Record, typename Field>
void writeColumn(hid_t group, const char* name, const std::vector<Record>& rows,
                 Field Record::*field) {
    std::vector<Stored> values;
    for (const Record& row : rows) {
        values.push_back(static_cast<Stored>(row.*field));
    }
    const torch::Tensor column =
        torch::from_blob(values.data(), {static_cast<int64_t>(values.size())},
                         torch::CppTypeToScalarType<Stored>::value);
    hdf5::writeTensor(group, name, column, Layout::Growable);
}

// A [rows x blocks] matrix of one per-block field.
template <typename Stored, typename Record, typename Value>
void writeMatrix(hid_t group, const char* name, const std::vector<Record>& rows,
                 std::vector<Value> Record::*field, size_t blocks) {
    std::vector<Stored> values;
    for (const Record& row : rows) {
        const std::vector<Value>& per_block = row.*field;
        if (per_block.size() != blocks) {
            throw std::logic_error(std::string(name) + " has the wrong number of blocks");
        }
        values.insert(values.end(), per_block.begin(), per_block.end());
    }
    const torch::Tensor matrix = torch::from_blob(
        values.data(), {static_cast<int64_t>(rows.size()), static_cast<int64_t>(blocks)},
        torch::CppTypeToScalarType<Stored>::value);
    hdf5::writeTensor(group, name, matrix, Layout::Growable);
}

torch::Tensor readShaped(hid_t group, const char* name, std::vector<int64_t> shape,
                         torch::ScalarType type) {
    const torch::Tensor tensor = hdf5::readTensor(group, name);
    if (tensor.sizes() != torch::IntArrayRef(shape) || tensor.scalar_type() != type) {
        throw hdf5::Error(std::string("dataset ") + name + " has shape " +
                          c10::str(tensor.sizes()) + " (" + c10::toString(tensor.scalar_type()) +
                          "), expected " + c10::str(torch::IntArrayRef(shape)) + " (" +
                          c10::toString(type) + ")");
    }
    return tensor;
}

template <typename Stored, typename Record, typename Field>
void readColumn(hid_t group, const char* name, std::vector<Record>& rows, Field Record::*field) {
    const torch::Tensor column = readShaped(group, name, {static_cast<int64_t>(rows.size())},
                                            torch::CppTypeToScalarType<Stored>::value);
    const Stored* values = column.data_ptr<Stored>();
    for (size_t i = 0; i < rows.size(); ++i) {
        rows[i].*field = static_cast<Field>(values[i]);
    }
}

template <typename Stored, typename Record, typename Value>
void readMatrix(hid_t group, const char* name, std::vector<Record>& rows,
                std::vector<Value> Record::*field, size_t blocks) {
    const torch::Tensor matrix =
        readShaped(group, name, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(blocks)},
                   torch::CppTypeToScalarType<Stored>::value);
    const Stored* values = matrix.data_ptr<Stored>();
    for (size_t i = 0; i < rows.size(); ++i) {
        (rows[i].*field).assign(values + i * blocks, values + (i + 1) * blocks);
    }
}

// The number of rows of a table, from its first column.
size_t rowCount(hid_t group, const char* first_column) {
    const std::vector<int64_t> shape = hdf5::datasetShape(group, first_column);
    if (shape.size() != 1) {
        throw hdf5::Error(std::string("dataset ") + first_column + " is not a column");
    }
    return static_cast<size_t>(shape[0]);
}

// Every EpochRecord field and its dataset, in one place for writing and reading.
template <typename Visit>
void visitEpochFields(Visit&& visit) {
    visit.template column<int64_t>("epoch", &EpochRecord::epoch);
    visit.template column<int64_t>("step", &EpochRecord::step);
    visit.template column<double>("train_loss", &EpochRecord::train_loss);
    visit.template column<double>("train_accuracy", &EpochRecord::train_accuracy);
    visit.template column<double>("test_loss", &EpochRecord::test_loss);
    visit.template column<double>("test_accuracy", &EpochRecord::test_accuracy);
    visit.template column<double>("side_test_accuracy", &EpochRecord::side_test_accuracy);
    visit.template column<double>("learning_rate", &EpochRecord::learning_rate);
    visit.template column<double>("epsilon", &EpochRecord::epsilon);
    visit.template column<double>("discarded_count_average", &EpochRecord::discarded_count_average);
    visit.template column<int64_t>("test_batches", &EpochRecord::test_batches);
    visit.template column<uint8_t>("schedule_restarted", &EpochRecord::schedule_restarted);
    visit.template column<double>("images_per_second", &EpochRecord::images_per_second);
    visit.template column<double>("seconds", &EpochRecord::seconds);
    visit.template matrix<uint8_t>("dead_whole_epoch", &EpochRecord::dead_whole_epoch);
    visit.template matrix<float>("discard_average", &EpochRecord::discard_average);
    visit.template matrix<float>("epoch_max_abs", &EpochRecord::epoch_max_abs);
    visit.template matrix<float>("epoch_mean_abs", &EpochRecord::epoch_mean_abs);
    visit.template matrix<int64_t>("test_batches_gate_on", &EpochRecord::test_batches_gate_on);
}

template <typename Visit>
void visitStepFields(Visit&& visit) {
    visit.template column<int64_t>("step", &StepRecord::step);
    visit.template column<int64_t>("epoch", &StepRecord::epoch);
    visit.template column<int64_t>("batch", &StepRecord::batch);
    visit.template column<int64_t>("batches_per_epoch", &StepRecord::batches_per_epoch);
    visit.template column<double>("loss", &StepRecord::loss);
    visit.template column<double>("accuracy", &StepRecord::accuracy);
    visit.template column<double>("learning_rate", &StepRecord::learning_rate);
    visit.template column<double>("epsilon", &StepRecord::epsilon);
    visit.template column<double>("discarded_count_average", &StepRecord::discarded_count_average);
    visit.template matrix<float>("max_abs", &StepRecord::max_abs);
    visit.template matrix<float>("mean_abs", &StepRecord::mean_abs);
    visit.template matrix<float>("gate", &StepRecord::gate);
    visit.template matrix<float>("discard_average", &StepRecord::discard_average);
}

template <typename Record>
struct TableWriter {
    hid_t group;
    const std::vector<Record>& rows;
    size_t blocks;
    template <typename Stored, typename Field>
    void column(const char* name, Field Record::*field) {
        writeColumn<Stored>(group, name, rows, field);
    }
    template <typename Stored, typename Value>
    void matrix(const char* name, std::vector<Value> Record::*field) {
        writeMatrix<Stored>(group, name, rows, field, blocks);
    }
};

template <typename Record>
struct TableReader {
    hid_t group;
    std::vector<Record>& rows;
    size_t blocks;
    template <typename Stored, typename Field>
    void column(const char* name, Field Record::*field) {
        readColumn<Stored>(group, name, rows, field);
    }
    template <typename Stored, typename Value>
    void matrix(const char* name, std::vector<Value> Record::*field) {
        readMatrix<Stored>(group, name, rows, field, blocks);
    }
};

}  // namespace

void writeEpochTable(hid_t group, const std::vector<EpochRecord>& epochs, size_t blocks) {
    visitEpochFields(TableWriter<EpochRecord>{group, epochs, blocks});
}

std::vector<EpochRecord> readEpochTable(hid_t group, size_t blocks) {
    std::vector<EpochRecord> epochs(rowCount(group, "epoch"));
    visitEpochFields(TableReader<EpochRecord>{group, epochs, blocks});
    return epochs;
}

void writeStepTable(hid_t group, const StepHistory& steps, size_t blocks) {
    hdf5::writeAttribute(group, "stride", steps.stride());
    hdf5::writeAttribute(group, "capacity", static_cast<int64_t>(steps.capacity()));
    visitStepFields(TableWriter<StepRecord>{group, steps.rows(), blocks});
}

void readStepTable(hid_t group, size_t blocks, StepHistory& steps) {
    std::vector<StepRecord> rows(rowCount(group, "step"));
    visitStepFields(TableReader<StepRecord>{group, rows, blocks});
    try {
        steps.restore(std::move(rows), hdf5::readIntAttribute(group, "stride"));
    } catch (const std::invalid_argument& error) {
        throw hdf5::Error(error.what());
    }
}

}  // namespace epsilon
