// SPDX-License-Identifier: MIT
// Each residual block's response magnitude against ε, with a draggable ε line.
#include "widgets/response_plot.h"

#include <qcustomplot.h>

#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/hover_readout.h"

namespace epsilon {
namespace {

// Responses are drawn no lower than this, so that a zero stays visible on the log axis.
constexpr double kFloor = 1e-3;
// How near (pixels) a press must be to the ε line to grab it.
constexpr int kGrabPixels = 6;

QCPGraph* pointsGraph(QCustomPlot* plot, QCPScatterStyle::ScatterShape shape, const QColor& color,
                      const QString& name, bool filled) {
    QCPGraph* graph = plot->addGraph();
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(
        QCPScatterStyle(shape, QPen(color, 1.5), filled ? QBrush(color) : QBrush(Qt::NoBrush), 9));
    graph->setName(name);
    return graph;
}

}  // namespace

ResponsePlot::ResponsePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);

    alive_ =
        pointsGraph(plot_, QCPScatterStyle::ssDisc, QColor(31, 119, 180), "max|F|, above ε", true);
    under_ = pointsGraph(plot_, QCPScatterStyle::ssDisc, QColor(255, 127, 14),
                         "max|F|, under ε: discarded at this ε", true);
    discarded_ = pointsGraph(plot_, QCPScatterStyle::ssCross, QColor(120, 120, 120),
                             "discarded by training", false);
    mean_ = pointsGraph(plot_, QCPScatterStyle::ssCircle, QColor(44, 160, 44), "mean|F|", false);

    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    plot_->yAxis->setNumberFormat("gb");
    plot_->yAxis->setLabel("response |F| (log)");
    plot_->xAxis->setLabel("block");
    // The legend goes in a row of its own under the axes, where it never hides a block.
    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    ticker_.reset(new QCPAxisTickerText);
    plot_->xAxis->setTicker(ticker_);

    epsilon_line_ = new QCPItemStraightLine(plot_);
    epsilon_line_->setPen(QPen(QColor(214, 39, 40), 2, Qt::DashLine));
    epsilon_label_ = new QCPItemText(plot_);
    epsilon_label_->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    epsilon_label_->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    epsilon_label_->setColor(QColor(214, 39, 40));

    readout_ = addHoverReadout(plot_);

    connect(plot_, &QCustomPlot::mousePress, this, &ResponsePlot::onPress);
    connect(plot_, &QCustomPlot::mouseMove, this, &ResponsePlot::onMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &ResponsePlot::onRelease);
    setMinimumSize(360, 240);
    redraw();
}

void ResponsePlot::setBlocksPerStage(int blocks_per_stage) {
    blocks_per_stage_ = std::max(1, blocks_per_stage);
    redraw();
}

void ResponsePlot::setResponses(const std::vector<float>& max_abs,
                                const std::vector<float>& mean_abs) {
    max_abs_ = max_abs;
    mean_abs_ = mean_abs;
    discarded_flags_.resize(max_abs_.size(), 0);
    redraw();
}

void ResponsePlot::setDiscarded(const std::vector<uint8_t>& discarded) {
    discarded_flags_ = discarded;
    discarded_flags_.resize(max_abs_.size(), 0);
    redraw();
}

void ResponsePlot::setEpsilon(double epsilon) {
    epsilon_ = std::max(kFloor, epsilon);
    redraw();
}

BlockMark ResponsePlot::markOf(int block) const {
    if (discarded_flags_.at(static_cast<size_t>(block)) != 0) {
        return BlockMark::DiscardedByRun;
    }
    return max_abs_.at(static_cast<size_t>(block)) <= epsilon_ ? BlockMark::UnderEpsilon
                                                               : BlockMark::Alive;
}

int ResponsePlot::epsilonPixel() const {
    return static_cast<int>(std::lround(plot_->yAxis->coordToPixel(epsilon_)));
}

void ResponsePlot::onPress(QMouseEvent* event) {
    dragging_ =
        std::abs(event->position().y() - plot_->yAxis->coordToPixel(epsilon_)) <= kGrabPixels;
}

void ResponsePlot::onMove(QMouseEvent* event) {
    if (!dragging_) {
        const bool on_line =
            std::abs(event->position().y() - plot_->yAxis->coordToPixel(epsilon_)) <= kGrabPixels;
        plot_->setCursor(on_line ? Qt::SizeVerCursor : Qt::ArrowCursor);
        hover(plot_->xAxis->pixelToCoord(event->position().x()));
        return;
    }
    const double value = plot_->yAxis->pixelToCoord(event->position().y());
    if (value > 0.0 && std::isfinite(value)) {
        setEpsilon(value);
        emit epsilonDragged(epsilon_);
    }
}

