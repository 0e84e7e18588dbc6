// SPDX-License-Identifier: MIT
// The response view: block marks against ε, and dragging the ε line with the mouse.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <filesystem>

#include "widgets/response_plot.h"

namespace epsilon {
namespace {

class ResponsePlotTest : public ::testing::Test {
  protected:
    void SetUp() override {
        plot.resize(640, 400);
        plot.setBlocksPerStage(3);
        plot.setResponses({12.f, 3.f, 0.5f, 20.f, 2.f, 9.f, 15.f, 1.f, 30.f},
                          {1.f, .3f, .05f, 2.f, .2f, .9f, 1.5f, .1f, 3.f});
        plot.setDiscarded({0, 0, 1, 0, 0, 0, 0, 0, 0});
        plot.setEpsilon(2.5);
        plot.show();
        QApplication::processEvents();
        plot.plot()->replot();
    }
    ResponsePlot plot;
};

TEST_F(ResponsePlotTest, MarksBlocksUnderEpsilonAndThoseTrainingDiscarded) {
    EXPECT_EQ(plot.markOf(0), BlockMark::Alive);
    EXPECT_EQ(plot.markOf(1), BlockMark::Alive);  // 3 > 2.5
    EXPECT_EQ(plot.markOf(2), BlockMark::DiscardedByRun);
    EXPECT_EQ(plot.markOf(4), BlockMark::UnderEpsilon);
    EXPECT_EQ(plot.markOf(7), BlockMark::UnderEpsilon);
    // Points per series: 6 alive, 2 under ε, 1 discarded, and a mean for each of the 9.
    EXPECT_EQ(plot.plot()->graph(0)->data()->size(), 6);
    EXPECT_EQ(plot.plot()->graph(1)->data()->size(), 2);
    EXPECT_EQ(plot.plot()->graph(2)->data()->size(), 1);
    EXPECT_EQ(plot.plot()->graph(3)->data()->size(), 9);
    // Under-ε blocks are drawn in their own colour.
    EXPECT_NE(plot.plot()->graph(0)->scatterStyle().pen().color(),
              plot.plot()->graph(1)->scatterStyle().pen().color());
}

TEST_F(ResponsePlotTest, TypingEpsilonMovesTheMarks) {
    plot.setEpsilon(10.0);
    EXPECT_EQ(plot.markOf(1), BlockMark::UnderEpsilon);
    EXPECT_EQ(plot.markOf(5), BlockMark::UnderEpsilon);
    EXPECT_EQ(plot.markOf(0), BlockMark::Alive);
    EXPECT_EQ(plot.plot()->graph(1)->data()->size(), 4);
}

TEST_F(ResponsePlotTest, DraggingTheLineChangesEpsilon) {
    QSignalSpy dragged(&plot, &ResponsePlot::epsilonDragged);
    QCustomPlot* canvas = plot.plot();
    const int x = canvas->width() / 2;
    const int target = static_cast<int>(canvas->yAxis->coordToPixel(14.0));
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(x, plot.epsilonPixel()));
    QMouseEvent move(QEvent::MouseMove, QPointF(x, target), canvas->mapToGlobal(QPointF(x, target)),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(canvas, &move);
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(x, target));

    ASSERT_GE(dragged.count(), 1);
    EXPECT_NEAR(plot.epsilon(), 14.0, 0.5);
    EXPECT_NEAR(dragged.last().at(0).toDouble(), plot.epsilon(), 1e-9);
    EXPECT_EQ(plot.markOf(0), BlockMark::UnderEpsilon);  // 12 < 14
    EXPECT_EQ(plot.markOf(6), BlockMark::Alive);         // 15 > 14
    canvas->replot();
    EXPECT_NEAR(plot.epsilonPixel(), target, 1);
}

TEST_F(ResponsePlotTest, APressAwayFromTheLineDoesNotMoveIt) {
    QCustomPlot* canvas = plot.plot();
    const int x = canvas->width() / 2;
    const int away = plot.epsilonPixel() - 40;
    QTest::mousePress(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(x, away));
    QMouseEvent move(QEvent::MouseMove, QPointF(x, away - 20),
                     canvas->mapToGlobal(QPointF(x, away - 20)), Qt::NoButton, Qt::LeftButton,
                     Qt::NoModifier);
    QApplication::sendEvent(canvas, &move);
    QTest::mouseRelease(canvas, Qt::LeftButton, Qt::NoModifier, QPoint(x, away - 20));
    EXPECT_DOUBLE_EQ(plot.epsilon(), 2.5);
}

TEST_F(ResponsePlotTest, HoveringABlockReadsOutItsResponsesAndMark) {
    QCustomPlot* canvas = plot.plot();
    const auto hoverAt = [&](double x) {
        const QPointF at(canvas->xAxis->coordToPixel(x), canvas->height() / 2.0);
        QMouseEvent move(QEvent::MouseMove, at, canvas->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(canvas, &move);
    };
    EXPECT_EQ(plot.readout(), QString());
    hoverAt(4.6);  // block 4 sits at 4.5: the first stage's gap shifts the second stage by half
    EXPECT_EQ(plot.readout(), QString::fromUtf8("block 4, stage 2 \u00b7 max|F| 2 \u00b7 "
                                                "mean|F| 0.2 \u00b7 under ε: discarded at this ε"));
    plot.setEpsilon(1.0);  // the read-out follows ε
    EXPECT_TRUE(plot.readout().endsWith("above ε")) << plot.readout().toStdString();
    hoverAt(2.1);
    EXPECT_TRUE(plot.readout().startsWith("block 2, stage 1")) << plot.readout().toStdString();
    EXPECT_TRUE(plot.readout().endsWith("discarded by training"));
    hoverAt(2.75);  // between the stages: no block
    EXPECT_EQ(plot.readout(), QString());
}

TEST_F(ResponsePlotTest, ExportsAsPngAndPdf) {
    const auto dir = std::filesystem::temp_directory_path();
    const QString png = QString::fromStdString((dir / "epsilon-response-plot.png").string());
    const QString pdf = QString::fromStdString((dir / "epsilon-response-plot.pdf").string());
    ASSERT_TRUE(plot.plot()->savePng(png, 640, 400));
    ASSERT_TRUE(plot.plot()->savePdf(pdf, 640, 400));
    EXPECT_GT(std::filesystem::file_size(png.toStdString()), 1000u);
    EXPECT_GT(std::filesystem::file_size(pdf.toStdString()), 1000u);
    if (const char* shots = std::getenv("EPSILON_LAB_SCREENSHOTS")) {
        plot.grab().save(QString(shots) + "/response-plot.png");
    }
}

}  // namespace
}  // namespace epsilon

int main(int argc, char** argv) {
    // Headless unless told otherwise (e.g. QT_QPA_PLATFORM=xcb under xvfb-run).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
