// SPDX-License-Identifier: MIT
// Blocks over time as a heat map: colour is log10 max|F|, and a step on which a block's gate
// was 0 is drawn black, so the moments where blocks switch off stand out. Plain numbers in.
#pragma once

#include <QWidget>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPItemText;
class QMouseEvent;

namespace epsilon {

class BlockMap : public QWidget {
    Q_OBJECT

  public:
    /// At most `max_columns` columns are kept; beyond that every other one is dropped, so a long
    /// run stays evenly covered.
    explicit BlockMap(QWidget* parent = nullptr, int max_columns = 2048);

    /// One step's responses and gates, one value per block.
    void addStep(double step, const std::vector<float>& max_abs, const std::vector<float>& gate);
    void clear();
    /// Rebuilds the picture from the kept columns; call at a bounded rate.
    void refresh();

    int columnCount() const { return static_cast<int>(steps_.size()); }
    /// The value drawn for `block` in column `column`: log10 max|F|, or NaN where the gate was 0.
    double cellValue(int column, int block) const;
    QCustomPlot* plot() const { return plot_; }
    /// What the map says of the cell nearest to (`step`, `block`): the step, the block and its
    /// max|F| there, or that its gate was 0. Empty when no column or block is near.
    QString readoutAt(double step, double block) const;
    /// The read-out of the cell under the mouse, as shown; empty when none is.
    QString readout() const;

  private:
    void onHover(QMouseEvent* event);

    QCustomPlot* plot_;
    QCPColorMap* map_;
    QCPItemText* readout_;
    int max_columns_;
    int stride_ = 1;  // keep every stride-th offered step
    int offered_ = 0;
    std::vector<double> steps_;
    std::vector<std::vector<double>> cells_;  // per column, per block
};

}  // namespace epsilon
