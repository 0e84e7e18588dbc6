// SPDX-License-Identifier: MIT
// Accuracy and size against ε for training and post-hoc sweeps, with their Pareto fronts.
#include "widgets/sweep_view.h"

#include <qcustomplot.h>

#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace epsilon {
namespace {

const QColor kTrainingColor(31, 119, 180);
const QColor kPosthocColor(255, 127, 14);
const QColor kMarkerColor(214, 39, 40);
/// Opacity (0..255) of the band across seeds.
constexpr int kBandAlpha = 50;
/// Share of the data's span left free on each side of every axis.
constexpr double kMargin = 0.08;
/// Scatter sizes in pixels: a run, a mean or post-hoc point, a front marker, the marked ring.
constexpr double kRunSize = 8;
constexpr double kPointSize = 5;
constexpr double kFrontSize = 10;
constexpr double kRingSize = 17;
/// A layer above the axes for the runs, so that a click on a run reaches its graph rather than
/// the band, the mean or an axis drawn at the same pixel.
const QString kRunsLayer = QStringLiteral("runs");
const QString kSeparator = QStringLiteral(" \u00b7 ");
const QString kEmptyHint = QStringLiteral(
    "No sweep yet: run a post-hoc sweep of the trained "
    "network, or open a training sweep's folder");
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Summary = SweepView::Summary;

/// Tick labels showing the tick times a factor: accuracy in percent, parameters in millions.
class ScaledTicker : public QCPAxisTicker {
  public:
    explicit ScaledTicker(double factor) : factor_(factor) {}

  protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar format, int precision) override {
        return QCPAxisTicker::getTickLabel(tick * factor_, locale, format, precision);
    }

  private:
    double factor_;
};

/// Parameter counts are shown in millions for ResNets, in thousands for the small test networks.
struct ParameterUnit {
    double divisor;
    QString suffix;
};

ParameterUnit unitFor(double parameters) {
    if (parameters >= 1e5) {
        return {1e6, "M"};
    }
    return parameters >= 1e2 ? ParameterUnit{1e3, "k"} : ParameterUnit{1.0, ""};
}

QString parametersText(double parameters) {
    const ParameterUnit unit = unitFor(parameters);
    const QString value = QString::number(parameters / unit.divisor, 'g', 3);
    return (unit.suffix.isEmpty() ? value : value + ' ' + unit.suffix) + " parameters";
}

QString percent(double fraction) {
    return QString::number(100.0 * fraction, 'f', 1) + '%';
}

QString epsilonText(double epsilon) {
    return QString::number(epsilon, 'g', 4);
}

QString blocksText(const SweepResult& point) {
    const QString removed = QString::number(point.blocks_removed);
    return point.block_count > 0
               ? removed + " of " + QString::number(point.block_count) + " blocks removed"
               : removed + (point.blocks_removed == 1 ? " block" : " blocks") + " removed";
}

/// The legend's name for a series: its kind, then the sweep's title where that adds something.
QString seriesName(const QString& kind, const QString& title) {
    if (title.isEmpty() || title.compare(kind, Qt::CaseInsensitive) == 0) {
        return kind;
    }
    return QString("%1 (%2)").arg(kind, title);
}

/// Puts `items` into `graph` as (key, value) pairs in increasing key, equal keys in their given
/// order, since a graph keeps its data sorted; returns the item each data index holds.
template <typename T>
std::vector<int> plotPairs(QCPGraph* graph, const std::vector<T>& items, double T::*key,
                           double T::*value) {
    std::vector<int> order(items.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return items[a].*key < items[b].*key; });
    QVector<double> keys, values;
    for (int i : order) {
        keys << items[static_cast<size_t>(i)].*key;
        values << items[static_cast<size_t>(i)].*value;
    }
    graph->setData(keys, values, true);
    return order;
}

QCPGraph* addSeries(const QCPAxisRect* rect, const QPen& line, const QCPScatterStyle& points) {
    QCPGraph* graph =
        rect->parentPlot()->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setPen(line);
    graph->setScatterStyle(points);
    return graph;
}

QCPScatterStyle frontStyle(const QColor& color) {
    return QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(color, 1.5), Qt::NoBrush, kFrontSize);
}

