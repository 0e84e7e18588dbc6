// SPDX-License-Identifier: MIT
// Training curves: loss per step, smoothed like TensorBoard's scalars, and accuracy per step and
// per epoch on the test set. Plain numbers in; no torch.
#pragma once

#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace epsilon {

class TrainingCurves : public QWidget {
    Q_OBJECT

  public:
    explicit TrainingCurves(QWidget* parent = nullptr);

    /// One training step: its batch loss and accuracy (0..1).
    void addStep(double step, double loss, double accuracy);
    /// The end of an epoch at `step`: test loss and accuracy.
    void addEpoch(double step, double test_loss, double test_accuracy);
    /// Weight of the past in the exponential smoothing of step curves, 0 (none) to below 1.
    void setSmoothing(double weight);
    void clear();
    /// Rescales the axes and schedules a redraw; call at a bounded rate.
    void refresh();

    int stepCount() const;
    int epochCount() const;
    QCustomPlot* plot() const { return plot_; }

  private:
    QCustomPlot* plot_;
    QCPGraph* loss_raw_;
    QCPGraph* loss_smooth_;
    QCPGraph* accuracy_smooth_;
    QCPGraph* test_loss_;
    QCPGraph* test_accuracy_;
    double smoothing_ = 0.9;
    double loss_average_ = 0.0;
    double accuracy_average_ = 0.0;
    int steps_ = 0;
};

}  // namespace epsilon
