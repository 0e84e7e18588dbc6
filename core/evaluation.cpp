// SPDX-License-Identifier: MIT
// Test-set evaluation of the gated and the compact networks.
#include "core/evaluation.h"

#include <torch/torch.h>

namespace epsilon {
namespace {

// Sums over batches, turned into means at the end.
struct Totals {
    double loss = 0.0;
    int64_t correct = 0;
    int64_t side_correct = 0;
    int64_t images = 0;
};

int64_t correctCount(const torch::Tensor& logits, const torch::Tensor& labels) {
    return logits.argmax(1).eq(labels).sum().item<int64_t>();
}

EvalResult finish(const Totals& totals, int64_t batches) {
    EvalResult result;
    const double images = static_cast<double>(std::max<int64_t>(totals.images, 1));
    result.loss = totals.loss / images;
    result.accuracy = static_cast<double>(totals.correct) / images;
    result.side_accuracy = static_cast<double>(totals.side_correct) / images;
    result.batches = batches;
    return result;
}

}  // namespace

LoaderOptions evaluationOptions(int batch_size) {
    LoaderOptions options;
    options.batch_size = batch_size;
    options.shuffle = false;
    return options;
}

EvalResult evaluateGated(EpsilonResNet& model, const Dataset& data, const Normalizer& normalizer,
                         int batch_size, torch::Device device) {
    torch::NoGradGuard no_grad;
    const bool was_training = model->is_training();
    model->eval();
    BatchLoader loader(data, normalizer, evaluationOptions(batch_size));
    loader.startEpoch(0);
    Totals totals;
    int64_t batches = 0;
    torch::Tensor gate_on = torch::zeros({model->config().blockCount()}, torch::kInt64);
    while (auto batch = loader.next()) {
        const torch::Tensor images = batch->images.to(device);
        const torch::Tensor labels = batch->labels.to(device);
        const GatedOutput out = model->forward(images);
        const int64_t n = labels.size(0);
        totals.loss += torch::cross_entropy_loss(out.logits, labels).item<double>() * n;
        totals.correct += correctCount(out.logits, labels);
        if (out.side_logits.defined()) {
            totals.side_correct += correctCount(out.side_logits, labels);
        }
        totals.images += n;
        gate_on += out.gates.gt(0.5).to(torch::kCPU, torch::kInt64);
        ++batches;
    }
    model->train(was_training);
    EvalResult result = finish(totals, batches);
    result.batches_gate_on.assign(gate_on.data_ptr<int64_t>(),
                                  gate_on.data_ptr<int64_t>() + gate_on.numel());
    return result;
}

EvalResult evaluateCompact(CompactResNet& model, const Dataset& data, const Normalizer& normalizer,
                           int batch_size, torch::Device device) {
    torch::NoGradGuard no_grad;
    const bool was_training = model->is_training();
    model->eval();
    BatchLoader loader(data, normalizer, evaluationOptions(batch_size));
    loader.startEpoch(0);
    Totals totals;
    int64_t batches = 0;
    while (auto batch = loader.next()) {
        const torch::Tensor images = batch->images.to(device);
        const torch::Tensor labels = batch->labels.to(device);
        const torch::Tensor logits = model->forward(images);
        const int64_t n = labels.size(0);
        totals.loss += torch::cross_entropy_loss(logits, labels).item<double>() * n;
        totals.correct += correctCount(logits, labels);
        totals.images += n;
        ++batches;
    }
    model->train(was_training);
    return finish(totals, batches);
}

}  // namespace epsilon
