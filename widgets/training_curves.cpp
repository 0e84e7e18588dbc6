// SPDX-License-Identifier: MIT
// Training curves: loss and accuracy, learning rate and discarded blocks, with a hover read-out.
#include "widgets/training_curves.h"

#include <qcustomplot.h>

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

namespace epsilon {
namespace {

/// The Smoothing control's range and step; setSmoothing() clamps to the same range.
constexpr double kMaxSmoothing = 0.99;
constexpr double kSmoothingStep = 0.05;
/// Learning-rate axis before any rate is plotted, and the margin (a factor) around the rates.
constexpr double kRateAxisLower = 1e-4;
constexpr double kRateAxisUpper = 1.0;
constexpr double kRateAxisMargin = 2.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QCPGraph* lineGraph(QCPAxis* key_axis, QCPAxis* value_axis, const QColor& color,
                    const QString& name, int width, bool markers) {
    QCPGraph* graph = key_axis->parentPlot()->addGraph(key_axis, value_axis);
    graph->setPen(QPen(color, width));
    graph->setName(name);
    if (markers) {
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    }
    return graph;
}

QString number(double value) {
    return QString::number(value, 'g', 4);
}

/// Steps are whole numbers held in doubles; 'g' with enough digits prints them without a point.
QString stepNumber(double step) {
    return QString::number(step, 'g', 12);
}

QString percent(double value) {
    return QString::number(100.0 * value, 'f', 1) + '%';
}

const QString kSeparator = QStringLiteral(" \u00b7 ");

}  // namespace

TrainingCurves::TrainingCurves(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(buildControls());
    layout->addWidget(plot_, 1);
    buildLossRect();
    buildRateRect();
    buildHoverLines();

    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    // Two rows of four; setting the fill order after the wrap rearranges the entries already in.
    plot_->legend->setWrap(4);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->plotLayout()->addElement(2, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 2.0);
    plot_->plotLayout()->setRowStretchFactor(1, 1.0);
    plot_->plotLayout()->setRowStretchFactor(2, 0.001);
    // Zoom and pan along the steps, as in PlotJuggler; the two rects follow each other.
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    for (QCPAxisRect* rect : {plot_->axisRect(), rate_rect_}) {
        rect->setRangeZoom(Qt::Horizontal);
        rect->setRangeDrag(Qt::Horizontal);
    }
    // Without tracking, a widget only hears of mouse moves while a button is held.
    plot_->setMouseTracking(true);
    connect(plot_, &QCustomPlot::mouseMove, this, &TrainingCurves::onHover);
    // Once the user zooms or drags, the steps stay where they were put; a double click follows
    // the newest steps again.
    connect(plot_, &QCustomPlot::mousePress, this, [this] { follow_latest_ = false; });
    connect(plot_, &QCustomPlot::mouseWheel, this, [this] { follow_latest_ = false; });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
        follow_latest_ = true;
        refresh();
    });
    plot_->setToolTip("Drag or scroll to look at some steps; double-click to follow the newest");
    setMinimumSize(360, 240);
}

QLayout* TrainingCurves::buildControls() {
    smoothing_control_ = new QDoubleSpinBox(this);
    smoothing_control_->setRange(0.0, kMaxSmoothing);
    smoothing_control_->setSingleStep(kSmoothingStep);
    smoothing_control_->setDecimals(2);
    smoothing_control_->setValue(smoothing_);
    smoothing_control_->setToolTip("Weight of the past in the moving average of loss and accuracy");
    connect(smoothing_control_, &QDoubleSpinBox::valueChanged, this, [this](double weight) {
        setSmoothing(weight);
        refresh();
    });
    auto* label = new QLabel("Smoothing", this);
    label->setBuddy(smoothing_control_);
    readout_ = new QLabel(this);
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    readout_->setWordWrap(true);
    // Room for a wrapped read-out from the start, so the plot does not jump on the first hover.
    readout_->setMinimumHeight(2 * readout_->fontMetrics().lineSpacing());

    auto* row = new QHBoxLayout;
    row->setContentsMargins(6, 4, 6, 0);
    row->addWidget(label);
    row->addWidget(smoothing_control_);
    row->addSpacing(12);
    row->addWidget(readout_, 1);
    return row;
}

