// SPDX-License-Identifier: MIT
// The run settings a user edits before training, checked as they are typed, and remembered
// between launches.
#pragma once

#include <QWidget>

#include "app/gui/run_settings.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace epsilon {

class SettingsPanel : public QWidget {
    Q_OBJECT

  public:
    /// `cuda_available`: whether "cuda" can be offered as a device.
    explicit SettingsPanel(bool cuda_available, QWidget* parent = nullptr);

    RunSettings settings() const;
    void setSettings(const RunSettings& settings);
    /// Keeps the settings for the next launch (QSettings), and reads them back; values that are
    /// no longer possible (a data set this build does not know) fall back to the defaults.
    void save() const;
    void restore();

    /// Why the settings cannot be trained now (e.g. the data directory lacks a file), or empty.
    /// It is also shown in the panel, under the setting it is about.
    QString problem() const { return problem_; }
    /// Settings that can be trained but probably not as the user meant, or empty.
    QString warning() const { return warning_; }
    /// Sets ε without emitting epsilonChanged (when the response view's line was dragged).
    void showEpsilon(double epsilon);

  signals:
    void epsilonChanged(double epsilon);
    /// Any setting changed; problem() may have changed with it.
    void changed();

  private:
    void check();

    QComboBox* dataset_;
    QLineEdit* data_path_;
    QLabel* data_problem_;
    QComboBox* depth_;
    QDoubleSpinBox* epsilon_;
    QSpinBox* warmup_;
    QSpinBox* epsilon_epochs_;
    QSpinBox* epochs_;
    QSpinBox* batch_size_;
    QComboBox* schedule_;
    QSpinBox* train_limit_;
    QSpinBox* skip_;
    QSpinBox* seed_;
    QSpinBox* threads_;
    QComboBox* device_;
    QLabel* warning_label_;
    QString problem_;
    QString warning_;
};

}  // namespace epsilon
