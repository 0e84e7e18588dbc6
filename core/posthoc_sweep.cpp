// SPDX-License-Identifier: MIT
// Post-hoc ε sweep over a trained ε-ResNet.
#include "core/posthoc_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <torch/torch.h>

#include "core/evaluation.h"

namespace epsilon {

std::vector<float> calibrateResponses(EpsilonResNet& model, const Dataset& data,
                                      const Normalizer& normalizer, int batch_size,
                                      torch::Device device) {
    torch::NoGradGuard no_grad;
    const bool was_training = model->is_training();
    const double epsilon = model->config().epsilon;
    model->eval();
    model->setEpsilon(0.0);
    torch::Tensor largest = torch::zeros({model->config().blockCount()});
    BatchLoader loader(data, normalizer, evaluationOptions(batch_size));
    loader.startEpoch(0);
    while (auto batch = loader.next()) {
        // fmax ignores NaN: a skipped block is not computed and keeps 0, removed at any ε.
        largest = torch::fmax(largest, model->forward(batch->images.to(device)).max_abs.cpu());
    }
    model->setEpsilon(epsilon);
    model->train(was_training);
    return std::vector<float>(largest.data_ptr<float>(),
                              largest.data_ptr<float>() + largest.numel());
}

std::vector<double> epsilonGrid(const std::vector<float>& responses, int count) {
    if (responses.empty() || count < 2) {
        throw std::invalid_argument("an ε grid needs responses and at least 2 points");
    }
    // A skipped block's response is 0; the grid spans the blocks that respond.
    float smallest = std::numeric_limits<float>::infinity();
    for (float response : responses) {
        if (response > 0.0f) {
            smallest = std::min(smallest, response);
        }
    }
    const float largest = *std::max_element(responses.begin(), responses.end());
    const double low = std::isfinite(smallest) ? 0.5 * static_cast<double>(smallest) : 1e-6;
    const double high = std::max(low * 2.0, 1.05 * static_cast<double>(largest));
    std::vector<double> grid;
    for (int i = 0; i < count; ++i) {
        grid.push_back(low * std::pow(high / low, static_cast<double>(i) / (count - 1)));
    }
    grid.insert(grid.end(), responses.begin(), responses.end());
    std::sort(grid.begin(), grid.end());
    grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
    return grid;
}

std::vector<SweepPoint> posthocSweep(EpsilonResNet& model, const std::vector<float>& responses,
                                     const std::vector<double>& epsilons, const Dataset& test,
                                     const Normalizer& normalizer, int batch_size,
                                     torch::Device device) {
    struct Measured {
        NetworkCost cost;
        double accuracy = 0.0;
    };
    std::map<std::vector<bool>, Measured> measured;  // one evaluation per removed set
    std::vector<SweepPoint> points;
    for (double epsilon : epsilons) {
        SweepPoint point;
        point.epsilon = epsilon;
        for (float response : responses) {
            point.removed.push_back(static_cast<double>(response) <= epsilon);
        }
        auto found = measured.find(point.removed);
        if (found == measured.end()) {
            CompactResNet compact = buildCompact(model, point.removed);
            const Measured result{
                costOf(*compact, model->config().image_size),
                evaluateFolded(compact, test, normalizer, batch_size, device).accuracy};
            found = measured.emplace(point.removed, result).first;
        }
        point.cost = found->second.cost;
        point.test_accuracy = found->second.accuracy;
        points.push_back(point);
    }
    return points;
}

}  // namespace epsilon
