// SPDX-License-Identifier: MIT
// A thin layer over HDF5's C API: owned handles, groups, attributes and tensor datasets, and
// errors that carry HDF5's own reason. HDF5 is built without thread safety on Debian: callers
// make every call from one thread (see snapshot.h for which).
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <torch/types.h>

namespace epsilon::hdf5 {

/// An HDF5 call failed; what() says which and HDF5's innermost reason (e.g. "No space left on
/// device").
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Owns one HDF5 identifier and closes it with the matching H5?close function.
class Handle {
  public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer close) : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t id() const { return id_; }
    /// Closes now, reporting failure (closing a file writes what HDF5 still buffers).
    void close();

  private:
    void reset();
    hid_t id_ = -1;
    Closer close_ = nullptr;
};

/// Stops HDF5 printing its error stack to stderr; errors are reported through Error instead.
/// Idempotent; every function below calls it.
void quietErrors();

/// True when `path` starts with an HDF5 signature. Never throws for a readable file.
bool isHdf5File(const std::string& path);
/// Creates (or truncates) a file for writing.
Handle createFile(const std::string& path);
/// Creates a file that lives only in memory; fileImage() gives its bytes. Writing a snapshot
/// this way means HDF5 never meets a disk error, which it does not always recover from.
Handle createInMemoryFile();
/// The bytes of a complete HDF5 file with the contents of `file` (flushed first).
std::vector<char> fileImage(hid_t file);
/// Opens an existing file read-only, so that reading can never change it.
Handle openFileReadOnly(const std::string& path);

Handle createGroup(hid_t parent, const std::string& name);
Handle openGroup(hid_t parent, const std::string& name);
/// Whether `parent` has a direct child (group or dataset) called `name`.
bool hasChild(hid_t parent, const std::string& name);
/// Names of the direct children of a group, in HDF5's name order.
std::vector<std::string> childNames(hid_t group);

void writeAttribute(hid_t object, const std::string& name, const std::string& value);
void writeAttribute(hid_t object, const std::string& name, const char* value);
void writeAttribute(hid_t object, const std::string& name, double value);
void writeAttribute(hid_t object, const std::string& name, int64_t value);
bool hasAttribute(hid_t object, const std::string& name);
std::string readStringAttribute(hid_t object, const std::string& name);
double readDoubleAttribute(hid_t object, const std::string& name);
int64_t readIntAttribute(hid_t object, const std::string& name);

/// How a dataset is laid out in the file.
enum class Layout {
    Fixed,     ///< Contiguous, its shape fixed (weights).
    Growable,  ///< Chunked along its first dimension, unlimited there, and compressed (series).
};

/// Writes a float32, float64, int64 or uint8 tensor of any rank (0 included) as a dataset.
void writeTensor(hid_t parent, const std::string& name, const torch::Tensor& tensor,
                 Layout layout = Layout::Fixed);
/// Reads a dataset of a type writeTensor writes into a CPU tensor of its shape and type.
torch::Tensor readTensor(hid_t parent, const std::string& name);
/// Shape of a dataset without reading it.
std::vector<int64_t> datasetShape(hid_t parent, const std::string& name);

/// Writes everything buffered for `file` to the operating system.
void flush(hid_t file);

/// The version of the HDF5 library in use, e.g. "1.10.8".
std::string libraryVersion();

}  // namespace epsilon::hdf5
