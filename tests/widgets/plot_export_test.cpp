// SPDX-License-Identifier: MIT
// Exporting a plot: real PNG and PDF files, and errors that name the file.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>

#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "widgets/plot_export.h"
#include "widgets/training_curves.h"

namespace epsilon {
namespace {

class PlotExportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        curves_.resize(640, 400);
        for (int step = 1; step <= 50; ++step) {
            curves_.addStep(step, 2.0 / step, 0.5 + step / 200.0);
        }
        curves_.refresh();
        ASSERT_TRUE(dir_.isValid());
    }
    QString file(const char* name) const { return dir_.filePath(name); }

    TrainingCurves curves_;
    QTemporaryDir dir_;
};

TEST_F(PlotExportTest, WritesAPngTwiceTheSizeOnScreen) {
    curves_.show();
    ASSERT_GT(curves_.plot()->width(), 300);  // laid out in the 640 × 400 widget
    const QString path = file("curves.png");
    EXPECT_EQ(exportPlot(*curves_.plot(), path), QString());
    const QImage image(path);
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(image.width(), 2 * curves_.plot()->width());
    EXPECT_EQ(image.height(), 2 * curves_.plot()->height());
    // Something was drawn: the curve's colour is not the background's.
    int non_white = 0;
    for (int y = 0; y < image.height(); y += 4) {
        for (int x = 0; x < image.width(); x += 4) {
            non_white += image.pixelColor(x, y) != QColor(Qt::white) ? 1 : 0;
        }
    }
    EXPECT_GT(non_white, 100);
}

TEST_F(PlotExportTest, APlotNeverShownIsDrawnAtAWindowsSize) {
    const QString path = file("hidden.png");
    EXPECT_EQ(exportPlot(*curves_.plot(), path), QString());
    const QImage image(path);
    EXPECT_EQ(image.width(), 1600);
    EXPECT_EQ(image.height(), 1000);
}

TEST_F(PlotExportTest, WritesAPdfWhateverTheSuffixCase) {
    const QString path = file("curves.PDF");
    EXPECT_EQ(exportPlot(*curves_.plot(), path), QString());
    QFile pdf(path);
    ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
    EXPECT_TRUE(pdf.read(5).startsWith("%PDF-"));
    EXPECT_GT(pdf.size(), 1000);
}

TEST_F(PlotExportTest, RefusesOtherSuffixesAndMissingFolders) {
    const QString jpeg = file("curves.jpg");
    EXPECT_TRUE(exportPlot(*curves_.plot(), jpeg).contains(".png or .pdf"));
    EXPECT_FALSE(QFile::exists(jpeg));
    const QString nowhere = file("missing/curves.png");
    const QString message = exportPlot(*curves_.plot(), nowhere);
    EXPECT_TRUE(message.startsWith(nowhere)) << message.toStdString();
    EXPECT_TRUE(message.contains("does not exist")) << message.toStdString();
}

}  // namespace
}  // namespace epsilon
