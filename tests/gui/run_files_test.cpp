// SPDX-License-Identifier: MIT
// Snapshots in the window: a saved run opens with its views and prunings, trains on, is offered
// again in the recent files, and is never lost to a close or a new run without a question.
// Torch first: Qt's `slots` macro breaks torch headers.
#include "core/snapshot.h"
// Qt from here on.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include "app/gui/main_window.h"
#include "app/gui/recent_files.h"
#include "tests/gui/gui_test_support.h"
#include "widgets/block_map.h"
#include "widgets/comparison_table.h"
#include "widgets/response_plot.h"
#include "widgets/training_curves.h"

namespace epsilon {
namespace {

constexpr const char* kFashionMnist = "/usr/share/datasets/fashion-mnist";

class RunFilesTest : public FashionMnistTest {
  protected:
    void SetUp() override {
        FashionMnistTest::SetUp();
        ASSERT_TRUE(dir_.isValid());
    }
    QString path(const QString& name) const { return dir_.filePath(name); }

    // Trains `window` to the end of its run and prunes it by the training rule.
    static void trainAndPrune(MainWindow& window) {
        QSignalSpy ended(&window, &MainWindow::runEnded);
        window.startTraining();
        ASSERT_TRUE(ended.wait(180000));
        ASSERT_EQ(ended.first().at(0).toString(), "Finished");
        QSignalSpy pruned(&window, &MainWindow::pruneDone);
        window.pruneByTrainingRule();
        ASSERT_TRUE(pruned.wait(120000));
    }

    static void save(MainWindow& window, const QString& file) {
        QSignalSpy saved(&window, &MainWindow::saveDone);
        window.saveSnapshotTo(file);
        ASSERT_TRUE(saved.wait(60000));
        ASSERT_TRUE(saved.first().at(0).toBool()) << saved.first().at(1).toString().toStdString();
    }

    static bool open(MainWindow& window, const QString& file, QString* message = nullptr) {
        QSignalSpy opened(&window, &MainWindow::openDone);
        window.openSnapshot(file);
        if (!opened.wait(120000)) {
            return false;
        }
        if (message != nullptr) {
            *message = opened.first().at(1).toString();
        }
        return opened.first().at(0).toBool();
    }

