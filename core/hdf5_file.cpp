// SPDX-License-Identifier: MIT
// A thin layer over HDF5's C API: owned handles, groups, attributes and tensor datasets.
#include "core/hdf5_file.h"

#include <algorithm>
#include <cstdlib>

#include <torch/torch.h>

namespace epsilon::hdf5 {
namespace {

// The innermost message of HDF5's current error stack: the one nearest the cause, such as
// "file write failed: ... error message = 'No space left on device'".
herr_t keepInnermost(unsigned position, const H5E_error2_t* error, void* out) {
    if (position == 0 && error->desc != nullptr) {
        *static_cast<std::string*>(out) = error->desc;
    }
    return 0;
}

std::string innermostReason() {
    std::string reason;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keepInnermost, &reason);
    H5Eclear2(H5E_DEFAULT);
    return reason.empty() ? "no reason given" : reason;
}

[[noreturn]] void fail(const std::string& what) {
    throw Error(what + " (HDF5: " + innermostReason() + ")");
}

hid_t check(hid_t id, const std::string& what) {
    if (id < 0) {
        fail(what);
    }
    return id;
}

void check(herr_t status, const char* what, const std::string& name) {
    if (status < 0) {
        fail(std::string(what) + " " + name);
    }
}

Handle stringType() {
    Handle type(check(H5Tcopy(H5T_C_S1), "copying the string type"), H5Tclose);
    H5Tset_size(type.id(), H5T_VARIABLE);
    H5Tset_cset(type.id(), H5T_CSET_UTF8);
    return type;
}

Handle scalarSpace() {
    return Handle(check(H5Screate(H5S_SCALAR), "creating a dataspace"), H5Sclose);
}

Handle newAttribute(hid_t object, const std::string& name, hid_t type) {
    if (H5Aexists(object, name.c_str()) > 0) {
        H5Adelete(object, name.c_str());
    }
    const Handle space = scalarSpace();
    return Handle(
        check(H5Acreate2(object, name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT),
              "creating attribute " + name),
        H5Aclose);
}

Handle openAttribute(hid_t object, const std::string& name) {
    return Handle(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute " + name),
                  H5Aclose);
}

hid_t memoryType(torch::ScalarType type) {
    switch (type) {
        case torch::kFloat32:
            return H5T_NATIVE_FLOAT;
        case torch::kFloat64:
            return H5T_NATIVE_DOUBLE;
        case torch::kInt64:
            return H5T_NATIVE_INT64;
        case torch::kUInt8:
            return H5T_NATIVE_UINT8;
        default:
            throw std::invalid_argument(std::string("cannot store tensors of type ") +
                                        c10::toString(type) + " in HDF5");
    }
}

// The tensor type that holds a stored type without loss, for the types writeTensor writes.
torch::ScalarType tensorTypeFor(hid_t type, const std::string& name) {
    const H5T_class_t type_class = H5Tget_class(type);
    const size_t size = H5Tget_size(type);
    if (type_class == H5T_FLOAT && size == 4)
        return torch::kFloat32;
    if (type_class == H5T_FLOAT && size == 8)
        return torch::kFloat64;
    if (type_class == H5T_INTEGER && size == 8 && H5Tget_sign(type) == H5T_SGN_2) {
        return torch::kInt64;
    }
    if (type_class == H5T_INTEGER && size == 1 && H5Tget_sign(type) == H5T_SGN_NONE) {
        return torch::kUInt8;
    }
    throw Error("dataset " + name + " has a type this program does not read");
}

// Rows per chunk so that a chunk holds about 16 Ki elements.
hsize_t chunkRows(const std::vector<hsize_t>& dims) {
    hsize_t per_row = 1;
    for (size_t d = 1; d < dims.size(); ++d) {
        per_row *= std::max<hsize_t>(1, dims[d]);
    }
    return std::max<hsize_t>(1, 16384 / per_row);
}

}  // namespace

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        reset();
        id_ = other.id_;
        close_ = other.close_;
        other.id_ = -1;
    }
    return *this;
}

void Handle::reset() {
    if (id_ >= 0 && close_ != nullptr) {
        close_(id_);
        H5Eclear2(H5E_DEFAULT);
    }
    id_ = -1;
}

