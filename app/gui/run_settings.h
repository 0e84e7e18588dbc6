// SPDX-License-Identifier: MIT
// What the GUI asks the training worker to run: plain values, no torch.
#pragma once

#include <QMetaType>
#include <QString>

namespace epsilon {

struct RunSettings {
    /// One of knownDatasets() (core/data_files.h), and its directory; empty: the default one.
    QString dataset = "fashion-mnist";
    QString data_path;
    int depth = 20;
    double epsilon = 7.5;
    int epsilon_warmup = 1;
    /// Epochs after the warm-up during which ε applies; 0: to the end (TrainConfig).
    int epsilon_epochs = 1;
    int epochs = 5;
    int batch_size = 128;
    /// Restart the learning-rate steps whenever another block is discarded.
    bool adaptive_schedule = false;
    /// Stop computing a block once its gate has been 0 for this many consecutive training
    /// steps (0: compute every block on every step).
    int skip_discarded_after = 1;
    quint64 seed = 1;
    /// Torch's intra-op threads for the run; 0: one per core.
    int threads = 0;
    /// "auto", "cpu" or "cuda".
    QString device = "auto";
    qint64 train_limit = 0;
    qint64 test_limit = 0;
};

}  // namespace epsilon

Q_DECLARE_METATYPE(epsilon::RunSettings)
