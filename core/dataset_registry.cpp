// SPDX-License-Identifier: MIT
// Reads each named data set's files with the reader of its format.
#include "core/dataset_registry.h"

#include <string>

#include "core/cifar_reader.h"
#include "core/idx_reader.h"

namespace epsilon {

DatasetPair loadDataset(const DataSource& source) {
    const DataFiles files = locateDataFiles(source);
    const std::string& name = source.name;
    if (name == "fashion-mnist" || name == "mnist") {
        return DatasetPair{readIdx(files.train[0], files.train[1], name, 10),
                           readIdx(files.test[0], files.test[1], name, 10)};
    }
    if (name == "cifar10") {
        return DatasetPair{readCifar10(files.train, name), readCifar10(files.test, name)};
    }
    const Cifar100Labels labels =
        name == "cifar100-coarse" ? Cifar100Labels::Coarse : Cifar100Labels::Fine;
    return DatasetPair{readCifar100(files.train, labels, name),
                       readCifar100(files.test, labels, name)};
}

}  // namespace epsilon
