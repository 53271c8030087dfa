#!/usr/bin/python3
"""ndconv from Python: the fixed cost per call, and speed against PyTorch.

1. Fixed cost: text_query_same (bench/shapes.tsv) run through ndconv.Conv
   from Python (numpy and torch inputs, new output or out=) against the same
   plan run back to back from C++ (Conv._seconds_per_c_run: no Python per
   call), on the calling thread. The difference is what a Python call adds.
2. Speed: text_kim_batch, text_seed_conv2d, pw_seq_ffn, conv3x3_res2 through
   ndconv.Conv (ThreadPool(threads)) against torch.nn.functional.conv1d/2d
   (torch.set_num_threads(threads)), both layouts: NCX against a contiguous
   tensor, NXC (channels_last=True) against torch's channels_last memory
   format for 2-D (1-D has none: contiguous). Every output is checked against
   torch's first. Medians of interleaved rounds (ndconv, torch, ndconv, ...).

    PYTHONPATH=build/release/python /usr/bin/python3 python/bench/bench_python.py

--quick: one short round each (CTest's smoke run).
"""

import argparse
import os
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

import ndconv

SPEED_SHAPES = ["text_kim_batch", "text_seed_conv2d", "pw_seq_ffn", "conv3x3_res2"]
FIXED_COST_SHAPE = "text_query_same"


def read_shapes(path):
    """bench/shapes.tsv -> {name: dict of ints / per-dim tuples}."""
    shapes, header = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            row = dict(zip(header, fields))
            dims = lambda key: tuple(int(v) for v in row[key].split("x"))  # noqa: E731
            shapes[row["name"]] = dict(
                rank=int(row["rank"]), batch=int(row["batch"]), c_in=int(row["in_channels"]),
                c_out=int(row["out_channels"]), groups=int(row["groups"]),
                in_size=dims("in_size"), kernel=dims("kernel"), stride=dims("stride"),
                dilation=dims("dilation"), pads=tuple(zip(dims("pad_begin"), dims("pad_end"))))
    return shapes


