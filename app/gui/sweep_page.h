// SPDX-License-Identifier: MIT
// The window's ε-sweep tab: a post-hoc sweep of the run shown, or a training sweep run (through
// the command line's sweep) or opened from its folder, plotted by SweepView.
#pragma once

#include <QList>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "app/gui/run_settings.h"
#include "widgets/sweep_view.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace epsilon {

class SweepLauncher;

class SweepPage : public QWidget {
    Q_OBJECT

  public:
    explicit SweepPage(QWidget* parent = nullptr);

    SweepView* view() const { return view_; }
    SweepLauncher* launcher() const { return launcher_; }
    /// The ε values and seeds typed in; empty when the text is not a list of them (problem()
    /// then says why).
    QList<double> epsilons() const;
    QList<quint64> seeds() const;
    QString problem() const;
    void setSweepValues(const QString& epsilons, const QString& seeds, int parallel);
    /// Whether a post-hoc sweep can run: a trained run is held and no run is training.
    void setPosthocAvailable(bool available);
    /// Starts a training sweep of `settings` in `dir` (made if new; an existing sweep there goes
    /// on where it stopped).
    void startTrainingSweep(const RunSettings& settings, const QString& dir);
    bool isSweeping() const;

  public slots:
    void showPosthoc(const std::vector<epsilon::SweepResult>& points);
    void showTrainingSweep(const QString& dir, const std::vector<epsilon::SweepResult>& runs,
                           int planned);
    void showFailure(const QString& message);

  signals:
    /// Asks the worker for a post-hoc sweep of the run held, at `points` ε values.
    void posthocRequested(int points);
    /// Asks the worker to read the finished runs of the sweep in `dir`.
    void sweepReadRequested(const QString& dir);
    /// Asks for a training sweep with the panel's settings, in a folder the user picks.
    void trainingSweepRequested();
    /// A post-hoc sweep's points are shown.
    void posthocShown();
    /// A training sweep ended (`message` says how), after its last runs were read.
    void sweepEnded(bool ok, const QString& message);

  private:
    void checkValues();
    void requestRead();

    SweepView* view_;
    SweepLauncher* launcher_;
    QSpinBox* points_;
    QPushButton* posthoc_;
    QLineEdit* epsilons_;
    QLineEdit* seeds_;
    QSpinBox* parallel_;
    QPushButton* run_;
    QPushButton* stop_;
    QLabel* status_;
    QString dir_;
    QTimer poll_;
    bool posthoc_available_ = false;
    // A read of the sweep folder was asked for and has not been answered: the worker may be
    // busy training, and reads must not pile up behind it.
    bool read_pending_ = false;
};

}  // namespace epsilon
