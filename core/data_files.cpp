// SPDX-License-Identifier: MIT
// Knows where each named data set keeps its files.
#include "core/data_files.h"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data_error.h"

namespace epsilon {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFashionMnist = "fashion-mnist";
constexpr const char* kMnist = "mnist";
constexpr const char* kCifar10 = "cifar10";
constexpr const char* kCifar100 = "cifar100";
constexpr const char* kCifar100Coarse = "cifar100-coarse";
// Where Debian's dataset-fashion-mnist package installs its files.
constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
constexpr const char* kMnistDefaultDir = "/usr/share/datasets/mnist";
constexpr const char* kIdxFiles =
    "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
    "t10k-labels-idx1-ubyte (each with or without .gz)";
constexpr const char* kCifar10Files = "data_batch_1.bin ... data_batch_5.bin and test_batch.bin";
constexpr const char* kCifar100Files = "train.bin and test.bin";

bool isDirectory(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
}

bool isFile(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

std::string joinedNames() {
    std::string names;
    for (const std::string& known : knownDatasets()) {
        names += (names.empty() ? "" : ", ") + known;
    }
    return names;
}

[[noreturn]] void unknownName(const std::string& name) {
    throw std::invalid_argument("unknown data set '" + name +
                                "'; known data sets: " + joinedNames());
}

void requireDirectory(const fs::path& dir, const std::string& dataset, const char* expected) {
    if (!isDirectory(dir)) {
        throw DataError(dir.string(), "is not a directory; the " + dataset +
                                          " data set needs a directory holding " + expected);
    }
}

// The .gz file if present (that is how the files are distributed), else the raw one.
std::string idxFile(const fs::path& dir, const std::string& base, const std::string& dataset) {
    const fs::path gz = dir / (base + ".gz");
    if (isFile(gz)) {
        return gz.string();
    }
    const fs::path raw = dir / base;
    if (isFile(raw)) {
        return raw.string();
    }
    throw DataError(dir.string(), "holds neither " + base + ".gz nor " + base + "; the " + dataset +
                                      " directory must hold " + kIdxFiles);
}

DataFiles idxFiles(const std::string& dataset, const std::string& path) {
    fs::path dir = path;
    if (path.empty()) {
        dir = dataset == kFashionMnist ? kFashionMnistDefaultDir : kMnistDefaultDir;
        if (!isDirectory(dir)) {
            throw DataError(dir.string(), "does not exist, so the " + dataset +
                                              " data set needs a path: a directory holding " +
                                              kIdxFiles);
        }
    }
    requireDirectory(dir, dataset, kIdxFiles);
    return DataFiles{{idxFile(dir, "train-images-idx3-ubyte", dataset),
                      idxFile(dir, "train-labels-idx1-ubyte", dataset)},
                     {idxFile(dir, "t10k-images-idx3-ubyte", dataset),
                      idxFile(dir, "t10k-labels-idx1-ubyte", dataset)}};
}

// The CIFAR archives unpack into a subdirectory; accept both it and its parent.
fs::path cifarDir(const std::string& dataset, const std::string& path, const char* subdir,
                  const char* marker, const char* expected) {
    if (path.empty()) {
        throw std::invalid_argument("the " + dataset +
                                    " data set needs a path: a directory holding " + expected +
                                    " (or its " + subdir + " subdirectory)");
    }
    const fs::path dir = path;
    requireDirectory(dir, dataset, expected);
    if (!isFile(dir / marker) && isFile(dir / subdir / marker)) {
        return dir / subdir;
    }
    return dir;
}

std::vector<std::string> requireFiles(const fs::path& dir, const std::vector<std::string>& names,
                                      const std::string& dataset, const char* expected) {
    std::vector<std::string> files;
    for (const std::string& name : names) {
        const fs::path file = dir / name;
        if (!isFile(file)) {
            throw DataError(file.string(), "is missing; the " + dataset + " directory " +
                                               dir.string() + " must hold " + expected);
        }
        files.push_back(file.string());
    }
    return files;
}

DataFiles cifar10Files(const std::string& path) {
    const fs::path dir =
        cifarDir(kCifar10, path, "cifar-10-batches-bin", "data_batch_1.bin", kCifar10Files);
    return DataFiles{requireFiles(dir,
                                  {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                   "data_batch_4.bin", "data_batch_5.bin"},
                                  kCifar10, kCifar10Files),
                     requireFiles(dir, {"test_batch.bin"}, kCifar10, kCifar10Files)};
}

DataFiles cifar100Files(const std::string& dataset, const std::string& path) {
    const fs::path dir = cifarDir(dataset, path, "cifar-100-binary", "train.bin", kCifar100Files);
    return DataFiles{requireFiles(dir, {"train.bin"}, dataset, kCifar100Files),
                     requireFiles(dir, {"test.bin"}, dataset, kCifar100Files)};
}

}  // namespace

DataFiles locateDataFiles(const DataSource& source) {
    const std::string& name = source.name;
    if (name == kFashionMnist || name == kMnist) {
        return idxFiles(name, source.path);
    }
    if (name == kCifar10) {
        return cifar10Files(source.path);
    }
    if (name == kCifar100 || name == kCifar100Coarse) {
        return cifar100Files(name, source.path);
    }
    unknownName(name);
}

std::vector<std::string> knownDatasets() {
    return {kFashionMnist, kMnist, kCifar10, kCifar100, kCifar100Coarse};
}

bool hasDefaultPath(const std::string& name) {
    return name == kFashionMnist || name == kMnist;
}

bool defaultHorizontalFlip(const std::string& name) {
    if (name == kMnist) {
        return false;  // a mirrored 2, 3 or 7 is not a digit
    }
    if (name == kFashionMnist || name == kCifar10 || name == kCifar100 || name == kCifar100Coarse) {
        return true;
    }
    unknownName(name);
}

}  // namespace epsilon