QCPErrorBars* addSpread(QCPGraph* data, QCPErrorBars::ErrorType type) {
    auto* bars = new QCPErrorBars(data->keyAxis(), data->valueAxis());
    bars->setDataPlottable(data);
    bars->setErrorType(type);
    bars->setPen(QPen(kTrainingColor, 1));
    return bars;
}

}  // namespace

SweepView::SweepView(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), info_(new QLabel(this)), marker_(kNaN) {
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info_->setContentsMargins(6, 4, 6, 0);
    // Room for a wrapped read-out from the start, so the plot does not jump when it grows.
    info_->setMinimumHeight(2 * info_->fontMetrics().lineSpacing());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(info_);
    layout->addWidget(plot_, 1);

    // A grid of titles over the three charts; the legend gets a row of its own below it.
    plot_->setAutoAddPlottableToLegend(false);
    plot_->addLayer(kRunsLayer, plot_->layer("axes"), QCustomPlot::limAbove);
    QCPAxisRect* first = plot_->axisRect();
    plot_->plotLayout()->take(first);
    auto* grid = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(0, 0, grid);
    buildChart(grid, 0, first, "Test accuracy against ε");
    buildChart(grid, 1, new QCPAxisRect(plot_), "Parameters against ε");
    buildChart(grid, 2, new QCPAxisRect(plot_), "Trade-off: accuracy against parameters");
    grid->setRowStretchFactor(0, 0.001);
    // Out of the first chart's inset; rebuildLegend() puts it under the charts when it has entries.
    first->insetLayout()->take(plot_->legend);
    plot_->legend->setFont(QFont(font().family(), 8));
    // Rows of four; setting the fill order after the wrap rearranges the entries already in.
    plot_->legend->setWrap(4);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);

    empty_text_ = new QCPItemText(plot_);
    empty_text_->setLayer("overlay");
    empty_text_->setClipToAxisRect(false);
    empty_text_->position->setType(QCPItemPosition::ptViewportRatio);
    empty_text_->position->setCoords(0.5, 0.5);
    empty_text_->setPadding(QMargins(10, 6, 10, 6));
    empty_text_->setBrush(QBrush(Qt::white));
    empty_text_->setPen(QPen(QColor(160, 160, 160)));
    empty_text_->setText(kEmptyHint);
    connect(plot_, &QCustomPlot::plottableClick, this, &SweepView::onPlottableClick);
    setMinimumSize(480, 260);
    refresh();
}

void SweepView::buildChart(QCPLayoutGrid* grid, int column, QCPAxisRect* rect,
                           const QString& title) {
    grid->addElement(0, column,
                     new QCPTextElement(plot_, title, QFont(font().family(), 9, QFont::Bold)));
    grid->addElement(1, column, rect);
    ChartGraphs& chart = charts_[column];
    chart.rect = rect;
    const bool epsilon_chart = column != static_cast<int>(SweepChart::TradeOff);
    const bool size_chart = column == static_cast<int>(SweepChart::Parameters);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    // Parameter axes get their unit once the data is known, in rescaleAxes().
    x->setTicker(QSharedPointer<QCPAxisTicker>(new ScaledTicker(1.0)));
    y->setTicker(QSharedPointer<QCPAxisTicker>(new ScaledTicker(size_chart ? 1.0 : 100.0)));
    x->setLabel(epsilon_chart ? "ε" : "parameters");
    y->setLabel(size_chart ? "parameters" : "test accuracy (%)");
    addGraphs(chart, epsilon_chart);
}