def make_case(s, channels_last, rng):
    x = rng.standard_normal((s["batch"], s["c_in"]) + s["in_size"]).astype(np.float32)
    w = rng.standard_normal((s["c_out"], s["c_in"] // s["groups"]) + s["kernel"]).astype(np.float32)
    w *= 1.0 / np.sqrt(w[0].size)
    b = rng.standard_normal(s["c_out"]).astype(np.float32)
    conv = ndconv.Conv(np.ascontiguousarray(np.moveaxis(w, (0, 1), (-1, -2))) if channels_last
                       else w, b, s["stride"], s["pads"], s["dilation"], s["groups"],
                       channels_last=channels_last)
    x_nd = np.ascontiguousarray(np.moveaxis(x, 1, -1)) if channels_last else x
    return x, w, b, conv, x_nd


def per_call_seconds(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def interleaved(fns, rounds, calls):
    """Median seconds per call of each fn, rounds of A, B, A, B ..."""
    for fn in fns:
        fn()                                                  # warm-up: plans, caches
    samples = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            samples[i].append(per_call_seconds(fn, calls))
    return [statistics.median(s) for s in samples]


def fixed_cost(shapes, rounds, calls):
    """Per round: `calls` runs from C, then `calls` of each Python variant.
    On a shared machine the minimum over rounds is the estimate that noise
    does not inflate; the median of the per-round differences is shown too."""
    s = shapes[FIXED_COST_SHAPE]
    x, w, b, conv, x_nd = make_case(s, False, np.random.default_rng(1))
    xt = torch.from_numpy(x_nd)
    out = np.empty(conv.output_shape(x_nd.shape), dtype=np.float32)
    c_loop = lambda: conv._seconds_per_c_run(x_nd, calls)     # noqa: E731
    variants = [("numpy, new output", lambda: conv(x_nd)),
                ("numpy, out=", lambda: conv(x_nd, out=out)),
                ("torch, new output", lambda: conv(xt))]
    c_loop()
    for _, fn in variants:
        fn()
    c_samples, py_samples = [], [[] for _ in variants]
    for _ in range(rounds):
        c_samples.append(c_loop())
        for i, (_, fn) in enumerate(variants):
            py_samples[i].append(per_call_seconds(fn, calls))
    c = min(c_samples)
    print(f"\nFixed cost per call, {FIXED_COST_SHAPE} (NCX, calling thread, kernel "
          f"{conv.kernel_name}; {rounds} rounds of {calls} calls):\n")
    print("| call | min µs per call | above C (min) | above C (median of rounds) |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| same plan from C (ndconv_conv_run loop) | {c * 1e6:.2f} | | |")
    for (name, _), samples in zip(variants, py_samples):
        p = min(samples)
        paired = statistics.median(q - r for q, r in zip(samples, c_samples))
        print(f"| Python: conv(x) {name} | {p * 1e6:.2f} | {(p - c) * 1e6:+.2f} | "
              f"{paired * 1e6:+.2f} |")


def torch_conv(rank):
    return {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[rank]


def speed_row(s, name, channels_last, threads, pool, rounds, calls):
    x, w, b, conv, x_nd = make_case(s, channels_last, np.random.default_rng(2))
    xt, wt, bt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)
    if channels_last and s["rank"] == 2:
        xt = xt.contiguous(memory_format=torch.channels_last)
        wt = wt.contiguous(memory_format=torch.channels_last)
    pads = s["pads"]
    symmetric = all(p == q for p, q in pads)
    fn = torch_conv(s["rank"])
    torch_call = (lambda: fn(xt, wt, bt, s["stride"], [p for p, _ in pads], s["dilation"],
                             s["groups"])) if symmetric else None
    assert torch_call is not None, f"{name}: asymmetric padding in the suite"
    y = conv(x_nd, pool=pool)
    ref = torch_call().numpy()
    if channels_last:
        y = np.moveaxis(y, -1, 1)
    scale = np.abs(ref).max()
    if not np.abs(y - ref).max() <= 1e-4 * scale:
        raise SystemExit(f"{name}: ndconv and torch disagree: {np.abs(y - ref).max()} "
                         f"(scale {scale})")
    out = np.empty(conv.output_shape(x_nd.shape), dtype=np.float32)
    nd, tt = interleaved([lambda: conv(x_nd, out=out, pool=pool), torch_call], rounds, calls)
    layout = "NXC" if channels_last else "NCX"
    torch_layout = ("channels_last" if s["rank"] == 2 else "contiguous") if channels_last \
        else "contiguous"
    print(f"| {name} | {layout} | {nd * 1e3:.3f} | {tt * 1e3:.3f} ({torch_layout}) | "
          f"{tt / nd:.2f}x | {conv.kernel_name} |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", default=os.path.join(here, "..", "..", "bench", "shapes.tsv"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one short round (smoke run)")
    args = parser.parse_args()
    shapes = read_shapes(args.shapes)
    torch.set_num_threads(args.threads)
    rounds, calls = (1, 3) if args.quick else (15, 20)
    print(f"CPU: {cpu_name()}; ISA: {ndconv.info()['current']}; threads: {args.threads} "
          f"(ndconv.ThreadPool, torch.set_num_threads); torch {torch.__version__}")
    fixed_cost(shapes, 60 if not args.quick else 2, 20 if not args.quick else 5)
    print("\nThrough Python, median ms per call (ndconv: conv(x, out=, pool=)):\n")
    print("| shape | layout | ndconv ms | torch ms | torch / ndconv | ndconv kernel |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    with ndconv.ThreadPool(args.threads) as pool, torch.inference_mode():
        for name in SPEED_SHAPES:
            for channels_last in (False, True):
                speed_row(shapes[name], name, channels_last, args.threads, pool,
                          rounds, max(1, calls // 4) if name != "pw_seq_ffn" else calls)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown"


if __name__ == "__main__":
    main()
