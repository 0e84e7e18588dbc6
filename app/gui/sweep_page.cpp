// SPDX-License-Identifier: MIT
// The ε-sweep tab.
#include "app/gui/sweep_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

#include "app/gui/sweep_launcher.h"

namespace epsilon {
namespace {

// While a training sweep runs, its folder is read this often for newly finished runs.
constexpr int kPollMilliseconds = 5000;

QStringList listItems(const QString& text) {
    return text.split(QRegularExpression("[,;\\s]+"), Qt::SkipEmptyParts);
}

}  // namespace

SweepPage::SweepPage(QWidget* parent)
    : QWidget(parent), view_(new SweepView), launcher_(new SweepLauncher(this)) {
    points_ = new QSpinBox;
    points_->setRange(2, 200);
    points_->setValue(20);
    points_->setSuffix(" ε values");
    posthoc_ = new QPushButton("Post-hoc sweep of this run");
    posthoc_->setToolTip(
        "Without retraining: for each ε, remove the blocks whose largest response on 10,000 "
        "training images is at most ε, and measure the network left on the test set");
    auto* posthoc_row = new QHBoxLayout;
    posthoc_row->addWidget(posthoc_);
    posthoc_row->addWidget(points_);
    posthoc_row->addStretch();

    epsilons_ = new QLineEdit("0, 4, 6, 8");
    epsilons_->setToolTip("ε of each run, separated by commas or spaces");
    seeds_ = new QLineEdit("1, 2");
    seeds_->setToolTip("Seeds, each trained at every ε");
    parallel_ = new QSpinBox;
    parallel_->setRange(1, 64);
    parallel_->setValue(2);
    parallel_->setToolTip("Runs trained at the same time; the threads are divided between them");
    run_ = new QPushButton("Run training sweep...");
    run_->setToolTip(
        "Train one run per ε and seed with the panel's other settings, each saved "
        "as a snapshot in a folder you choose; a folder with a sweep in it goes on "
        "where it stopped");
    stop_ = new QPushButton("Stop sweep");
    stop_->setEnabled(false);
    auto* open = new QPushButton("Open sweep folder...");
    auto* train_row = new QHBoxLayout;
    train_row->addWidget(new QLabel("ε values"));
    train_row->addWidget(epsilons_, 2);
    train_row->addWidget(new QLabel("seeds"));
    train_row->addWidget(seeds_, 1);
    train_row->addWidget(new QLabel("at once"));
    train_row->addWidget(parallel_);
    train_row->addWidget(run_);
    train_row->addWidget(stop_);
    train_row->addWidget(open);
    status_ = new QLabel("Click a training run's point to open it.");
    status_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(posthoc_row);
    layout->addLayout(train_row);
    layout->addWidget(status_);
    layout->addWidget(view_, 1);

    connect(posthoc_, &QPushButton::clicked, this, [this] {
        posthoc_->setEnabled(false);
        status_->setText("Calibrating responses and measuring each pruned network...");
        emit posthocRequested(points_->value());
    });
    connect(run_, &QPushButton::clicked, this, &SweepPage::trainingSweepRequested);
    connect(stop_, &QPushButton::clicked, launcher_, &SweepLauncher::stop);
    connect(open, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, "Open sweep folder", dir_);
        if (!dir.isEmpty()) {
            dir_ = dir;
            emit sweepReadRequested(dir);
        }
    });
    connect(epsilons_, &QLineEdit::textChanged, this, &SweepPage::checkValues);
    connect(seeds_, &QLineEdit::textChanged, this, &SweepPage::checkValues);
    connect(launcher_, &SweepLauncher::progress, status_, &QLabel::setText);
    connect(launcher_, &SweepLauncher::finished, this, [this](bool ok, const QString& message) {
        poll_.stop();
        run_->setEnabled(problem().isEmpty());
        stop_->setEnabled(false);
        status_->setText(message);
        read_pending_ = false;  // the last read must see every run
        requestRead();
        emit sweepEnded(ok, message);
    });
    poll_.setInterval(kPollMilliseconds);
    connect(&poll_, &QTimer::timeout, this, &SweepPage::requestRead);
    setPosthocAvailable(false);
}

QList<double> SweepPage::epsilons() const {
    QList<double> values;
    for (const QString& item : listItems(epsilons_->text())) {
        bool ok = false;
        const double value = item.toDouble(&ok);
        if (!ok || value < 0.0) {
            return {};
        }
        values << value;
    }
    return values;
}

QList<quint64> SweepPage::seeds() const {
    QList<quint64> values;
    for (const QString& item : listItems(seeds_->text())) {
        bool ok = false;
        const quint64 value = item.toULongLong(&ok);
        if (!ok) {
            return {};
        }
        values << value;
    }
    return values;
}

QString SweepPage::problem() const {
    if (epsilons().isEmpty()) {
        return "ε values: give one or more numbers of at least 0, e.g. 0, 4, 6, 8";
    }
    if (seeds().isEmpty()) {
        return "seeds: give one or more whole numbers, e.g. 1, 2";
    }
    return QString();
}

void SweepPage::setSweepValues(const QString& epsilons, const QString& seeds, int parallel) {
    epsilons_->setText(epsilons);
    seeds_->setText(seeds);
    parallel_->setValue(parallel);
}

void SweepPage::requestRead() {
    if (!read_pending_ && !dir_.isEmpty()) {
        read_pending_ = true;
        emit sweepReadRequested(dir_);
    }
}

void SweepPage::checkValues() {
    const QString why = problem();
    run_->setEnabled(why.isEmpty() && !isSweeping());
    status_->setText(why.isEmpty() ? "Click a training run's point to open it." : why);
    status_->setStyleSheet(why.isEmpty() ? QString() : "color: #c00000;");
}

void SweepPage::setPosthocAvailable(bool available) {
    posthoc_available_ = available;
    posthoc_->setEnabled(available);
}

bool SweepPage::isSweeping() const {
    return launcher_->isRunning();
}

void SweepPage::startTrainingSweep(const RunSettings& settings, const QString& dir) {
    if (!problem().isEmpty() || isSweeping()) {
        return;
    }
    dir_ = dir;
    launcher_->start(
        SweepLauncher::arguments(settings, epsilons(), seeds(), parallel_->value(), dir));
    run_->setEnabled(false);
    stop_->setEnabled(true);
    status_->setText("Starting the sweep in " + dir + "...");
    poll_.start();
}

void SweepPage::showPosthoc(const std::vector<SweepResult>& points) {
    setPosthocAvailable(posthoc_available_);
    view_->setPosthocSweep(points, "post hoc");
    status_->setText(QString("Post-hoc sweep: %1 ε values. Drag the ε line of the responses "
                             "view to move the marker.")
                         .arg(points.size()));
    emit posthocShown();
}

void SweepPage::showTrainingSweep(const QString& dir, const std::vector<SweepResult>& runs,
                                  int planned) {
    read_pending_ = false;
    dir_ = dir;
    view_->setTrainingSweep(runs, QDir(dir).dirName());
    if (!isSweeping()) {
        status_->setText(QString("%1: %2 of %3 runs finished. Click a run's point to open it.")
                             .arg(dir)
                             .arg(runs.size())
                             .arg(planned));
    }
}

void SweepPage::showFailure(const QString& message) {
    read_pending_ = false;
    setPosthocAvailable(posthoc_available_);
    status_->setText("Sweep: " + message);
}

}  // namespace epsilon
