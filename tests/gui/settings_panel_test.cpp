// SPDX-License-Identifier: MIT
// The settings panel: every setting reaches the run, bad ones are shown where they are made, and
// all are remembered between launches.
// Torch first: Qt's `slots` macro breaks torch headers.
#include "core/presets.h"
// Qt from here on.
#include <gtest/gtest.h>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>

#include "app/gui/main_window.h"
#include "app/gui/settings_panel.h"
#include "tests/gui/gui_test_support.h"

namespace epsilon {
namespace {

QString dataNote(const SettingsPanel& panel) {
    return panel.findChild<QLabel*>("dataProblem")->text();
}

RunSettings everySettingChanged() {
    RunSettings s;
    s.dataset = "mnist";
    s.data_path = "/somewhere/mnist";
    s.depth = 32;
    s.epsilon = 7.5;
    s.epsilon_warmup = 2;
    s.epsilon_epochs = 3;
    s.epochs = 9;
    s.batch_size = 64;
    s.adaptive_schedule = true;
    s.seed = 17;
    s.threads = 3;
    s.device = "cpu";
    s.train_limit = 2000;
    s.skip_discarded_after = 25;
    return s;
}

void expectSameSettings(const RunSettings& a, const RunSettings& b) {
    EXPECT_EQ(a.dataset, b.dataset);
    EXPECT_EQ(a.data_path, b.data_path);
    EXPECT_EQ(a.depth, b.depth);
    EXPECT_DOUBLE_EQ(a.epsilon, b.epsilon);
    EXPECT_EQ(a.epsilon_warmup, b.epsilon_warmup);
    EXPECT_EQ(a.epsilon_epochs, b.epsilon_epochs);
    EXPECT_EQ(a.epochs, b.epochs);
    EXPECT_EQ(a.batch_size, b.batch_size);
    EXPECT_EQ(a.adaptive_schedule, b.adaptive_schedule);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.threads, b.threads);
    EXPECT_EQ(a.device, b.device);
    EXPECT_EQ(a.train_limit, b.train_limit);
    EXPECT_EQ(a.skip_discarded_after, b.skip_discarded_after);
}

// RunSettings cannot include the torch-based core/presets.h, so it repeats those values.
TEST(SettingsPanelTest, ItsDefaultsAreTheCommandLinesDefaultExperiment) {
    const RunSettings panel;
    const TrainConfig cli = defaultExperiment();
    EXPECT_EQ(panel.depth, cli.model.depth());
    EXPECT_DOUBLE_EQ(panel.epsilon, cli.model.epsilon);
    EXPECT_EQ(panel.epsilon_warmup, cli.epsilon_warmup_epochs);
    EXPECT_EQ(panel.epsilon_epochs, cli.epsilon_epochs);
    EXPECT_EQ(panel.epochs, cli.epochs);
    EXPECT_EQ(panel.batch_size, cli.batch_size);
    EXPECT_EQ(panel.adaptive_schedule, cli.schedule.adaptive);
    EXPECT_EQ(panel.seed, cli.seed);
    EXPECT_EQ(panel.skip_discarded_after, cli.skip_discarded_after);
}

TEST(SettingsPanelTest, EverySettingRoundTripsThroughThePanelAndQSettings) {
    const RunSettings chosen = everySettingChanged();
    {
        SettingsPanel panel(false);
        panel.setSettings(chosen);
        expectSameSettings(panel.settings(), chosen);
        panel.save();
    }
    SettingsPanel next_launch(false);
    EXPECT_EQ(next_launch.settings().depth, RunSettings().depth);
    next_launch.restore();
    expectSameSettings(next_launch.settings(), chosen);
}

TEST(SettingsPanelTest, CudaCannotBeChosenWithoutIt) {
    SettingsPanel panel(false);
    RunSettings s;
    s.device = "cuda";
    panel.setSettings(s);
    EXPECT_EQ(panel.settings().device, "auto");
    SettingsPanel with_cuda(true);
    with_cuda.setSettings(s);
    EXPECT_EQ(with_cuda.settings().device, "cuda");
}

TEST(SettingsPanelTest, ACifarDataSetWithoutAFolderIsAProblemShownUnderTheFolder) {
    SettingsPanel panel(false);
    RunSettings s;
    s.dataset = "cifar10";
    panel.setSettings(s);
    EXPECT_TRUE(panel.problem().contains("cifar10 data set needs a path"))
        << panel.problem().toStdString();
    EXPECT_EQ(dataNote(panel), panel.problem());
    EXPECT_TRUE(panel.findChild<QLineEdit*>()->placeholderText().contains("required"));
}

TEST(SettingsPanelTest, AFolderWithoutTheFilesIsNamedWithWhatItLacks) {
    QTemporaryDir empty;
    ASSERT_TRUE(empty.isValid());
    SettingsPanel panel(false);
    RunSettings s;
    s.dataset = "mnist";
    panel.setSettings(s);
    // Typing the folder in updates the note at once.
    panel.findChild<QLineEdit*>()->setText(empty.path());
    EXPECT_TRUE(panel.problem().startsWith(empty.path())) << panel.problem().toStdString();
    EXPECT_TRUE(panel.problem().contains("train-images-idx3-ubyte"));
    EXPECT_EQ(dataNote(panel), panel.problem());
}

TEST(SettingsPanelTest, ABatchLargerThanTheTrainingImagesIsAProblem) {
    SettingsPanel panel(false);
    RunSettings s;
    s.train_limit = 100;
    s.batch_size = 128;
    panel.setSettings(s);
    if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
        GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    }
    EXPECT_TRUE(panel.problem().contains("batch size (128) is larger than the training images"))
        << panel.problem().toStdString();
    s.batch_size = 100;
    panel.setSettings(s);
    EXPECT_EQ(panel.problem(), QString());
}

