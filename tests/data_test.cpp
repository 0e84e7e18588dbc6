// SPDX-License-Identifier: MIT
// Tests of the IDX and CIFAR readers: exact decoding, and a clear DataError for each bad file.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/cifar_reader.h"
#include "core/idx_reader.h"

#include "tests/data_test_support.h"

namespace epsilon {
namespace {

using namespace testdata;  // NOLINT(google-build-using-namespace): test helpers only

class IdxReaderTest : public TempDirTest {
  protected:
    // Five 3x4 images and matching labels, written gzip or raw; returns {images, labels} paths.
    std::pair<std::string, std::string> writeValidPair(bool gzip) {
        const std::string suffix = gzip ? ".gz" : "";
        const std::string images = file("images" + suffix);
        const std::string labels = file("labels" + suffix);
        const auto write = gzip ? writeGzip : writeRaw;
        write(images, idxImages(5, 3, 4));
        write(labels, idxLabels({3, 0, 9, 1, 7}));
        return {images, labels};
    }
};

void expectValidPair(const Dataset& data) {
    ASSERT_EQ(data.images.sizes(), torch::IntArrayRef({5, 1, 3, 4}));
    ASSERT_EQ(data.images.scalar_type(), torch::kUInt8);
    ASSERT_EQ(data.labels.scalar_type(), torch::kInt64);
    EXPECT_EQ(data.name, "toy");
    EXPECT_EQ(data.num_classes, 10);
    const auto pixels = data.images.accessor<uint8_t, 4>();
    for (int64_t i = 0; i < 5; ++i) {
        for (int64_t p = 0; p < 12; ++p) {
            ASSERT_EQ(pixels[i][0][p / 4][p % 4], pixelValue(i, p)) << i << "," << p;
        }
    }
    EXPECT_TRUE(torch::equal(data.labels, torch::tensor({3, 0, 9, 1, 7}, torch::kInt64)));
}

// Guards the normal path: gzip files decode to the exact bytes, in [N, 1, rows, cols] order.
TEST_F(IdxReaderTest, ReadsGzipFilesIntoExactPixelsAndLabels) {
    const auto paths = writeValidPair(true);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    expectValidPair(readIdx(images, labels, "toy", 10));
}

// Guards the fallback: uncompressed files read through the same zlib path give the same result.
TEST_F(IdxReaderTest, ReadsRawFilesLikeGzipOnes) {
    const auto paths = writeValidPair(false);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    expectValidPair(readIdx(images, labels, "toy", 10));
}

// Guards against reading a label file as images (or garbage) and says both magic numbers in hex.
TEST_F(IdxReaderTest, RejectsWrongMagicNumberNamingExpectedAndFound) {
    const auto paths = writeValidPair(true);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    writeGzip(images, idxImages(5, 3, 4, 0x00000801));
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, images,
                    {"magic", "0x00000803", "0x00000801"});
    writeGzip(images, idxImages(5, 3, 4));
    writeRaw(labels, idxLabels({3, 0, 9, 1, 7}, 0x12345678));
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, labels,
                    {"magic", "0x00000801", "0x12345678"});
}

// Guards against a cut-off download: fewer pixel bytes than the header promises, raw or gzip.
TEST_F(IdxReaderTest, RejectsTruncatedImageData) {
    for (const bool gzip : {false, true}) {
        const auto paths = writeValidPair(gzip);
        const std::string& images = paths.first;
        const std::string& labels = paths.second;
        Bytes bytes = idxImages(5, 3, 4);
        bytes.resize(bytes.size() - 5);
        (gzip ? writeGzip : writeRaw)(images, bytes);
        expectDataError([&] { readIdx(images, labels, "toy", 10); }, images,
                        {"truncated", "55 bytes follow"});
    }
}

// Guards against files too short to hold even their header, for images and labels.
TEST_F(IdxReaderTest, RejectsTruncatedHeader) {
    const auto paths = writeValidPair(false);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    Bytes header = idxImages(5, 3, 4);
    header.resize(10);
    writeRaw(images, header);
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, images,
                    {"truncated", "header", "16"});
    writeRaw(images, idxImages(5, 3, 4));
    writeRaw(labels, Bytes{0, 0, 8, 1, 0});
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, labels, {"truncated", "header"});
}

