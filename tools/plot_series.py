#!/usr/bin/python3
"""Draws series of (x, y) points into a PNG; run by `parley plot` and `parley compare`.

    plot_series.py INPUT.json

INPUT.json: {"out": "plot.png", "title": "...", "xlabel": "...", "ylabel": "...", "log_y": false,
             "series": [{"label": "a", "x": [...], "y": [... or null], "markers": [{"x": 1.0, "label": "killed 2"}]}]}

Exit codes: 0 written, 2 bad input, 3 matplotlib cannot be imported.
"""
import json
import math
import os
import sys


def main(argv):
    if len(argv) != 2:
        print("usage: plot_series.py INPUT.json", file=sys.stderr)
        return 2
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print("matplotlib cannot be imported: %s" % e, file=sys.stderr)
        return 3
    try:
        with open(argv[1]) as f:
            spec = json.load(f)
        out = spec["out"]
        series = spec["series"]
    except (OSError, ValueError, KeyError) as e:
        print("bad input %s: %s" % (argv[1], e), file=sys.stderr)
        return 2

    fig, ax = plt.subplots(figsize=(8, 5), dpi=100)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, s in enumerate(series):
        colour = colours[i % len(colours)]
        ys = [math.nan if v is None else float(v) for v in s["y"]]
        xs = [float(v) for v in s["x"]]
        ax.plot(xs, ys, label=s["label"], color=colour, marker="o" if len(xs) <= 30 else None,
                markersize=3, linewidth=1.5)
        for m in s.get("markers", []):
            ax.axvline(float(m["x"]), color=colour, linestyle=":", alpha=0.6, linewidth=1)
            ax.annotate(m.get("label", ""), xy=(float(m["x"]), 1.0), xycoords=("data", "axes fraction"),
                        rotation=90, va="top", ha="right", fontsize=7, color=colour)
    if spec.get("log_y"):
        ax.set_yscale("log")
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if spec.get("title"):
        ax.set_title(spec["title"])
    ax.grid(True, alpha=0.3)
    if series:
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    # Write beside the target, then rename: a reader never sees half a PNG.
    tmp = "%s.tmp%d.png" % (out, os.getpid())
    try:
        fig.savefig(tmp, format="png")
        os.replace(tmp, out)
    except OSError as e:
        print("cannot write %s: %s" % (out, e), file=sys.stderr)
        try:
            os.remove(tmp)
        except OSError:
            pass
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