void TrainingCurves::buildLossRect() {
    // The step axis is labelled once, under the rate rect; this one keeps its ticks and grid.
    plot_->xAxis->setTickLabels(false);
    plot_->yAxis2->setVisible(true);
    plot_->yAxis->setLabel("loss");
    plot_->yAxis2->setLabel("accuracy");
    plot_->yAxis2->setRange(0.0, 1.0);

    // The order of these five is the graph index tests and the main window rely on.
    QCPAxis* steps = plot_->xAxis;
    loss_raw_ = lineGraph(steps, plot_->yAxis, QColor(31, 119, 180, 60), "train loss", 1, false);
    loss_smooth_ =
        lineGraph(steps, plot_->yAxis, QColor(31, 119, 180), "train loss, smoothed", 2, false);
    accuracy_smooth_ =
        lineGraph(steps, plot_->yAxis2, QColor(255, 127, 14), "train accuracy, smoothed", 2, false);
    test_loss_ = lineGraph(steps, plot_->yAxis, QColor(148, 103, 189), "test loss", 2, true);
    test_accuracy_ = lineGraph(steps, plot_->yAxis2, QColor(44, 160, 44), "test accuracy", 2, true);
}

void TrainingCurves::buildRateRect() {
    rate_rect_ = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(1, 0, rate_rect_);
    QCPAxis* steps = rate_rect_->axis(QCPAxis::atBottom);
    steps->setLabel("step");
    // Rates fall by decades over a run, so only a log axis shows every phase.
    QCPAxis* rate = learningRateAxis();
    rate->setScaleType(QCPAxis::stLogarithmic);
    rate->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    rate->setNumberFormat("eb");
    rate->setNumberPrecision(0);
    rate->setLabel("learning rate");
    rate->setRange(kRateAxisLower, kRateAxisUpper);
    QCPAxis* discarded = discardedAxis();
    discarded->setVisible(true);
    discarded->setLabel("discarded");
    discarded->setRange(0.0, 1.0);

    learning_rate_ = lineGraph(steps, rate, QColor(214, 39, 40), "learning rate", 2, false);
    learning_rate_->setLineStyle(QCPGraph::lsStepLeft);  // constant between schedule changes
    discarded_ = lineGraph(steps, discarded, QColor(140, 86, 75),
                           "discarded blocks, moving average", 2, false);

    // One step range for both rects, whichever is dragged or zoomed, and aligned plot areas.
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), steps,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(steps, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), plot_->xAxis,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    auto* margins = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    rate_rect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
}

void TrainingCurves::buildHoverLines() {
    loss_cursor_ = new QCPItemStraightLine(plot_);
    rate_cursor_ = new QCPItemStraightLine(plot_);
    // The rate rect's line is placed on its linear axis: a log axis has no 0 to anchor it.
    rate_cursor_->setClipAxisRect(rate_rect_);
    for (QCPItemPosition* end : {rate_cursor_->point1, rate_cursor_->point2}) {
        end->setAxes(rate_rect_->axis(QCPAxis::atBottom), discardedAxis());
    }
    for (QCPItemStraightLine* line : {loss_cursor_, rate_cursor_}) {
        line->setPen(QPen(QColor(90, 90, 90), 1, Qt::DashLine));
        line->setSelectable(false);
        line->setVisible(false);
    }
}

void TrainingCurves::addStep(double step, double loss, double accuracy) {
    addStep(step, loss, accuracy, kNaN, kNaN);
}

void TrainingCurves::addStep(double step, double loss, double accuracy, double learning_rate,
                             double discarded_count) {
    steps_.push_back({step, loss, accuracy, learning_rate, discarded_count});
    loss_raw_->addData(step, loss);
    addSmoothed(step, loss, accuracy, static_cast<int>(steps_.size()));
    if (learning_rate > 0.0) {
        learning_rate_->addData(step, learning_rate);
    }
    if (!std::isnan(discarded_count)) {
        discarded_->addData(step, discarded_count);
    }
}

void TrainingCurves::addSmoothed(double step, double loss, double accuracy, int count) {
    // Debiased exponential moving average, so the first points are not pulled towards 0.
    loss_average_ = smoothing_ * loss_average_ + (1.0 - smoothing_) * loss;
    accuracy_average_ = smoothing_ * accuracy_average_ + (1.0 - smoothing_) * accuracy;
    const double debias = 1.0 - std::pow(smoothing_, count);
    loss_smooth_->addData(step, loss_average_ / debias);
    accuracy_smooth_->addData(step, accuracy_average_ / debias);
}

void TrainingCurves::addEpoch(double step, double test_loss, double test_accuracy) {
    test_loss_->addData(step, test_loss);
    test_accuracy_->addData(step, test_accuracy);
}

void TrainingCurves::setSmoothing(double weight) {
    smoothing_ = std::clamp(weight, 0.0, kMaxSmoothing);
    const QSignalBlocker quiet(smoothing_control_);
    smoothing_control_->setValue(smoothing_);
    resmooth();
}

void TrainingCurves::resmooth() {
    loss_smooth_->data()->clear();
    accuracy_smooth_->data()->clear();
    loss_average_ = accuracy_average_ = 0.0;
    for (size_t i = 0; i < steps_.size(); ++i) {
        const StepValues& values = steps_[i];
        addSmoothed(values.step, values.loss, values.accuracy, static_cast<int>(i + 1));
    }
    if (hovered_step_) {
        readout_->setText(readoutAt(*hovered_step_));
    }
}

