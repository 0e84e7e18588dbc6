// SPDX-License-Identifier: MIT
// Training curves: raw and smoothed step curves, and the per-epoch test points.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "widgets/training_curves.h"

namespace epsilon {
namespace {

TEST(TrainingCurves, KeepsRawAndSmoothedStepsAndEpochPoints) {
    TrainingCurves curves;
    curves.setSmoothing(0.5);
    curves.addStep(1, 2.0, 0.1);
    curves.addStep(2, 1.0, 0.3);
    curves.addEpoch(2, 1.5, 0.4);
    curves.refresh();
    EXPECT_EQ(curves.stepCount(), 2);
    EXPECT_EQ(curves.epochCount(), 1);
    QCustomPlot* plot = curves.plot();
    // Debiased average: the first point is the value itself, the second (0.5·2 + 1)/1.5... of
    // the raw values weighted 1/3 and 2/3.
    EXPECT_DOUBLE_EQ(plot->graph(1)->data()->at(0)->value, 2.0);
    EXPECT_NEAR(plot->graph(1)->data()->at(1)->value, (0.25 * 2.0 + 0.5 * 1.0) / 0.75, 1e-12);
    EXPECT_DOUBLE_EQ(plot->graph(0)->data()->at(1)->value, 1.0);
    EXPECT_DOUBLE_EQ(plot->graph(4)->data()->at(0)->value, 0.4);
    curves.clear();
    EXPECT_EQ(curves.stepCount(), 0);
    EXPECT_EQ(curves.epochCount(), 0);
}

}  // namespace
}  // namespace epsilon
