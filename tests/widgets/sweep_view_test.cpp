// SPDX-License-Identifier: MIT
// The sweep view: summaries over seeds, Pareto fronts, the ε marker and its read-out, clicks on
// training runs, clearing, and the layout of a realistic sweep.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QFontMetrics>
#include <QSignalSpy>
#include <QTest>
#include <cmath>

#include "widgets/sweep_view.h"

namespace epsilon {
namespace {

SweepResult run(double epsilon, quint64 seed, double accuracy, double parameters,
                const QString& path = {}) {
    SweepResult result;
    result.epsilon = epsilon;
    result.seed = seed;
    result.accuracy = accuracy;
    result.parameters = parameters;
    result.run_path = path;
    return result;
}

SweepResult posthoc(double epsilon, double accuracy, double parameters, int removed = 0) {
    SweepResult result = run(epsilon, 0, accuracy, parameters);
    result.blocks_removed = removed;
    result.block_count = 9;
    return result;
}

/// Two ε × two seeds, fed out of order.
std::vector<SweepResult> twoByTwo() {
    return {run(4, 2, 0.80, 200e3, "/runs/e4-s2"), run(0, 1, 0.90, 270e3, "/runs/e0-s1"),
            run(4, 1, 0.84, 180e3, "/runs/e4-s1"), run(0, 2, 0.92, 270e3, "/runs/e0-s2")};
}

std::vector<double> keys(const QCPGraph* graph) {
    std::vector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out.push_back(it->key);
    }
    return out;
}

std::vector<double> values(const QCPGraph* graph) {
    std::vector<double> out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
        out.push_back(it->value);
    }
    return out;
}

TEST(SweepView, SummaryTakesMeanMinAndMaxOverSeeds) {
    SweepView view;
    view.setTrainingSweep(twoByTwo(), "sweep");
    const std::vector<SweepView::Summary> summary = view.trainingSummary();
    ASSERT_EQ(summary.size(), 2u);
    EXPECT_DOUBLE_EQ(summary[0].epsilon, 0.0);
    EXPECT_EQ(summary[0].runs, 2);
    EXPECT_NEAR(summary[0].mean_accuracy, 0.91, 1e-12);
    EXPECT_DOUBLE_EQ(summary[0].min_parameters, 270e3);
    EXPECT_DOUBLE_EQ(summary[0].max_parameters, 270e3);
    EXPECT_DOUBLE_EQ(summary[1].epsilon, 4.0);
    EXPECT_NEAR(summary[1].mean_accuracy, 0.82, 1e-12);
    EXPECT_DOUBLE_EQ(summary[1].min_accuracy, 0.80);
    EXPECT_DOUBLE_EQ(summary[1].max_accuracy, 0.84);
    EXPECT_NEAR(summary[1].mean_parameters, 190e3, 1e-6);
    EXPECT_DOUBLE_EQ(summary[1].min_parameters, 180e3);
    EXPECT_DOUBLE_EQ(summary[1].max_parameters, 200e3);
}

TEST(SweepView, BandGraphsHoldMinAndMaxOverSeeds) {
    SweepView view;
    view.setTrainingSweep(twoByTwo(), "sweep");
    const SweepView::ChartGraphs& accuracy = view.chart(SweepChart::Accuracy);
    EXPECT_EQ(keys(accuracy.band_lower), (std::vector<double>{0, 4}));
    EXPECT_EQ(values(accuracy.band_lower), (std::vector<double>{0.90, 0.80}));
    EXPECT_EQ(values(accuracy.band_upper), (std::vector<double>{0.92, 0.84}));
    EXPECT_EQ(accuracy.band_upper->channelFillGraph(), accuracy.band_lower);
    EXPECT_NE(accuracy.band_upper->brush().style(), Qt::NoBrush);
    const SweepView::ChartGraphs& size = view.chart(SweepChart::Parameters);
    EXPECT_EQ(values(size.band_lower), (std::vector<double>{270e3, 180e3}));
    EXPECT_EQ(values(size.band_upper), (std::vector<double>{270e3, 200e3}));
    EXPECT_EQ(size.runs->data()->size(), 4);
}

