// SPDX-License-Identifier: MIT
// A training sweep in a child process.
#include "app/gui/sweep_launcher.h"

#include <signal.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>

namespace epsilon {

SweepLauncher::SweepLauncher(QObject* parent) : QObject(parent) {
    // The sweep runs each (ε, seed) as a process of its own; a group of their own lets stop()
    // end them all at once.
    process_.setChildProcessModifier([] { ::setpgid(0, 0); });
    process_.setProcessChannelMode(QProcess::MergedChannels);
    connect(&process_, &QProcess::readyRead, this, [this] {
        const QStringList lines =
            QString::fromUtf8(process_.readAll()).split('\n', Qt::SkipEmptyParts);
        if (!lines.isEmpty()) {
            emit progress(lines.last().trimmed());
        }
    });
    connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (stopping_) {
            emit finished(false, "Sweep stopped; its finished runs are kept");
        } else if (status == QProcess::CrashExit) {
            emit finished(false, "The sweep crashed");
        } else if (code != 0) {
            emit finished(false, QString("The sweep ended with status %1: some runs failed "
                                         "(their logs are in the sweep folder's logs/)")
                                     .arg(code));
        } else {
            emit finished(true, "Sweep finished");
        }
        stopping_ = false;
    });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            emit finished(false, "Cannot start " + program() + ": " + process_.errorString());
        }
    });
}

SweepLauncher::~SweepLauncher() {
    stop();
    process_.waitForFinished(10000);
}

QStringList SweepLauncher::arguments(const RunSettings& s, const QList<double>& epsilons,
                                     const QList<quint64>& seeds, int parallel,
                                     const QString& dir) {
    QStringList values;
    for (double epsilon : epsilons) {
        values << QString::number(epsilon, 'g', 10);
    }
    QStringList seed_values;
    for (quint64 seed : seeds) {
        seed_values << QString::number(seed);
    }
    QStringList args = {"sweep",
                        "--train",
                        "--dir",
                        dir,
                        "--epsilons",
                        values.join(','),
                        "--seeds",
                        seed_values.join(','),
                        "--parallel",
                        QString::number(parallel),
                        "--threads",
                        QString::number(s.threads),
                        "--device",
                        s.device,
                        "--",
                        "--dataset",
                        s.dataset,
                        "--depth",
                        QString::number(s.depth),
                        "--epsilon-warmup",
                        QString::number(s.epsilon_warmup),
                        "--epochs",
                        QString::number(s.epochs),
                        "--batch-size",
                        QString::number(s.batch_size),
                        "--schedule",
                        s.adaptive_schedule ? "adaptive" : "standard"};
    if (!s.data_path.isEmpty()) {
        args << "--data-path" << s.data_path;
    }
    if (s.train_limit > 0) {
        args << "--train-limit" << QString::number(s.train_limit);
    }
    if (s.test_limit > 0) {
        args << "--test-limit" << QString::number(s.test_limit);
    }
    // Always given: the command line's defaults for these are not "off".
    args << "--skip-discarded-after" << QString::number(s.skip_discarded_after)
         << "--epsilon-epochs" << QString::number(s.epsilon_epochs);
    return args;
}

QString SweepLauncher::program() const {
    if (!program_.isEmpty()) {
        return program_;
    }
    return QDir(QCoreApplication::applicationDirPath()).filePath("epsilon-lab-cli");
}

void SweepLauncher::start(const QStringList& arguments) {
    stopping_ = false;
    process_.start(program(), arguments);
}

void SweepLauncher::stop() {
    if (!isRunning()) {
        return;
    }
    stopping_ = true;
    ::kill(-static_cast<pid_t>(process_.processId()), SIGTERM);
}

}  // namespace epsilon