TEST(SettingsPanelTest, AWarmUpCoveringEveryEpochIsAWarningNotAProblem) {
    SettingsPanel panel(false);
    RunSettings s;
    s.epochs = 3;
    s.epsilon_warmup = 3;
    panel.setSettings(s);
    EXPECT_TRUE(panel.warning().contains("ε never applies")) << panel.warning().toStdString();
    s.epsilon_warmup = 2;
    panel.setSettings(s);
    EXPECT_EQ(panel.warning(), QString());
}

TEST(SettingsPanelTest, EndingEpsilonEarlyWithoutSkippingIsAProblem) {
    SettingsPanel panel(false);
    RunSettings s;
    s.epsilon_epochs = 1;
    s.skip_discarded_after = 0;
    panel.setSettings(s);
    // Shown under the settings whether or not the data folder has a problem too.
    const auto* note = panel.findChild<QLabel*>("settingsWarning");
    EXPECT_TRUE(note->text().contains("needs skipping")) << note->text().toStdString();
    EXPECT_FALSE(panel.problem().isEmpty());
    s.skip_discarded_after = 1;
    panel.setSettings(s);
    EXPECT_FALSE(note->text().contains("needs skipping")) << note->text().toStdString();
}

using SettingsInWindowTest = FashionMnistTest;

TEST_F(SettingsInWindowTest, StartIsOnlyPossibleWithUsableSettings) {
    MainWindow window;
    window.setSettings(smallRun(1));
    auto* start = window.findChild<QPushButton*>("start");
    ASSERT_EQ(start->text(), "Start");
    EXPECT_TRUE(start->isEnabled());
    EXPECT_EQ(window.settingsPanel()->findChild<QLabel*>("dataProblem")->text().left(13),
              "Found 4 files");
    RunSettings cifar = smallRun(1);
    cifar.dataset = "cifar100";
    window.setSettings(cifar);
    EXPECT_FALSE(start->isEnabled());
    EXPECT_TRUE(start->toolTip().contains("needs a path"));
    window.startTraining();  // refused: nothing starts
    EXPECT_FALSE(window.isTraining());
}

}  // namespace
}  // namespace epsilon
