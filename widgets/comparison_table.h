// SPDX-License-Identifier: MIT
// The comparison of the original network with its pruned variants: one row per network, rows
// removable, the whole table exportable as CSV. Plain data in.
#pragma once

#include <QString>
#include <QWidget>

class QTableWidget;

namespace epsilon {

/// One network's row, as the training worker reports it.
struct ComparisonRow {
    QString name;
    QString rule;  ///< How its blocks were chosen; empty for the original network.
    int layers = 0;
    int blocks = 0;
    qint64 parameters = 0;
    qint64 macs = 0;
    double test_accuracy = 0.0;
    double milliseconds_per_batch = 0.0;
    /// For a pruned network: whether it computed what the gated one did on every test batch.
    bool matches_gated = true;
};

class ComparisonTable : public QWidget {
    Q_OBJECT

  public:
    explicit ComparisonTable(QWidget* parent = nullptr);

    /// Adds a row. The original network (empty rule) replaces an earlier row of the same name.
    void addRow(const ComparisonRow& row);
    /// Removes the selected rows.
    void removeSelected();
    void clear();
    int rowCount() const;
    QString cellText(int row, int column) const;
    /// Header line, then one line per row; fields with commas or quotes are quoted.
    QString toCsv() const;
    QTableWidget* table() const { return table_; }

  private:
    QTableWidget* table_;
};

}  // namespace epsilon