void SweepView::addGraphs(ChartGraphs& chart, bool epsilon_chart) {
    const QCPAxisRect* rect = chart.rect;
    const QCPScatterStyle point(QCPScatterStyle::ssDisc, kPointSize);
    if (epsilon_chart) {
        chart.band_lower = addSeries(rect, QPen(Qt::NoPen), QCPScatterStyle());
        chart.band_upper = addSeries(rect, QPen(Qt::NoPen), QCPScatterStyle());
        QColor band = kTrainingColor;
        band.setAlpha(kBandAlpha);
        chart.band_upper->setBrush(band);
        chart.band_upper->setChannelFillGraph(chart.band_lower);
    }
    chart.posthoc = addSeries(rect, QPen(kPosthocColor, 1.5), point);
    chart.mean = addSeries(rect, QPen(kTrainingColor, 2), point);
    if (!epsilon_chart) {
        // Means sit off the ε order here; the fronts draw the lines instead.
        chart.mean->setLineStyle(QCPGraph::lsNone);
        chart.accuracy_spread = addSpread(chart.mean, QCPErrorBars::etValueError);
        chart.parameter_spread = addSpread(chart.mean, QCPErrorBars::etKeyError);
        const QColor training = kTrainingColor.darker(140), posthoc = kPosthocColor.darker(130);
        chart.training_front = addSeries(rect, QPen(training, 2.5), frontStyle(training));
        chart.posthoc_front = addSeries(rect, QPen(posthoc, 2.5), frontStyle(posthoc));
        chart.training_front->setLineStyle(QCPGraph::lsStepLeft);  // best accuracy up to a size
        chart.posthoc_front->setLineStyle(QCPGraph::lsStepLeft);
    }
    chart.marked = addSeries(
        rect, QPen(Qt::NoPen),
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kMarkerColor, 2), Qt::NoBrush, kRingSize));
    chart.runs = addSeries(
        rect, QPen(Qt::NoPen),
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kTrainingColor, 1.5), Qt::white, kRunSize));
    chart.runs->setLayer(kRunsLayer);
    if (epsilon_chart) {
        chart.marker = new QCPItemStraightLine(plot_);
        chart.marker->setClipAxisRect(chart.rect);
        for (QCPItemPosition* end : {chart.marker->point1, chart.marker->point2}) {
            end->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        }
        chart.marker->setPen(QPen(kMarkerColor, 1.5, Qt::DashLine));
    }
}

void SweepView::setTrainingSweep(std::vector<SweepResult> runs, const QString& title) {
    std::stable_sort(runs.begin(), runs.end(), [](const SweepResult& a, const SweepResult& b) {
        return a.epsilon < b.epsilon || (a.epsilon == b.epsilon && a.seed < b.seed);
    });
    runs_ = std::move(runs);
    training_title_ = title;
    refresh();
}

void SweepView::setPosthocSweep(std::vector<SweepResult> points, const QString& title) {
    std::stable_sort(points.begin(), points.end(), [](const SweepResult& a, const SweepResult& b) {
        return a.epsilon < b.epsilon;
    });
    posthoc_ = std::move(points);
    posthoc_title_ = title;
    refresh();
}

void SweepView::clear() {
    runs_.clear();
    posthoc_.clear();
    refresh();
}

void SweepView::setEpsilonMarker(double epsilon) {
    marker_ = epsilon;
    updateMarker();
}

int SweepView::markedPosthocPoint() const {
    return countAtOrBelow(posthoc_, marker_) - 1;
}

std::vector<Summary> SweepView::trainingSummary() const {
    return summarizeOverSeeds(runs_);
}

std::vector<int> SweepView::trainingParetoFront() const {
    std::vector<int> indices;
    paretoFront(trainingSummary(), &Summary::mean_parameters, &Summary::mean_accuracy, &indices);
    return indices;
}

std::vector<int> SweepView::posthocParetoFront() const {
    std::vector<int> indices;
    paretoFront(posthoc_, &SweepResult::parameters, &SweepResult::accuracy, &indices);
    return indices;
}

const SweepView::ChartGraphs& SweepView::chart(SweepChart which) const {
    return charts_[static_cast<int>(which)];
}

QString SweepView::readout() const {
    return info_->text();
}

void SweepView::refresh() {
    fillGraphs();
    rescaleAxes();
    empty_text_->setVisible(runs_.empty() && posthoc_.empty());
    plot_->setToolTip(runs_.empty() ? "" : "Click a training run (an open circle) to open it");
    charts_[0].runs->setName(seriesName("training runs", training_title_));
    charts_[0].mean->setName("mean over seeds");
    charts_[0].band_upper->setName("min–max over seeds");
    charts_[0].posthoc->setName(seriesName("post hoc", posthoc_title_));
    charts_[0].marked->setName("post-hoc point at the ε line");
    charts_[2].training_front->setName("Pareto front of the means");
    charts_[2].posthoc_front->setName("post-hoc Pareto front");
    updateMarker();
}

