// SPDX-License-Identifier: MIT
// The snapshots a user opened or saved lately, newest first, kept between launches.
#pragma once

#include <QString>
#include <QStringList>

namespace epsilon {

class RecentFiles {
  public:
    static constexpr int kCapacity = 8;

    /// The list as stored (QSettings), newest first.
    static QStringList list();
    /// Puts `path` (made absolute) first, dropping an older entry for it and the oldest past
    /// kCapacity.
    static void add(const QString& path);
    static void remove(const QString& path);
};

}  // namespace epsilon