TEST(SweepView, ParetoFrontDropsDominatedPointsAndKeepsEqualOnes) {
    SweepView view;
    // 0 loses to 1 (same accuracy, more parameters); 2 and 3 are equal, so both stay; 4 loses to
    // 2 (same size, less accuracy); 6 loses to 5 (bigger and worse).
    view.setPosthocSweep(
        {posthoc(0, 0.90, 100), posthoc(1, 0.90, 90), posthoc(2, 0.85, 70), posthoc(3, 0.85, 70),
         posthoc(4, 0.80, 70), posthoc(5, 0.60, 40), posthoc(6, 0.50, 60)},
        "post hoc");
    EXPECT_EQ(view.posthocParetoFront(), (std::vector<int>{1, 2, 3, 5}));
    const QCPGraph* front = view.chart(SweepChart::TradeOff).posthoc_front;
    EXPECT_EQ(keys(front), (std::vector<double>{40, 70, 70, 90}));
    EXPECT_EQ(values(front), (std::vector<double>{0.60, 0.85, 0.85, 0.90}));

    // Training fronts compare the means: ε 2 is beaten by the smaller, more accurate ε 4.
    view.setTrainingSweep({run(0, 1, 0.9, 100), run(2, 1, 0.7, 80), run(4, 1, 0.8, 60)}, "t");
    EXPECT_EQ(view.trainingParetoFront(), (std::vector<int>{0, 2}));
    EXPECT_EQ(view.chart(SweepChart::TradeOff).training_front->data()->size(), 2);
}

TEST(SweepView, PosthocGraphsHoldThePointsInOrderOfEpsilon) {
    SweepView view;
    view.setPosthocSweep({posthoc(6, 0.6, 80e3), posthoc(0, 0.9, 270e3), posthoc(3, 0.8, 150e3)},
                         "post hoc");
    const QCPGraph* accuracy = view.chart(SweepChart::Accuracy).posthoc;
    EXPECT_EQ(keys(accuracy), (std::vector<double>{0, 3, 6}));
    EXPECT_EQ(values(accuracy), (std::vector<double>{0.9, 0.8, 0.6}));
    EXPECT_EQ(values(view.chart(SweepChart::Parameters).posthoc),
              (std::vector<double>{270e3, 150e3, 80e3}));
    // The trade-off chart goes by size: parameters as keys, accuracy as values.
    EXPECT_EQ(keys(view.chart(SweepChart::TradeOff).posthoc),
              (std::vector<double>{80e3, 150e3, 270e3}));
    EXPECT_DOUBLE_EQ(view.posthocPoints().front().epsilon, 0.0);
}

/// Post-hoc points at ε 0, 4, 8 and 12.
std::vector<SweepResult> fourPoints() {
    return {posthoc(8, 0.712, 0.12e6, 6), posthoc(0, 0.91, 0.27e6, 0), posthoc(12, 0.5, 0.05e6, 8),
            posthoc(4, 0.85, 0.2e6, 3)};
}

TEST(SweepView, MarkerPicksTheLargestEpsilonAtOrBelowIt) {
    SweepView view;
    view.setPosthocSweep(fourPoints(), "post hoc");
    EXPECT_EQ(view.markedPosthocPoint(), -1);  // no marker yet
    view.setEpsilonMarker(8.3);
    EXPECT_EQ(view.markedPosthocPoint(), 2);
    view.setEpsilonMarker(8.0);
    EXPECT_EQ(view.markedPosthocPoint(), 2);
    view.setEpsilonMarker(7.9);
    EXPECT_EQ(view.markedPosthocPoint(), 1);
    view.setEpsilonMarker(40.0);
    EXPECT_EQ(view.markedPosthocPoint(), 3);
    view.setEpsilonMarker(-0.5);
    EXPECT_EQ(view.markedPosthocPoint(), -1);
    EXPECT_TRUE(view.chart(SweepChart::Accuracy).marked->data()->isEmpty());
    EXPECT_TRUE(view.readout().contains("no post-hoc point")) << view.readout().toStdString();
}

