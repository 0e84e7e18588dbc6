// SPDX-License-Identifier: MIT
// Standard and adaptive learning-rate schedules, and their scaling to short runs.
#include <gtest/gtest.h>

#include "core/lr_schedule.h"
#include "core/presets.h"
#include "core/train_config.h"

namespace epsilon {
namespace {

TEST(LrSchedule, StandardStepsFollowThePaper) {
    ScheduleConfig config;
    config.adaptive = false;
    const LrSchedule schedule(config);
    EXPECT_DOUBLE_EQ(schedule.learningRate(1), 0.1);
    EXPECT_DOUBLE_EQ(schedule.learningRate(82), 0.1);
    EXPECT_DOUBLE_EQ(schedule.learningRate(83), 0.01);
    EXPECT_DOUBLE_EQ(schedule.learningRate(124), 0.001);
    EXPECT_DOUBLE_EQ(schedule.learningRate(301), 2e-4);
}

TEST(LrSchedule, StandardScheduleNeverRestarts) {
    ScheduleConfig config;
    config.adaptive = false;
    LrSchedule schedule(config);
    EXPECT_FALSE(schedule.endEpoch(90, 5.0));
    EXPECT_DOUBLE_EQ(schedule.learningRate(91), 0.01);
}

TEST(LrSchedule, AdaptiveRestartsWhenTheDiscardedCountRisesByOne) {
    LrSchedule schedule{ScheduleConfig{}};
    EXPECT_FALSE(schedule.endEpoch(1, 0.9));  // rose by 0.9 only
    EXPECT_FALSE(schedule.endEpoch(2, 1.5));  // by 0.6 since the previous epoch
    EXPECT_DOUBLE_EQ(schedule.learningRate(100), 0.01);
    EXPECT_TRUE(schedule.endEpoch(100, 2.5));  // by 1.0: restart at N = 100
    EXPECT_EQ(schedule.restartEpoch(), 100);
    EXPECT_DOUBLE_EQ(schedule.learningRate(101), 0.1);
    EXPECT_DOUBLE_EQ(schedule.learningRate(140), 0.1);
    EXPECT_DOUBLE_EQ(schedule.learningRate(141), 0.01);
    EXPECT_DOUBLE_EQ(schedule.learningRate(161), 0.001);
    EXPECT_DOUBLE_EQ(schedule.learningRate(250), 2e-4);
    EXPECT_FALSE(schedule.endEpoch(101, 2.5));  // no further rise
}

TEST(LrSchedule, RestoredStateContinuesTheSameSchedule) {
    LrSchedule schedule{ScheduleConfig{}};
    schedule.restore(30, 4.0);
    EXPECT_DOUBLE_EQ(schedule.learningRate(71), 0.01);
    EXPECT_FALSE(schedule.endEpoch(31, 4.5));
    EXPECT_TRUE(schedule.endEpoch(32, 5.5));
}

TEST(LrSchedule, InvalidStepsAreRejected) {
    ScheduleConfig config;
    config.steps = {{3, 0.1}};
    EXPECT_THROW(LrSchedule{config}, std::invalid_argument);
    config.steps = {{0, 0.1}, {5, 0.01}, {5, 0.001}};
    EXPECT_THROW(LrSchedule{config}, std::invalid_argument);
    config.steps = {{0, -0.1}};
    EXPECT_THROW(LrSchedule{config}, std::invalid_argument);
}

TEST(LrSchedule, ShortRunsKeepTheShapeOfTheStandardSchedule) {
    const std::vector<LrStep> five = stepsScaledTo(5);
    ASSERT_EQ(five.size(), 3u);
    EXPECT_EQ(five[1].after_epoch, 3);
    EXPECT_EQ(five[2].after_epoch, 4);
    EXPECT_EQ(stepsScaledTo(1).size(), 1u);  // one epoch: 0.1 throughout
}

TEST(EpsilonSchedule, IsZeroInTheWarmupAndAfterThePhaseInWhichItApplies) {
    TrainConfig config;
    config.model.epsilon = 7.5;
    config.epsilon_warmup_epochs = 1;
    config.epsilon_epochs = 2;
    EXPECT_EQ(epsilonForEpoch(config, 1), 0.0);
    EXPECT_EQ(epsilonForEpoch(config, 2), 7.5);
    EXPECT_EQ(epsilonForEpoch(config, 3), 7.5);
    EXPECT_EQ(epsilonForEpoch(config, 4), 0.0);
    config.epsilon_epochs = 0;  // to the end
    EXPECT_EQ(epsilonForEpoch(config, 400), 7.5);
    config.epsilon_warmup_epochs = 0;
    EXPECT_EQ(epsilonForEpoch(config, 1), 7.5);
}

TEST(EpsilonSchedule, ShortRunsScaleTheWarmupAndThePhaseToAFifthEach) {
    EXPECT_EQ(warmupScaledTo(1), 0);  // ε from the start, or it would never apply
    EXPECT_EQ(warmupScaledTo(2), 1);
    EXPECT_EQ(warmupScaledTo(5), 1);
    EXPECT_EQ(warmupScaledTo(10), 2);
    EXPECT_EQ(discardEpochsScaledTo(1), 1);
    EXPECT_EQ(discardEpochsScaledTo(5), 1);
    EXPECT_EQ(discardEpochsScaledTo(12), 2);
}

}  // namespace
}  // namespace epsilon
