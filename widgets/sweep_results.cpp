// SPDX-License-Identifier: MIT
// The summary of a training sweep over its seeds.
#include "widgets/sweep_results.h"

namespace epsilon {

std::vector<SweepSummary> summarizeOverSeeds(const std::vector<SweepResult>& runs) {
    std::vector<SweepSummary> summary;
    for (const SweepResult& run : runs) {
        if (summary.empty() || summary.back().epsilon != run.epsilon) {
            summary.push_back({run.epsilon, 0, 0.0, run.accuracy, run.accuracy, 0.0, run.parameters,
                               run.parameters});
        }
        SweepSummary& at = summary.back();
        at.runs += 1;
        at.mean_accuracy += run.accuracy;  // a sum until the division below
        at.min_accuracy = std::min(at.min_accuracy, run.accuracy);
        at.max_accuracy = std::max(at.max_accuracy, run.accuracy);
        at.mean_parameters += run.parameters;
        at.min_parameters = std::min(at.min_parameters, run.parameters);
        at.max_parameters = std::max(at.max_parameters, run.parameters);
    }
    for (SweepSummary& at : summary) {
        at.mean_accuracy /= at.runs;
        at.mean_parameters /= at.runs;
    }
    return summary;
}

}  // namespace epsilon