    QTemporaryDir dir_;
};

TEST_F(RunFilesTest, ASavedRunOpensWithItsViewsAndTrainsOnWhenResumed) {
    const QString file = path("run.h5");
    {
        MainWindow window;
        window.setSettings(smallRun(1));
        trainAndPrune(window);
        EXPECT_TRUE(window.hasUnsavedWork());
        save(window, file);
        EXPECT_FALSE(window.hasUnsavedWork());
        EXPECT_EQ(window.currentPath(), file);
        EXPECT_EQ(RecentFiles::list().value(0), file);
    }
    MainWindow window;
    ASSERT_TRUE(open(window, file));
    EXPECT_EQ(window.windowTitle(), "run.h5 — Epsilon Lab");
    EXPECT_EQ(window.settings().depth, 8);
    EXPECT_EQ(window.settings().train_limit, 512);
    EXPECT_EQ(window.trainingCurves()->stepCount(), 4);
    EXPECT_EQ(window.trainingCurves()->epochCount(), 1);
    EXPECT_EQ(window.blockMap()->columnCount(), 4);
    EXPECT_EQ(window.responsePlot()->blockCount(), 3);
    ASSERT_EQ(window.comparison()->rowCount(), 2);
    EXPECT_EQ(window.comparison()->cellText(1, 1), "blocks off in the whole last epoch");
    EXPECT_FALSE(window.hasUnsavedWork());
    // All its epochs are trained: resuming needs more of them.
    EXPECT_FALSE(window.canResume());
    RunSettings more = window.settings();
    more.epochs = 2;
    window.setSettings(more);
    ASSERT_TRUE(window.canResume());

    QSignalSpy ended(&window, &MainWindow::runEnded);
    window.resumeTraining();
    ASSERT_TRUE(ended.wait(180000));
    EXPECT_EQ(ended.first().at(0).toString(), "Finished");
    // The opened history goes on: 4 steps of epoch 1 and 4 of epoch 2.
    EXPECT_EQ(window.trainingCurves()->stepCount(), 8);
    EXPECT_EQ(window.trainingCurves()->epochCount(), 2);
    EXPECT_EQ(window.comparison()->rowCount(), 2);
    EXPECT_TRUE(window.hasUnsavedWork());

    // Closing asks; cancelling keeps the window and its run.
    QStringList asked;
    UnsavedChoice answer = UnsavedChoice::Cancel;
    window.setUnsavedWorkPrompt([&](const QString& action) {
        asked << action;
        return answer;
    });
    window.show();
    EXPECT_FALSE(window.close());
    EXPECT_TRUE(window.isVisible());
    EXPECT_TRUE(window.hasUnsavedWork());
    // Saving from the question writes the run over the file it came from, then closes.
    answer = UnsavedChoice::Save;
    EXPECT_TRUE(window.close());
    EXPECT_EQ(asked, (QStringList{"quit", "quit"}));
    const Snapshot saved = loadSnapshot(file.toStdString());
    EXPECT_EQ(saved.progress.epochs_done, 2);
    EXPECT_EQ(saved.config.train.epochs, 2);
    EXPECT_EQ(saved.prunings.size(), 1u);
}

TEST_F(RunFilesTest, ANewRunAsksBeforeReplacingAnUnsavedOne) {
    MainWindow window;
    window.setSettings(smallRun(1));
    trainAndPrune(window);
    QStringList asked;
    window.setUnsavedWorkPrompt([&](const QString& action) {
        asked << action;
        return UnsavedChoice::Cancel;
    });
    window.startTraining();
    EXPECT_FALSE(window.isTraining());
    EXPECT_EQ(asked, QStringList{"start a new run"});
    EXPECT_EQ(window.trainingCurves()->stepCount(), 4);
    EXPECT_EQ(window.comparison()->rowCount(), 2);
    // Discarding lets the new run replace it.
    window.setUnsavedWorkPrompt([](const QString&) { return UnsavedChoice::Discard; });
    QSignalSpy ended(&window, &MainWindow::runEnded);
    window.startTraining();
    EXPECT_TRUE(window.isTraining());
    EXPECT_EQ(window.comparison()->rowCount(), 0);
    ASSERT_TRUE(ended.wait(180000));
}

TEST_F(RunFilesTest, AFileThatIsNotASnapshotIsRefusedByNameAndNothingIsReplaced) {
    const QString file = path("notes.h5");
    {
        QFile text(file);
        ASSERT_TRUE(text.open(QIODevice::WriteOnly));
        text.write("not an HDF5 file\n");
    }
    MainWindow window;
    window.setSettings(smallRun(1));
    trainAndPrune(window);
    window.setUnsavedWorkPrompt([](const QString&) { return UnsavedChoice::Discard; });
    QString message;
    EXPECT_FALSE(open(window, file, &message));
    EXPECT_TRUE(message.startsWith(file)) << message.toStdString();
    // The run shown before is still there, and can still be saved.
    EXPECT_EQ(window.trainingCurves()->stepCount(), 4);
    EXPECT_EQ(window.currentPath(), QString());
    save(window, path("kept.h5"));
}

TEST_F(RunFilesTest, ARunWhoseDataMovedOpensWithThePanelsFolder) {
    // The run trains on the data through a folder of its own, which is gone when it is opened,
    // as on another machine.
    const QString moved = path("moved-data");
    ASSERT_TRUE(QDir().mkpath(moved));
    for (const QString& name : QDir(kFashionMnist).entryList(QDir::Files)) {
        ASSERT_TRUE(QFile::link(QDir(kFashionMnist).filePath(name), moved + "/" + name));
    }
    const QString file = path("moved.h5");
    {
        MainWindow window;
        RunSettings settings = smallRun(1);
        settings.data_path = moved;
        window.setSettings(settings);
        trainAndPrune(window);
        save(window, file);
    }
    ASSERT_TRUE(QDir(moved).removeRecursively());
    MainWindow window;
    RunSettings elsewhere = smallRun(1);
    elsewhere.dataset = "mnist";
    window.setSettings(elsewhere);
    QString message;
    EXPECT_FALSE(open(window, file, &message));
    EXPECT_TRUE(message.contains(moved)) << message.toStdString();
    EXPECT_TRUE(message.contains("Choose its folder in the panel")) << message.toStdString();
    // With the data set's own folder in the panel, the run opens and keeps that folder.
    window.setSettings(smallRun(1));
    ASSERT_TRUE(open(window, file, &message)) << message.toStdString();
    EXPECT_EQ(window.settings().data_path, QString());
    EXPECT_EQ(window.trainingCurves()->stepCount(), 4);
}

TEST_F(RunFilesTest, RecentFilesKeepTheNewestFirstWithoutRepeats) {
    for (int i = 0; i < RecentFiles::kCapacity + 2; ++i) {
        RecentFiles::add(path(QString("run%1.h5").arg(i)));
    }
    RecentFiles::add(path("run3.h5"));
    const QStringList files = RecentFiles::list();
    ASSERT_EQ(files.size(), RecentFiles::kCapacity);
    EXPECT_EQ(files.front(), path("run3.h5"));
    EXPECT_EQ(files.count(path("run3.h5")), 1);
    EXPECT_EQ(files[1], path(QString("run%1.h5").arg(RecentFiles::kCapacity + 1)));
    EXPECT_FALSE(files.contains(path("run0.h5")));
    RecentFiles::remove(path("run3.h5"));
    EXPECT_FALSE(RecentFiles::list().contains(path("run3.h5")));
}

}  // namespace
}  // namespace epsilon
