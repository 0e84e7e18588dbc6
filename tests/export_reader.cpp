// SPDX-License-Identifier: MIT
// Test program: loads a model exported by `epsilon-lab-cli export --model` the way a user would,
// with its own module built from the documented layout (docs/snapshot-format.md) and no code of
// Epsilon Lab, and writes the logits of some inputs.
// Usage: export_reader MODEL.pt INPUTS.pt LOGITS.pt   (inputs: uint8 images [N, C, H, W])
#include <cstdio>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

torch::nn::BatchNorm2d batchNorm(int64_t channels, double eps) {
    return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).eps(eps));
}

struct UnitLayout {
    int64_t in_channels, out_channels, stride;
    bool preactivate, has_branch;
};

struct BranchImpl : torch::nn::Module {
    BranchImpl(const UnitLayout& unit, double eps) : unit(unit) {
        if (unit.preactivate)
            bn1 = register_module("bn1", batchNorm(unit.in_channels, eps));
        conv1 = register_module("conv1", conv3x3(unit.in_channels, unit.out_channels, unit.stride));
        bn2 = register_module("bn2", batchNorm(unit.out_channels, eps));
        conv2 = register_module("conv2", conv3x3(unit.out_channels, unit.out_channels, 1));
    }
    torch::Tensor forward(const torch::Tensor& x) {
        const torch::Tensor a = unit.preactivate ? torch::relu(bn1(x)) : x;
        return conv2(torch::relu(bn2(conv1(a))));
    }
    UnitLayout unit;
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
};
TORCH_MODULE(Branch);

torch::Tensor shortcut(const torch::Tensor& x, const UnitLayout& unit) {
    if (unit.stride == 1 && unit.in_channels == unit.out_channels)
        return x;
    const torch::Tensor pooled = unit.stride == 1 ? x : torch::avg_pool2d(x, 2, 2);
    const int64_t extra = unit.out_channels - unit.in_channels;
    return torch::constant_pad_nd(pooled, {0, 0, 0, 0, extra / 2, extra - extra / 2});
}

struct StemImpl : torch::nn::Module {
    StemImpl(int64_t in, int64_t out, double eps) {
        conv = register_module("conv", conv3x3(in, out, 1));
        bn = register_module("bn", batchNorm(out, eps));
    }
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
};
TORCH_MODULE(Stem);

struct HeadImpl : torch::nn::Module {
    HeadImpl(int64_t in, int64_t classes, double eps) {
        bn = register_module("bn", batchNorm(in, eps));
        fc = register_module("fc", torch::nn::Linear(in, classes));
    }
    torch::nn::BatchNorm2d bn{nullptr};
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Head);

struct NetImpl : torch::nn::Module {
    explicit NetImpl(const nlohmann::json& layout) {
        const double eps = layout.at("batch_norm_eps");
        stem = register_module("stem",
                               Stem(layout.at("in_channels"), layout.at("stem_channels"), eps));
        blocks = register_module("blocks", torch::nn::ModuleList());
        for (const auto& u : layout.at("units")) {
            units.push_back({u.at("in_channels"), u.at("out_channels"), u.at("stride"),
                             u.at("preactivate"), u.at("has_branch")});
            if (units.back().has_branch) {
                branches.push_back(Branch(units.back(), eps));
                blocks->push_back(branches.back());
            }
        }
        head = register_module("head",
                               Head(layout.at("head_channels"), layout.at("num_classes"), eps));
    }
    torch::Tensor forward(torch::Tensor x) {
        x = torch::relu(stem->bn(stem->conv(x)));
        size_t next = 0;
        for (const UnitLayout& unit : units) {
            x = unit.has_branch ? shortcut(x, unit) + branches[next++](x) : shortcut(x, unit);
        }
        return head->fc(torch::relu(head->bn(x)).mean({2, 3}));
    }
    Stem stem{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    std::vector<UnitLayout> units;
    std::vector<Branch> branches;
    Head head{nullptr};
};
TORCH_MODULE(Net);

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL.pt INPUTS.pt LOGITS.pt\n", argv[0]);
        return 2;
    }
    torch::serialize::InputArchive archive;
    archive.load_from(argv[1]);
    c10::IValue layout_text;
    archive.read("epsilon_lab_layout", layout_text);
    const nlohmann::json layout = nlohmann::json::parse(layout_text.toStringRef());
    torch::Tensor mean;
    archive.read("epsilon_lab_mean_image", mean, /*is_buffer=*/true);

    Net net(layout);
    torch::load(net, argv[1]);
    net->eval();
    torch::Tensor images;
    torch::load(images, argv[2]);
    torch::NoGradGuard no_grad;
    const double scale = layout.at("input_scale");
    const torch::Tensor logits = net->forward((images.to(torch::kFloat) - mean) / scale);
    torch::save(logits, argv[3]);
    std::printf("%lld logits from %zu units\n", static_cast<long long>(logits.size(0)),
                net->units.size());
    return 0;
}