// Guards the training loss against labels it cannot index, with a message pointing at the label.
TEST_F(IdxReaderTest, RejectsLabelOutOfRange) {
    const auto paths = writeValidPair(true);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    writeGzip(labels, idxLabels({1, 2, 3, 12, 4}));
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, labels,
                    {"label 12 at index 3 is out of range 0..9"});
}

// Guards against pairing images with the labels of another split (train vs t10k).
TEST_F(IdxReaderTest, RejectsImageAndLabelCountMismatchNamingBothFiles) {
    const auto paths = writeValidPair(true);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    writeGzip(labels, idxLabels({1, 2, 3, 4}));
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, images,
                    {labels, "5 images", "4 labels"});
}

// Guards the documented choice that data after the promised bytes is an error, not ignored.
TEST_F(IdxReaderTest, RejectsTrailingData) {
    const auto paths = writeValidPair(false);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    Bytes bytes = idxImages(5, 3, 4);
    bytes.push_back(0);
    writeRaw(images, bytes);
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, images, {"extra data"});
}

// Guards the messages for files that are not there or are directories.
TEST_F(IdxReaderTest, RejectsMissingFileAndDirectory) {
    const auto paths = writeValidPair(true);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    const std::string missing = file("no-such-file.gz");
    expectDataError([&] { readIdx(missing, labels, "toy", 10); }, missing, {"does not exist"});
    expectDataError([&] { readIdx(images, dir_.string(), "toy", 10); }, dir_.string(),
                    {"directory"});
}

// Guards against allocating memory a corrupt header promises but the file does not hold.
TEST_F(IdxReaderTest, RejectsImplausibleHeaderWithoutAllocating) {
    const auto paths = writeValidPair(false);
    const std::string& images = paths.first;
    const std::string& labels = paths.second;
    Bytes header;
    for (const uint32_t word : {0x00000803u, 0xFFFFFFFFu, 0xFFFFu, 0xFFFFu}) {
        appendBigEndian32(header, word);
    }
    writeRaw(images, header);
    writeRaw(labels, idxLabels(std::vector<uint8_t>(5, 0)));
    expectDataError([&] { readIdx(images, labels, "toy", 10); }, images, {"implausible"});
}

// Guards "never crash": every prefix and every single-byte corruption of a valid pair either
// loads or throws DataError (a flipped byte in gzip metadata may be harmless).
TEST_F(IdxReaderTest, NeverCrashesOnCutOrCorruptedFiles) {
    for (const bool gzip : {false, true}) {
        const auto paths = writeValidPair(gzip);
        const std::string& images = paths.first;
        const std::string& labels = paths.second;
        const Bytes good = readAll(images);
        const std::string broken = file("broken");
        for (size_t length = 0; length < good.size(); ++length) {
            writeRaw(broken, Bytes(good.begin(), good.begin() + static_cast<long>(length)));
            EXPECT_THROW(readIdx(broken, labels, "toy", 10), DataError) << length;
        }
        for (size_t at = 0; at < good.size(); ++at) {
            Bytes bytes = good;
            bytes[at] ^= 0xA5;
            writeRaw(broken, bytes);
            try {
                readIdx(broken, labels, "toy", 10);
            } catch (const DataError&) {
            }
        }
    }
}

class CifarReaderTest : public TempDirTest {};

void expectCifarPixels(const Dataset& data) {
    const auto pixels = data.images.accessor<uint8_t, 4>();
    for (int64_t r = 0; r < data.size(); ++r) {
        for (int64_t p = 0; p < kCifarPixels; p += 97) {  // a spread of channels, rows, columns
            ASSERT_EQ(pixels[r][p / 1024][p % 1024 / 32][p % 32], pixelValue(r, p))
                << r << "," << p;
        }
    }
}

