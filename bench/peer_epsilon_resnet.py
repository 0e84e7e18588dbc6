#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The PyTorch peer of epsilon-lab-bench: the same ε-ResNet written as a plain PyTorch script
would write it (NCHW unless --channels-last, eval mode and no_grad for inference), timed the
same way, printing one JSON line. Run with Debian's /usr/bin/python3 and python3-torch."""

import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

STAGE_WIDTHS = (16, 32, 64)
GATE_SHARPNESS = 1e6


def shortcut(x, in_channels, out_channels, stride):
    if stride == 1 and in_channels == out_channels:
        return x
    if stride != 1:
        x = F.avg_pool2d(x, 2, 2)
    before = (out_channels - in_channels) // 2
    return F.pad(x, (0, 0, 0, 0, before, out_channels - in_channels - before))


class Branch(nn.Module):
    def __init__(self, in_channels, out_channels, stride, preactivate):
        super().__init__()
        self.shape = (in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(in_channels) if preactivate else None
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)

    def forward(self, x):
        if self.bn1 is not None:
            x = F.relu(self.bn1(x))
        return self.conv2(F.relu(self.bn2(self.conv1(x))))


class Classifier(nn.Module):
    def __init__(self, in_channels, classes):
        super().__init__()
        self.bn = nn.BatchNorm2d(in_channels)
        self.fc = nn.Linear(in_channels, classes)

    def forward(self, x):
        return self.fc(F.relu(self.bn(x)).mean((2, 3)))


def block_shapes(n):
    shapes, in_channels = [], STAGE_WIDTHS[0]
    for stage, width in enumerate(STAGE_WIDTHS):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            shapes.append((in_channels, width, stride, not (stage == 0 and i == 0)))
            in_channels = width
    return shapes


class EpsilonResNet(nn.Module):
    """Gated network: a block's branch counts only while some |F| on the batch exceeds ε."""

    def __init__(self, n, channels, classes, epsilon):
        super().__init__()
        self.epsilon = epsilon
        self.side_after = n + n // 2
        self.stem = nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.ModuleList(Branch(*shape) for shape in block_shapes(n))
        self.head = Classifier(64, classes)
        self.side_head = Classifier(32, classes)

    def forward(self, x):
        x = self.stem(x)
        max_abs, mean_abs, gates, side = [], [], [], None
        for i, block in enumerate(self.blocks):
            response = block(x)
            magnitude = response.detach().abs()
            peak = magnitude.max()
            gate = F.relu(1 - GATE_SHARPNESS * F.relu(1 - GATE_SHARPNESS *
                                                      F.relu(peak - self.epsilon)))
            x = shortcut(x, *block.shape) + gate * response
            max_abs.append(peak)
            mean_abs.append(magnitude.mean())
            gates.append(gate)
            if i == self.side_after:
                side = self.side_head(x)
        return self.head(x), side, torch.stack(max_abs), torch.stack(mean_abs), torch.stack(gates)


class CompactResNet(nn.Module):
    """Plain pre-activation ResNet without the removed blocks; a removed down-sampling block
    leaves its pool-and-pad."""

    def __init__(self, n, channels, classes, removed):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.units = [(shape, i not in removed) for i, shape in enumerate(block_shapes(n))]
        self.blocks = nn.ModuleList(Branch(*shape) for shape, kept in self.units if kept)
        self.head = Classifier(64, classes)

    def forward(self, x):
        x = self.stem(x)
        branches = iter(self.blocks)
        for shape, kept in self.units:
            x = shortcut(x, *shape[:3]) + next(branches)(x) if kept else shortcut(x, *shape[:3])
        return self.head(x)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure_training(model, images, labels, args):
    decayed = [p for p in model.parameters() if p.dim() > 1]
    plain = [p for p in model.parameters() if p.dim() <= 1]
    optimizer = torch.optim.SGD([{"params": decayed, "weight_decay": 2e-4},
                                 {"params": plain, "weight_decay": 0.0}], lr=0.1, momentum=0.9)
    model.train()
    ends = []
    for _ in range(args.warmup + args.steps):
        optimizer.zero_grad()
        logits, side, max_abs, mean_abs, gates = model(images)
        loss = F.cross_entropy(logits, labels) + 0.1 * F.cross_entropy(side, labels)
        loss.backward()
        # What a training script logs each step, on the host, as Epsilon Lab's observer does.
        hits = (logits.argmax(1) == labels).sum()
        summary = torch.cat([loss.detach().reshape(1), hits.reshape(1).float(),
                             max_abs, mean_abs, gates]).tolist()
        if summary[0] != summary[0]:
            raise RuntimeError("the loss became NaN")
        optimizer.step()
        ends.append(time.perf_counter())
    seconds = ends[-1] - ends[args.warmup - 1]
    return {"images_per_second": args.steps * args.batch / seconds,
            "milliseconds_per_step": 1000.0 * seconds / args.steps}


def measure_inference(forward, images, args):
    times = []
    with torch.no_grad():
        for i in range(2 + args.steps):
            start = time.perf_counter()
            forward(images).sum().item()
            if i >= 2:
                times.append(1000.0 * (time.perf_counter() - start))
    ms = statistics.median(times)
    return {"milliseconds_per_batch": ms, "images_per_second": 1000.0 * args.batch / ms}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["train", "infer", "infer-compact"])
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="0: one per core")
    parser.add_argument("--removed", default="", help="comma-separated block indices")
    parser.add_argument("--channels-last", action="store_true")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    else:
        import os
        torch.set_num_threads(os.cpu_count())
    if (args.depth - 2) % 6 != 0 or args.depth < 8:
        parser.error("depth must be 6n+2")
    n = (args.depth - 2) // 6
    torch.manual_seed(1)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    images = torch.randn(args.batch, args.channels, args.size, args.size).contiguous(
        memory_format=memory_format)
    labels = torch.randint(0, 10, (args.batch,))
    if args.mode == "infer-compact":
        removed = {int(b) for b in args.removed.split(",") if b}
        model = CompactResNet(n, args.channels, 10, removed)
    else:
        model = EpsilonResNet(n, args.channels, 10, epsilon=0.0)
    model = model.to(memory_format=memory_format)
    if args.mode == "train":
        result = measure_training(model, images, labels, args)
    else:
        model.eval()
        forward = model if args.mode == "infer-compact" else (lambda x: model(x)[0])
        result = measure_inference(forward, images, args)
    result.update({"implementation": "pytorch", "mode": args.mode,
                   "threads": torch.get_num_threads(), "channels_last": args.channels_last,
                   "parameters": sum(p.numel() for p in model.parameters()),
                   "peak_rss_mib": peak_rss_mib()})
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
