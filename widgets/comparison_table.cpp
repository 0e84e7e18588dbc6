// SPDX-License-Identifier: MIT
// The comparison of the original network with its pruned variants.
#include "widgets/comparison_table.h"

#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <set>

namespace epsilon {
namespace {

const QStringList kHeaders = {"Network",  "Blocks chosen by", "Layers",
                              "Blocks",   "Parameters",       "MACs / image",
                              "Test acc", "ms / batch",       "Same as gated"};

QString csvField(QString text) {
    if (text.contains(',') || text.contains('"')) {
        text.replace("\"", "\"\"");
        return "\"" + text + "\"";
    }
    return text;
}

}  // namespace

ComparisonTable::ComparisonTable(QWidget* parent)
    : QWidget(parent), table_(new QTableWidget(0, kHeaders.size(), this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    table_->setHorizontalHeaderLabels(kHeaders);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setStretchLastSection(true);
}

void ComparisonTable::addRow(const ComparisonRow& row) {
    int index = table_->rowCount();
    if (row.rule.isEmpty()) {
        for (int r = 0; r < table_->rowCount(); ++r) {
            if (cellText(r, 0) == row.name && cellText(r, 1).isEmpty()) {
                index = r;
            }
        }
    }
    if (index == table_->rowCount()) {
        table_->insertRow(index);
    }
    const QStringList cells = {row.name,
                               row.rule,
                               QString::number(row.layers),
                               QString::number(row.blocks),
                               QString::number(row.parameters),
                               QString::number(row.macs),
                               QString("%1%").arg(100.0 * row.test_accuracy, 0, 'f', 2),
                               QString::number(row.milliseconds_per_batch, 'f', 1),
                               row.rule.isEmpty() ? "" : (row.matches_gated ? "yes" : "no")};
    for (int c = 0; c < cells.size(); ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        if (c >= 2) {
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        }
        table_->setItem(index, c, item);
    }
}

void ComparisonTable::removeSelected() {
    std::set<int, std::greater<>> rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows()) {
        rows.insert(index.row());
    }
    for (int row : rows) {
        table_->removeRow(row);
    }
}

void ComparisonTable::clear() {
    table_->setRowCount(0);
}

int ComparisonTable::rowCount() const {
    return table_->rowCount();
}

QString ComparisonTable::cellText(int row, int column) const {
    const QTableWidgetItem* item = table_->item(row, column);
    return item != nullptr ? item->text() : QString();
}

QString ComparisonTable::toCsv() const {
    QStringList lines;
    QStringList header;
    for (const QString& name : kHeaders)
        header << csvField(name);
    lines << header.join(',');
    for (int r = 0; r < rowCount(); ++r) {
        QStringList fields;
        for (int c = 0; c < kHeaders.size(); ++c)
            fields << csvField(cellText(r, c));
        lines << fields.join(',');
    }
    return lines.join('\n') + '\n';
}

}  // namespace epsilon