TEST(SweepView, ReadoutAndRingNameTheMarkedPoint) {
    SweepView view;
    view.setPosthocSweep(fourPoints(), "post hoc");
    view.setEpsilonMarker(8.0);
    EXPECT_EQ(view.readout().toStdString(),
              "ε = 8: post hoc 6 of 9 blocks removed, 71.2% accuracy, 0.12 M parameters");
    EXPECT_EQ(keys(view.chart(SweepChart::Accuracy).marked), (std::vector<double>{8}));
    EXPECT_EQ(values(view.chart(SweepChart::Parameters).marked), (std::vector<double>{0.12e6}));
    EXPECT_EQ(keys(view.chart(SweepChart::TradeOff).marked), (std::vector<double>{0.12e6}));
    EXPECT_TRUE(view.chart(SweepChart::Accuracy).marker->visible());
    view.setEpsilonMarker(9.5);
    EXPECT_TRUE(view.readout().startsWith("ε = 9.5: post hoc (at ε = 8) 6 of 9"))
        << view.readout().toStdString();
}

TEST(SweepView, ReadoutAddsTheTrainedRunsAtTheMarker) {
    SweepView view;
    view.setTrainingSweep(twoByTwo(), "sweep");
    EXPECT_TRUE(view.readout().contains("4 runs at 2 values of ε")) << view.readout().toStdString();
    view.setEpsilonMarker(5.0);
    EXPECT_EQ(view.readout().toStdString(),
              "ε = 5: trained at ε = 4: 2 runs, 82.0% mean accuracy "
              "(80.0%–84.0%), 0.19 M parameters");
}

class SweepViewClickTest : public ::testing::Test {
  protected:
    void SetUp() override {
        view_.resize(1100, 420);
        view_.setTrainingSweep(twoByTwo(), "sweep");
        view_.show();
        QApplication::processEvents();
        view_.plot()->replot();
    }
    QPoint pixelOf(SweepChart which, double key, double value) const {
        const QCPAxisRect* rect = view_.chart(which).rect;
        return QPoint(static_cast<int>(rect->axis(QCPAxis::atBottom)->coordToPixel(key)),
                      static_cast<int>(rect->axis(QCPAxis::atLeft)->coordToPixel(value)));
    }
    SweepView view_;
};

TEST_F(SweepViewClickTest, ClickingARunEmitsItsPath) {
    QSignalSpy clicked(&view_, &SweepView::runClicked);
    QTest::mouseClick(view_.plot(), Qt::LeftButton, Qt::NoModifier,
                      pixelOf(SweepChart::Accuracy, 4.0, 0.84));
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.at(0).at(0).toString(), "/runs/e4-s1");
    // A run drawn over the band's edge and the mean's line is still the one clicked.
    QTest::mouseClick(view_.plot(), Qt::LeftButton, Qt::NoModifier,
                      pixelOf(SweepChart::Parameters, 4.0, 200e3));
    ASSERT_EQ(clicked.count(), 2);
    EXPECT_EQ(clicked.at(1).at(0).toString(), "/runs/e4-s2");
}

TEST_F(SweepViewClickTest, ClickingARunInTheTradeOffChartEmitsItsPath) {
    QSignalSpy clicked(&view_, &SweepView::runClicked);
    QTest::mouseClick(view_.plot(), Qt::LeftButton, Qt::NoModifier,
                      pixelOf(SweepChart::TradeOff, 270e3, 0.92));
    ASSERT_EQ(clicked.count(), 1);
    EXPECT_EQ(clicked.at(0).at(0).toString(), "/runs/e0-s2");
}

TEST_F(SweepViewClickTest, ClickingAwayFromTheRunsEmitsNothing) {
    QSignalSpy clicked(&view_, &SweepView::runClicked);
    QTest::mouseClick(view_.plot(), Qt::LeftButton, Qt::NoModifier,
                      pixelOf(SweepChart::Accuracy, 2.0, 0.86));
    EXPECT_EQ(clicked.count(), 0);
}

TEST(SweepView, StartsWithTheHintAndThreeCharts) {
    SweepView view;
    EXPECT_EQ(view.plot()->axisRectCount(), 3);
    EXPECT_TRUE(view.emptyStateText()->visible());
    EXPECT_TRUE(view.emptyStateText()->text().startsWith("No sweep yet"));
    EXPECT_TRUE(view.readout().isEmpty());
    view.setPosthocSweep(fourPoints(), "post hoc");
    EXPECT_FALSE(view.emptyStateText()->visible());
}

