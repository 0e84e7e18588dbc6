#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs epsilon-lab-bench and the PyTorch peer side by side, interleaved round by round, one
process per measurement, and prints Markdown tables of images per second, their ratio and each
process's peak resident memory. Usage: bench/run.py [--build build] [--quick]."""

import argparse
import json
import os
import platform
import statistics
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "peer_epsilon_resnet.py")
SHAPES = [(3, 32), (1, 28)]  # channels, image size
DEPTHS = [20, 56]


def half_the_blocks(depth):
    """Every second block: a pruned network with about half the blocks, down-sampling ones
    among them (they leave their pool-and-pad)."""
    return [b for b in range(3 * (depth - 2) // 6) if b % 2 == 1]


def measurements(args):
    """(table, key, command) for every measurement of one round."""
    bench = [os.path.join(args.build, "bench", "epsilon-lab-bench")]
    peer = [sys.executable, PEER]
    common = ["--batch", str(args.batch), "--threads", str(args.threads)]
    for channels, size in SHAPES if not args.quick else SHAPES[:1]:
        for depth in DEPTHS if not args.quick else DEPTHS[:1]:
            config = (depth, channels, size)
            shape = common + ["--depth", str(depth), "--channels", str(channels), "--size",
                              str(size)]
            train = shape + ["--steps", str(args.steps), "--warmup", "2"]
            infer = shape + ["--steps", str(args.passes)]
            removed = ["--removed", ",".join(map(str, half_the_blocks(depth)))]
            yield "train", config + ("epsilon-lab",), bench + ["train"] + train
            yield "train", config + ("pytorch",), peer + ["train"] + train
            yield "train", config + ("epsilon-lab model step",), bench + ["model-step"] + train
            if channels == 3:  # the layouts' share of the difference, at CIFAR's shape
                yield "train", config + ("epsilon-lab nchw",), bench + [
                    "train", "--no-channels-last"] + train
                yield "train", config + ("pytorch channels-last",), peer + [
                    "train", "--channels-last"] + train
            yield "infer", config + ("epsilon-lab",), bench + ["infer"] + infer
            yield "infer", config + ("pytorch",), peer + ["infer"] + infer
            yield "pruned", config + ("epsilon-lab",), bench + ["infer-compact"] + infer + removed
            yield "pruned", config + ("epsilon-lab unfolded",), bench + [
                "infer-compact-unfolded"] + infer + removed
            yield "pruned", config + ("epsilon-lab all kept",), bench + ["infer-compact"] + infer
            yield "pruned", config + ("pytorch",), peer + ["infer-compact"] + infer + removed
            # What the convolutions alone cost, each timed on its own: the most any program on
            # these kernels reaches, for the whole network in training, the compact in inference.
            bound = shape + ["--steps", "5"]
            yield "bound", config + ("full",), bench + ["conv-bound"] + bound
            yield "bound", config + ("compact",), bench + ["conv-bound"] + bound + removed
    # Training as blocks die: a third and two thirds of ResNet-20's blocks dead (F = 0), computed
    # on every step as the method does, or skipped once their gate has been 0 for one step.
    depth = 20
    train = common + ["--depth", str(depth), "--steps", str(args.steps), "--warmup", "2"]
    for dead in ([], [1, 4, 7], [1, 2, 4, 5, 7, 8]):
        dead_flag = ["--dead", ",".join(map(str, dead))] if dead else []
        for skip in (0, 1):
            yield "dying", (depth, len(dead), skip), bench + [
                "train", "--skip-after", str(skip)] + dead_flag + train
    # The desktop app against the command line, same run on Fashion-MNIST (6,400 images).
    if os.path.isdir("/usr/share/datasets/fashion-mnist"):
        images = "1280" if args.quick else "6400"
        run = ["--depth", "20", "--epsilon", "6", "--epochs", "1", "--train-limit", images,
               "--test-limit", "2000", "--threads", str(args.threads)]
        display = [] if os.environ.get("DISPLAY") or not shutil.which("xvfb-run") else [
            "xvfb-run", "-a"]
        yield "gui", ("window",), display + [
            os.path.join(args.build, "bench", "epsilon-lab-gui-bench")] + run
        yield "gui", ("command line",), [
            os.path.join(args.build, "app", "epsilon-lab-cli"), "train", "--epsilon-warmup", "0",
            "-q", "--report", REPORT_PLACEHOLDER] + run
    yield "ceiling", ("conv",), bench + ["conv-ceiling"] + common + ["--steps", str(args.passes)]


REPORT_PLACEHOLDER = "{report}"


def run(command):
    """The JSON a measurement prints, or for the command line, the report it writes."""
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "report.json")
        command = [report if part == REPORT_PLACEHOLDER else part for part in command]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        if os.path.exists(report):
            with open(report) as f:
                result = json.load(f)
            return {"images_per_second": result["train_images_per_second"]}
        return json.loads(done.stdout.strip().splitlines()[-1])


def summarize(field, values):
    """The median over rounds; for the longest event-loop gap, the longest of all."""
    if not isinstance(values[0], (int, float)) or isinstance(values[0], bool):
        return values[0]
    return max(values) if field == "longest_gap_ms" else statistics.median(values)


def median_results(rounds):
    merged = {}
    for results in rounds:
        for key, result in results.items():
            merged.setdefault(key, []).append(result)
    return {key: {field: summarize(field, [r[field] for r in results]) for field in results[0]}
            for key, results in merged.items()}


def label(config):
    depth, channels, size = config
    return f"ResNet-{depth}, {size}×{size}×{channels}"


def print_tables(results, args):
    configs = sorted({key[:3] for (table, key) in results if table in ("train", "infer", "pruned")},
                     key=lambda c: (-c[1], c[0]))
    get = lambda table, config, who: results.get((table, config + (who,)))

    print("## Training (images/s, median of rounds)\n")
    print("| network | Epsilon Lab | PyTorch peer | ratio | peak MiB (ours / peer) "
          "| model step alone | Epsilon Lab NCHW | peer channels-last |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for config in configs:
        ours, peer = get("train", config, "epsilon-lab"), get("train", config, "pytorch")
        nchw = get("train", config, "epsilon-lab nchw")
        peer_cl = get("train", config, "pytorch channels-last")
        step = get("train", config, "epsilon-lab model step")
        extra = lambda r: f"{r['images_per_second']:.0f}" if r else "–"
        print(f"| {label(config)} | {ours['images_per_second']:.0f} | "
              f"{peer['images_per_second']:.0f} | "
              f"**{ours['images_per_second'] / peer['images_per_second']:.2f}×** | "
              f"{ours['peak_rss_mib']:.0f} / {peer['peak_rss_mib']:.0f} | {extra(step)} | "
              f"{extra(nchw)} | "
              f"{extra(peer_cl)} |")

    print("\n## Inference of the gated network, eval mode (images/s)\n")
    print("| network | Epsilon Lab | PyTorch peer | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for config in configs:
        ours, peer = get("infer", config, "epsilon-lab"), get("infer", config, "pytorch")
        print(f"| {label(config)} | {ours['images_per_second']:.0f} | "
              f"{peer['images_per_second']:.0f} | "
              f"{ours['images_per_second'] / peer['images_per_second']:.2f}× |")

    print("\n## Pruned inference: every second block removed (images/s)\n")
    print("| network | MACs kept | folded | unfolded (eval) | all blocks, folded | speed-up from "
          "pruning | as share of MAC ratio | vs gated | PyTorch peer, same compact net "
          "| ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for config in configs:
        folded = get("pruned", config, "epsilon-lab")
        unfolded = get("pruned", config, "epsilon-lab unfolded")
        full = get("pruned", config, "epsilon-lab all kept")
        gated = get("infer", config, "epsilon-lab")
        peer = get("pruned", config, "pytorch")
        mac_ratio = full["macs"] / folded["macs"]
        speedup = folded["images_per_second"] / full["images_per_second"]
        print(f"| {label(config)} | {folded['macs'] / full['macs']:.0%} | "
              f"{folded['images_per_second']:.0f} | {unfolded['images_per_second']:.0f} | "
              f"{full['images_per_second']:.0f} | {speedup:.2f}× | {speedup / mac_ratio:.0%} | "
              f"{folded['images_per_second'] / gated['images_per_second']:.2f}× | "
              f"{peer['images_per_second']:.0f} | "
              f"**{folded['images_per_second'] / peer['images_per_second']:.2f}×** |")

    print("\n## Training as blocks die: ResNet-20, 32×32×3 (images/s)\n")
    print("| blocks dead | every block computed | discarded blocks skipped | speed-up |")
    print("| ---: | ---: | ---: | ---: |")
    for dead in sorted({key[1] for (table, key) in results if table == "dying"}):
        computed = results[("dying", (20, dead, 0))]["images_per_second"]
        skipped = results[("dying", (20, dead, 1))]["images_per_second"]
        print(f"| {dead} of 9 | {computed:.0f} | {skipped:.0f} | {skipped / computed:.2f}× |")

    window, command_line = results.get(("gui", ("window",))), results.get(
        ("gui", ("command line",)))
    if window and command_line:
        print("\n## The desktop app against the command line: ResNet-20, Fashion-MNIST, "
              "one epoch of the first 6,400 images, ε = 6\n")
        print("| | training images/s | event loop: longest gap | 99th percentile gap |")
        print("| --- | ---: | ---: | ---: |")
        print(f"| command line | {command_line['images_per_second']:.0f} | | |")
        print(f"| window, every step shown live | {window['images_per_second']:.0f} "
              f"({window['images_per_second'] / command_line['images_per_second']:.0%}) | "
              f"{window['longest_gap_ms']:.0f} ms | {window['p99_gap_ms']:.0f} ms |")
        print("\nThe window ran " + ("on $DISPLAY" if os.environ.get("DISPLAY") else "under Xvfb or offscreen") + ". Gaps are between ticks of a 5 ms timer in the GUI thread, its interval "
              "included: the longest over all rounds, and the median round's 99th percentile.")

    print_bounds(results, configs)

    ceiling = results[("ceiling", ("conv",))]
    best = max(ceiling["channels_last_gflops"], ceiling["contiguous_gflops"])
    print("\n## Against the machine's convolution ceiling\n")
    print(f"A 64→64 3×3 convolution at 32×32, batch {args.batch}, forward: "
          f"{ceiling['channels_last_gflops']:.0f} GFLOP/s channels-last, "
          f"{ceiling['contiguous_gflops']:.0f} GFLOP/s NCHW.\n")
    print("| network | training GFLOP/s (3 × 2 × MACs per image) | share of the ceiling |")
    print("| --- | ---: | ---: |")
    for config in configs:
        ours = get("train", config, "epsilon-lab")
        achieved = ours["images_per_second"] * 6 * ours["macs"] / 1e9
        print(f"| {label(config)} | {achieved:.0f} | {achieved / best:.0%} |")


def print_bounds(results, configs):
    """Each program's speed as a share of what its convolutions alone allow, and what the
    targets over the peer ask of that bound."""
    get = lambda table, config, who: results.get((table, config + (who,)))
    if not any(get("bound", config, "full") for config in configs):
        return
    print("\n## What the convolutions alone allow (images/s)\n")
    print("Every 3×3 convolution of the network timed on its own, channels-last, and the times "
          "summed: the speed a program would reach if everything else (batch norm, ReLU, gate, "
          "loss, optimizer) took no time. In brackets, each speed as a share of that bound.\n")
    print("| network | training bound | Epsilon Lab | peer | 1.3× peer | "
          "pruned inference bound | Epsilon Lab (folded) | peer | 1.5× peer |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    share = lambda value, bound: f"{value:.0f} ({value / bound:.0%})"
    for config in configs:
        full, compact = get("bound", config, "full"), get("bound", config, "compact")
        if not full or not compact:
            continue
        train_bound = full["training_images_per_second"]
        infer_bound = compact["inference_images_per_second"]
        ours, peer = get("train", config, "epsilon-lab"), get("train", config, "pytorch")
        folded, peer_compact = get("pruned", config, "epsilon-lab"), get("pruned", config,
                                                                          "pytorch")
        print(f"| {label(config)} | {train_bound:.0f} | "
              f"{share(ours['images_per_second'], train_bound)} | "
              f"{share(peer['images_per_second'], train_bound)} | "
              f"{share(1.3 * peer['images_per_second'], train_bound)} | {infer_bound:.0f} | "
              f"{share(folded['images_per_second'], infer_bound)} | "
              f"{share(peer_compact['images_per_second'], infer_bound)} | "
              f"{share(1.5 * peer_compact['images_per_second'], infer_bound)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"),
                        help="build directory holding bench/epsilon-lab-bench")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="torch threads for both implementations")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--steps", type=int, default=12, help="timed training steps per run")
    parser.add_argument("--passes", type=int, default=10, help="timed inference passes per run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds; each runs every measurement once, in turn")
    parser.add_argument("--quick", action="store_true",
                        help="one round of ResNet-20 at 32×32×3 with few steps (a smoke test)")
    parser.add_argument("--raw", help="also write every round's results to this JSON file")
    parser.add_argument("--tables-from", metavar="RAW",
                        help="print the tables of a --raw file instead of measuring")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.steps, args.passes = 1, 3, 3

    if args.tables_from:
        with open(args.tables_from) as f:
            saved = json.load(f)
        args.rounds, args.threads, args.batch = saved["rounds"], saved["threads"], saved["batch"]
        rounds = [{(table, tuple(key)): result for table, key, result in r}
                  for r in saved["results"]]
    else:
        rounds = []
        for r in range(args.rounds):
            results = {}
            for table, key, command in measurements(args):
                print(f"round {r + 1}/{args.rounds}: {table} {' '.join(map(str, key))}",
                      file=sys.stderr, flush=True)
                results[(table, key)] = run(command)
            rounds.append(results)
        if args.raw:
            with open(args.raw, "w") as f:
                json.dump({"rounds": args.rounds, "threads": args.threads, "batch": args.batch,
                           "results": [[[t, list(k), v] for (t, k), v in r.items()]
                                       for r in rounds]}, f, indent=1)
    print(f"# Epsilon Lab against the PyTorch peer\n\n{platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, {args.threads} torch threads, batch {args.batch}, "
          f"{args.rounds} rounds, median shown.\n")
    print_tables(median_results(rounds), args)


if __name__ == "__main__":
    main()