void SweepView::fillGraphs() {
    ChartGraphs &accuracy = charts_[0], &size = charts_[1], &trade = charts_[2];
    using R = SweepResult;
    const std::vector<Summary> summary = trainingSummary();
    plotPairs(accuracy.mean, summary, &Summary::epsilon, &Summary::mean_accuracy);
    plotPairs(accuracy.band_lower, summary, &Summary::epsilon, &Summary::min_accuracy);
    plotPairs(accuracy.band_upper, summary, &Summary::epsilon, &Summary::max_accuracy);
    plotPairs(size.mean, summary, &Summary::epsilon, &Summary::mean_parameters);
    plotPairs(size.band_lower, summary, &Summary::epsilon, &Summary::min_parameters);
    plotPairs(size.band_upper, summary, &Summary::epsilon, &Summary::max_parameters);
    plotPairs(accuracy.runs, runs_, &R::epsilon, &R::accuracy);
    plotPairs(size.runs, runs_, &R::epsilon, &R::parameters);
    tradeoff_order_ = plotPairs(trade.runs, runs_, &R::parameters, &R::accuracy);

    // Error bars follow their graph's data index, so they go in the order the means went in.
    QVector<double> accuracy_below, accuracy_above, size_below, size_above;
    for (int i :
         plotPairs(trade.mean, summary, &Summary::mean_parameters, &Summary::mean_accuracy)) {
        const Summary& at = summary[static_cast<size_t>(i)];
        accuracy_below << at.mean_accuracy - at.min_accuracy;
        accuracy_above << at.max_accuracy - at.mean_accuracy;
        size_below << at.mean_parameters - at.min_parameters;
        size_above << at.max_parameters - at.mean_parameters;
    }
    trade.accuracy_spread->setData(accuracy_below, accuracy_above);
    trade.parameter_spread->setData(size_below, size_above);

    plotPairs(accuracy.posthoc, posthoc_, &R::epsilon, &R::accuracy);
    plotPairs(size.posthoc, posthoc_, &R::epsilon, &R::parameters);
    plotPairs(trade.posthoc, posthoc_, &R::parameters, &R::accuracy);
    plotPairs(trade.training_front,
              paretoFront(summary, &Summary::mean_parameters, &Summary::mean_accuracy),
              &Summary::mean_parameters, &Summary::mean_accuracy);
    plotPairs(trade.posthoc_front, paretoFront(posthoc_, &R::parameters, &R::accuracy),
              &R::parameters, &R::accuracy);
}

void SweepView::rescaleAxes() {
    double largest = 0.0;
    for (const auto* sweep : {&runs_, &posthoc_}) {
        for (const SweepResult& point : *sweep) {
            largest = std::max(largest, point.parameters);
        }
    }
    const ParameterUnit unit = unitFor(largest);
    for (QCPAxis* axis :
         {charts_[1].rect->axis(QCPAxis::atLeft), charts_[2].rect->axis(QCPAxis::atBottom)}) {
        axis->setLabel(unit.suffix.isEmpty() ? "parameters" : "parameters (" + unit.suffix + ")");
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new ScaledTicker(1.0 / unit.divisor)));
    }
    const bool empty = runs_.empty() && posthoc_.empty();
    for (const ChartGraphs& chart : charts_) {
        for (QCPAxis* axis : chart.rect->axes(QCPAxis::atBottom | QCPAxis::atLeft)) {
            if (empty) {
                axis->setRange(0.0, 1.0);
                continue;
            }
            axis->rescale();
            const QCPRange range = axis->range();
            axis->setRange(range.lower - kMargin * range.size(),
                           range.upper + kMargin * range.size());
        }
    }
}

