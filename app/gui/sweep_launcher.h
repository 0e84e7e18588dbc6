// SPDX-License-Identifier: MIT
// Runs a training sweep from the window by starting the command line's own sweep,
// `epsilon-lab-cli sweep --train`, in a child process: the same runner, plan, snapshots and
// resumption as on a server, and the window stays free.
#pragma once

#include <QList>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include "app/gui/run_settings.h"

namespace epsilon {

class SweepLauncher : public QObject {
    Q_OBJECT

  public:
    explicit SweepLauncher(QObject* parent = nullptr);
    ~SweepLauncher() override;

    /// The command line's arguments for a sweep in `dir` of one run of `settings` per ε and
    /// seed, `parallel` runs at a time, the settings' threads divided between them.
    static QStringList arguments(const RunSettings& settings, const QList<double>& epsilons,
                                 const QList<quint64>& seeds, int parallel, const QString& dir);
    /// epsilon-lab-cli, from the folder of the running program, unless setProgram() said
    /// otherwise (tests, whose program lives elsewhere).
    QString program() const;
    void setProgram(const QString& path) { program_ = path; }

    /// Starts the sweep; finished() follows. A sweep already in `dir` goes on where it stopped.
    void start(const QStringList& arguments);
    /// Stops the sweep and the runs it started; the finished runs' snapshots stay.
    void stop();
    bool isRunning() const { return process_.state() != QProcess::NotRunning; }

  signals:
    /// The last line the sweep wrote, e.g. which run it started.
    void progress(const QString& line);
    /// `ok`: every run finished. `message` says how it ended.
    void finished(bool ok, const QString& message);

  private:
    QProcess process_;
    QString program_;
    bool stopping_ = false;
};

}  // namespace epsilon
