// SPDX-License-Identifier: MIT
// An ε sweep's results as one HDF5 file, beside its CSV and JSON: a table of named columns, one
// row per point (post hoc) or per run (training), with what a post-hoc sweep knows per block.
// Layout: docs/snapshot-format.md, "Sweep records".
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace epsilon {

/// Value of the root attribute "format" that marks a file as a sweep record.
constexpr const char* kSweepRecordFormatName = "epsilon-lab-sweep";

struct SweepRecord {
    /// "post-hoc" or "training".
    std::string kind;
    /// The swept snapshot (post hoc) or the sweep's folder (training).
    std::string source;
    /// Column names, e.g. "epsilon", "test_accuracy", "params", and one vector of values per
    /// column, all of the same length.
    std::vector<std::string> column_names;
    std::vector<std::vector<double>> columns;
    /// Post hoc: each block's calibrated response, and per row 1 for each removed block.
    std::vector<float> responses;
    std::vector<std::vector<uint8_t>> removed;

    size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
    /// The column called `name`; throws std::out_of_range naming it when there is none.
    const std::vector<double>& column(const std::string& name) const;
};

/// Writes `record` to `path` as snapshots are written (replaceFileDurably), so a record
/// already there is replaced whole or not at all. Throws std::runtime_error naming the
/// path and the reason; std::invalid_argument for columns of different lengths.
void saveSweepRecord(const std::string& path, const SweepRecord& record);

/// Reads a record saveSweepRecord wrote. Throws std::runtime_error naming the file for anything
/// else.
SweepRecord loadSweepRecord(const std::string& path);

}  // namespace epsilon
