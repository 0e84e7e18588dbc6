// SPDX-License-Identifier: MIT
// The hover read-out box of a plot.
#include "widgets/hover_readout.h"

#include <qcustomplot.h>

namespace epsilon {

QCPItemText* addHoverReadout(QCustomPlot* plot) {
    auto* readout = new QCPItemText(plot);
    readout->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    readout->position->setType(QCPItemPosition::ptAxisRectRatio);
    readout->position->setCoords(0.01, 0.01);
    readout->setPadding(QMargins(4, 2, 4, 2));
    readout->setBrush(QBrush(QColor(255, 255, 255, 220)));
    readout->setVisible(false);
    plot->setMouseTracking(true);
    return readout;
}

}  // namespace epsilon
