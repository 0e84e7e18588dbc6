// SPDX-License-Identifier: MIT
// The results of an ε sweep as plain numbers, and what is worked out from them: the summary over
// seeds, the Pareto front, the point in force at an ε. No torch, no plotting.
#pragma once

#include <QMetaType>
#include <QString>
#include <algorithm>
#include <cmath>
#include <vector>

namespace epsilon {

/// One point of a sweep: a trained run, or the trained network pruned at one ε.
struct SweepResult {
    double epsilon = 0.0;
    quint64 seed = 0;       ///< 0 for a post-hoc point.
    double accuracy = 0.0;  ///< Test accuracy of the pruned network, 0..1.
    double parameters = 0.0;
    double macs = 0.0;
    int blocks_removed = 0;
    int block_count = 0;  ///< Residual blocks before pruning; 0 where unknown.
    QString run_path;     ///< The run's snapshot; empty for a post-hoc point.
};

/// Per distinct ε of a training sweep: mean, min and max over its seeds.
struct SweepSummary {
    double epsilon;
    int runs;
    double mean_accuracy, min_accuracy, max_accuracy;
    double mean_parameters, min_parameters, max_parameters;
};

/// Per distinct ε of `runs` (sorted by ε), in increasing ε.
std::vector<SweepSummary> summarizeOverSeeds(const std::vector<SweepResult>& runs);

/// Items that no other item beats, one item beating another when it has no more parameters and
/// no less accuracy, and is strictly better in one of the two.
template <typename T>
std::vector<T> paretoFront(const std::vector<T>& items, double T::*parameters, double T::*accuracy,
                           std::vector<int>* indices = nullptr) {
    std::vector<T> front;
    for (size_t i = 0; i < items.size(); ++i) {
        const auto beats = [&](const T& other) {
            const T& item = items[i];
            return other.*parameters <= item.*parameters && other.*accuracy >= item.*accuracy &&
                   (other.*parameters < item.*parameters || other.*accuracy > item.*accuracy);
        };
        if (std::none_of(items.begin(), items.end(), beats)) {
            front.push_back(items[i]);
            if (indices) {
                indices->push_back(static_cast<int>(i));
            }
        }
    }
    return front;
}

/// How many of `sorted` (in increasing ε) have ε at or below `epsilon`. ε typed in a spin box comes
/// back rounded, so a hair above a sweep's ε still counts as that ε.
template <typename T>
int countAtOrBelow(const std::vector<T>& sorted, double epsilon) {
    if (!std::isfinite(epsilon)) {
        return 0;
    }
    const double limit = epsilon + 1e-9 * std::max(1.0, std::abs(epsilon));
    const auto after = std::upper_bound(sorted.begin(), sorted.end(), limit,
                                        [](double e, const T& item) { return e < item.epsilon; });
    return static_cast<int>(after - sorted.begin());
}

}  // namespace epsilon

// Sweeps travel between threads in queued signals.
Q_DECLARE_METATYPE(std::vector<epsilon::SweepResult>)
