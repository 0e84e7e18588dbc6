// SPDX-License-Identifier: MIT
// Writing a plot to a PNG or PDF file, chosen by the file's suffix.
#pragma once

#include <QString>

class QCustomPlot;

namespace epsilon {

/// Writes `plot` as it looks now to `path`: a PNG at twice the screen resolution for ".png", a
/// vector PDF for ".pdf" (suffixes in any case). A plot not shown on screen is drawn at
/// 800 × 500. Returns an empty string on success, else a
/// message naming the file and the problem.
QString exportPlot(QCustomPlot& plot, const QString& path);

}  // namespace epsilon
