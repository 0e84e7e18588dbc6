// SPDX-License-Identifier: MIT
// The run settings panel.
#include "app/gui/settings_panel.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QThread>
#include <exception>

#include "core/data_files.h"

namespace epsilon {
namespace {

// What the data set list shows for each name the core knows; unknown names show as they are.
QString datasetLabel(const QString& name) {
    if (name == "fashion-mnist")
        return "Fashion-MNIST";
    if (name == "mnist")
        return "MNIST";
    if (name == "cifar10")
        return "CIFAR-10";
    if (name == "cifar100")
        return "CIFAR-100 (100 fine classes)";
    if (name == "cifar100-coarse")
        return "CIFAR-100 (20 coarse classes)";
    return name;
}

QLabel* noteLabel(const QString& color) {
    auto* label = new QLabel;
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet("color: " + color + ";");
    return label;
}

}  // namespace

SettingsPanel::SettingsPanel(bool cuda_available, QWidget* parent) : QWidget(parent) {
    const RunSettings defaults;
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);

    dataset_ = new QComboBox;
    for (const std::string& name : knownDatasets()) {
        const QString id = QString::fromStdString(name);
        dataset_->addItem(datasetLabel(id), id);
    }
    data_path_ = new QLineEdit;
    data_path_->setClearButtonEnabled(true);
    auto* browse = new QPushButton("Browse...");
    auto* path_row = new QHBoxLayout;
    path_row->addWidget(data_path_, 1);
    path_row->addWidget(browse);
    data_problem_ = noteLabel("gray");
    data_problem_->setObjectName("dataProblem");

    depth_ = new QComboBox;
    for (int depth : {8, 14, 20, 32, 44, 56, 110}) {
        depth_->addItem(QString("ResNet-%1").arg(depth), depth);
    }
    epsilon_ = new QDoubleSpinBox;
    epsilon_->setRange(0.0, 1000.0);
    epsilon_->setDecimals(3);
    epsilon_->setToolTip("A block is switched off on a batch when all its responses are below ε");
    warmup_ = new QSpinBox;
    warmup_->setRange(0, 10000);
    warmup_->setToolTip("Train a plain ResNet (ε = 0) for this many epochs first");
    epsilon_epochs_ = new QSpinBox;
    epsilon_epochs_->setRange(0, 10000);
    epsilon_epochs_->setSpecialValueText("to the end");
    epsilon_epochs_->setToolTip(
        "Epochs after the warm-up during which ε applies; then ε is 0 again, the blocks\n"
        "skipped so far stay skipped and the rest train on (needs skipping)");
    epochs_ = new QSpinBox;
    epochs_->setRange(1, 10000);
    batch_size_ = new QSpinBox;
    batch_size_->setRange(1, 65536);
    schedule_ = new QComboBox;
    schedule_->addItem("standard", false);
    schedule_->addItem("adaptive", true);
    schedule_->setToolTip(
        "standard: the rate drops after half and three quarters of the epochs\n"
        "adaptive: the steps start again whenever another block is discarded");
    train_limit_ = new QSpinBox;
    train_limit_->setRange(0, 10000000);
    train_limit_->setSpecialValueText("all");
    train_limit_->setToolTip("Train on the first N images only, for a quick run");
    skip_ = new QSpinBox;
    skip_->setRange(0, 1 << 30);
    skip_->setSpecialValueText("never");
    skip_->setSuffix(" steps off");
    skip_->setToolTip(
        "Stop computing a block once its gate has been 0 for this many training steps in a row:\n"
        "it is an identity from then on, training gets faster, and pruning removes it");
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    threads_ = new QSpinBox;
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(QString("all cores (%1)").arg(QThread::idealThreadCount()));
    device_ = new QComboBox;
    device_->addItem(cuda_available ? "auto (CUDA)" : "auto (CPU)", "auto");
    device_->addItem("CPU", "cpu");
    device_->addItem("CUDA", "cuda");
    if (!cuda_available) {
        // Shown but not selectable, so that the user learns this build or machine lacks it.
        auto* items = qobject_cast<QStandardItemModel*>(device_->model());
        items->item(2)->setEnabled(false);
        device_->setItemData(2, "This LibTorch build or machine has no CUDA", Qt::ToolTipRole);
    }
    warning_label_ = noteLabel("#b35900");
    warning_label_->setObjectName("settingsWarning");