void ResponsePlot::onRelease(QMouseEvent* /*event*/) {
    dragging_ = false;
}

double ResponsePlot::xOf(size_t block) const {
    return static_cast<double>(block) +
           0.5 * static_cast<double>(block / static_cast<size_t>(blocks_per_stage_));
}

QString ResponsePlot::describe(int block) const {
    if (block < 0 || block >= blockCount()) {
        return QString();
    }
    const auto b = static_cast<size_t>(block);
    const auto number = [](float value) {
        return std::isfinite(value) ? QString::number(value, 'g', 3) : QString("not computed");
    };
    QString mark;
    switch (markOf(block)) {
        case BlockMark::Alive:
            mark = "above ε";
            break;
        case BlockMark::UnderEpsilon:
            mark = "under ε: discarded at this ε";
            break;
        case BlockMark::DiscardedByRun:
            mark = "discarded by training";
            break;
    }
    QString text = QString("block %1, stage %2 · max|F| %3")
                       .arg(block)
                       .arg(block / blocks_per_stage_ + 1)
                       .arg(number(max_abs_[b]));
    if (b < mean_abs_.size()) {
        text += " · mean|F| " + number(mean_abs_[b]);
    }
    return text + " · " + mark;
}

QString ResponsePlot::readout() const {
    return readout_->visible() ? readout_->text() : QString();
}

void ResponsePlot::hover(double x) {
    int nearest = -1;
    for (size_t b = 0; b < max_abs_.size(); ++b) {
        if (std::abs(xOf(b) - x) < 0.5) {
            nearest = static_cast<int>(b);
        }
    }
    if (nearest == hovered_) {
        return;
    }
    hovered_ = nearest;
    readout_->setText(describe(nearest));
    readout_->setVisible(nearest >= 0);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ResponsePlot::redraw() {
    QVector<double> alive_x, alive_y, under_x, under_y, gone_x, gone_y, mean_x, mean_y;
    double top = epsilon_;
    for (size_t b = 0; b < max_abs_.size(); ++b) {
        const double max_value = std::max<double>(kFloor, max_abs_[b]);
        top = std::max(top, max_value);
        switch (markOf(static_cast<int>(b))) {
            case BlockMark::Alive:
                alive_x << xOf(b);
                alive_y << max_value;
                break;
            case BlockMark::UnderEpsilon:
                under_x << xOf(b);
                under_y << max_value;
                break;
            case BlockMark::DiscardedByRun:
                gone_x << xOf(b);
                gone_y << max_value;
                break;
        }
        if (b < mean_abs_.size()) {
            mean_x << xOf(b);
            mean_y << std::max<double>(kFloor, mean_abs_[b]);
        }
    }
    ticker_->clear();
    for (size_t b = 0; b < max_abs_.size(); ++b) {
        const bool first_of_stage = b % static_cast<size_t>(blocks_per_stage_) == 0;
        ticker_->addTick(xOf(b), first_of_stage
                                     ? QString("%1\nstage %2").arg(b).arg(b / blocks_per_stage_ + 1)
                                     : QString::number(b));
    }
    alive_->setData(alive_x, alive_y);
    under_->setData(under_x, under_y);
    discarded_->setData(gone_x, gone_y);
    mean_->setData(mean_x, mean_y);

    double bottom = epsilon_;
    for (double value : mean_y)
        bottom = std::min(bottom, value);
    for (double value : under_y)
        bottom = std::min(bottom, value);
    plot_->yAxis->setRange(bottom / 2.0, top * 2.0);
    const double last = max_abs_.empty() ? 1.0 : xOf(max_abs_.size() - 1);
    plot_->xAxis->setRange(-0.7, last + 0.7);
    epsilon_line_->point1->setCoords(0.0, epsilon_);
    epsilon_line_->point2->setCoords(1.0, epsilon_);
    epsilon_label_->position->setCoords(0.99, epsilon_);
    epsilon_label_->setText(QString("ε = %1").arg(epsilon_, 0, 'g', 3));
    if (hovered_ >= blockCount()) {
        hovered_ = -1;
        readout_->setVisible(false);
    } else if (hovered_ >= 0) {
        readout_->setText(describe(hovered_));  // the responses or ε may have changed
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace epsilon
