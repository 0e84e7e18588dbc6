// SPDX-License-Identifier: MIT
// Training curves: raw and smoothed step curves, the per-epoch test points, learning rate and
// discarded blocks in the lower rect, the smoothing control and the hover read-out.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QDoubleSpinBox>
#include <QTest>

#include "widgets/training_curves.h"

namespace epsilon {
namespace {

TEST(TrainingCurves, KeepsRawAndSmoothedStepsAndEpochPoints) {
    TrainingCurves curves;
    curves.setSmoothing(0.5);
    curves.addStep(1, 2.0, 0.1);
    curves.addStep(2, 1.0, 0.3);
    curves.addEpoch(2, 1.5, 0.4);
    curves.refresh();
    EXPECT_EQ(curves.stepCount(), 2);
    EXPECT_EQ(curves.epochCount(), 1);
    QCustomPlot* plot = curves.plot();
    // Debiased average: the first point is the value itself, the second (0.5·2 + 1)/1.5... of
    // the raw values weighted 1/3 and 2/3.
    EXPECT_DOUBLE_EQ(plot->graph(1)->data()->at(0)->value, 2.0);
    EXPECT_NEAR(plot->graph(1)->data()->at(1)->value, (0.25 * 2.0 + 0.5 * 1.0) / 0.75, 1e-12);
    EXPECT_DOUBLE_EQ(plot->graph(0)->data()->at(1)->value, 1.0);
    EXPECT_DOUBLE_EQ(plot->graph(4)->data()->at(0)->value, 0.4);
    curves.clear();
    EXPECT_EQ(curves.stepCount(), 0);
    EXPECT_EQ(curves.epochCount(), 0);
}

/// Three steps at 10, 20 and 30 with a falling learning rate, and one epoch at step 20.
class TrainingCurvesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        curves_.resize(640, 400);
        curves_.addStep(10, 2.0, 0.2, 0.1, 0.0);
        curves_.addStep(20, 1.0, 0.5, 0.01, 1.0);
        curves_.addStep(30, 4.0, 0.4, 0.001, 2.5);
        curves_.addEpoch(20, 1.3, 0.55);
        curves_.refresh();
    }
    /// Lays the widget out, so that axis coordinates map to the pixels the mouse reports.
    void showLaidOut() {
        curves_.show();
        QApplication::processEvents();
        curves_.plot()->replot();
    }
    void hover(double step) {
        QCustomPlot* plot = curves_.plot();
        const QPointF at(plot->xAxis->coordToPixel(step), plot->axisRect()->center().y());
        QMouseEvent move(QEvent::MouseMove, at, plot->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
    }
    QCPItemStraightLine* cursor(int index) const {
        return qobject_cast<QCPItemStraightLine*>(curves_.plot()->item(index));
    }
    double smoothedLoss(int index) const {
        return curves_.plot()->graph(1)->data()->at(index)->value;
    }

    TrainingCurves curves_;
};

TEST_F(TrainingCurvesTest, LearningRateAndDiscardedGraphsHoldTheValuesFed) {
    const QCPGraph* rate = curves_.learningRateGraph();
    const QCPGraph* discarded = curves_.discardedGraph();
    ASSERT_EQ(rate->data()->size(), 3);
    ASSERT_EQ(discarded->data()->size(), 3);
    EXPECT_DOUBLE_EQ(rate->data()->at(0)->value, 0.1);
    EXPECT_DOUBLE_EQ(rate->data()->at(2)->value, 0.001);
    EXPECT_DOUBLE_EQ(rate->data()->at(2)->key, 30.0);
    EXPECT_DOUBLE_EQ(discarded->data()->at(1)->value, 1.0);
    EXPECT_DOUBLE_EQ(discarded->data()->at(2)->value, 2.5);
    // A step without them counts, but adds no point to either graph.
    curves_.addStep(40, 1.0, 0.6);
    EXPECT_EQ(curves_.stepCount(), 4);
    EXPECT_EQ(rate->data()->size(), 3);
    EXPECT_EQ(discarded->data()->size(), 3);
}

TEST_F(TrainingCurvesTest, LearningRateHasALogAxisInARectBelowTheLoss) {
    EXPECT_EQ(curves_.learningRateAxis()->scaleType(), QCPAxis::stLogarithmic);
    EXPECT_EQ(curves_.discardedAxis()->scaleType(), QCPAxis::stLinear);
    EXPECT_EQ(curves_.learningRateGraph()->valueAxis(), curves_.learningRateAxis());
    EXPECT_EQ(curves_.plot()->plotLayout()->element(1, 0), curves_.rateRect());
    // The axis spans every rate fed, 0.1 down to 0.001.
    EXPECT_TRUE(curves_.learningRateAxis()->range().contains(0.1));
    EXPECT_TRUE(curves_.learningRateAxis()->range().contains(0.001));
    EXPECT_DOUBLE_EQ(curves_.discardedAxis()->range().lower, 0.0);
}

TEST_F(TrainingCurvesTest, MovingEitherStepAxisMovesTheOther) {
    QCPAxis* lower = curves_.rateRect()->axis(QCPAxis::atBottom);
    curves_.plot()->xAxis->setRange(12.0, 18.0);
    EXPECT_DOUBLE_EQ(lower->range().lower, 12.0);
    EXPECT_DOUBLE_EQ(lower->range().upper, 18.0);
    lower->setRange(5.0, 25.0);
    EXPECT_DOUBLE_EQ(curves_.plot()->xAxis->range().lower, 5.0);
    EXPECT_DOUBLE_EQ(curves_.plot()->xAxis->range().upper, 25.0);
}

TEST_F(TrainingCurvesTest, ChangingSmoothingResmoothsTheStepsAlreadyPlotted) {
    curves_.setSmoothing(0.0);
    EXPECT_DOUBLE_EQ(curves_.smoothing(), 0.0);
    EXPECT_DOUBLE_EQ(smoothedLoss(0), 2.0);
    EXPECT_DOUBLE_EQ(smoothedLoss(1), 1.0);
    EXPECT_DOUBLE_EQ(smoothedLoss(2), 4.0);
    EXPECT_DOUBLE_EQ(curves_.plot()->graph(2)->data()->at(2)->value, 0.4);  // accuracy
    // At 0.9 the second point is (0.09·2 + 0.1·1) / (1 - 0.9²) and the third
    // (0.081·2 + 0.09·1 + 0.1·4) / (1 - 0.9³).
    curves_.setSmoothing(0.9);
    EXPECT_DOUBLE_EQ(smoothedLoss(0), 2.0);
    EXPECT_NEAR(smoothedLoss(1), 0.28 / 0.19, 1e-12);
    EXPECT_NEAR(smoothedLoss(2), 0.652 / 0.271, 1e-12);
    EXPECT_EQ(curves_.plot()->graph(1)->data()->size(), 3);
}

TEST_F(TrainingCurvesTest, TheSmoothingControlSetsSmoothingWithinItsRange) {
    EXPECT_DOUBLE_EQ(curves_.smoothingControl()->value(), 0.9);
    curves_.smoothingControl()->setValue(0.0);
    EXPECT_DOUBLE_EQ(curves_.smoothing(), 0.0);
    EXPECT_DOUBLE_EQ(smoothedLoss(2), 4.0);
    curves_.setSmoothing(1.5);  // 1 would freeze the average at its first value
    EXPECT_DOUBLE_EQ(curves_.smoothing(), 0.99);
    EXPECT_DOUBLE_EQ(curves_.smoothingControl()->value(), 0.99);
}

TEST_F(TrainingCurvesTest, ReadoutNamesTheNearestStepAndTheLastTestBeforeIt) {
    curves_.setSmoothing(0.0);
    const QString middle = curves_.readoutAt(24.0);
    EXPECT_TRUE(middle.startsWith(u"step 20 \u00b7 loss 1 (smoothed 1)")) << middle.toStdString();
    EXPECT_TRUE(middle.contains(u"accuracy 50.0% (smoothed 50.0%)")) << middle.toStdString();
    EXPECT_TRUE(middle.contains(u"lr 0.01 \u00b7 discarded 1.00")) << middle.toStdString();
    EXPECT_TRUE(middle.contains(u"test loss 1.3 \u00b7 test accuracy 55.0% (step 20)"))
        << middle.toStdString();
    const QString last = curves_.readoutAt(26.0);
    EXPECT_TRUE(last.startsWith(u"step 30 \u00b7 loss 4 ")) << last.toStdString();
    EXPECT_TRUE(last.contains(u"lr 0.001")) << last.toStdString();
    EXPECT_TRUE(last.contains(u"test loss 1.3")) << last.toStdString();
    // Before the first epoch there is no test result to show.
    const QString first = curves_.readoutAt(-50.0);
    EXPECT_TRUE(first.startsWith(u"step 10 \u00b7")) << first.toStdString();
    EXPECT_FALSE(first.contains(u"test")) << first.toStdString();
    EXPECT_TRUE(curves_.readoutAt(1e6).startsWith(u"step 30 \u00b7"));
}

TEST_F(TrainingCurvesTest, HoveringShowsTheNearestStepsReadoutAndCursorLines) {
    showLaidOut();
    EXPECT_TRUE(curves_.plot()->hasMouseTracking());  // moves without a button held
    EXPECT_EQ(curves_.readout(), QString());
    ASSERT_EQ(curves_.plot()->itemCount(), 2);
    EXPECT_FALSE(cursor(0)->visible());
    hover(29.0);
    EXPECT_EQ(curves_.readout(), curves_.readoutAt(30.0));
    EXPECT_TRUE(curves_.readout().startsWith(u"step 30 \u00b7"));
    for (int line = 0; line < 2; ++line) {
        EXPECT_TRUE(cursor(line)->visible());
        EXPECT_DOUBLE_EQ(cursor(line)->point1->key(), 30.0);
        EXPECT_DOUBLE_EQ(cursor(line)->point2->key(), 30.0);
    }
    hover(10.0);
    EXPECT_TRUE(curves_.readout().startsWith(u"step 10 \u00b7"));
}

TEST_F(TrainingCurvesTest, ChangingSmoothingUpdatesTheReadoutShown) {
    showLaidOut();
    hover(30.0);
    const QString before = curves_.readout();
    curves_.setSmoothing(0.0);
    EXPECT_NE(curves_.readout(), before);
    EXPECT_TRUE(curves_.readout().contains(u"loss 4 (smoothed 4)"))
        << curves_.readout().toStdString();
}

TEST_F(TrainingCurvesTest, ClearEmptiesEveryCurveAndTheReadout) {
    showLaidOut();
    hover(20.0);
    curves_.clear();
    EXPECT_EQ(curves_.stepCount(), 0);
    EXPECT_EQ(curves_.epochCount(), 0);
    for (int graph = 0; graph < curves_.plot()->graphCount(); ++graph) {
        EXPECT_TRUE(curves_.plot()->graph(graph)->data()->isEmpty()) << "graph " << graph;
    }
    EXPECT_EQ(curves_.readout(), QString());
    EXPECT_EQ(curves_.readoutAt(20.0), QString());
    EXPECT_FALSE(cursor(0)->visible());
    EXPECT_FALSE(cursor(1)->visible());
}

TEST_F(TrainingCurvesTest, AStepRangeTheUserChoseStaysUntilADoubleClick) {
    showLaidOut();
    QCustomPlot* plot = curves_.plot();
    const QPoint inside = plot->axisRect()->center();
    EXPECT_TRUE(curves_.followsLatest());
    QTest::mousePress(plot, Qt::LeftButton, Qt::NoModifier, inside);
    QTest::mouseRelease(plot, Qt::LeftButton, Qt::NoModifier, inside);
    EXPECT_FALSE(curves_.followsLatest());
    plot->xAxis->setRange(12.0, 18.0);
    curves_.addStep(40, 1.0, 0.5, 0.001, 2.0);
    curves_.refresh();
    EXPECT_DOUBLE_EQ(plot->xAxis->range().lower, 12.0);
    EXPECT_DOUBLE_EQ(plot->xAxis->range().upper, 18.0);
    QTest::mouseDClick(plot, Qt::LeftButton, Qt::NoModifier, inside);
    EXPECT_TRUE(curves_.followsLatest());
    EXPECT_DOUBLE_EQ(plot->xAxis->range().upper, 40.0);
}

}  // namespace
}  // namespace epsilon
