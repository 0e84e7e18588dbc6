// SPDX-License-Identifier: MIT
// Test-set evaluation of the gated and the compact networks.
#include "core/evaluation.h"

#include "core/folded_resnet.h"

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

int64_t correctCount(const torch::Tensor& logits, const torch::Tensor& labels) {
    return logits.argmax(1).eq(labels).sum().item<int64_t>();
}

LoaderOptions evaluationOptions(int batch_size) {
    LoaderOptions options;
    options.batch_size = batch_size;
    options.shuffle = false;
    return options;
}

namespace {

// What a network returns for one batch; the gated network also returns side logits and gates.
struct BatchOutput {
    torch::Tensor logits;
    torch::Tensor side_logits;
    torch::Tensor gates;
};

// One pass over `data` in order, in eval mode and without gradients.
template <typename Network, typename Forward>
EvalResult evaluate(Network& model, const Dataset& data, const Normalizer& normalizer,
                    int batch_size, torch::Device device, Forward forward) {
    torch::NoGradGuard no_grad;
    const bool was_training = model->is_training();
    model->eval();
    BatchLoader loader(data, normalizer, evaluationOptions(batch_size));
    loader.startEpoch(0);
    Totals totals;
    int64_t batches = 0;
    torch::Tensor gate_on;
    while (auto batch = loader.next()) {
        const torch::Tensor labels = batch->labels.to(device);
        const BatchOutput out = forward(batch->images.to(device));
        const int64_t n = labels.size(0);
        totals.loss += torch::cross_entropy_loss(out.logits, labels).item<double>() * n;
        totals.correct += correctCount(out.logits, labels);
        if (out.side_logits.defined()) {
            totals.side_correct += correctCount(out.side_logits, labels);
        }
        if (out.gates.defined()) {
            const torch::Tensor on = out.gates.gt(0.5).to(torch::kCPU, torch::kInt64);
            gate_on = gate_on.defined() ? gate_on + on : on;
        }
        totals.images += n;
        ++batches;
    }
    model->train(was_training);
    EvalResult result = finish(totals, batches);
    if (gate_on.defined()) {
        result.batches_gate_on.assign(gate_on.data_ptr<int64_t>(),
                                      gate_on.data_ptr<int64_t>() + gate_on.numel());
    }
    return result;
}

}  // namespace

EvalResult evaluateGated(EpsilonResNet& model, const Dataset& data, const Normalizer& normalizer,
                         int batch_size, torch::Device device) {
    return evaluate(model, data, normalizer, batch_size, device, [&](const torch::Tensor& x) {
        const GatedOutput out = model->forward(x);
        return BatchOutput{out.logits, out.side_logits, out.gates};
    });
}

EvalResult evaluateCompact(CompactResNet& model, const Dataset& data, const Normalizer& normalizer,
                           int batch_size, torch::Device device) {
    return evaluate(model, data, normalizer, batch_size, device, [&](const torch::Tensor& x) {
        return BatchOutput{model->forward(x), {}, {}};
    });
}

EvalResult evaluateFolded(CompactResNet& model, const Dataset& data, const Normalizer& normalizer,
                          int batch_size, torch::Device device) {
    const FoldedResNet folded(*model);
    return evaluate(model, data, normalizer, batch_size, device, [&](const torch::Tensor& x) {
        return BatchOutput{folded.forward(x), {}, {}};
    });
}

}  // namespace epsilon
