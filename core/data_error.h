// SPDX-License-Identifier: MIT
// The error every data reader throws for a file it cannot use. Free of torch, so that the GUI's
// settings panel can report it too.
#pragma once

#include <stdexcept>
#include <string>

namespace epsilon {

/// A data file that cannot be used: the message names the file and what is wrong with it.
class DataError : public std::runtime_error {
  public:
    DataError(const std::string& path, const std::string& problem)
        : std::runtime_error(path + ": " + problem), path_(path) {}

    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace epsilon
