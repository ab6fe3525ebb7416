#!/usr/bin/python3
"""Tables and plots of bench/pex.sh from its output directory (argument): prints the markdown of
bench/RESULTS-pex.md's measured part and draws bench/plots/pex_<workload>.png."""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out = sys.argv[1]
plots = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plots")
os.makedirs(plots, exist_ok=True)
ALGOS = ("pex", "pex-sync", "async")
LOADS = (("equal", "equal workers"), ("hetero", "2 of 8 workers 3x slower"),
         ("changing", "2 of 8 3x slower, a different pair every 4 s"))
WORKLOADS = (("mf", "MovieLens latest-small, MF rank 32", "rmse"),
             ("text", "text-like sparse binary, 500k x 50k, logistic regression", "logloss"))


def lines(path):
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if "event" not in j:
                yield j


def fmt(x, d=2):
    return "-" if x is None else f"{x:.{d}f}"


for key, title, metric in WORKLOADS:
    if not os.path.isdir(os.path.join(out, key + "-equal")):
        continue
    print(f"\n### {title}: time to test {metric} target\n")
    print("| load | run | reached | time to target (s) | exchanges | MB exchanged | final test "
          f"{metric} | epochs | pex-sync / pex time | exchanges / pex's |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
    for ax, (load, label) in zip(axes, LOADS):
        d = os.path.join(out, f"{key}-{load}")
        res = {}
        for a in ALGOS:
            s = json.load(open(os.path.join(d, a + ".json")))
            ls = list(lines(os.path.join(d, a + ".jsonl")))
            last = ls[-1]
            # An exchange: pex/pex-sync, a contribution and its reply; async, a gradient pushed
            # and the parameters returned (one per update).
            ex = last.get("exchanges", s["updates"] if a == "async" else None)
            mb = last.get("bytes", 0) / 1e6  # sent by every node, both directions
            res[a] = dict(reached=s["target"]["reached"], time=s["target"]["time"], ex=ex, mb=mb,
                          final=s["test"][metric], epochs=s["epochs"], target=s["target"]["value"])
            pts = [(j["time"], j["test"][metric]) for j in ls if "test" in j]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], label=a, marker=".")
        tgt = res["pex"]["target"]
        ax.axhline(tgt, color="grey", ls="--", lw=0.8)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("training seconds")
        ax.grid(alpha=0.3)
        for a in ALGOS:
            r = res[a]
            ratio = ""
            if a == "pex-sync" and r["time"] and res["pex"]["time"]:
                ratio = f"{r['time'] / res['pex']['time']:.2f}x"
            exr = f"{r['ex'] / res['pex']['ex']:.1f}x" if r["ex"] and res["pex"]["ex"] else ""
            print(f"| {load} | {a} | {'yes' if r['reached'] else 'no'} | {fmt(r['time'])} | {r['ex']} | "
                  f"{r['mb']:.0f} | {r['final']:.4f} | {r['epochs']:.2f} | {ratio} | {exr} |")
    axes[0].set_ylabel(f"test {metric}")
    axes[0].legend()
    fig.suptitle(title + " (8 workers)")
    fig.tight_layout()
    fig.savefig(os.path.join(plots, f"pex_{key}.png"), dpi=110)
    print(f"\n![{title}](plots/pex_{key}.png)")
