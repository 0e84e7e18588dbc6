// SPDX-License-Identifier: MIT
// Plot export through QCustomPlot's own PNG and PDF writers.
#include "widgets/plot_export.h"

#include <QFileInfo>

#include <qcustomplot.h>

namespace epsilon {
namespace {

constexpr int kUnshownWidth = 800;
constexpr int kUnshownHeight = 500;

}  // namespace

QString exportPlot(QCustomPlot& plot, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "pdf") {
        return path + ": choose a file name ending in .png or .pdf";
    }
    const QFileInfo directory(QFileInfo(path).absolutePath());
    if (!directory.isDir()) {
        return path + ": the folder " + directory.filePath() + " does not exist";
    }
    // 0 × 0 keeps the plot's on-screen size. A plot never shown (a view not opened yet) has no
    // size of its own, only a default of a few pixels, so it gets one of a typical window.
    const int width = plot.isVisible() ? 0 : kUnshownWidth;
    const int height = plot.isVisible() ? 0 : kUnshownHeight;
    // The PNG is drawn at twice the size, for print.
    const bool written = suffix == "png" ? plot.savePng(path, width, height, 2.0)
                                         : plot.savePdf(path, width, height, QCP::epNoCosmetic);
    if (!written) {
        return path + ": could not be written (is the folder writable and the disk not full?)";
    }
    return {};
}

}  // namespace epsilon