void TrainingCurves::clear() {
    follow_latest_ = true;
    for (QCPGraph* graph : {loss_raw_, loss_smooth_, accuracy_smooth_, test_loss_, test_accuracy_,
                            learning_rate_, discarded_}) {
        graph->data()->clear();
    }
    steps_.clear();
    loss_average_ = accuracy_average_ = 0.0;
    hovered_step_.reset();
    readout_->clear();
    loss_cursor_->setVisible(false);
    rate_cursor_->setVisible(false);
    refresh();
}

void TrainingCurves::refresh() {
    bool found = false;
    const QCPRange steps = loss_raw_->data()->keyRange(found);
    if (found && follow_latest_) {
        plot_->xAxis->setRange(0.0, std::max(1.0, steps.upper));  // the rate rect follows
    }
    if (found) {
        plot_->yAxis->rescale();
        plot_->yAxis->setRangeLower(0.0);
    }
    const QCPRange rates = learning_rate_->data()->valueRange(found);
    if (found) {
        learningRateAxis()->setRange(rates.lower / kRateAxisMargin, rates.upper * kRateAxisMargin);
    }
    const QCPRange discarded = discarded_->data()->valueRange(found);
    discardedAxis()->setRange(0.0, found ? std::max(1.0, 1.1 * discarded.upper) : 1.0);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int TrainingCurves::stepCount() const {
    return static_cast<int>(steps_.size());
}

int TrainingCurves::epochCount() const {
    return test_accuracy_->data()->size();
}

QCPAxis* TrainingCurves::learningRateAxis() const {
    return rate_rect_->axis(QCPAxis::atLeft);
}

QCPAxis* TrainingCurves::discardedAxis() const {
    return rate_rect_->axis(QCPAxis::atRight);
}

void TrainingCurves::onHover(QMouseEvent* event) {
    if (!steps_.empty()) {
        showReadout(plot_->xAxis->pixelToCoord(event->position().x()));
    }
}

void TrainingCurves::showReadout(double step) {
    const double nearest = steps_[nearestIndex(step)].step;
    hovered_step_ = nearest;
    readout_->setText(readoutAt(nearest));
    for (QCPItemStraightLine* line : {loss_cursor_, rate_cursor_}) {
        line->point1->setCoords(nearest, 0.0);
        line->point2->setCoords(nearest, 1.0);
        line->setVisible(true);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int TrainingCurves::nearestIndex(double step) const {
    const auto after =
        std::lower_bound(steps_.begin(), steps_.end(), step,
                         [](const StepValues& values, double key) { return values.step < key; });
    if (after == steps_.begin()) {
        return 0;
    }
    const auto before = after - 1;
    if (after == steps_.end() || step - before->step <= after->step - step) {
        return static_cast<int>(before - steps_.begin());
    }
    return static_cast<int>(after - steps_.begin());
}

QString TrainingCurves::readoutAt(double step) const {
    if (steps_.empty()) {
        return {};
    }
    const StepValues& values = steps_[nearestIndex(step)];
    const double loss = loss_smooth_->data()->findBegin(values.step, false)->value;
    const double accuracy = accuracy_smooth_->data()->findBegin(values.step, false)->value;
    QStringList parts;
    parts << "step " + stepNumber(values.step);
    parts << QString("loss %1 (smoothed %2)").arg(number(values.loss), number(loss));
    parts << QString("accuracy %1 (smoothed %2)").arg(percent(values.accuracy), percent(accuracy));
    if (!std::isnan(values.learning_rate)) {
        parts << QString("lr %1").arg(values.learning_rate, 0, 'g', 3);
    }
    if (!std::isnan(values.discarded_count)) {
        parts << QString("discarded %1").arg(values.discarded_count, 0, 'f', 2);
    }
    const QString test = testReadoutAt(values.step);
    if (!test.isEmpty()) {
        parts << test;
    }
    return parts.join(kSeparator);
}

QString TrainingCurves::testReadoutAt(double step) const {
    const auto& losses = *test_loss_->data();
    const auto after = losses.findEnd(step, false);  // the first epoch past `step`
    if (after == losses.constBegin()) {
        return {};
    }
    const int index = static_cast<int>(after - losses.constBegin()) - 1;
    return QString("test loss %1%2test accuracy %3 (step %4)")
        .arg(number(losses.at(index)->value), kSeparator,
             percent(test_accuracy_->data()->at(index)->value), stepNumber(losses.at(index)->key));
}

QString TrainingCurves::readout() const {
    return readout_->text();
}

}  // namespace epsilon