void Handle::close() {
    const hid_t id = id_;
    id_ = -1;
    if (id >= 0 && close_ != nullptr && close_(id) < 0) {
        fail("closing");
    }
}

void quietErrors() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

bool isHdf5File(const std::string& path) {
    quietErrors();
    const htri_t result = H5Fis_hdf5(path.c_str());
    H5Eclear2(H5E_DEFAULT);
    return result > 0;
}

Handle createFile(const std::string& path) {
    quietErrors();
    return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
                        "cannot create the file"),
                  H5Fclose);
}

Handle createInMemoryFile() {
    quietErrors();
    const Handle access(check(H5Pcreate(H5P_FILE_ACCESS), "creating properties"), H5Pclose);
    // Grows 4 MiB at a time; no backing store, so nothing is written to disk.
    check(H5Pset_fapl_core(access.id(), 4 << 20, false), "choosing the memory driver", "");
    return Handle(check(H5Fcreate("in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access.id()),
                        "cannot create a file in memory"),
                  H5Fclose);
}

std::vector<char> fileImage(hid_t file) {
    flush(file);
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size < 0) {
        fail("reading the file image");
    }
    std::vector<char> image(static_cast<size_t>(size));
    if (H5Fget_file_image(file, image.data(), image.size()) < 0) {
        fail("reading the file image");
    }
    return image;
}

Handle openFileReadOnly(const std::string& path) {
    quietErrors();
    return Handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open the file"),
                  H5Fclose);
}

Handle createGroup(hid_t parent, const std::string& name) {
    return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        "creating group " + name),
                  H5Gclose);
}

Handle openGroup(hid_t parent, const std::string& name) {
    if (!hasChild(parent, name)) {
        throw Error("group " + name + " is missing");
    }
    return Handle(check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), "opening group " + name),
                  H5Gclose);
}

bool hasChild(hid_t parent, const std::string& name) {
    const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
    H5Eclear2(H5E_DEFAULT);
    return exists > 0;
}

std::vector<std::string> childNames(hid_t group) {
    H5G_info_t info;
    check(H5Gget_info(group, &info), "listing", "a group");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t length =
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (length < 0) {
            fail("listing a group");
        }
        std::string name(static_cast<size_t>(length), '\0');
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                           H5P_DEFAULT);
        names.push_back(name);
    }
    return names;
}

void writeAttribute(hid_t object, const std::string& name, const std::string& value) {
    writeAttribute(object, name, value.c_str());
}

void writeAttribute(hid_t object, const std::string& name, const char* value) {
    const Handle type = stringType();
    const Handle attribute = newAttribute(object, name, type.id());
    check(H5Awrite(attribute.id(), type.id(), &value), "writing attribute", name);
}

void writeAttribute(hid_t object, const std::string& name, double value) {
    const Handle attribute = newAttribute(object, name, H5T_IEEE_F64LE);
    check(H5Awrite(attribute.id(), H5T_NATIVE_DOUBLE, &value), "writing attribute", name);
}

void writeAttribute(hid_t object, const std::string& name, int64_t value) {
    const Handle attribute = newAttribute(object, name, H5T_STD_I64LE);
    check(H5Awrite(attribute.id(), H5T_NATIVE_INT64, &value), "writing attribute", name);
}

bool hasAttribute(hid_t object, const std::string& name) {
    const htri_t exists = H5Aexists(object, name.c_str());
    H5Eclear2(H5E_DEFAULT);
    return exists > 0;
}

std::string readStringAttribute(hid_t object, const std::string& name) {
    const Handle attribute = openAttribute(object, name);
    const Handle stored(check(H5Aget_type(attribute.id()), "reading the type of " + name),
                        H5Tclose);
    if (H5Tget_class(stored.id()) != H5T_STRING) {
        throw Error("attribute " + name + " is not a string");
    }
    if (H5Tis_variable_str(stored.id()) > 0) {
        const Handle type = stringType();
        char* text = nullptr;
        check(H5Aread(attribute.id(), type.id(), &text), "reading attribute", name);
        std::string value = text != nullptr ? text : "";
        H5free_memory(text);
        return value;
    }
    // Fixed-length strings, as other programs may write them.
    std::string value(H5Tget_size(stored.id()), '\0');
    check(H5Aread(attribute.id(), stored.id(), value.data()), "reading attribute", name);
    return value.substr(0, value.find('\0'));
}

