// SPDX-License-Identifier: MIT
// Sweep records in HDF5.
#include "core/sweep_record.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/durable_file.h"
#include "core/hdf5_file.h"

namespace epsilon {
namespace {

torch::Tensor doubles(const std::vector<double>& values) {
    return torch::tensor(values, torch::kFloat64).reshape({static_cast<int64_t>(values.size())});
}

std::vector<double> doublesOf(const torch::Tensor& tensor) {
    const torch::Tensor values = tensor.to(torch::kFloat64).contiguous();
    return std::vector<double>(values.data_ptr<double>(),
                               values.data_ptr<double>() + values.numel());
}

void writeRecord(hid_t file, const SweepRecord& record) {
    hdf5::writeAttribute(file, "format", kSweepRecordFormatName);
    hdf5::writeAttribute(file, "kind", record.kind);
    hdf5::writeAttribute(file, "source", record.source);
    const hdf5::Handle table = hdf5::createGroup(file, "table");
    for (size_t i = 0; i < record.column_names.size(); ++i) {
        hdf5::writeTensor(table.id(), record.column_names[i], doubles(record.columns[i]));
    }
    // The column order, which HDF5's alphabetical listing of a group would lose.
    std::string order;
    for (const std::string& name : record.column_names) {
        order += (order.empty() ? "" : ",") + name;
    }
    hdf5::writeAttribute(table.id(), "columns", order);
    if (!record.responses.empty()) {
        hdf5::writeTensor(file, "responses", torch::tensor(record.responses, torch::kFloat32));
    }
    if (!record.removed.empty()) {
        const int64_t blocks = static_cast<int64_t>(record.removed.front().size());
        torch::Tensor removed =
            torch::zeros({static_cast<int64_t>(record.removed.size()), blocks}, torch::kUInt8);
        for (size_t row = 0; row < record.removed.size(); ++row) {
            for (int64_t block = 0; block < blocks; ++block) {
                removed[row][block] = record.removed[row][block];
            }
        }
        hdf5::writeTensor(file, "removed", removed);
    }
}

void check(const SweepRecord& record) {
    if (record.column_names.size() != record.columns.size()) {
        throw std::invalid_argument("a sweep record needs one name per column");
    }
    for (const std::vector<double>& column : record.columns) {
        if (column.size() != record.rows()) {
            throw std::invalid_argument("the columns of a sweep record differ in length");
        }
    }
    if (!record.removed.empty() && record.removed.size() != record.rows()) {
        throw std::invalid_argument("a sweep record needs one set of removed blocks per row");
    }
}

}  // namespace

const std::vector<double>& SweepRecord::column(const std::string& name) const {
    for (size_t i = 0; i < column_names.size(); ++i) {
        if (column_names[i] == name) {
            return columns[i];
        }
    }
    throw std::out_of_range("the sweep record has no column " + name);
}

void saveSweepRecord(const std::string& path, const SweepRecord& record) {
    check(record);
    try {
        std::vector<char> image;
        {
            hdf5::Handle file = hdf5::createInMemoryFile();
            writeRecord(file.id(), record);
            image = hdf5::fileImage(file.id());
        }
        replaceFileDurably(path, image);
    } catch (const std::exception& error) {
        throw std::runtime_error(path + ": cannot save the sweep record: " + error.what());
    }
}

SweepRecord loadSweepRecord(const std::string& path) {
    if (!hdf5::isHdf5File(path)) {
        throw std::runtime_error(path + ": not an HDF5 file");
    }
    try {
        const hdf5::Handle file = hdf5::openFileReadOnly(path);
        if (!hdf5::hasAttribute(file.id(), "format") ||
            hdf5::readStringAttribute(file.id(), "format") != kSweepRecordFormatName) {
            throw std::runtime_error("not an Epsilon Lab sweep record");
        }
        SweepRecord record;
        record.kind = hdf5::readStringAttribute(file.id(), "kind");
        record.source = hdf5::readStringAttribute(file.id(), "source");
        const hdf5::Handle table = hdf5::openGroup(file.id(), "table");
        std::string order = hdf5::readStringAttribute(table.id(), "columns");
        for (size_t start = 0; start < order.size();) {
            const size_t end = std::min(order.find(',', start), order.size());
            const std::string name = order.substr(start, end - start);
            record.column_names.push_back(name);
            record.columns.push_back(doublesOf(hdf5::readTensor(table.id(), name)));
            start = end + 1;
        }
        if (hdf5::hasChild(file.id(), "responses")) {
            const torch::Tensor responses = hdf5::readTensor(file.id(), "responses").contiguous();
            record.responses.assign(responses.data_ptr<float>(),
                                    responses.data_ptr<float>() + responses.numel());
        }
        if (hdf5::hasChild(file.id(), "removed")) {
            const torch::Tensor removed = hdf5::readTensor(file.id(), "removed").contiguous();
            for (int64_t row = 0; row < removed.size(0); ++row) {
                const uint8_t* begin = removed[row].data_ptr<uint8_t>();
                record.removed.emplace_back(begin, begin + removed.size(1));
            }
        }
        check(record);
        return record;
    } catch (const std::exception& error) {
        throw std::runtime_error(path + ": " + error.what());
    }
}

}  // namespace epsilon
