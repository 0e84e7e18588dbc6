// SPDX-License-Identifier: MIT
// What the GUI asks the training worker to run: plain values, no torch.
#pragma once

#include <QMetaType>
#include <QString>

namespace epsilon {

struct RunSettings {
    QString dataset = "fashion-mnist";
    QString data_path;
    int depth = 20;
    double epsilon = 6.0;
    int epsilon_warmup = 1;
    int epochs = 4;
    int batch_size = 128;
    quint64 seed = 1;
    int threads = 0;
    qint64 train_limit = 0;
    qint64 test_limit = 0;
};

}  // namespace epsilon

Q_DECLARE_METATYPE(epsilon::RunSettings)