double readDoubleAttribute(hid_t object, const std::string& name) {
    const Handle attribute = openAttribute(object, name);
    double value = 0.0;
    check(H5Aread(attribute.id(), H5T_NATIVE_DOUBLE, &value), "reading attribute", name);
    return value;
}

int64_t readIntAttribute(hid_t object, const std::string& name) {
    const Handle attribute = openAttribute(object, name);
    int64_t value = 0;
    check(H5Aread(attribute.id(), H5T_NATIVE_INT64, &value), "reading attribute", name);
    return value;
}

void writeTensor(hid_t parent, const std::string& name, const torch::Tensor& tensor,
                 Layout layout) {
    const torch::Tensor data = tensor.detach().to(torch::kCPU).contiguous();
    const hid_t type = memoryType(data.scalar_type());
    std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
    if (layout == Layout::Growable && dims.empty()) {
        throw std::invalid_argument("a growable dataset needs at least one dimension: " + name);
    }
    Handle properties(check(H5Pcreate(H5P_DATASET_CREATE), "creating properties"), H5Pclose);
    Handle space;
    if (dims.empty()) {
        space = scalarSpace();
    } else if (layout == Layout::Fixed) {
        space = Handle(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                             "creating a dataspace"),
                       H5Sclose);
    } else {
        std::vector<hsize_t> max_dims = dims;
        max_dims[0] = H5S_UNLIMITED;
        std::vector<hsize_t> chunk = dims;
        chunk[0] = chunkRows(dims);
        for (hsize_t& extent : chunk) {
            extent = std::max<hsize_t>(1, extent);
        }
        space = Handle(
            check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()),
                  "creating a dataspace"),
            H5Sclose);
        check(H5Pset_chunk(properties.id(), static_cast<int>(chunk.size()), chunk.data()),
              "chunking", name);
        H5Pset_shuffle(properties.id());
        check(H5Pset_deflate(properties.id(), 4), "compressing", name);
    }
    const Handle dataset(check(H5Dcreate2(parent, name.c_str(), type, space.id(), H5P_DEFAULT,
                                          properties.id(), H5P_DEFAULT),
                               "creating dataset " + name),
                         H5Dclose);
    if (data.numel() > 0) {
        check(H5Dwrite(dataset.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data_ptr()),
              "writing dataset", name);
    }
}

std::vector<int64_t> datasetShape(hid_t parent, const std::string& name) {
    if (!hasChild(parent, name)) {
        throw Error("dataset " + name + " is missing");
    }
    const Handle dataset(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening " + name),
                         H5Dclose);
    const Handle space(check(H5Dget_space(dataset.id()), "reading the shape of " + name), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.id());
    if (rank < 0) {
        fail("reading the shape of " + name);
    }
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
    return std::vector<int64_t>(dims.begin(), dims.end());
}

torch::Tensor readTensor(hid_t parent, const std::string& name) {
    const std::vector<int64_t> shape = datasetShape(parent, name);
    const Handle dataset(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening " + name),
                         H5Dclose);
    const Handle type(check(H5Dget_type(dataset.id()), "reading the type of " + name), H5Tclose);
    const torch::ScalarType scalar_type = tensorTypeFor(type.id(), name);
    double elements = 1.0;
    for (int64_t extent : shape) {
        elements *= static_cast<double>(extent);
    }
    // A damaged header could claim any size; nothing this program writes comes near this.
    if (elements > 4e9) {
        throw Error("dataset " + name + " claims an implausible size");
    }
    torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(scalar_type));
    if (tensor.numel() > 0) {
        check(H5Dread(dataset.id(), memoryType(scalar_type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                      tensor.data_ptr()),
              "reading dataset", name);
    }
    return tensor;
}

void flush(hid_t file) {
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flushing", "the file");
}

std::string libraryVersion() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace epsilon::hdf5
