// SPDX-License-Identifier: MIT
// The step history keeps a bounded, evenly spaced record, the same whether or not a run resumes.
#include <gtest/gtest.h>

#include "core/step_history.h"

namespace epsilon {
namespace {

StepRecord stepNumber(int64_t step) {
    StepRecord record;
    record.step = step;
    record.loss = static_cast<double>(step) / 10.0;
    record.images_per_second = 123.0;
    return record;
}

TEST(StepHistory, KeepsEveryStepUntilFull) {
    StepHistory history(8);
    for (int64_t step = 1; step <= 7; ++step)
        history.add(stepNumber(step));
    ASSERT_EQ(history.rows().size(), 7u);
    EXPECT_EQ(history.stride(), 1);
    EXPECT_EQ(history.rows()[6].loss, 0.7);
    EXPECT_EQ(history.rows()[0].images_per_second, 0.0);  // a moment's rate is not history
}

TEST(StepHistory, ThinsToEvenlySpacedStepsWhenFull) {
    StepHistory history(8);
    for (int64_t step = 1; step <= 100; ++step)
        history.add(stepNumber(step));
    EXPECT_EQ(history.stride(), 16);
    ASSERT_GE(history.rows().size(), 4u);
    ASSERT_LT(history.rows().size(), 8u);
    for (size_t i = 0; i < history.rows().size(); ++i) {
        EXPECT_EQ(history.rows()[i].step, static_cast<int64_t>(16 * (i + 1)));
    }
}

TEST(StepHistory, ARestoredHistoryContinuesAsAnUninterruptedOne) {
    StepHistory whole(8), first(8);
    for (int64_t step = 1; step <= 60; ++step) {
        whole.add(stepNumber(step));
        if (step <= 37)
            first.add(stepNumber(step));
    }
    StepHistory resumed(8);
    resumed.restore(first.rows(), first.stride());
    for (int64_t step = 38; step <= 60; ++step)
        resumed.add(stepNumber(step));
    EXPECT_EQ(resumed.stride(), whole.stride());
    ASSERT_EQ(resumed.rows().size(), whole.rows().size());
    for (size_t i = 0; i < whole.rows().size(); ++i) {
        EXPECT_EQ(resumed.rows()[i].step, whole.rows()[i].step);
    }
}

TEST(StepHistory, RefusesRowsThatDoNotFollowTheStride) {
    StepHistory history(8);
    EXPECT_THROW(history.restore({stepNumber(3)}, 2), std::invalid_argument);
    EXPECT_THROW(history.restore({}, 0), std::invalid_argument);
    EXPECT_THROW(history.restore(std::vector<StepRecord>(8, stepNumber(2)), 2),
                 std::invalid_argument);
    EXPECT_THROW(StepHistory(1), std::invalid_argument);
}

}  // namespace
}  // namespace epsilon
