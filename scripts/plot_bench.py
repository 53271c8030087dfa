#!/usr/bin/python3
"""Draws ndconv_bench's JSON (--json, with --report or --ab) as a bar chart:
the ndconv / oneDNN ratio (same plain layout) per shape and layout, a line at
1.0, the CPU in the title.

    /usr/bin/python3 scripts/plot_bench.py build/release/bench/results.json \
        build/release/bench/ratio.png

Uses Debian's matplotlib (python3-matplotlib, scripts/setup.sh installs it),
hence /usr/bin/python3 rather than whatever python3 is first on PATH.
"""
import json
import math
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

LAYOUT_COLORS = {"ncx": "#4c72b0", "nxc": "#dd8452"}


def load(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = [r for r in data["rows"] if isinstance(r.get("ratio"), (int, float))]
    return data, rows


def title_of(data, rows):
    cpu = data["machine"]["cpu"]
    peaks = data["machine"].get("fma_peak_gflops", {})
    peak_text = ", ".join(f"{isa} {gf:.0f}" for isa, gf in peaks.items())
    geo = math.exp(sum(math.log(r["ratio"]) for r in rows) / len(rows)) if rows else float("nan")
    mode = "interleaved A/B, medians of rounds" if data["mode"] == "ab" else "medians of repetitions"
    return (
        f"ndconv / oneDNN (same plain layout), fp32, {data['threads']} thread(s), "
        f"ndconv ISA {data['ndconv_isa']}\n"
        f"{cpu.get('brand', '?')}: {cpu.get('microarchitecture', '?')}, "
        f"FMA units {cpu.get('fma_units', '?')}, peak GFLOP/s {peak_text or '?'}\n"
        f"{len(rows)} rows, geometric mean {geo:.2f}x ({mode})"
    )


def plot(data, rows, out_path):
    # Horizontal bars, one per shape and layout, in the table's order: the
    # shape names stay readable however many rows the suite has.
    labels = [f"{r['shape']} {r['layout']}" for r in rows]
    ratios = [r["ratio"] for r in rows]
    colors = [LAYOUT_COLORS.get(r["layout"], "gray") for r in rows]
    height = max(4.0, 0.26 * len(rows) + 1.8)
    fig, ax = plt.subplots(figsize=(10, height))
    y = list(range(len(rows)))
    # Each bar runs from the 1.0 line to the ratio: right of it ndconv is
    # faster, left of it slower, and the length is the factor on the log axis.
    ax.barh(y, [r - 1.0 for r in ratios], left=1.0, color=colors, height=0.75)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row at the top, as in the table; no margins
    ax.axvline(1.0, color="black", linewidth=1.0)
    # A tick at every ratio, so that a row at about 1.0 (no bar) still shows.
    ax.plot(ratios, y, "|", color="black", markersize=9)
    ax.set_xscale("log", base=2)
    lo = min(ratios + [0.5]) / 1.25
    hi = max(ratios + [2.0]) * 1.25
    ax.set_xlim(lo, hi)
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16) if lo <= t <= hi]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{t:g}x" for t in ticks])
    ax.set_xlabel("ndconv GFLOP/s / oneDNN GFLOP/s (log scale; > 1: ndconv faster)")
    for yi, r in zip(y, ratios):
        right = r >= 1.0
        ax.text(r * (1.02 if right else 1 / 1.02), yi, f"{r:.2f}", va="center",
                ha="left" if right else "right", fontsize=7)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in LAYOUT_COLORS.values()]
    ax.legend(handles, ["NCX (channels first)", "NXC (channels last)"], loc="best", fontsize=8)
    ax.grid(axis="x", which="major", alpha=0.3)
    ax.set_title(title_of(data, rows), fontsize=9)
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    data, rows = load(argv[1])
    if not rows:
        print(f"plot_bench.py: {argv[1]} has no rows with a ratio (oneDNN missing?)", file=sys.stderr)
        return 1
    plot(data, rows, argv[2])
    print(f"plot_bench.py: wrote {argv[2]} ({len(rows)} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
