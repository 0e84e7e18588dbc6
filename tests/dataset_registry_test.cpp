// SPDX-License-Identifier: MIT
// Tests of the data set registry: file layouts, defaults, and messages for missing data.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

#include "core/dataset_registry.h"

#include "tests/data_test_support.h"

namespace epsilon {
namespace {

using namespace testdata;  // NOLINT(google-build-using-namespace): test helpers only

class DatasetRegistryTest : public TempDirTest {};

// Guards the default installation: Debian's dataset-fashion-mnist loads with an empty path.
TEST(DebianFashionMnistTest, LoadsBothSplitsFromThePackageDirectory) {
    if (!fs::is_directory("/usr/share/datasets/fashion-mnist")) {
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
    const DatasetPair pair = loadDataset({"fashion-mnist", ""});
    EXPECT_EQ(pair.train.images.sizes(), torch::IntArrayRef({60000, 1, 28, 28}));
    EXPECT_EQ(pair.test.images.sizes(), torch::IntArrayRef({10000, 1, 28, 28}));
    for (const Dataset* split : {&pair.train, &pair.test}) {
        EXPECT_EQ(split->num_classes, 10);
        EXPECT_EQ(split->name, "fashion-mnist");
        EXPECT_EQ(split->labels.size(0), split->size());
        EXPECT_GE(split->labels.min().item<int64_t>(), 0);
        EXPECT_EQ(split->labels.max().item<int64_t>(), 9);
    }
    EXPECT_GT(pair.train.images.to(torch::kFloat).mean().item<double>(), 10.0);  // not all black
}

// Guards the error for a typo in the data set name: it must list what would have worked.
TEST_F(DatasetRegistryTest, RejectsUnknownNameListingKnownNames) {
    try {
        loadDataset({"fashion_mnist", file("")});
        FAIL() << "no exception";
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        for (const std::string& name : knownDatasets()) {
            EXPECT_NE(message.find(name), std::string::npos) << message;
        }
        EXPECT_NE(message.find("fashion_mnist"), std::string::npos) << message;
    }
    EXPECT_THROW(defaultHorizontalFlip("fashion_mnist"), std::invalid_argument);
}

// Guards the IDX file lookup: the .gz wins when both exist, the raw file is used otherwise.
TEST_F(DatasetRegistryTest, PrefersGzipIdxFilesAndFallsBackToRaw) {
    writeGzip(file("train-images-idx3-ubyte.gz"), idxImages(4, 2, 2));
    writeGzip(file("train-labels-idx1-ubyte.gz"), idxLabels({0, 1, 2, 3}));
    writeRaw(file("train-images-idx3-ubyte"), idxImages(2, 2, 2));
    writeRaw(file("train-labels-idx1-ubyte"), idxLabels({0, 1}));
    writeRaw(file("t10k-images-idx3-ubyte"), idxImages(3, 2, 2));
    writeRaw(file("t10k-labels-idx1-ubyte"), idxLabels({9, 8, 7}));
    const DatasetPair pair = loadDataset({"mnist", dir_.string()});
    EXPECT_EQ(pair.train.size(), 4);
    EXPECT_EQ(pair.test.size(), 3);
    EXPECT_EQ(pair.train.name, "mnist");
    EXPECT_TRUE(torch::equal(pair.test.labels, torch::tensor({9, 8, 7}, torch::kInt64)));
}

// Guards the CIFAR layouts: files directly in the path or in the archive's own subdirectory.
TEST_F(DatasetRegistryTest, FindsCifarFilesInsideArchiveSubdirectories) {
    fs::create_directories(dir_ / "cifar-10-batches-bin");
    for (int batch = 1; batch <= 5; ++batch) {
        writeRaw(file("cifar-10-batches-bin/data_batch_" + std::to_string(batch) + ".bin"),
                 cifarRecords({{static_cast<uint8_t>(batch)}}, batch));
    }
    writeRaw(file("cifar-10-batches-bin/test_batch.bin"), cifarRecords({{0}, {9}}, 0));
    const DatasetPair c10 = loadDataset({"cifar10", dir_.string()});
    EXPECT_TRUE(torch::equal(c10.train.labels, torch::tensor({1, 2, 3, 4, 5}, torch::kInt64)));
    EXPECT_EQ(c10.test.size(), 2);

    writeRaw(file("train.bin"), cifarRecords({{4, 44}, {5, 55}}, 0));
    writeRaw(file("test.bin"), cifarRecords({{6, 66}}, 0));
    const DatasetPair fine = loadDataset({"cifar100", dir_.string()});
    EXPECT_TRUE(torch::equal(fine.train.labels, torch::tensor({44, 55}, torch::kInt64)));
    fs::create_directories(dir_ / "nested" / "cifar-100-binary");
    fs::rename(dir_ / "train.bin", dir_ / "nested" / "cifar-100-binary" / "train.bin");
    fs::rename(dir_ / "test.bin", dir_ / "nested" / "cifar-100-binary" / "test.bin");
    const DatasetPair coarse = loadDataset({"cifar100-coarse", (dir_ / "nested").string()});
    EXPECT_EQ(coarse.train.num_classes, 20);
    EXPECT_TRUE(torch::equal(coarse.test.labels, torch::tensor({6}, torch::kInt64)));
}

// Guards the messages for incomplete directories: they name the place and the files expected.
TEST_F(DatasetRegistryTest, NamesTheExpectedFilesWhenSomethingIsMissing) {
    expectDataError(
        [&] {
            loadDataset({"fashion-mnist", dir_.string()});
        },
        dir_.string(), {"train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"});
    const std::string absent = file("absent");
    expectDataError([&] { loadDataset({"mnist", absent}); }, absent, {"not a directory"});
    for (const int batch : {1, 2, 4, 5}) {
        writeRaw(file("data_batch_" + std::to_string(batch) + ".bin"), cifarRecords({{0}}, 0));
    }
    expectDataError(
        [&] {
            loadDataset({"cifar10", dir_.string()});
        },
        file("data_batch_3.bin"), {"missing", "test_batch.bin"});
    EXPECT_THROW(loadDataset({"cifar10", ""}), std::invalid_argument);
}

// Guards the augmentation defaults: mirrored digits are not digits, mirrored clothes still are.
TEST(DatasetDefaultsTest, HorizontalFlipOnlyWhereImagesAreMirrorSymmetric) {
    EXPECT_FALSE(defaultHorizontalFlip("mnist"));
    for (const char* name : {"fashion-mnist", "cifar10", "cifar100", "cifar100-coarse"}) {
        EXPECT_TRUE(defaultHorizontalFlip(name)) << name;
    }
    EXPECT_EQ(knownDatasets().size(), 5u);
}

}  // namespace
}  // namespace epsilon