// An empty legend once squeezed the three charts into its own narrow column.
TEST(SweepView, ChartsKeepTheFullWidthWithoutALegend) {
    SweepView view;
    view.resize(1100, 420);
    view.setPosthocSweep(fourPoints(), "post hoc");
    view.clear();
    view.show();
    QApplication::processEvents();
    view.plot()->replot();
    const QCPAxisRect* trade = view.chart(SweepChart::TradeOff).rect;
    EXPECT_GT(trade->outerRect().right(), 1000);
    EXPECT_GT(view.chart(SweepChart::Accuracy).rect->width(), 250);
    EXPECT_FALSE(view.plot()->legend->visible());
}

TEST(SweepView, ClearEmptiesEveryChartAndShowsTheHint) {
    SweepView view;
    view.setTrainingSweep(twoByTwo(), "sweep");
    view.setPosthocSweep(fourPoints(), "post hoc");
    view.setEpsilonMarker(8.0);
    ASSERT_GT(view.plot()->legend->itemCount(), 0);
    view.clear();
    for (int i = 0; i < view.plot()->plottableCount(); ++i) {
        EXPECT_EQ(view.plot()->plottable(i)->interface1D()->dataCount(), 0) << "plottable " << i;
    }
    EXPECT_TRUE(view.trainingSummary().empty());
    EXPECT_TRUE(view.trainingParetoFront().empty());
    EXPECT_TRUE(view.posthocParetoFront().empty());
    EXPECT_EQ(view.markedPosthocPoint(), -1);
    EXPECT_TRUE(view.readout().isEmpty());
    EXPECT_FALSE(view.chart(SweepChart::Accuracy).marker->visible());
    EXPECT_EQ(view.plot()->legend->itemCount(), 0);
    EXPECT_TRUE(view.emptyStateText()->visible());
}

/// ε 0, 4, 6, 8, 10 trained with seeds 1 and 2, and the ε = 0 network pruned at 20 values of ε.
void feedRealisticSweep(SweepView& view) {
    const double epsilons[] = {0, 4, 6, 8, 10};
    const double accuracies[] = {0.91, 0.88, 0.83, 0.74, 0.61};
    const double parameters[] = {0.27e6, 0.22e6, 0.17e6, 0.12e6, 0.08e6};
    std::vector<SweepResult> runs;
    for (int i = 0; i < 5; ++i) {
        for (quint64 seed : {1, 2}) {
            const double jitter = seed == 1 ? 1.0 : -1.0;
            runs.push_back(run(epsilons[i], seed, accuracies[i] + 0.012 * jitter,
                               parameters[i] + 4e3 * jitter * i,
                               QString("/runs/e%1-s%2").arg(epsilons[i]).arg(seed)));
        }
    }
    view.setTrainingSweep(runs, "cifar10-sweep");
    std::vector<SweepResult> points;
    for (int i = 0; i < 20; ++i) {
        const int removed = std::min(9, i / 2);
        points.push_back(posthoc(0.6 * i, 0.91 - 0.0015 * std::pow(removed, 2.6),
                                 0.27e6 - 0.021e6 * removed, removed));
    }
    view.setPosthocSweep(points, "post hoc");
    view.setEpsilonMarker(8.0);
}

TEST(SweepView, RealisticSweepLaysOutLegibly) {
    SweepView view;
    view.resize(1100, 420);
    feedRealisticSweep(view);
    view.show();
    QApplication::processEvents();
    view.plot()->replot();
    auto* grid = qobject_cast<QCPLayoutGrid*>(view.plot()->plotLayout()->element(0, 0));
    ASSERT_NE(grid, nullptr);
    for (int column = 0; column < 3; ++column) {
        auto* title = qobject_cast<QCPTextElement*>(grid->element(0, column));
        ASSERT_NE(title, nullptr);
        const int text_width = QFontMetrics(title->font()).horizontalAdvance(title->text());
        EXPECT_LE(text_width, title->outerRect().width()) << title->text().toStdString();
        EXPECT_GT(view.chart(static_cast<SweepChart>(column)).rect->width(), 200);
    }
    const QRect legend = view.plot()->legend->outerRect();
    EXPECT_TRUE(view.plot()->rect().contains(legend));
    EXPECT_LE(view.plot()->legend->minimumOuterSizeHint().width(), view.plot()->width());
    if (const char* shots = std::getenv("EPSILON_LAB_SCREENSHOTS")) {
        view.grab().save(QString(shots) + "/sweep-view.png");
    }
}

}  // namespace
}  // namespace epsilon
