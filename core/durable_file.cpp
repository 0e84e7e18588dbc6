// SPDX-License-Identifier: MIT
// Durable replacement of a file through a synced temporary and a rename.
#include "core/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace epsilon {
namespace {

// Makes a file's bytes, or a directory's entries, durable.
void syncPath(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0 || ::fsync(fd) != 0) {
        const std::string reason = std::strerror(errno);
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error("cannot sync " + path + " to disk (" + reason + ")");
    }
    ::close(fd);
}

// Writes all of [data, data + size) to `fd`; false with errno set on failure.
bool writeAllBytes(int fd, const char* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

// Writes `bytes` to a new file at `path` and syncs it, in two halves so that a test can stop a
// save between them. Errors carry the operating system's reason (no space left on device,
// permission denied, read-only file system).
void writeSynced(const std::string& path, const std::vector<char>& bytes,
                 const WriteStageHook& on_stage) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot create " + path + " (" + std::strerror(errno) + ")");
    }
    const size_t half = bytes.size() / 2;
    bool ok = writeAllBytes(fd, bytes.data(), half);
    if (ok && on_stage)
        on_stage("half written");
    ok = ok && writeAllBytes(fd, bytes.data() + half, bytes.size() - half) && ::fsync(fd) == 0;
    const std::string reason = std::strerror(errno);
    if (::close(fd) != 0 || !ok) {
        throw std::runtime_error("cannot write " + path + " (" +
                                 (ok ? std::strerror(errno) : reason) + ")");
    }
}

}  // namespace

void replaceFileDurably(const std::string& path, const std::vector<char>& bytes,
                        const WriteStageHook& on_stage) {
    const std::string temporary = path + ".saving";
    try {
        writeSynced(temporary, bytes, on_stage);
        if (on_stage)
            on_stage("before rename");
        if (std::rename(temporary.c_str(), path.c_str()) != 0) {
            throw std::runtime_error(std::string("cannot rename ") + temporary + " to " + path +
                                     " (" + std::strerror(errno) + ")");
        }
        const std::filesystem::path parent = std::filesystem::path(path).parent_path();
        syncPath(parent.empty() ? "." : parent.string(), O_RDONLY | O_DIRECTORY);
    } catch (const std::exception&) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
}

}  // namespace epsilon
