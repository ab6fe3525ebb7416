#!/usr/bin/python3
"""Numbers and plots of bench/sync_backup.sh from its output directory (argument)."""
import glob
import json
import os
import shutil
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out = sys.argv[1]
plots = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plots")
os.makedirs(plots, exist_ok=True)


def lines(path):
    with open(path) as f:
        for line in f:
            yield json.loads(line)


def summaries(directory, name):
    files = sorted(glob.glob(os.path.join(directory, name + ".seed*.json"))) or \
        [os.path.join(directory, name + ".json")]
    return [json.load(open(f)) for f in files if os.path.exists(f)]


# (a) k-th arrival times per step, from every sync run of the backup experiment with b = 0
# (all 16 gradients of a step are waited for there, so every arrival is seen).
steps = []
for log in sorted(glob.glob(os.path.join(out, "backup", "sync-b0*.jsonl"))):
    for j in lines(log):
        for s in j.get("arrivals", []):
            if len(s) == 16:
                steps.append(s)
if not steps:
    sys.exit("no complete arrival lists in the b = 0 logs")
fig, ax = plt.subplots(figsize=(6.4, 4.2))
for k in (1, 4, 8, 12, 14, 15, 16):
    t = sorted(s[k - 1] for s in steps)
    ax.plot(t, [i / len(t) for i in range(1, len(t) + 1)], label=f"k = {k}")
ax.set_xscale("log")
ax.set_xlabel("seconds after the step's parameters were sent (log scale)")
ax.set_ylabel("fraction of steps")
ax.set_title(f"Arrival of the k-th of 16 gradients ({len(steps)} steps)")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(os.path.join(plots, "sync_arrivals_cdf.png"), dpi=120)
print("### (a) k-th gradient arrival, seconds after the broadcast (%d steps, b = 0)\n" % len(steps))
print("| k | median | 90th pct | 99th pct |")
print("|---|---|---|---|")
for k in (1, 8, 12, 14, 15, 16):
    t = sorted(s[k - 1] for s in steps)
    q = lambda p: t[min(len(t) - 1, int(p * len(t)))]
    print(f"| {k} | {q(0.5):.3f} | {q(0.9):.3f} | {q(0.99):.3f} |")

# (b) time to target per b.
print("\n### (b) time to 85% test accuracy, N + b = 16\n")
print("| run | seeds reaching target | median time to target (s) | speed-up over b = 0 | "
      "median final accuracy | dropped gradients |")
print("|---|---|---|---|---|---|")
base = None
best = None
for name in ("sync-b0", "sync-b1", "sync-b2", "sync-b4", "async"):
    ss = summaries(os.path.join(out, "backup"), name)
    if not ss:
        sys.exit(f"no summaries for {name}")
    times = [s["target"]["time"] for s in ss if s["target"]["reached"]]
    med = statistics.median(times) if len(times) == len(ss) else None
    if name == "sync-b0":
        base = med
    speed = f"{base / med:.2f}x" if base and med else "-"
    if name.startswith("sync") and med is not None and (best is None or med < best[1]):
        best = (name, med)
    acc = statistics.median(s["test"]["accuracy"] for s in ss)
    dropped = statistics.median(sum(s.get("dropped", [0])) for s in ss)
    print(f"| {name} | {len(times)}/{len(ss)} | {med if med is None else round(med, 2)} | {speed} | "
          f"{acc:.4f} | {dropped:.0f} |")
print(f"\nBest b: {best[0] if best else 'none reached the target'}")
shutil.copy(os.path.join(out, "backup", "compare.png"), os.path.join(plots, "sync_backup_accuracy.png"))

# (c) equal time.
print("\n### (c) sync with backups against async, 40 s of training each\n")
print("| run | final test accuracy | best test accuracy | epochs | updates |")
print("|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(out, "vs_async", "*.json"))):
    s = json.load(open(path))
    name = os.path.basename(path)[:-5]
    best_acc = max(j["test"]["accuracy"] for j in lines(path[:-5] + ".jsonl") if "test" in j)
    print(f"| {name} | {s['test']['accuracy']:.4f} | {best_acc:.4f} | {s['epochs']:.2f} | {s['updates']} |")
shutil.copy(os.path.join(out, "vs_async", "compare.png"), os.path.join(plots, "sync_vs_async.png"))
