// SPDX-License-Identifier: MIT
// The window's ε-sweep tab: a post-hoc sweep of the trained run, and a training sweep run
// through the real command line, whose runs open when clicked.
#include <gtest/gtest.h>

#include <QApplication>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "app/gui/main_window.h"
#include "app/gui/settings_panel.h"
#include "app/gui/sweep_launcher.h"
#include "app/gui/sweep_page.h"
#include "tests/gui/gui_test_support.h"
#include "widgets/sweep_view.h"

namespace epsilon {
namespace {

TEST(SweepLauncherTest, PassesThePanelsSettingsToEveryRun) {
    RunSettings s = smallRun(3);
    s.batch_size = 64;
    s.adaptive_schedule = true;
    const QStringList args = SweepLauncher::arguments(s, {0.0, 7.5}, {1, 2}, 2, "/tmp/sweep");
    const QStringList expected = {"sweep",
                                  "--train",
                                  "--dir",
                                  "/tmp/sweep",
                                  "--epsilons",
                                  "0,7.5",
                                  "--seeds",
                                  "1,2",
                                  "--parallel",
                                  "2",
                                  "--threads",
                                  "0",
                                  "--device",
                                  "auto",
                                  "--",
                                  "--dataset",
                                  "fashion-mnist",
                                  "--depth",
                                  "8",
                                  "--epsilon-warmup",
                                  "0",
                                  "--epochs",
                                  "3",
                                  "--batch-size",
                                  "64",
                                  "--schedule",
                                  "adaptive",
                                  "--train-limit",
                                  "512",
                                  "--skip-discarded-after",
                                  "0",
                                  "--epsilon-epochs",
                                  "0"};
    EXPECT_EQ(args, expected);
    s.data_path = "/data/fm";
    s.test_limit = 256;
    s.skip_discarded_after = 10;
    s.epsilon_epochs = 2;
    const QStringList more = SweepLauncher::arguments(s, {1.0}, {1}, 1, "d");
    EXPECT_EQ(more.mid(more.size() - 10),
              (QStringList{"--data-path", "/data/fm", "--train-limit", "512", "--test-limit", "256",
                           "--skip-discarded-after", "10", "--epsilon-epochs", "2"}));
}

TEST(SweepPageTest, ValuesThatAreNotNumbersAreAProblemAndStopTheRun) {
    SweepPage page;
    page.setSweepValues("0, 4 6;8", "1 2", 2);
    EXPECT_EQ(page.epsilons(), (QList<double>{0.0, 4.0, 6.0, 8.0}));
    EXPECT_EQ(page.seeds(), (QList<quint64>{1, 2}));
    EXPECT_EQ(page.problem(), QString());
    page.setSweepValues("0, four", "1", 1);
    EXPECT_TRUE(page.epsilons().isEmpty());
    EXPECT_TRUE(page.problem().startsWith("ε values")) << page.problem().toStdString();
    page.setSweepValues("1, -2", "1", 1);
    EXPECT_FALSE(page.problem().isEmpty());
    page.setSweepValues("1", "x", 1);
    EXPECT_TRUE(page.problem().startsWith("seeds"));
    QPushButton* run = nullptr;
    for (QPushButton* button : page.findChildren<QPushButton*>()) {
        if (button->text().startsWith("Run training sweep")) {
            run = button;
        }
    }
    ASSERT_NE(run, nullptr);
    EXPECT_FALSE(run->isEnabled());
}

using SweepInWindowTest = FashionMnistTest;

TEST_F(SweepInWindowTest, APosthocSweepOfTheTrainedRunFollowsTheEpsilonLine) {
    MainWindow window;
    window.setSettings(smallRun(1));
    QSignalSpy ended(&window, &MainWindow::runEnded);
    window.startTraining();
    ASSERT_TRUE(ended.wait(180000));
    SweepPage* page = window.sweepPage();
    QSignalSpy swept(page, &SweepPage::posthocShown);
    emit page->posthocRequested(6);
    ASSERT_TRUE(swept.wait(120000));
    const std::vector<SweepResult>& points = page->view()->posthocPoints();
    ASSERT_GE(points.size(), 4u);
    // The grid starts below every response (nothing removed) and ends above all of them.
    EXPECT_EQ(points.front().blocks_removed, 0);
    EXPECT_EQ(points.back().blocks_removed, 3);
    for (size_t i = 1; i < points.size(); ++i) {
        EXPECT_GT(points[i].epsilon, points[i - 1].epsilon);
        EXPECT_GE(points[i].blocks_removed, points[i - 1].blocks_removed);
    }
    // The panel keeps ε to 3 decimals: set it just past the last point, then between the first
    // two.
    RunSettings s = window.settings();
    s.epsilon = std::ceil(points.back().epsilon * 1000.0) / 1000.0 + 0.001;
    window.setSettings(s);
    EXPECT_DOUBLE_EQ(page->view()->epsilonMarker(), window.settings().epsilon);
    EXPECT_EQ(page->view()->markedPosthocPoint(), static_cast<int>(points.size()) - 1);
    s.epsilon = std::ceil(points[0].epsilon * 1000.0) / 1000.0;
    ASSERT_LT(s.epsilon, points[1].epsilon);
    window.setSettings(s);
    EXPECT_EQ(page->view()->markedPosthocPoint(), 0);
}

TEST_F(SweepInWindowTest, ATrainingSweepRunsThroughTheCommandLineAndItsRunsOpen) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    MainWindow window;
    window.setSettings(smallRun(1));
    SweepPage* page = window.sweepPage();
    page->launcher()->setProgram(EPSILON_LAB_CLI);
    page->setSweepValues("0, 1000", "1", 2);
    QSignalSpy ended(page, &SweepPage::sweepEnded);
    page->startTrainingSweep(window.settings(), dir.path());
    EXPECT_TRUE(page->isSweeping());
    ASSERT_TRUE(ended.wait(300000));
    ASSERT_TRUE(ended.first().at(0).toBool()) << ended.first().at(1).toString().toStdString();
    // The last read of the folder follows the end of the sweep.
    QTRY_COMPARE_WITH_TIMEOUT(page->view()->trainingRuns().size(), size_t{2}, 60000);
    const std::vector<SweepResult>& runs = page->view()->trainingRuns();
    EXPECT_DOUBLE_EQ(runs[0].epsilon, 0.0);
    EXPECT_EQ(runs[0].blocks_removed, 0);
    EXPECT_DOUBLE_EQ(runs[1].epsilon, 1000.0);
    EXPECT_EQ(runs[1].blocks_removed, 3);
    EXPECT_LT(runs[1].parameters, runs[0].parameters);
    EXPECT_TRUE(runs[1].run_path.endsWith("runs/eps-1000_seed-1.h5"))
        << runs[1].run_path.toStdString();
    // Clicking a run's point opens it.
    QSignalSpy opened(&window, &MainWindow::openDone);
    emit page->view()->runClicked(runs[0].run_path);
    ASSERT_TRUE(opened.wait(120000));
    EXPECT_TRUE(opened.first().at(0).toBool()) << opened.first().at(1).toString().toStdString();
    EXPECT_DOUBLE_EQ(window.settings().epsilon, 0.0);
    EXPECT_EQ(window.currentPath(), runs[0].run_path);
    // The opened run can be swept post hoc beside the training sweep.
    QSignalSpy swept(page, &SweepPage::posthocShown);
    emit page->posthocRequested(12);
    ASSERT_TRUE(swept.wait(120000));
    EXPECT_EQ(page->view()->trainingRuns().size(), 2u);
    EXPECT_GE(page->view()->posthocPoints().size(), 4u);
    // Its three charts export as one plot, like every other view's.
    window.showView(4);
    const QString exported = dir.filePath("sweep.pdf");
    EXPECT_EQ(window.exportCurrentPlot(exported), QString());
    EXPECT_GT(QFileInfo(exported).size(), 1000);
    if (const char* shots = std::getenv("EPSILON_LAB_SCREENSHOTS")) {
        RunSettings s = window.settings();
        s.epsilon = page->view()->posthocPoints()[page->view()->posthocPoints().size() / 2].epsilon;
        window.setSettings(s);
        window.show();
        QApplication::processEvents();
        window.grab().save(QString(shots) + "/sweep.png");
    }
}

}  // namespace
}  // namespace epsilon
