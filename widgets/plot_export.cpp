// SPDX-License-Identifier: MIT
// Plot export through QCustomPlot's own PNG and PDF writers.
#include "widgets/plot_export.h"

#include <QFileInfo>

#include <qcustomplot.h>

namespace epsilon {

QString exportPlot(QCustomPlot& plot, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != "png" && suffix != "pdf") {
        return path + ": choose a file name ending in .png or .pdf";
    }
    const QFileInfo directory(QFileInfo(path).absolutePath());
    if (!directory.isDir()) {
        return path + ": the folder " + directory.filePath() + " does not exist";
    }
    // 0 × 0 keeps the plot's on-screen size; the PNG is drawn at twice that for print.
    const bool written = suffix == "png" ? plot.savePng(path, 0, 0, 2.0)
                                         : plot.savePdf(path, 0, 0, QCP::epNoCosmetic);
    if (!written) {
        return path + ": could not be written (is the folder writable and the disk not full?)";
    }
    return {};
}

}  // namespace epsilon
