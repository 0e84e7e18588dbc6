// SPDX-License-Identifier: MIT
// Reads CIFAR-10/100 binary files: fixed-size records of label byte(s) then 3072 CHW pixels.
#include "core/cifar_reader.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <torch/torch.h>

namespace epsilon {
namespace {

constexpr int64_t kChannels = 3;
constexpr int64_t kSide = 32;
constexpr int64_t kImageBytes = kChannels * kSide * kSide;

// Where a record's label sits and how many classes it may take.
struct RecordLayout {
    int64_t label_bytes;   // bytes before the pixels
    int64_t label_offset;  // which of them is the label used
    int num_classes;
    const char* label_kind;  // "label", "fine label", ... for messages
};

int64_t recordBytes(const RecordLayout& layout) {
    return layout.label_bytes + kImageBytes;
}

// Validates one file's size before anything is read, so every size problem is reported without
// touching the (possibly large) contents. Returns the number of records it holds.
int64_t countRecords(const std::string& path, const RecordLayout& layout) {
    requireDataFile(path);
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw DataError(path, "the file size cannot be determined (" + ec.message() + ")");
    }
    if (size == 0) {
        throw DataError(path, "the file is empty");
    }
    const auto record = static_cast<uintmax_t>(recordBytes(layout));
    if (size % record != 0) {
        throw DataError(path, "has " + std::to_string(size) +
                                  " bytes, which is not a whole number of " +
                                  std::to_string(record) + "-byte records (" +
                                  std::to_string(size / record) + " records and a remainder of " +
                                  std::to_string(size % record) + " bytes); is it a CIFAR file?");
    }
    return static_cast<int64_t>(size / record);
}

// Copies `count` records of `path` into images/labels starting at example `first`.
void readRecords(const std::string& path, const RecordLayout& layout, int64_t count, int64_t first,
                 uint8_t* images, int64_t* labels) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw DataError(path, "the file cannot be opened");
    }
    const int64_t record = recordBytes(layout);
    std::vector<char> bytes(static_cast<size_t>(count * record));
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
        throw DataError(path, "the file could not be read completely (did it change meanwhile?)");
    }
    for (int64_t r = 0; r < count; ++r) {
        const auto* rec = reinterpret_cast<const uint8_t*>(bytes.data() + r * record);
        const int label = rec[layout.label_offset];
        if (label >= layout.num_classes) {
            throw DataError(path, std::string(layout.label_kind) + " " + std::to_string(label) +
                                      " at record " + std::to_string(r) + " is out of range 0.." +
                                      std::to_string(layout.num_classes - 1));
        }
        labels[first + r] = label;
        std::memcpy(images + (first + r) * kImageBytes, rec + layout.label_bytes, kImageBytes);
    }
}

Dataset readCifar(const std::vector<std::string>& files, const RecordLayout& layout,
                  const std::string& name) {
    if (files.empty()) {
        throw std::invalid_argument("reading CIFAR data for '" + name +
                                    "' needs at least one file");
    }
    std::vector<int64_t> counts;
    int64_t total = 0;
    for (const std::string& path : files) {
        counts.push_back(countRecords(path, layout));
        total += counts.back();
    }
    Dataset data;
    data.name = name;
    data.num_classes = layout.num_classes;
    data.images = torch::empty({total, kChannels, kSide, kSide}, torch::kUInt8);
    data.labels = torch::empty({total}, torch::kInt64);
    int64_t first = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        readRecords(files[i], layout, counts[i], first, data.images.data_ptr<uint8_t>(),
                    data.labels.data_ptr<int64_t>());
        first += counts[i];
    }
    return data;
}

}  // namespace

Dataset readCifar10(const std::vector<std::string>& files, const std::string& name) {
    return readCifar(files, RecordLayout{1, 0, 10, "label"}, name);
}

Dataset readCifar100(const std::vector<std::string>& files, Cifar100Labels which,
                     const std::string& name) {
    const RecordLayout layout = which == Cifar100Labels::Fine
                                    ? RecordLayout{2, 1, 100, "fine label"}
                                    : RecordLayout{2, 0, 20, "coarse label"};
    return readCifar(files, layout, name);
}

}  // namespace epsilon
