// SPDX-License-Identifier: MIT
// Training curves: loss and accuracy per step and per epoch.
#include "widgets/training_curves.h"

#include <qcustomplot.h>

#include <QVBoxLayout>

namespace epsilon {
namespace {

QCPGraph* lineGraph(QCustomPlot* plot, QCPAxis* value_axis, const QColor& color,
                    const QString& name, int width, bool markers) {
    QCPGraph* graph = plot->addGraph(plot->xAxis, value_axis);
    graph->setPen(QPen(color, width));
    graph->setName(name);
    if (markers) {
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
    }
    return graph;
}

}  // namespace

TrainingCurves::TrainingCurves(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);
    plot_->yAxis2->setVisible(true);
    plot_->xAxis->setLabel("step");
    plot_->yAxis->setLabel("loss");
    plot_->yAxis2->setLabel("accuracy");
    plot_->yAxis2->setRange(0.0, 1.0);

    loss_raw_ = lineGraph(plot_, plot_->yAxis, QColor(31, 119, 180, 60), "train loss", 1, false);
    loss_smooth_ =
        lineGraph(plot_, plot_->yAxis, QColor(31, 119, 180), "train loss, smoothed", 2, false);
    accuracy_smooth_ =
        lineGraph(plot_, plot_->yAxis2, QColor(255, 127, 14), "train accuracy, smoothed", 2, false);
    test_loss_ = lineGraph(plot_, plot_->yAxis, QColor(148, 103, 189), "test loss", 2, true);
    test_accuracy_ = lineGraph(plot_, plot_->yAxis2, QColor(44, 160, 44), "test accuracy", 2, true);

    plot_->legend->setVisible(true);
    plot_->legend->setFont(QFont(font().family(), 8));
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->plotLayout()->addElement(1, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(1, 0.001);
    // Zoom and pan along the steps, as in PlotJuggler.
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    setMinimumSize(360, 240);
}

void TrainingCurves::addStep(double step, double loss, double accuracy) {
    // Debiased exponential moving average, so the first points are not pulled towards 0.
    ++steps_;
    loss_average_ = smoothing_ * loss_average_ + (1.0 - smoothing_) * loss;
    accuracy_average_ = smoothing_ * accuracy_average_ + (1.0 - smoothing_) * accuracy;
    const double debias = 1.0 - std::pow(smoothing_, steps_);
    loss_raw_->addData(step, loss);
    loss_smooth_->addData(step, loss_average_ / debias);
    accuracy_smooth_->addData(step, accuracy_average_ / debias);
}

void TrainingCurves::addEpoch(double step, double test_loss, double test_accuracy) {
    test_loss_->addData(step, test_loss);
    test_accuracy_->addData(step, test_accuracy);
}

void TrainingCurves::setSmoothing(double weight) {
    smoothing_ = std::clamp(weight, 0.0, 0.999);
}

void TrainingCurves::clear() {
    for (QCPGraph* graph :
         {loss_raw_, loss_smooth_, accuracy_smooth_, test_loss_, test_accuracy_}) {
        graph->data()->clear();
    }
    steps_ = 0;
    loss_average_ = accuracy_average_ = 0.0;
    refresh();
}

void TrainingCurves::refresh() {
    bool found = false;
    const QCPRange steps = loss_raw_->data()->keyRange(found);
    if (found) {
        plot_->xAxis->setRange(0.0, std::max(1.0, steps.upper));
        plot_->yAxis->rescale();
        plot_->yAxis->setRangeLower(0.0);
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

int TrainingCurves::stepCount() const {
    return loss_raw_->data()->size();
}

int TrainingCurves::epochCount() const {
    return test_accuracy_->data()->size();
}

}  // namespace epsilon
