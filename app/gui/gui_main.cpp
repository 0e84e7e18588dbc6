// SPDX-License-Identifier: MIT
// epsilon-lab: the desktop application.
// Torch first: Qt's `slots` macro breaks torch headers.
#include "core/runtime.h"
// Qt from here on.
#include <QApplication>

#include "app/gui/main_window.h"

int main(int argc, char** argv) {
    epsilon::configureThreads(0);  // all cores, once per process
    QApplication app(argc, argv);
    QApplication::setApplicationName("Epsilon Lab");
    QApplication::setOrganizationName("Epsilon Lab");
    epsilon::MainWindow window;
    window.show();
    return QApplication::exec();
}
