// SPDX-License-Identifier: MIT
// The main window's File menu: snapshots opened, saved and resumed, recent files, plot export,
// and the question asked before unsaved work is lost.
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QTabWidget>

#include "app/gui/main_window.h"
#include "app/gui/recent_files.h"
#include "app/gui/settings_panel.h"
#include "app/gui/training_worker.h"
#include "widgets/block_map.h"
#include "widgets/comparison_table.h"
#include "widgets/response_plot.h"
#include "widgets/training_curves.h"

namespace epsilon {
namespace {

constexpr const char* kSnapshotFilter = "Epsilon Lab snapshot (*.h5)";

}  // namespace

void MainWindow::createFileMenu() {
    QMenu* file_menu = menuBar()->addMenu("&File");
    open_action_ = file_menu->addAction("&Open snapshot...", this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, "Open snapshot", current_path_, kSnapshotFilter);
        if (!path.isEmpty()) {
            openSnapshot(path);
        }
    });
    open_action_->setShortcut(QKeySequence::Open);
    recent_menu_ = file_menu->addMenu("Open &recent");
    connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    resume_action_ = file_menu->addAction("&Resume training", this, &MainWindow::resumeTraining);
    resume_action_->setShortcut(QKeySequence("Ctrl+R"));
    file_menu->addSeparator();
    save_action_ = file_menu->addAction("&Save snapshot", this, [this] {
        if (current_path_.isEmpty()) {
            save_as_action_->trigger();
        } else {
            saveSnapshotTo(current_path_);
        }
    });
    save_action_->setShortcut(QKeySequence::Save);
    save_as_action_ = file_menu->addAction("Save snapshot &as...", this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, "Save snapshot", current_path_.isEmpty() ? "run.h5" : current_path_,
            kSnapshotFilter);
        if (!path.isEmpty()) {
            saveSnapshotTo(path);
        }
    });
    save_as_action_->setShortcut(QKeySequence::SaveAs);
    setPruningEnabled(false);
    QAction* export_plot = file_menu->addAction("&Export plot...", this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, "Export plot", views_->tabText(views_->currentIndex()) + ".png",
            "PNG image (*.png);;PDF document (*.pdf)");
        if (path.isEmpty()) {
            return;
        }
        const QString problem = exportCurrentPlot(path);
        if (!problem.isEmpty()) {
            QMessageBox::warning(this, "Export plot", problem);
        }
    });
    export_plot->setShortcut(QKeySequence("Ctrl+E"));
    // The comparison is a table, exported as CSV from its own tab.
    connect(views_, &QTabWidget::currentChanged, export_plot,
            [this, export_plot] { export_plot->setEnabled(currentPlot() != nullptr); });
    file_menu->addSeparator();
    file_menu->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
}

void MainWindow::fillRecentMenu() {
    recent_menu_->clear();
    const QStringList files = RecentFiles::list();
    if (files.isEmpty()) {
        recent_menu_->addAction("(none yet)")->setEnabled(false);
        return;
    }
    for (const QString& path : files) {
        recent_menu_->addAction(QFileInfo(path).fileName() + "  —  " + path, this, [this, path] {
            if (!QFileInfo::exists(path)) {
                RecentFiles::remove(path);
                QMessageBox::warning(this, "Open snapshot",
                                     path + " no longer exists; it was taken off the list.");
                return;
            }
            openSnapshot(path);
        });
    }
}

void MainWindow::openSnapshot(const QString& path) {
    if (training_ || !confirmLosingWork("open another run")) {
        emit openDone(false, training_ ? "stop training before opening a snapshot" : "cancelled");
        return;
    }
    open_action_->setEnabled(false);
    setPruningEnabled(false);
    status_->setText("Opening " + path + " and loading its data...");
    QMetaObject::invokeMethod(worker_, "open", Qt::QueuedConnection, Q_ARG(QString, path),
                              Q_ARG(epsilon::RunSettings, settings()));
}

void MainWindow::onOpened(const OpenedRun& run) {
    clearViews();
    panel_->setSettings(run.settings);
    responses_->setBlocksPerStage(run.blocks_per_stage);
    pending_steps_ = run.steps;
    if (!run.steps.empty()) {
        latest_step_ = run.steps.back();
    }
    for (const EpochRecord& record : run.epochs) {
        onEpoch(record);
    }
    for (const auto& [original, pruned] : run.prunings) {
        comparison_->addRow(original);
        comparison_->addRow(pruned);
    }
    refreshViews();
    unsaved_ = false;
    resumable_ = true;
    setCurrentPath(run.path);
    RecentFiles::add(run.path);
    setPruningEnabled(epochsDone() > 0);
    updateControls();
    status_->setText(QString("Opened %1: %2 of %3 epochs, %4 training images, %5 prunings")
                         .arg(run.path)
                         .arg(run.epochs_done)
                         .arg(run.settings.epochs)
                         .arg(run.train_images)
                         .arg(run.prunings.size()));
    emit openDone(true, run.path);
}

void MainWindow::saveSnapshotTo(const QString& path) {
    status_->setText("Saving " + path + "...");
    QMetaObject::invokeMethod(worker_, "save", Qt::QueuedConnection, Q_ARG(QString, path));
}

void MainWindow::onSaved(const QString& path, int epochs) {
    // Steps that arrive after a save (a run still going on) make the work unsaved again.
    unsaved_ = training_;
    setCurrentPath(path);
    RecentFiles::add(path);
    status_->setText(QString("Saved %1 epochs to %2").arg(epochs).arg(path));
    emit saveDone(true, path);
}

void MainWindow::setCurrentPath(const QString& path) {
    current_path_ = path;
    setWindowTitle(path.isEmpty() ? "Epsilon Lab" : QFileInfo(path).fileName() + " — Epsilon Lab");
}

bool MainWindow::confirmLosingWork(const QString& action) {
    if (!unsaved_) {
        return true;
    }
    UnsavedChoice choice = UnsavedChoice::Cancel;
    if (unsaved_prompt_) {
        choice = unsaved_prompt_(action);
    } else {
        const QString what = training_ ? "The run is still training and has not been saved."
                                       : "The run has not been saved.";
        const auto answer = QMessageBox::question(
            this, "Unsaved run", what + " Save it before you " + action + "?",
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        choice = answer == QMessageBox::Save      ? UnsavedChoice::Save
                 : answer == QMessageBox::Discard ? UnsavedChoice::Discard
                                                  : UnsavedChoice::Cancel;
    }
    if (choice != UnsavedChoice::Save) {
        return choice == UnsavedChoice::Discard;
    }
    QString path = current_path_;
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, "Save snapshot", "run.h5", kSnapshotFilter);
        if (path.isEmpty()) {
            return false;
        }
    }
    // The worker saves once the run has stopped after its current batch; the window waits for
    // it, as it must know whether the run is safe before going on.
    worker_->requestStop();
    QString problem;
    QMetaObject::invokeMethod(worker_, "saveNow", Qt::BlockingQueuedConnection,
                              Q_RETURN_ARG(QString, problem), Q_ARG(QString, path));
    if (!problem.isEmpty()) {
        status_->setText("Not saved: " + problem);
        QMessageBox::warning(this, "Save snapshot", problem);
        return false;
    }
    unsaved_ = false;
    setCurrentPath(path);
    RecentFiles::add(path);
    status_->setText("Saved to " + path);
    return true;
}

}  // namespace epsilon
