// SPDX-License-Identifier: MIT
// How test accuracy and network size trade off against ε, over a training sweep (one run per ε and
// seed) and a post-hoc sweep (one trained network pruned at many ε). Plain numbers in; no torch.
#pragma once

#include <QString>
#include <QWidget>
#include <vector>

#include "widgets/sweep_results.h"

class QCustomPlot;
class QCPAbstractPlottable;
class QCPAxisRect;
class QCPErrorBars;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPLayoutGrid;
class QLabel;

namespace epsilon {

/// The three charts of the view, left to right.
enum class SweepChart {
    Accuracy,    ///< Test accuracy against ε.
    Parameters,  ///< Parameters against ε.
    TradeOff,    ///< Accuracy against parameters, with the Pareto fronts.
};

/// One QCustomPlot with three titled axis rects side by side and a legend below, so that export
/// takes all three. The training sweep is drawn as one point per run, the mean over seeds as a line
/// and the seeds' min..max as a band; the post-hoc sweep as a line with markers. A dashed line
/// marks ε (as set in the response view) and a ring the post-hoc point in force there.
class SweepView : public QWidget {
    Q_OBJECT

  public:
    using Summary = SweepSummary;
    /// The plottables of one chart; those the chart lacks are null. Accuracies are held as 0..1
    /// and parameters as counts; only the tick labels scale them.
    struct ChartGraphs {
        QCPAxisRect* rect = nullptr;
        QCPGraph* runs = nullptr;                  ///< One point per training run.
        QCPGraph* mean = nullptr;                  ///< Mean over seeds, per ε.
        QCPGraph* band_lower = nullptr;            ///< Min over seeds (ε charts).
        QCPGraph* band_upper = nullptr;            ///< Max over seeds, filled down to band_lower.
        QCPErrorBars* accuracy_spread = nullptr;   ///< Min..max accuracy (trade-off chart).
        QCPErrorBars* parameter_spread = nullptr;  ///< Min..max parameters (trade-off chart).
        QCPGraph* posthoc = nullptr;
        QCPGraph* marked = nullptr;          ///< Ring around the marked post-hoc point.
        QCPGraph* training_front = nullptr;  ///< Pareto front of the means (trade-off chart).
        QCPGraph* posthoc_front = nullptr;   ///< Pareto front of the post-hoc points (trade-off).
        QCPItemStraightLine* marker = nullptr;  ///< The ε line (ε charts).
    };

    explicit SweepView(QWidget* parent = nullptr);

    /// Replaces the training sweep; `title` names it in the legend (a folder name, say).
    void setTrainingSweep(std::vector<SweepResult> runs, const QString& title);
    /// Replaces the post-hoc sweep; the points are kept in increasing ε.
    void setPosthocSweep(std::vector<SweepResult> points, const QString& title);
    /// Forgets both sweeps.
    void clear();
    /// Moves the ε line; NaN hides it.
    void setEpsilonMarker(double epsilon);
    double epsilonMarker() const { return marker_; }
    /// Index into posthocPoints() of the point in force at the marker: the largest ε <= marker;
    /// -1 if there is none.
    int markedPosthocPoint() const;

    /// Training runs in increasing ε, then seed.
    const std::vector<SweepResult>& trainingRuns() const { return runs_; }
    /// Post-hoc points in increasing ε.
    const std::vector<SweepResult>& posthocPoints() const { return posthoc_; }
    /// One entry per distinct ε of the training sweep, in increasing ε.
    std::vector<Summary> trainingSummary() const;
    /// Indices into trainingSummary() not dominated in (fewer mean parameters, higher mean
    /// accuracy), in increasing index. Equal points do not dominate each other: both stay.
    std::vector<int> trainingParetoFront() const;
    /// The same for posthocPoints().
    std::vector<int> posthocParetoFront() const;

    /// The one plot holding all three charts, for export and for tests that click on it.
    QCustomPlot* plot() const { return plot_; }
    const ChartGraphs& chart(SweepChart which) const;
    /// The centred hint shown while there is no sweep.
    QCPItemText* emptyStateText() const { return empty_text_; }
    /// What the info label above the plot shows now.
    QString readout() const;

  signals:
    /// A training run's point was clicked; carries its snapshot path.
    void runClicked(const QString& run_path);

  private:
    void buildChart(QCPLayoutGrid* grid, int column, QCPAxisRect* rect, const QString& title);
    void addGraphs(ChartGraphs& chart, bool epsilon_chart);
    void refresh();
    void fillGraphs();
    void rescaleAxes();
    void rebuildLegend();
    void updateMarker();
    /// What the sweeps hold, while no ε is marked.
    QString sweepsReadout() const;
    /// The post-hoc point and the trained runs in force at the marked ε.
    QString markerReadout() const;
    /// Emits runClicked() when `plottable` is a chart's runs graph.
    void onPlottableClick(QCPAbstractPlottable* plottable, int index);

    QCustomPlot* plot_;
    QLabel* info_;
    QCPItemText* empty_text_ = nullptr;
    ChartGraphs charts_[3];
    std::vector<SweepResult> runs_;
    std::vector<SweepResult> posthoc_;
    /// Indices into runs_ in the order of the trade-off chart's runs graph (by parameters).
    std::vector<int> tradeoff_order_;
    QString training_title_;
    QString posthoc_title_;
    double marker_;
};

}  // namespace epsilon
