// SPDX-License-Identifier: MIT
// Prints training progress: a live bar on a terminal, plain lines in a log.
#include "app/progress_printer.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace epsilon {
namespace {

constexpr int kBarWidth = 24;

int discardedNow(const std::vector<float>& gates) {
    return static_cast<int>(std::count(gates.begin(), gates.end(), 0.0f));
}

}  // namespace

std::string formatDuration(double seconds) {
    const long total = std::lround(std::max(0.0, seconds));
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60,
                      total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

ProgressPrinter::ProgressPrinter(std::FILE* stream, bool live, int total_epochs)
    : stream_(stream), live_(live), total_epochs_(total_epochs) {}

void ProgressPrinter::onStep(const StepRecord& r) {
    const double fraction = static_cast<double>(r.batch) / std::max(1, r.batches_per_epoch);
    const int blocks = static_cast<int>(r.gate.size());
    if (live_) {
        const int filled = static_cast<int>(fraction * kBarWidth);
        const std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
        std::fprintf(stream_,
                     "\repoch %d/%d [%s] %3.0f%%  loss %.3f  acc %5.1f%%  off %d/%d  "
                     "%.0f img/s  left %s   ",
                     r.epoch, total_epochs_, bar.c_str(), 100.0 * fraction, r.loss,
                     100.0 * r.accuracy, discardedNow(r.gate), blocks, r.images_per_second,
                     formatDuration(r.seconds_left).c_str());
        std::fflush(stream_);
        return;
    }
    // In a log, one line per tenth of an epoch is enough to follow a run.
    const int tenth = static_cast<int>(fraction * 10.0);
    if (tenth == last_reported_tenth_ || tenth == 10) {
        return;
    }
    last_reported_tenth_ = tenth;
    std::fprintf(stream_,
                 "epoch %d/%d step %lld batch %d/%d loss %.4f acc %.4f lr %g eps %g off %d/%d "
                 "img/s %.0f left %s\n",
                 r.epoch, total_epochs_, static_cast<long long>(r.step), r.batch,
                 r.batches_per_epoch, r.loss, r.accuracy, r.learning_rate, r.epsilon,
                 discardedNow(r.gate), blocks, r.images_per_second,
                 formatDuration(r.seconds_left).c_str());
}

void ProgressPrinter::onEpoch(const EpochRecord& r) {
    const int dead = static_cast<int>(
        std::count(r.dead_whole_epoch.begin(), r.dead_whole_epoch.end(), uint8_t{1}));
    if (live_) {
        std::fputc('\n', stream_);
    }
    last_reported_tenth_ = -1;
    std::fprintf(stream_,
                 "epoch %d/%d done: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | "
                 "lr %g eps %g | blocks off all epoch %d/%zu | %.0f img/s, %s%s\n",
                 r.epoch, total_epochs_, r.train_loss, 100.0 * r.train_accuracy, r.test_loss,
                 100.0 * r.test_accuracy, r.learning_rate, r.epsilon, dead,
                 r.dead_whole_epoch.size(), r.images_per_second, formatDuration(r.seconds).c_str(),
                 r.schedule_restarted ? " | schedule restarted" : "");
    std::fflush(stream_);
}

}  // namespace epsilon