// Guards CIFAR-10 decoding: records of several files concatenate in order, pixels stay CHW.
TEST_F(CifarReaderTest, ReadsCifar10RecordsInOrderAcrossFiles) {
    writeRaw(file("a.bin"), cifarRecords({{3}, {9}, {0}}, 0));
    writeRaw(file("b.bin"), cifarRecords({{5}, {1}}, 3));
    const Dataset data = readCifar10({file("a.bin"), file("b.bin")}, "c10");
    ASSERT_EQ(data.images.sizes(), torch::IntArrayRef({5, 3, 32, 32}));
    EXPECT_EQ(data.num_classes, 10);
    EXPECT_EQ(data.name, "c10");
    EXPECT_TRUE(torch::equal(data.labels, torch::tensor({3, 9, 0, 5, 1}, torch::kInt64)));
    expectCifarPixels(data);
}

// Guards CIFAR-100's two label bytes: coarse first, fine second, each with its class count.
TEST_F(CifarReaderTest, ReadsCifar100FineAndCoarseLabels) {
    writeRaw(file("train.bin"), cifarRecords({{19, 99}, {0, 42}, {7, 3}}, 0));
    const Dataset fine = readCifar100({file("train.bin")}, Cifar100Labels::Fine, "c100");
    const Dataset coarse = readCifar100({file("train.bin")}, Cifar100Labels::Coarse, "c100c");
    EXPECT_EQ(fine.num_classes, 100);
    EXPECT_EQ(coarse.num_classes, 20);
    EXPECT_TRUE(torch::equal(fine.labels, torch::tensor({99, 42, 3}, torch::kInt64)));
    EXPECT_TRUE(torch::equal(coarse.labels, torch::tensor({19, 0, 7}, torch::kInt64)));
    expectCifarPixels(fine);
    EXPECT_TRUE(torch::equal(fine.images, coarse.images));
}

// Guards against wrong or cut files: the size must be whole records; the message does the maths.
TEST_F(CifarReaderTest, RejectsSizeThatIsNotWholeRecords) {
    Bytes bytes = cifarRecords({{1}, {2}}, 0);
    bytes.resize(bytes.size() + 7);
    writeRaw(file("odd.bin"), bytes);
    expectDataError([&] { readCifar10({file("odd.bin")}, "c10"); }, file("odd.bin"),
                    {"6153 bytes", "3073-byte records", "remainder of 7"});
    // The same bytes are 2 records + 5 bytes of CIFAR-100's 3074-byte records.
    expectDataError([&] { readCifar100({file("odd.bin")}, Cifar100Labels::Fine, "c"); },
                    file("odd.bin"), {"3074-byte records", "remainder of 5"});
}

// Guards the messages for missing and empty files, and an empty file list.
TEST_F(CifarReaderTest, RejectsMissingAndEmptyFiles) {
    expectDataError([&] { readCifar10({file("none.bin")}, "c10"); }, file("none.bin"),
                    {"does not exist"});
    writeRaw(file("empty.bin"), {});
    expectDataError([&] { readCifar10({file("empty.bin")}, "c10"); }, file("empty.bin"), {"empty"});
    EXPECT_THROW(readCifar10({}, "c10"), std::invalid_argument);
}

// Guards against labels beyond the class count, naming the record.
TEST_F(CifarReaderTest, RejectsLabelOutOfRange) {
    writeRaw(file("c10.bin"), cifarRecords({{1}, {10}}, 0));
    expectDataError([&] { readCifar10({file("c10.bin")}, "c10"); }, file("c10.bin"),
                    {"label 10 at record 1 is out of range 0..9"});
    writeRaw(file("c100.bin"), cifarRecords({{20, 5}}, 0));
    expectDataError([&] { readCifar100({file("c100.bin")}, Cifar100Labels::Coarse, "c"); },
                    file("c100.bin"), {"coarse label 20 at record 0 is out of range 0..19"});
    EXPECT_EQ(readCifar100({file("c100.bin")}, Cifar100Labels::Fine, "c").labels[0].item<int64_t>(),
              5);
}

}  // namespace
}  // namespace epsilon
