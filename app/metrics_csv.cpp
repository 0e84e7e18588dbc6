// SPDX-License-Identifier: MIT
// A run's history as CSV tables.
#include "app/metrics_csv.h"

#include <sstream>

namespace epsilon {
namespace {

void blockHeaders(std::ostringstream& out, const char* prefix, size_t blocks) {
    for (size_t b = 0; b < blocks; ++b) {
        out << ',' << prefix << '_' << b;
    }
}

template <typename Value>
void blockValues(std::ostringstream& out, const std::vector<Value>& values) {
    for (const Value& value : values) {
        out << ',' << +value;  // + prints uint8_t flags as numbers
    }
}

}  // namespace

std::string epochCsv(const std::vector<EpochRecord>& epochs, size_t blocks) {
    std::ostringstream out;
    out.precision(9);
    out << "epoch,step,train_loss,train_accuracy,test_loss,test_accuracy,side_test_accuracy,"
           "learning_rate,epsilon,discarded_count_average,schedule_restarted,images_per_second,"
           "seconds";
    blockHeaders(out, "max_abs", blocks);
    blockHeaders(out, "mean_abs", blocks);
    blockHeaders(out, "discard_average", blocks);
    blockHeaders(out, "dead", blocks);
    blockHeaders(out, "test_gate_on", blocks);
    out << '\n';
    for (const EpochRecord& r : epochs) {
        out << r.epoch << ',' << r.step << ',' << r.train_loss << ',' << r.train_accuracy << ','
            << r.test_loss << ',' << r.test_accuracy << ',' << r.side_test_accuracy << ','
            << r.learning_rate << ',' << r.epsilon << ',' << r.discarded_count_average << ','
            << (r.schedule_restarted ? 1 : 0) << ',' << r.images_per_second << ',' << r.seconds;
        blockValues(out, r.epoch_max_abs);
        blockValues(out, r.epoch_mean_abs);
        blockValues(out, r.discard_average);
        blockValues(out, r.dead_whole_epoch);
        blockValues(out, r.test_batches_gate_on);
        out << '\n';
    }
    return out.str();
}

std::string stepCsv(const StepHistory& steps, size_t blocks) {
    std::ostringstream out;
    out.precision(9);
    out << "step,epoch,batch,loss,accuracy,learning_rate,epsilon,discarded_count_average";
    blockHeaders(out, "max_abs", blocks);
    blockHeaders(out, "mean_abs", blocks);
    blockHeaders(out, "gate", blocks);
    blockHeaders(out, "discard_average", blocks);
    out << '\n';
    for (const StepRecord& r : steps.rows()) {
        out << r.step << ',' << r.epoch << ',' << r.batch << ',' << r.loss << ',' << r.accuracy
            << ',' << r.learning_rate << ',' << r.epsilon << ',' << r.discarded_count_average;
        blockValues(out, r.max_abs);
        blockValues(out, r.mean_abs);
        blockValues(out, r.gate);
        blockValues(out, r.discard_average);
        out << '\n';
    }
    return out.str();
}

}  // namespace epsilon
