// SPDX-License-Identifier: MIT
// The recently used snapshots, in QSettings.
#include "app/gui/recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace epsilon {
namespace {

constexpr const char* kKey = "files/recent";

}  // namespace

QStringList RecentFiles::list() {
    return QSettings().value(kKey).toStringList();
}

void RecentFiles::add(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = list();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kCapacity) {
        files.removeLast();
    }
    QSettings().setValue(kKey, files);
}

void RecentFiles::remove(const QString& path) {
    QStringList files = list();
    files.removeAll(path);
    QSettings().setValue(kKey, files);
}

}  // namespace epsilon
