// SPDX-License-Identifier: MIT
// Shared helpers of the data tests: writing tiny IDX/CIFAR files and checking DataError messages.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "core/dataset.h"

namespace epsilon::testdata {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

constexpr int64_t kCifarPixels = 3 * 32 * 32;

inline void appendBigEndian32(Bytes& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<uint8_t>(value >> shift));
    }
}

// A value that differs between neighbouring images and pixels, so misplaced bytes show.
inline uint8_t pixelValue(int64_t image, int64_t pixel) {
    return static_cast<uint8_t>((image * 37 + pixel * 11 + 5) % 256);
}

inline Bytes idxImages(uint32_t count, uint32_t rows, uint32_t cols, uint32_t magic = 0x00000803) {
    Bytes out;
    appendBigEndian32(out, magic);
    appendBigEndian32(out, count);
    appendBigEndian32(out, rows);
    appendBigEndian32(out, cols);
    for (uint32_t i = 0; i < count; ++i) {
        for (uint32_t p = 0; p < rows * cols; ++p) {
            out.push_back(pixelValue(i, p));
        }
    }
    return out;
}

inline Bytes idxLabels(const std::vector<uint8_t>& labels, uint32_t magic = 0x00000801) {
    Bytes out;
    appendBigEndian32(out, magic);
    appendBigEndian32(out, static_cast<uint32_t>(labels.size()));
    out.insert(out.end(), labels.begin(), labels.end());
    return out;
}

// CIFAR records: `label_bytes` label bytes taken from `labels`, then 3072 pixels.
inline Bytes cifarRecords(const std::vector<std::vector<uint8_t>>& labels, int64_t first_image) {
    Bytes out;
    for (size_t r = 0; r < labels.size(); ++r) {
        out.insert(out.end(), labels[r].begin(), labels[r].end());
        for (int64_t p = 0; p < kCifarPixels; ++p) {
            out.push_back(pixelValue(first_image + static_cast<int64_t>(r), p));
        }
    }
    return out;
}

inline void writeRaw(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

inline void writeGzip(const fs::path& path, const Bytes& bytes) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr) << path;
    if (!bytes.empty()) {
        ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
                  static_cast<int>(bytes.size()));
    }
    ASSERT_EQ(gzclose(file), Z_OK);
}

inline Bytes readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs `action`, requiring a DataError whose message names `path` and contains every word.
inline void expectDataError(const std::function<void()>& action, const std::string& path,
                            const std::vector<std::string>& words) {
    try {
        action();
        ADD_FAILURE() << "no DataError for " << path;
    } catch (const DataError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find(path), std::string::npos) << message;
        for (const std::string& word : words) {
            EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' in: " << message;
        }
    }
}

// Gives each test its own fresh directory of generated files, removed afterwards.
class TempDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        dir_ = fs::temp_directory_path() / ("epsilon_data_test_" + std::to_string(getpid()) + "_" +
                                            std::to_string(std::random_device{}()) + "_" + test);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

}  // namespace epsilon::testdata