    form->addRow("Data set", dataset_);
    form->addRow("Data folder", path_row);
    form->addRow(data_problem_);
    form->addRow("Depth", depth_);
    form->addRow("ε", epsilon_);
    form->addRow("ε = 0 for epochs", warmup_);
    form->addRow("then ε for epochs", epsilon_epochs_);
    form->addRow("Epochs", epochs_);
    form->addRow("Batch size", batch_size_);
    form->addRow("Schedule", schedule_);
    form->addRow("Training images", train_limit_);
    form->addRow("Skip a block after", skip_);
    form->addRow("Seed", seed_);
    form->addRow("Threads", threads_);
    form->addRow("Device", device_);
    form->addRow(warning_label_);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, "Data folder", data_path_->text());
        if (!dir.isEmpty()) {
            data_path_->setText(dir);
        }
    });
    connect(epsilon_, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::epsilonChanged);
    connect(dataset_, &QComboBox::currentIndexChanged, this, &SettingsPanel::check);
    connect(data_path_, &QLineEdit::textChanged, this, &SettingsPanel::check);
    for (QSpinBox* box : {warmup_, epsilon_epochs_, epochs_, batch_size_, train_limit_, skip_}) {
        connect(box, &QSpinBox::valueChanged, this, &SettingsPanel::check);
    }
    setSettings(defaults);
    check();
}

RunSettings SettingsPanel::settings() const {
    RunSettings s;
    s.dataset = dataset_->currentData().toString();
    s.data_path = data_path_->text().trimmed();
    s.depth = depth_->currentData().toInt();
    s.epsilon = epsilon_->value();
    s.epsilon_warmup = warmup_->value();
    s.epsilon_epochs = epsilon_epochs_->value();
    s.epochs = epochs_->value();
    s.batch_size = batch_size_->value();
    s.adaptive_schedule = schedule_->currentData().toBool();
    s.train_limit = train_limit_->value();
    s.skip_discarded_after = skip_->value();
    // A quick run tests on a sixth as many images, as the data sets' own splits do.
    s.test_limit = train_limit_->value() == 0 ? 0 : std::max(256, train_limit_->value() / 6);
    s.seed = static_cast<quint64>(seed_->value());
    s.threads = threads_->value();
    s.device = device_->currentData().toString();
    return s;
}

void SettingsPanel::setSettings(const RunSettings& s) {
    const QSignalBlocker quiet_dataset(dataset_);
    const QSignalBlocker quiet_path(data_path_);
    dataset_->setCurrentIndex(std::max(0, dataset_->findData(s.dataset)));
    data_path_->setText(s.data_path);
    depth_->setCurrentIndex(std::max(0, depth_->findData(s.depth)));
    epsilon_->setValue(s.epsilon);
    warmup_->setValue(s.epsilon_warmup);
    epsilon_epochs_->setValue(s.epsilon_epochs);
    epochs_->setValue(s.epochs);
    batch_size_->setValue(s.batch_size);
    schedule_->setCurrentIndex(s.adaptive_schedule ? 1 : 0);
    train_limit_->setValue(static_cast<int>(s.train_limit));
    skip_->setValue(s.skip_discarded_after);
    seed_->setValue(static_cast<int>(s.seed));
    threads_->setValue(s.threads);
    const int device = device_->findData(s.device);
    auto* items = qobject_cast<QStandardItemModel*>(device_->model());
    device_->setCurrentIndex(device >= 0 && items->item(device)->isEnabled() ? device : 0);
    check();
}

