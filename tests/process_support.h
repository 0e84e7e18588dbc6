// SPDX-License-Identifier: MIT
// Helpers of tests that run real programs and look at real files.
#pragma once

#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace epsilon::testing_support {

struct ProcessResult {
    int status = -1;  ///< Exit status, or -1 when the program did not exit normally.
    std::string output;
};

/// Runs a shell command, capturing standard output and error together.
inline ProcessResult runCommand(const std::string& command) {
    ProcessResult run;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) {
        run.output.append(buffer, n);
    }
    const int raw = pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

/// Runs epsilon-lab-cli (the executable built with the tests) with `arguments`.
inline ProcessResult runCli(const std::string& arguments) {
    return runCommand(std::string(EPSILON_LAB_CLI) + " " + arguments);
}

/// A fresh directory under the system's temporary directory, removed with the object, so that
/// repeated test runs leave nothing behind.
class ScratchDirectory {
  public:
    explicit ScratchDirectory(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("epsilon-" + name + "-" + std::to_string(::getpid()))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

/// The whole content of a file (empty when it cannot be read).
inline std::string fileBytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace epsilon::testing_support
