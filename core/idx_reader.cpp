// SPDX-License-Identifier: MIT
// Reads IDX image and label files (the MNIST format) through zlib, which also reads raw files.
#include "core/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace epsilon {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr size_t kImagesHeaderBytes = 16;
constexpr size_t kLabelsHeaderBytes = 8;
// The buffer grows as bytes actually arrive, so a corrupt header promising billions of images
// cannot make us allocate memory the file does not back.
constexpr size_t kReadChunk = size_t{1} << 20;
// Far beyond any real IDX file; a larger promise can only come from a corrupt header.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 40;

std::string hex32(uint32_t value) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<unsigned>(value));
    return text;
}

uint32_t bigEndian32(const uint8_t* bytes) {
    return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
           uint32_t{bytes[3]};
}

// Owns a zlib handle. gzread passes non-gzip files through unchanged, so one code path reads
// both "x.gz" and "x".
class GzInput {
  public:
    explicit GzInput(const std::string& path) : path_(path) {
        requireDataFile(path);
        errno = 0;
        file_ = gzopen(path.c_str(), "rb");
        if (file_ == nullptr) {
            const std::string reason = errno != 0 ? std::strerror(errno) : "out of memory";
            throw DataError(path, "the file cannot be opened (" + reason + ")");
        }
        // Larger than zlib's 8 KiB default: fewer system calls on 50 MB files.
        gzbuffer(file_, 1u << 17);
    }
    ~GzInput() { gzclose(file_); }
    GzInput(const GzInput&) = delete;
    GzInput& operator=(const GzInput&) = delete;

    const std::string& path() const { return path_; }

    // Appends up to `count` bytes to `out`; returns how many there were before the end of file.
    uint64_t readInto(std::vector<uint8_t>& out, uint64_t count) {
        uint64_t got = 0;
        while (got < count) {
            const size_t step = static_cast<size_t>(std::min<uint64_t>(count - got, kReadChunk));
            const size_t old_size = out.size();
            out.resize(old_size + step);
            const int n = gzread(file_, out.data() + old_size, static_cast<unsigned>(step));
            if (n < 0) {
                failDecompression();
            }
            out.resize(old_size + static_cast<size_t>(n));
            got += static_cast<uint64_t>(n);
            if (static_cast<size_t>(n) < step) {
                break;  // gzread only returns short at the end of the data
            }
        }
        return got;
    }

    // True when no byte follows; reading on also makes zlib verify the gzip checksum.
    bool atEnd() {
        uint8_t byte = 0;
        const int n = gzread(file_, &byte, 1);
        if (n < 0) {
            failDecompression();
        }
        int code = Z_OK;
        gzerror(file_, &code);
        // zlib reports a gzip stream that ends too early as Z_BUF_ERROR, not as a failed read.
        // (A cut inside the 8-byte checksum trailer, after all data, can pass unnoticed.)
        if (code == Z_BUF_ERROR) {
            throw DataError(path_, "is truncated: its gzip data ends before the end of the stream");
        }
        return n == 0;
    }

  private:
    [[noreturn]] void failDecompression() {
        int code = Z_OK;
        const char* message = gzerror(file_, &code);
        if (code == Z_ERRNO) {
            throw DataError(path_,
                            std::string("reading the file failed (") + std::strerror(errno) + ")");
        }
        std::string detail = message != nullptr ? message : "unknown zlib error";
        // zlib prefixes its messages with the path, which DataError already shows.
        if (detail.rfind(path_ + ": ", 0) == 0) {
            detail.erase(0, path_.size() + 2);
        }
        throw DataError(path_, "is corrupt: its gzip data cannot be decompressed (" + detail + ")");
    }

    std::string path_;
    gzFile file_ = nullptr;
};

std::string magicDescription(uint32_t magic) {
    if (magic == kImagesMagic) {
        return "an IDX image file";
    }
    if (magic == kLabelsMagic) {
        return "an IDX label file";
    }
    return "not an IDX file of unsigned bytes";
}

// Reads a header of `bytes` bytes and checks its magic number first: for a file of the wrong
// kind, "wrong magic number" is more helpful than "too short".
std::vector<uint8_t> readHeader(GzInput& in, size_t bytes, uint32_t expected_magic) {
    std::vector<uint8_t> header;
    const uint64_t got = in.readInto(header, bytes);
    if (got >= 4) {
        const uint32_t found = bigEndian32(header.data());
        if (found != expected_magic) {
            std::string problem = "wrong magic number: expected " + hex32(expected_magic) + " (" +
                                  magicDescription(expected_magic) + "), found " + hex32(found) +
                                  " (" + magicDescription(found) + ")";
            if (found == kImagesMagic || found == kLabelsMagic) {
                problem += "; are the image and label files swapped?";
            }
            throw DataError(in.path(), problem);
        }
    }
    if (got < bytes) {
        throw DataError(in.path(), "is truncated: an IDX header needs " + std::to_string(bytes) +
                                       " bytes but the file holds only " + std::to_string(got));
    }
    return header;
}

