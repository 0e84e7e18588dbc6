// SPDX-License-Identifier: MIT
// Blocks over time as a heat map of log10 max|F|, gates at 0 in black.
#include "widgets/block_map.h"

#include <qcustomplot.h>

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "widgets/hover_readout.h"

namespace epsilon {

BlockMap::BlockMap(QWidget* parent, int max_columns)
    : QWidget(parent), plot_(new QCustomPlot(this)), max_columns_(std::max(2, max_columns)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->xAxis->setLabel("step");
    plot_->yAxis->setLabel("block");
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    // Cells whose gate was 0 hold NaN, which the gradient paints black.
    QCPColorGradient gradient(QCPColorGradient::gpJet);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(Qt::black);
    QSharedPointer<QCPAxisTickerFixed> block_ticks(new QCPAxisTickerFixed);
    block_ticks->setTickStep(1.0);
    block_ticks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->yAxis->setTicker(block_ticks);
    map_->setInterpolate(false);
    auto* scale = new QCPColorScale(plot_);
    plot_->plotLayout()->addElement(0, 1, scale);
    scale->setLabel("log10 max|F| (black: gate 0)");
    map_->setColorScale(scale);
    // After setColorScale, which hands the scale's own gradient to the map.
    map_->setGradient(gradient);
    readout_ = addHoverReadout(plot_);
    connect(plot_, &QCustomPlot::mouseMove, this, &BlockMap::onHover);
    setMinimumSize(360, 240);
}

void BlockMap::addStep(double step, const std::vector<float>& max_abs,
                       const std::vector<float>& gate) {
    if (offered_++ % stride_ != 0) {
        return;
    }
    std::vector<double> column;
    for (size_t b = 0; b < max_abs.size(); ++b) {
        const bool off = b < gate.size() && gate[b] == 0.0f;
        column.push_back(off || max_abs[b] <= 0.0f ? std::numeric_limits<double>::quiet_NaN()
                                                   : std::log10(static_cast<double>(max_abs[b])));
    }
    steps_.push_back(step);
    cells_.push_back(std::move(column));
    if (static_cast<int>(steps_.size()) >= max_columns_) {
        // Keeps columns 0, 2, 4...; column 0 stays where it is (a self-move would empty it).
        for (size_t i = 1; 2 * i < steps_.size(); ++i) {
            steps_[i] = steps_[2 * i];
            cells_[i] = std::move(cells_[2 * i]);
        }
        steps_.resize((steps_.size() + 1) / 2);
        cells_.resize(steps_.size());
        stride_ *= 2;
    }
}

void BlockMap::clear() {
    steps_.clear();
    cells_.clear();
    stride_ = 1;
    offered_ = 0;
    readout_->setVisible(false);
    refresh();
}

double BlockMap::cellValue(int column, int block) const {
    return cells_.at(static_cast<size_t>(column)).at(static_cast<size_t>(block));
}

QString BlockMap::readoutAt(double step, double block) const {
    if (steps_.empty() || !std::isfinite(step) || !std::isfinite(block)) {
        return QString();
    }
    const long row = std::lround(block);
    if (row < 0 || row >= static_cast<long>(cells_.front().size())) {
        return QString();
    }
    // The kept steps are evenly spaced, so the nearest one is a column of the picture too.
    const auto after = std::lower_bound(steps_.begin(), steps_.end(), step);
    size_t column = static_cast<size_t>(after - steps_.begin());
    if (column == steps_.size() ||
        (column > 0 && step - steps_[column - 1] < steps_[column] - step)) {
        --column;
    }
    const double value = cells_[column][static_cast<size_t>(row)];
    const QString state = std::isnan(value)
                              ? QString("gate 0")
                              : "max|F| " + QString::number(std::pow(10.0, value), 'g', 3);
    return QString("step %1 · block %2 · %3").arg(steps_[column]).arg(row).arg(state);
}

QString BlockMap::readout() const {
    return readout_->visible() ? readout_->text() : QString();
}

void BlockMap::onHover(QMouseEvent* event) {
    const QString text = readoutAt(plot_->xAxis->pixelToCoord(event->position().x()),
                                   plot_->yAxis->pixelToCoord(event->position().y()));
    if (text == readout()) {
        return;
    }
    readout_->setText(text);
    readout_->setVisible(!text.isEmpty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void BlockMap::refresh() {
    const int columns = columnCount();
    const int blocks = columns == 0 ? 0 : static_cast<int>(cells_.front().size());
    if (columns == 0 || blocks == 0) {
        map_->data()->clear();
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    map_->data()->setSize(columns, blocks);
    map_->data()->setRange(QCPRange(steps_.front(), std::max(steps_.back(), steps_.front() + 1)),
                           QCPRange(0, std::max(1, blocks - 1)));
    for (int c = 0; c < columns; ++c) {
        for (int b = 0; b < blocks; ++b) {
            map_->data()->setCell(c, b, cells_[c][b]);
        }
    }
    map_->rescaleDataRange(true);
    plot_->rescaleAxes();
    plot_->yAxis->setRange(-0.5, blocks - 0.5);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace epsilon