void SettingsPanel::save() const {
    const RunSettings s = settings();
    QSettings store;
    store.setValue("run/dataset", s.dataset);
    store.setValue("run/data_path", s.data_path);
    store.setValue("run/depth", s.depth);
    store.setValue("run/epsilon", s.epsilon);
    store.setValue("run/epsilon_warmup", s.epsilon_warmup);
    store.setValue("run/epsilon_epochs", s.epsilon_epochs);
    store.setValue("run/epochs", s.epochs);
    store.setValue("run/batch_size", s.batch_size);
    store.setValue("run/adaptive_schedule", s.adaptive_schedule);
    store.setValue("run/train_limit", s.train_limit);
    store.setValue("run/skip_discarded_after", s.skip_discarded_after);
    store.setValue("run/seed", s.seed);
    store.setValue("run/threads", s.threads);
    store.setValue("run/device", s.device);
}

void SettingsPanel::restore() {
    const QSettings store;
    const RunSettings d;
    RunSettings s;
    s.dataset = store.value("run/dataset", d.dataset).toString();
    s.data_path = store.value("run/data_path", d.data_path).toString();
    s.depth = store.value("run/depth", d.depth).toInt();
    s.epsilon = store.value("run/epsilon", d.epsilon).toDouble();
    s.epsilon_warmup = store.value("run/epsilon_warmup", d.epsilon_warmup).toInt();
    s.epsilon_epochs = store.value("run/epsilon_epochs", d.epsilon_epochs).toInt();
    s.epochs = store.value("run/epochs", d.epochs).toInt();
    s.batch_size = store.value("run/batch_size", d.batch_size).toInt();
    s.adaptive_schedule = store.value("run/adaptive_schedule", d.adaptive_schedule).toBool();
    s.train_limit = store.value("run/train_limit", d.train_limit).toLongLong();
    s.skip_discarded_after =
        store.value("run/skip_discarded_after", d.skip_discarded_after).toInt();
    s.seed = store.value("run/seed", d.seed).toULongLong();
    s.threads = store.value("run/threads", d.threads).toInt();
    s.device = store.value("run/device", d.device).toString();
    setSettings(s);
}

void SettingsPanel::showEpsilon(double epsilon) {
    const QSignalBlocker quiet(epsilon_);
    epsilon_->setValue(epsilon);
}

void SettingsPanel::check() {
    const RunSettings s = settings();
    problem_.clear();
    try {
        const DataFiles files =
            locateDataFiles({s.dataset.toStdString(), s.data_path.toStdString()});
        const QString dir = QFileInfo(QString::fromStdString(files.train.front())).absolutePath();
        data_problem_->setStyleSheet("color: gray;");
        data_problem_->setText(QString("Found %1 files in %2")
                                   .arg(files.train.size() + files.test.size())
                                   .arg(QDir::toNativeSeparators(dir)));
    } catch (const std::exception& error) {
        problem_ = QString::fromStdString(error.what());
        data_problem_->setStyleSheet("color: #c00000;");
        data_problem_->setText(problem_);
    }
    data_path_->setPlaceholderText(hasDefaultPath(s.dataset.toStdString())
                                       ? "default: /usr/share/datasets/" + s.dataset
                                       : "required: the folder holding its .bin files");
    QString other_problem;
    if (s.train_limit > 0 && s.batch_size > s.train_limit) {
        other_problem = QString("The batch size (%1) is larger than the training images (%2)")
                            .arg(s.batch_size)
                            .arg(s.train_limit);
    } else if (s.epsilon_epochs > 0 && s.skip_discarded_after == 0) {
        other_problem =
            "Ending ε after some epochs needs skipping: without it the discarded "
            "blocks would switch back on";
    }
    if (problem_.isEmpty()) {
        problem_ = other_problem;
    }
    warning_.clear();
    if (s.epsilon_warmup >= s.epochs) {
        warning_ = QString("ε never applies: ε = 0 for all %1 epochs").arg(s.epochs);
    }
    // A data problem is shown under the data folder; any other problem, or else a warning, here.
    warning_label_->setStyleSheet(other_problem.isEmpty() ? "color: #b35900;" : "color: #c00000;");
    warning_label_->setText(other_problem.isEmpty() ? warning_ : other_problem);
    warning_label_->setVisible(!warning_label_->text().isEmpty());
    emit changed();
}

}  // namespace epsilon
