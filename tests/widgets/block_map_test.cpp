// SPDX-License-Identifier: MIT
// The block map: one column per step, gates at 0 shown as gaps, thinning when full.
#include <gtest/gtest.h>
#include <qcustomplot.h>

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
