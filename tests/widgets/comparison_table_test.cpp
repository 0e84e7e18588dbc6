// SPDX-License-Identifier: MIT
// The comparison table: rows added, the original not repeated, rows removed, CSV.
#include <gtest/gtest.h>

#include <QTableWidget>

#include "widgets/comparison_table.h"

namespace epsilon {
namespace {

ComparisonRow row(const QString& name, const QString& rule, int blocks, bool matches) {
    ComparisonRow r;
    r.name = name;
    r.rule = rule;
    r.layers = 2 * blocks + 2;
    r.blocks = blocks;
    r.parameters = 1000 * blocks;
    r.macs = 5000 * blocks;
    r.test_accuracy = 0.9;
    r.matches_gated = matches;
    return r;
}

TEST(ComparisonTable, AddsRowsOnceRemovesThemAndWritesCsv) {
    ComparisonTable table;
    table.addRow(row("ε-ResNet-20 (gated)", "", 9, true));
    table.addRow(row("pruned ResNet-16", "ε = 7, with \"care\"", 7, false));
    table.addRow(row("ε-ResNet-20 (gated)", "", 9, true));
    ASSERT_EQ(table.rowCount(), 2);
    EXPECT_EQ(table.cellText(0, 8), "");
    EXPECT_EQ(table.cellText(1, 8), "no");
    EXPECT_EQ(table.cellText(1, 6), "90.00%");
    const QString csv = table.toCsv();
    EXPECT_TRUE(csv.contains("\"ε = 7, with \"\"care\"\"\""));
    EXPECT_EQ(csv.count('\n'), 3);

    table.table()->selectRow(0);
    table.removeSelected();
    ASSERT_EQ(table.rowCount(), 1);
    EXPECT_EQ(table.cellText(0, 0), "pruned ResNet-16");
}

}  // namespace
}  // namespace epsilon
