// SPDX-License-Identifier: MIT
// The block map: one column per step, gates at 0 shown as gaps, thinning when full.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QMouseEvent>
#include <cmath>

#include "widgets/block_map.h"

namespace epsilon {
namespace {

TEST(BlockMap, ColoursResponsesAndLeavesGatesAtZeroBlack) {
    BlockMap map;
    map.addStep(1, {10.f, 100.f, 1.f}, {1.f, 1.f, 1.f});
    map.addStep(2, {10.f, 100.f, 0.5f}, {1.f, 1.f, 0.f});
    map.refresh();
    ASSERT_EQ(map.columnCount(), 2);
    EXPECT_DOUBLE_EQ(map.cellValue(0, 0), 1.0);
    EXPECT_DOUBLE_EQ(map.cellValue(0, 1), 2.0);
    EXPECT_DOUBLE_EQ(map.cellValue(0, 2), 0.0);
    EXPECT_TRUE(std::isnan(map.cellValue(1, 2)));
    // The gate-0 cell is painted black.
    auto* color_map = qobject_cast<QCPColorMap*>(map.plot()->plottable(0));
    ASSERT_NE(color_map, nullptr);
    EXPECT_EQ(color_map->gradient().nanHandling(), QCPColorGradient::nhNanColor);
    EXPECT_EQ(color_map->gradient().nanColor(), QColor(Qt::black));
}

TEST(BlockMap, HoveringACellReadsOutItsStepBlockAndResponse) {
    BlockMap map;
    map.resize(640, 400);
    for (int step = 10; step <= 40; step += 10) {
        map.addStep(step, {static_cast<float>(step), 5.f}, {1.f, step == 30 ? 0.f : 1.f});
    }
    map.refresh();
    EXPECT_EQ(map.readoutAt(24.0, 0.2),
              QString::fromUtf8("step 20 \u00b7 block 0 \u00b7 max|F| 20"));
    EXPECT_EQ(map.readoutAt(26.0, 0.8), QString::fromUtf8("step 30 \u00b7 block 1 \u00b7 gate 0"));
    EXPECT_EQ(map.readoutAt(99.0, 1.0),
              QString::fromUtf8("step 40 \u00b7 block 1 \u00b7 max|F| 5"));
    EXPECT_EQ(map.readoutAt(20.0, 2.0), QString());  // no third block
    // The mouse shows the same read-out over the plot.
    map.show();
    QApplication::processEvents();
    map.plot()->replot();
    EXPECT_EQ(map.readout(), QString());
    QCustomPlot* plot = map.plot();
    const QPointF at(plot->xAxis->coordToPixel(30.0), plot->yAxis->coordToPixel(1.0));
    QMouseEvent move(QEvent::MouseMove, at, plot->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(plot, &move);
    EXPECT_EQ(map.readout(), map.readoutAt(30.0, 1.0));
    map.clear();
    EXPECT_EQ(map.readout(), QString());
}

TEST(BlockMap, ThinsEvenlyWhenFull) {
    BlockMap map(nullptr, 8);
    for (int step = 1; step <= 40; ++step) {
        map.addStep(step, {static_cast<float>(step)}, {1.f});
    }
    ASSERT_GE(map.columnCount(), 4);
    ASSERT_LT(map.columnCount(), 8);
    // Kept columns are evenly spaced.
    const double first = std::pow(10.0, map.cellValue(0, 0));
    const double second = std::pow(10.0, map.cellValue(1, 0));
    const double third = std::pow(10.0, map.cellValue(2, 0));
    EXPECT_NEAR(second - first, third - second, 1e-6);
    map.clear();
    EXPECT_EQ(map.columnCount(), 0);
}

}  // namespace
}  // namespace epsilon
