// SPDX-License-Identifier: MIT
// Replacing a file so that a crash, a kill or a full disk at any moment leaves either the old
// file or the new one, never a mix: what snapshots and sweep records are saved through.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace epsilon {

/// Called with the name of each stage of a replace as it is reached ("half written", "before
/// rename"); a test uses it to stop a save half-way.
using WriteStageHook = std::function<void(const char* stage)>;

/// Writes `bytes` to `path`.saving in the same directory, syncs it to disk, renames it over
/// `path` and syncs the directory. Throws std::runtime_error with the operating system's reason
/// (no space left on device, permission denied...), after removing `path`.saving; `path` is
/// then as it was.
void replaceFileDurably(const std::string& path, const std::vector<char>& bytes,
                        const WriteStageHook& on_stage = {});

}  // namespace epsilon
