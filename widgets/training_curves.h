// SPDX-License-Identifier: MIT
// Training curves: loss and accuracy per step, smoothed like TensorBoard's scalars, the test set's
// loss and accuracy per epoch, and below them the learning rate and the discarded-block count,
// with a read-out of the values under the mouse. Plain numbers in; no torch.
#pragma once

#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QDoubleSpinBox;
class QLabel;
class QLayout;
class QMouseEvent;

namespace epsilon {

/// Two stacked axis rects sharing the step axis: loss (left) and accuracy (right) on top;
/// learning rate (left, logarithmic) and discarded blocks (right) below. Steps are expected in
/// increasing order, as a trainer produces them.
class TrainingCurves : public QWidget {
    Q_OBJECT

  public:
    explicit TrainingCurves(QWidget* parent = nullptr);

    /// One training step: its batch loss and accuracy (0..1); no learning rate or discards.
    void addStep(double step, double loss, double accuracy);
    /// One training step with its learning rate and the trainer's moving average of the number
    /// of discarded blocks, which is plotted as given. A learning rate <= 0 is not plotted (the
    /// axis is logarithmic) but still read out.
    void addStep(double step, double loss, double accuracy, double learning_rate,
                 double discarded_count);
    /// The end of an epoch at `step`: test loss and accuracy.
    void addEpoch(double step, double test_loss, double test_accuracy);
    /// Weight of the past in the exponential smoothing of the loss and accuracy, clamped to the
    /// range of the Smoothing control; re-smooths the steps already plotted.
    void setSmoothing(double weight);
    double smoothing() const { return smoothing_; }
    void clear();
    /// Rescales the axes and schedules a redraw; call at a bounded rate.
    void refresh();
    /// Whether refresh() shows every step so far, as until the user zooms or drags the steps.
    bool followsLatest() const { return follow_latest_; }

    int stepCount() const;
    int epochCount() const;
    /// The read-out for the recorded step nearest to `step`, with the last test result at or
    /// before it; empty when no step is recorded.
    QString readoutAt(double step) const;
    /// The read-out shown now, for the step last hovered.
    QString readout() const;

    QCustomPlot* plot() const { return plot_; }
    /// The lower axis rect: learning rate and discarded blocks.
    QCPAxisRect* rateRect() const { return rate_rect_; }
    QCPAxis* learningRateAxis() const;
    QCPAxis* discardedAxis() const;
    QCPGraph* learningRateGraph() const { return learning_rate_; }
    QCPGraph* discardedGraph() const { return discarded_; }
    QDoubleSpinBox* smoothingControl() const { return smoothing_control_; }

  private:
    bool follow_latest_ = true;
    /// What one step brought, unsmoothed; NaN where the caller gave no value.
    struct StepValues {
        double step;
        double loss;
        double accuracy;
        double learning_rate;
        double discarded_count;
    };

    QLayout* buildControls();
    void buildLossRect();
    void buildRateRect();
    void buildHoverLines();
    void addSmoothed(double step, double loss, double accuracy, int count);
    void resmooth();
    void onHover(QMouseEvent* event);
    void showReadout(double step);
    int nearestIndex(double step) const;
    QString testReadoutAt(double step) const;

    QCustomPlot* plot_;
    QCPAxisRect* rate_rect_ = nullptr;
    QCPGraph* loss_raw_ = nullptr;
    QCPGraph* loss_smooth_ = nullptr;
    QCPGraph* accuracy_smooth_ = nullptr;
    QCPGraph* test_loss_ = nullptr;
    QCPGraph* test_accuracy_ = nullptr;
    QCPGraph* learning_rate_ = nullptr;
    QCPGraph* discarded_ = nullptr;
    QCPItemStraightLine* loss_cursor_ = nullptr;
    QCPItemStraightLine* rate_cursor_ = nullptr;
    QDoubleSpinBox* smoothing_control_ = nullptr;
    QLabel* readout_ = nullptr;
    std::vector<StepValues> steps_;
    double smoothing_ = 0.9;
    double loss_average_ = 0.0;
    double accuracy_average_ = 0.0;
    /// The recorded step that the read-out and the cursor lines show.
    std::optional<double> hovered_step_;
};

}  // namespace epsilon
