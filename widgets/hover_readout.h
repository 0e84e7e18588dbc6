// SPDX-License-Identifier: MIT
// The text box in a plot's top-left corner that says what is under the mouse.
#pragma once

class QCPItemText;
class QCustomPlot;

namespace epsilon {

/// Adds a hidden read-out box to `plot`'s axis rect and turns on mouse tracking, so that the
/// plot hears of mouse moves without a button held.
QCPItemText* addHoverReadout(QCustomPlot* plot);

}  // namespace epsilon
