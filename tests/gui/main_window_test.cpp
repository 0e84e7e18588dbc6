// SPDX-License-Identifier: MIT
// The real application window, offscreen, training on a small Fashion-MNIST subset.
// Torch first: Qt's `slots` macro breaks torch headers.
#include "core/runtime.h"
#include "core/snapshot.h"
// Qt from here on.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QFileInfo>
#include <QImage>
#include <QMouseEvent>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "app/gui/main_window.h"
#include "tests/gui/gui_test_support.h"
#include "widgets/block_map.h"
#include "widgets/comparison_table.h"
#include "widgets/response_plot.h"
#include "widgets/training_curves.h"

namespace epsilon {
namespace {

using MainWindowTest = FashionMnistTest;

TEST_F(MainWindowTest, TrainsAndShowsEveryBlockAndStepLive) {
    MainWindow window;
    window.setSettings(smallRun(2));
    window.show();
    QSignalSpy ended(&window, &MainWindow::runEnded);
    window.startTraining();
    EXPECT_TRUE(window.isTraining());
    ASSERT_TRUE(ended.wait(180000));
    EXPECT_EQ(ended.first().at(0).toString(), "Finished");
    EXPECT_FALSE(window.isTraining());
    // 512 images in batches of 128: 4 steps per epoch.
    EXPECT_EQ(window.trainingCurves()->stepCount(), 8);
    EXPECT_EQ(window.trainingCurves()->epochCount(), 2);
    EXPECT_EQ(window.blockMap()->columnCount(), 8);
    ASSERT_EQ(window.responsePlot()->blockCount(), 3);
    EXPECT_DOUBLE_EQ(window.responsePlot()->epsilon(), 6.0);
    // Prune by the training rule, then everything at a huge ε, and compare.
    QSignalSpy pruned(&window, &MainWindow::pruneDone);
    window.pruneByTrainingRule();
    ASSERT_TRUE(pruned.wait(120000));
    ASSERT_TRUE(pruned.last().at(0).toBool());
    ComparisonTable* table = window.comparison();
    ASSERT_EQ(table->rowCount(), 2);
    EXPECT_EQ(table->cellText(0, 0), "ε-ResNet-8 (gated)");
    EXPECT_EQ(table->cellText(0, 3), "3");
    EXPECT_EQ(table->cellText(1, 1), "blocks off in the whole last epoch");
    // Screenshots for the README, of every view after one pruning.
    if (const char* shots = std::getenv("EPSILON_LAB_SCREENSHOTS")) {
        auto* views = window.findChild<QTabWidget*>();
        const QStringList names = {"responses", "curves", "block-map", "comparison"};
        for (int tab = 0; tab < views->count() && tab < names.size(); ++tab) {
            views->setCurrentIndex(tab);
            QApplication::processEvents();
            if (tab == 1) {  // the curves, with the read-out of a hovered step
                QCustomPlot* plot = window.trainingCurves()->plot();
                plot->replot();
                const QPointF at(plot->xAxis->coordToPixel(6.0), plot->axisRect()->center().y());
                QMouseEvent move(QEvent::MouseMove, at, plot->mapToGlobal(at), Qt::NoButton,
                                 Qt::NoButton, Qt::NoModifier);
                QApplication::sendEvent(plot, &move);
                QApplication::processEvents();
            }
            window.grab().save(QString(shots) + "/" + names[tab] + ".png");
        }

        window.responsePlot()->setEpsilon(1e6);
        window.pruneAtEpsilon();
        ASSERT_TRUE(pruned.wait(120000));
        ASSERT_EQ(table->rowCount(), 3);  // the original's row is not repeated
        EXPECT_EQ(table->cellText(2, 3), "0");
        EXPECT_EQ(table->cellText(2, 1), "responses at most ε = 1e+06");
        // Saved, the run and both prunings are in the snapshot.
        QSignalSpy saved(&window, &MainWindow::saveDone);
        const QTemporaryDir snapshot_dir;
        const std::string snapshot = snapshot_dir.filePath("gui-run.h5").toStdString();
        window.saveSnapshotTo(QString::fromStdString(snapshot));
        ASSERT_TRUE(saved.wait(60000));
        ASSERT_TRUE(saved.first().at(0).toBool()) << saved.first().at(1).toString().toStdString();
        const Snapshot loaded = loadSnapshot(snapshot);
        EXPECT_EQ(loaded.progress.epochs_done, 2);
        EXPECT_EQ(loaded.prunings.size(), 2u);
        EXPECT_EQ(loaded.prunings[1].report.rule, PruneRule::BelowEpsilon);

        const QString csv = table->toCsv();
        EXPECT_EQ(csv.count('\n'), 4);
        EXPECT_TRUE(csv.startsWith("Network,Blocks chosen by,"));
    }

    // Each view with a plot exports it; the comparison's tab points to its CSV export.
    QTemporaryDir exports;
    ASSERT_TRUE(exports.isValid());
    for (int tab = 0; tab < 3; ++tab) {
        window.showView(tab);
        const QString png = exports.filePath(QString("view%1.png").arg(tab));
        EXPECT_EQ(window.exportCurrentPlot(png), QString()) << tab;
        EXPECT_FALSE(QImage(png).isNull()) << tab;
    }
    const QString pdf = exports.filePath("block-map.pdf");
    EXPECT_EQ(window.exportCurrentPlot(pdf), QString());
    EXPECT_GT(QFileInfo(pdf).size(), 1000);
    window.showView(3);
    EXPECT_TRUE(window.exportCurrentPlot(exports.filePath("table.png")).contains("CSV"));
}

TEST_F(MainWindowTest, TheSameSettingsTrainTheSameRunTwice) {
    MainWindow window;
    window.setUnsavedWorkPrompt([](const QString&) { return UnsavedChoice::Discard; });
    window.setSettings(smallRun(1));
    std::vector<double> last_losses;
    for (int run = 0; run < 2; ++run) {
        QSignalSpy ended(&window, &MainWindow::runEnded);
        window.startTraining();
        ASSERT_TRUE(ended.wait(180000));
        ASSERT_TRUE(window.latestStep().has_value());
        last_losses.push_back(window.latestStep()->loss);
    }
    EXPECT_EQ(last_losses[0], last_losses[1]);
}

TEST_F(MainWindowTest, SettingsAreRememberedBetweenLaunches) {
    {
        MainWindow first;
        RunSettings chosen = smallRun(7);
        chosen.epsilon = 4.25;
        chosen.seed = 42;
        first.setSettings(chosen);
        first.close();
    }
    MainWindow second;
    EXPECT_EQ(second.settings().depth, 8);
    EXPECT_EQ(second.settings().epochs, 7);
    EXPECT_DOUBLE_EQ(second.settings().epsilon, 4.25);
    EXPECT_EQ(second.settings().seed, 42u);
    EXPECT_EQ(second.settings().train_limit, 512);
}

TEST_F(MainWindowTest, DraggingEpsilonInThePlotUpdatesTheSetting) {
    MainWindow window;
    window.show();
    window.responsePlot()->setEpsilon(3.5);
    emit window.responsePlot()->epsilonDragged(3.5);
    EXPECT_DOUBLE_EQ(window.settings().epsilon, 3.5);
}

TEST_F(MainWindowTest, PausingHoldsTrainingUntilResumed) {
    MainWindow window;
    window.setSettings(smallRun(2));
    window.show();
    QSignalSpy ended(&window, &MainWindow::runEnded);
    window.startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepCount() >= 1, 60000);
    window.refreshViews();
    const int at_pause = window.trainingCurves()->stepCount();
    window.togglePause();
    ASSERT_TRUE(window.isPaused());
    // A step already sent and the batch in flight when pause was pressed may still land, but
    // nothing after them.
    QTest::qWait(2000);
    window.refreshViews();
    const int held = window.trainingCurves()->stepCount();
    EXPECT_LE(held, at_pause + 2);
    QTest::qWait(2000);  // unpaused, the remaining steps would take well under this
    window.refreshViews();
    EXPECT_EQ(window.trainingCurves()->stepCount(), held);
    EXPECT_LT(held, 8);
    window.togglePause();
    ASSERT_TRUE(ended.wait(120000));
    EXPECT_EQ(ended.first().at(0).toString(), "Finished");
    EXPECT_EQ(window.trainingCurves()->stepCount(), 8);
}

TEST_F(MainWindowTest, ClosingThePausedWindowStopsTheWorkerCleanly) {
    auto* window = new MainWindow;
    window->setSettings(smallRun(50));
    window->show();
    window->startTraining();
    QTRY_VERIFY_WITH_TIMEOUT(window->trainingCurves()->stepCount() >= 1, 60000);
    window->togglePause();
    QStringList asked;
    window->setUnsavedWorkPrompt([&asked](const QString& action) {
        asked << action;
        return UnsavedChoice::Discard;
    });
    EXPECT_TRUE(window->close());
    EXPECT_EQ(asked, QStringList{"quit"});
    delete window;  // a worker left waiting in its pause would hang here
    SUCCEED();
}

TEST_F(MainWindowTest, ClosingTheWindowMidTrainingStopsTheWorkerCleanly) {
    auto* window = new MainWindow;
    window->setSettings(smallRun(50));
    window->show();
    QSignalSpy ended(window, &MainWindow::runEnded);
    window->startTraining();
    // Let it train a little, then close as a user would.
    QTest::qWait(3000);
    EXPECT_TRUE(window->isTraining());
    window->setUnsavedWorkPrompt([](const QString&) { return UnsavedChoice::Discard; });
    EXPECT_TRUE(window->close());
    delete window;  // joins the worker thread; a hang or crash here fails the test
    SUCCEED();
}

}  // namespace
}  // namespace epsilon

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    epsilon::configureThreads(2);
    QApplication app(argc, argv);
    // Settings of the tests live apart from a user's, in a fresh place each run.
    QApplication::setOrganizationName("Epsilon Lab tests");
    QApplication::setApplicationName("epsilon_gui_tests");
    const QTemporaryDir settings_dir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings_dir.path());
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