void SweepView::rebuildLegend() {
    plot_->legend->clearItems();
    const ChartGraphs &accuracy = charts_[0], &trade = charts_[2];
    std::vector<QCPAbstractPlottable*> shown;
    if (!runs_.empty()) {
        shown = {accuracy.runs, accuracy.mean, accuracy.band_upper, trade.training_front};
    }
    if (!posthoc_.empty()) {
        shown.insert(shown.end(), {accuracy.posthoc, trade.posthoc_front});
    }
    if (!accuracy.marked->data()->isEmpty()) {
        shown.push_back(accuracy.marked);
    }
    for (QCPAbstractPlottable* plottable : shown) {
        plottable->addToLegend();
    }
    // An empty legend's maximum width is its margins, which would squeeze the charts above it
    // into that column; so it leaves the layout while it has nothing to show.
    QCPLayoutGrid* layout = plot_->plotLayout();
    const bool in_layout = plot_->legend->layout() != nullptr;
    if (shown.empty() && in_layout) {
        layout->take(plot_->legend);
        layout->simplify();
    } else if (!shown.empty() && !in_layout) {
        layout->addElement(1, 0, plot_->legend);
        layout->setRowStretchFactor(1, 0.001);
    }
    plot_->legend->setVisible(!shown.empty());
}

void SweepView::updateMarker() {
    const bool line = std::isfinite(marker_) && !(runs_.empty() && posthoc_.empty());
    for (ChartGraphs& chart : charts_) {
        if (chart.marker) {
            chart.marker->setVisible(line);
            chart.marker->point1->setCoords(line ? marker_ : 0.0, 0.0);
            chart.marker->point2->setCoords(line ? marker_ : 0.0, 1.0);
        }
        chart.marked->data()->clear();
    }
    const int marked = markedPosthocPoint();
    if (marked >= 0) {
        const SweepResult& point = posthoc_[static_cast<size_t>(marked)];
        charts_[0].marked->addData(point.epsilon, point.accuracy);
        charts_[1].marked->addData(point.epsilon, point.parameters);
        charts_[2].marked->addData(point.parameters, point.accuracy);
    }
    rebuildLegend();
    info_->setText(std::isfinite(marker_) ? markerReadout() : sweepsReadout());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString SweepView::sweepsReadout() const {
    QStringList parts;
    if (!runs_.empty()) {
        parts << QString("Training sweep: %1 runs at %2 values of ε; click a run to open it")
                     .arg(QString::number(runs_.size()), QString::number(trainingSummary().size()));
    }
    if (!posthoc_.empty()) {
        parts << QString("post hoc: %1 points, ε %2 to %3")
                     .arg(QString::number(posthoc_.size()), epsilonText(posthoc_.front().epsilon),
                          epsilonText(posthoc_.back().epsilon));
    }
    return parts.join(kSeparator);
}

QString SweepView::markerReadout() const {
    QStringList parts;
    if (const int marked = markedPosthocPoint(); marked >= 0) {
        const SweepResult& point = posthoc_[static_cast<size_t>(marked)];
        const QString at =
            point.epsilon == marker_ ? "" : QString("(at ε = %1) ").arg(epsilonText(point.epsilon));
        parts << QString("post hoc %1%2, %3 accuracy, %4")
                     .arg(at, blocksText(point), percent(point.accuracy),
                          parametersText(point.parameters));
    } else if (!posthoc_.empty()) {
        parts << "no post-hoc point at or below this ε";
    }
    const std::vector<Summary> summary = trainingSummary();
    if (const int trained = countAtOrBelow(summary, marker_) - 1; trained >= 0) {
        const Summary& at = summary[static_cast<size_t>(trained)];
        parts << QString("trained at ε = %1: %2 runs, %3 mean accuracy (%4–%5), %6")
                     .arg(epsilonText(at.epsilon), QString::number(at.runs),
                          percent(at.mean_accuracy), percent(at.min_accuracy),
                          percent(at.max_accuracy), parametersText(at.mean_parameters));
    }
    if (parts.isEmpty()) {
        return {};
    }
    return QString("ε = %1: %2").arg(epsilonText(marker_), parts.join(kSeparator));
}

void SweepView::onPlottableClick(QCPAbstractPlottable* plottable, int index) {
    if (index < 0 || index >= static_cast<int>(runs_.size())) {
        return;
    }
    int run = -1;
    if (plottable == charts_[0].runs || plottable == charts_[1].runs) {
        run = index;
    } else if (plottable == charts_[2].runs) {
        run = tradeoff_order_[static_cast<size_t>(index)];
    }
    if (run >= 0 && !runs_[static_cast<size_t>(run)].run_path.isEmpty()) {
        emit runClicked(runs_[static_cast<size_t>(run)].run_path);
    }
}

}  // namespace epsilon
