// SPDX-License-Identifier: MIT
// Checks shared by the data-file readers.
#include "core/dataset.h"

#include <filesystem>
#include <system_error>

namespace epsilon {

void requireDataFile(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (status.type() == fs::file_type::not_found) {
        throw DataError(path, "the file does not exist");
    }
    if (ec) {
        throw DataError(path, "the file cannot be accessed (" + ec.message() + ")");
    }
    if (fs::is_directory(status)) {
        throw DataError(path, "is a directory, not a data file");
    }
    if (!fs::is_regular_file(status)) {
        throw DataError(path, "is not a regular file");
    }
}

}  // namespace epsilon