// Reads exactly `bytes` bytes of body and insists nothing follows them.
std::vector<uint8_t> readBody(GzInput& in, uint64_t bytes, const std::string& promise) {
    std::vector<uint8_t> body;
    body.reserve(static_cast<size_t>(std::min<uint64_t>(bytes, 64 * kReadChunk)));
    const uint64_t got = in.readInto(body, bytes);
    if (got < bytes) {
        throw DataError(in.path(), "is truncated: its header promises " + promise + " (" +
                                       std::to_string(bytes) + " bytes) but only " +
                                       std::to_string(got) + " bytes follow");
    }
    if (!in.atEnd()) {
        throw DataError(in.path(), "has extra data after the " + promise +
                                       " its header promises; the header does not match the file");
    }
    return body;
}

struct ImageHeader {
    uint32_t count = 0;
    uint32_t rows = 0;
    uint32_t cols = 0;
};

ImageHeader readImageHeader(GzInput& in) {
    const std::vector<uint8_t> header = readHeader(in, kImagesHeaderBytes, kImagesMagic);
    ImageHeader result{bigEndian32(&header[4]), bigEndian32(&header[8]), bigEndian32(&header[12])};
    if (result.rows == 0 || result.cols == 0) {
        throw DataError(in.path(), "has an image size of " + std::to_string(result.rows) + "x" +
                                       std::to_string(result.cols) + " pixels; both must be > 0");
    }
    if (result.count == 0) {
        throw DataError(in.path(), "holds no images (its header gives a count of 0)");
    }
    const uint64_t pixels = uint64_t{result.rows} * result.cols;
    if (pixels > kMaxPayloadBytes || result.count > kMaxPayloadBytes / pixels) {
        throw DataError(in.path(), "has an implausible header: " + std::to_string(result.count) +
                                       " images of " + std::to_string(result.rows) + "x" +
                                       std::to_string(result.cols) +
                                       " pixels would exceed 1 TiB; the file is probably corrupt");
    }
    return result;
}

void checkLabels(const std::vector<uint8_t>& labels, int num_classes, const std::string& path) {
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= num_classes) {
            throw DataError(path, "label " + std::to_string(labels[i]) + " at index " +
                                      std::to_string(i) + " is out of range 0.." +
                                      std::to_string(num_classes - 1));
        }
    }
}

}  // namespace

Dataset readIdx(const std::string& images_path, const std::string& labels_path,
                const std::string& name, int num_classes) {
    if (num_classes < 1 || num_classes > 256) {
        throw std::invalid_argument(
            "readIdx: num_classes must be in 1..256 (IDX labels are bytes), got " +
            std::to_string(num_classes));
    }
    GzInput images_in(images_path);
    const ImageHeader shape = readImageHeader(images_in);
    GzInput labels_in(labels_path);
    const std::vector<uint8_t> label_header =
        readHeader(labels_in, kLabelsHeaderBytes, kLabelsMagic);
    const uint32_t label_count = bigEndian32(&label_header[4]);
    // Checked before reading the bodies: a mismatched pair fails fast, whatever its size.
    if (label_count != shape.count) {
        throw DataError(images_path, "holds " + std::to_string(shape.count) +
                                         " images but its label file " + labels_path + " holds " +
                                         std::to_string(label_count) +
                                         " labels; both files must describe the same examples");
    }
    const std::string image_promise = std::to_string(shape.count) + " images of " +
                                      std::to_string(shape.rows) + "x" +
                                      std::to_string(shape.cols) + " pixels";
    std::vector<uint8_t> pixels =
        readBody(images_in, uint64_t{shape.count} * shape.rows * shape.cols, image_promise);
    std::vector<uint8_t> labels =
        readBody(labels_in, label_count, std::to_string(label_count) + " labels");
    checkLabels(labels, num_classes, labels_path);

    Dataset data;
    data.name = name;
    data.num_classes = num_classes;
    data.images =
        torch::from_blob(pixels.data(),
                         {static_cast<int64_t>(shape.count), 1, static_cast<int64_t>(shape.rows),
                          static_cast<int64_t>(shape.cols)},
                         torch::kUInt8)
            .clone();
    data.labels =
        torch::from_blob(labels.data(), {static_cast<int64_t>(label_count)}, torch::kUInt8)
            .to(torch::kInt64);
    return data;
}

}  // namespace epsilon
