#!/usr/bin/python3
"""Tables and plots of bench/asgd_kmeans.sh from its output directory (argument): writes
bench/RESULTS-asgd.md (measured numbers only, each with the command that produced it) and
bench/plots/asgd_*.png. The prose around the numbers is in bench/asgd_results_text.md
(sections named by the markers below), so that rerunning the script refreshes every number.

Definitions used throughout:
- error: test centre_distance_rel (mean distance of the found centres to the true ones, in
  units of the mixture's per-coordinate spread; parley's K-means metric); also the test
  objective (mean 1/2 min_c ||x - c||^2; its minimum is about d/2 = 5 here).
- a run's curve: every state it reports: for asgd and simu peer 0's state at each evaluation,
  then the average of all peers at the end; for lloyd the centres after each pass.
- time to error e: the training seconds (evaluation excluded) of the first reported state with
  error <= e; for an algorithm run with several budgets, the earliest over its budget runs.
- per setting, the median over seeds; "-" when a seed never reaches the target.
"""
import glob
import json
import os
import re
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
plots = os.path.join(here, "plots")
os.makedirs(plots, exist_ok=True)
TARGETS = [float(t) for t in os.environ.get("TARGETS", "0.1,0.06,0.025").split(",")]
B_TARGET = float(os.environ.get("B_TARGET", "0.06"))  # (b): the intervals and networks
MODES = ["shared", "cluster"]
NETS = ["infiniband", "1gbe", "cloud"]
INTERVALS = [1, 2, 4, 8, 16, 32]

commands = {}
for line in open(os.path.join(out, "commands.tsv")):
    mode, name, seed, cmd = line.rstrip("\n").split("\t")
    commands[(mode, name, int(seed))] = cmd
seeds = sorted({s for (m, n, s) in commands if m in MODES})


def lines(mode, name, seed):
    path = os.path.join(out, f"{mode}.{name}.seed{seed}.jsonl")
    if not os.path.exists(path):
        return []
    return [j for j in (json.loads(l) for l in open(path)) if "event" not in j and "test" in j]


def summary(mode, name, seed):
    path = os.path.join(out, f"{mode}.{name}.seed{seed}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def init_estimate(mode, name, seed):
    """The run's initialisation, estimated within the run: t1 - (t2 - t1), t1 and t2 the times
    of its first two reports (0.05 epoch, or one Lloyd pass, apart)."""
    ls = lines(mode, name, seed)
    if len(ls) < 2:
        return None
    t1, t2 = ls[0]["time"], ls[1]["time"]
    return max(0.0, t1 - (t2 - t1))


AFTER_INIT = False  # curve() subtracts each run's init_estimate when set


def curve(mode, name, seed, metric="centre_distance_rel"):
    off = (init_estimate(mode, name, seed) or 0.0) if AFTER_INIT else 0.0
    return [(j["time"] - off, j["test"][metric]) for j in lines(mode, name, seed) if metric in j["test"]]


def after_init(fn, *args):
    global AFTER_INIT
    AFTER_INIT = True
    try:
        return fn(*args)
    finally:
        AFTER_INIT = False


def epochs_to(mode, name, seed, target):
    """Peer 0's epoch (its rows / its shard's rows) at its first state with error <= target."""
    for j in lines(mode, name, seed):
        if j["test"].get("centre_distance_rel", 1e9) <= target:
            return j["epoch"]
    return None


def time_to(points, target):
    for t, e in sorted(points):
        if e <= target:
            return t
    return None


def med(values):
    if not values or any(v is None for v in values):
        return None
    return statistics.median(values)


def fmt(v, nd=3):
    return "-" if v is None else f"{v:.{nd}f}"


def cmd_ref(mode, name, seed=None):
    seed = seeds[0] if seed is None else seed
    return commands.get((mode, name, seed), "?")


ALGOS = {  # algorithm -> run names whose curves it owns
    "sequential SGD (1 worker)": ["seq"],
    "SimuParallelSGD (8 peers)": ["simu-e0.125", "simu-e0.25", "simu-e0.5", "simu-e1", "simu-e2"],
    "batch K-means / Lloyd (8 peers)": ["lloyd"],
    "ASGD, interval 1, infiniband (8 peers)": ["asgd-e0.125", "asgd-e0.25", "asgd-e0.5", "asgd-e1",
                                               "asgd-infiniband-i1"],
    "ASGD, balanced, cloud (8 peers)": ["asgd-cloud-balanced"],
}


def algo_points(mode, names, seed, metric="centre_distance_rel"):
    pts = []
    for n in names:
        pts += curve(mode, n, seed, metric)
    return pts


def init_seconds(mode, name):
    """Median training seconds of the one-step runs: the initialisation (plus one step)."""
    return med([(summary(mode, name, s) or {}).get("train_seconds") for s in seeds])


INIT = {m: {"seq": init_seconds(m, "init-seq"), "peers": init_seconds(m, "init-peers")} for m in MODES}


def save_plot(fig, name, caption, title=None):
    """Writes bench/plots/NAME.png and its line in the report ("Plot: ...CAPTION")."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(os.path.join(plots, name + ".png"), dpi=120)
    plt.close(fig)
    P(f"Plot: `bench/plots/{name}.png`{caption}\n")


def minus(v, d):
    return None if v is None or d is None else v - d


md = []
P = md.append
P("## Peer-to-peer ASGD, SimuParallelSGD and batch K-means on a Gaussian mixture (issue 5)\n")
P("Generated by `bench/asgd_kmeans.sh` (which runs every command listed below, then "
  "`bench/asgd_report.py bench/out/asgd`; this run: `PARLEY=build/asgd-helper/parley SEEDS=\"1 2 3\" "
  "bench/asgd_kmeans.sh`, a Release build of this tree). The tables and the plots are computed from "
  "the logs; the prose between them is `bench/asgd_results_text.md` and quotes the numbers of this run. "
  "\n")
P("Machine (`bench/out/asgd/machine.txt`):\n")
P("```")
P(open(os.path.join(out, "machine.txt")).read().rstrip())
P("```\n")
text_path = os.path.join(here, "asgd_results_text.md")
texts = {}
if os.path.exists(text_path):
    cur = None
    for l in open(text_path):
        m = re.match(r"<!-- (\w+) -->", l)
        if m:
            cur = m.group(1)
            texts[cur] = []
        elif cur:
            texts[cur].append(l)
texts = {k: "".join(v).strip() + "\n" for k, v in texts.items()}
if "setup" in texts:
    P(texts["setup"])

# ---------------------------------------------------------------- (a) algorithms
for mode in MODES:
    P(f"### (a) error against time, mode `{mode}` (median over seeds {', '.join(map(str, seeds))})\n")
    P(f"Initialisation alone (median training seconds of the one-step runs `init-seq` and `init-peers`): "
      f"{fmt(INIT[mode]['seq'])} s sequential, {fmt(INIT[mode]['peers'])} s with 8 peers. The columns "
      f"\"after init\" subtract from each run's times that run's own initialisation, estimated as "
      f"t1 - (t2 - t1) from the times t1, t2 of its first two reports (derived).\n")
    hdr = "| algorithm | " + " | ".join(f"time to error {t}" for t in TARGETS) + " | " + \
          " | ".join(f"after init, to {t}" for t in TARGETS) + \
          " | best error | final objective | training s of the longest run | its eval s / training s |"
    P(hdr)
    P("|" + "---|" * (hdr.count("|") - 1))
    for algo, names in ALGOS.items():
        tt = [med([time_to(algo_points(mode, names, s), t) for s in seeds]) for t in TARGETS]
        ta = [med([time_to(after_init(algo_points, mode, names, s), t) for s in seeds]) for t in TARGETS]
        best = med([min((e for _, e in algo_points(mode, names, s)), default=None) for s in seeds])
        longest = names[-1]
        fobj = med([(summary(mode, longest, s) or {}).get("test", {}).get("objective") for s in seeds])
        ftime = med([(summary(mode, longest, s) or {}).get("train_seconds") for s in seeds])
        fev = med([((summary(mode, longest, s) or {}).get("eval_seconds") or 0) /
                   max((summary(mode, longest, s) or {}).get("train_seconds") or 1e-9, 1e-9) for s in seeds])
        P(f"| {algo} | " + " | ".join(fmt(v) for v in tt) + " | " + " | ".join(fmt(v) for v in ta) +
          f" | {fmt(best, 4)} | {fmt(fobj, 4)} | {fmt(ftime, 2)} | {fmt(fev, 2)} |")
    P("")
    # plot: error against time, seed = first
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, metric in zip(axes, ["centre_distance_rel", "objective"]):
        for algo, names in ALGOS.items():
            s = seeds[0]
            if len(names) > 1 and names[0].endswith("e0.125"):
                # budget runs: the longest run's curve, and the end (peer average) of every budget
                c = curve(mode, names[-1], s, metric)
                line, = ax.plot([t for t, _ in c[:-1]], [e for _, e in c[:-1]], label=algo + " (peer 0)", lw=1.2)
                ends = [curve(mode, n, s, metric)[-1] for n in names if curve(mode, n, s, metric)]
                ax.plot([t for t, _ in ends], [e for _, e in ends], "o--", color=line.get_color(), ms=4,
                        lw=0.8, label=algo.split(",")[0].split(" (")[0] + " end of each budget (average of peers)")
            else:
                c = curve(mode, names[0], s, metric)
                ax.plot([t for t, _ in c], [e for _, e in c], label=algo, lw=1.2, marker="." if "Lloyd" in algo else None)
        ax.set_xlabel("training seconds (log)")
        ax.set_xscale("log")
        ax.grid(alpha=0.3)
        if metric == "objective":
            lo = min(e for names in ALGOS.values() for _, e in algo_points(mode, names, seeds[0], metric))
            ax.set_ylim(lo * 0.9998, lo * 1.004)
            ax.set_ylabel("test objective (axis clipped at best + 0.4%)")
        else:
            ax.set_yscale("log")
            ax.set_ylabel(f"test {metric}")
    for t in TARGETS:
        axes[0].axhline(t, color="grey", lw=0.6, ls=":")
    axes[0].legend(fontsize=6.5)
    save_plot(fig, f"asgd_algorithms_{mode}", f" (seed {seeds[0]}).",
              f"K-means, 1M x 10, k = 10: error against time ({mode} mode, seed {seeds[0]})")

P("Commands (seed %d; the other seeds differ only in `--seed` and the file names):\n" % seeds[0])
P("```")
for mode in MODES:
    for names in [["init-seq", "init-peers"]] + list(ALGOS.values()):
        for n in names:
            if n.startswith("asgd-cloud") or n.startswith("asgd-infiniband"):
                continue
            P(cmd_ref(mode, n))
P("```\n")
if "algorithms" in texts:
    P(texts["algorithms"])

# ---------------------------------------------------------------- (b) intervals x networks
T = B_TARGET
balanced_rows = []
for mode in MODES:
    P(f"### (b) send interval against network, mode `{mode}`: median time (s) to error {T}\n")
    P("| network | " + " | ".join(f"i = {k}" for k in INTERVALS) + " | best fixed | balanced | balanced / best | "
      "after init: best fixed | after init: balanced | after init: balanced / best | "
      "balanced interval at the end (median) | balanced skipped sends |")
    P("|" + "---|" * (len(INTERVALS) + 9))
    for net in NETS:
        ts = {k: med([time_to(curve(mode, f"asgd-{net}-i{k}", s), T) for s in seeds]) for k in INTERVALS}
        reached = {k: v for k, v in ts.items() if v is not None}
        best = min(reached.items(), key=lambda kv: kv[1]) if reached else None
        name = f"asgd-{net}-balanced"
        tb = med([time_to(curve(mode, name, s), T) for s in seeds])
        fin = [ls[-2] for ls in (lines(mode, name, s) for s in seeds) if len(ls) >= 2]
        ivals = med([j.get("interval") for j in fin]) if fin else None
        skipped = med([j.get("skipped_sends") for j in fin]) if fin else None
        ratio = tb / best[1] if (tb is not None and best) else None
        ts_ai = {k: med([time_to(after_init(curve, mode, f"asgd-{net}-i{k}", s), T) for s in seeds]) for k in INTERVALS}
        reached_ai = [v for v in ts_ai.values() if v is not None]
        tb_ai = med([time_to(after_init(curve, mode, name, s), T) for s in seeds])
        ratio_ai = tb_ai / min(reached_ai) if (tb_ai is not None and reached_ai) else None
        best_ai = min(ts_ai, key=lambda k: ts_ai[k] if ts_ai[k] is not None else 1e9)
        balanced_rows.append((mode, net, best, tb, ratio))
        cells = [("**" + fmt(v) + "**") if best and k == best[0] else fmt(v) for k, v in ts.items()]
        P(f"| {net} | " + " | ".join(cells) + f" | i = {best[0] if best else '-'} | {fmt(tb)} | "
          f"{fmt(ratio, 2)} | i = {best_ai}: {fmt(ts_ai[best_ai])} | {fmt(tb_ai)} | {fmt(ratio_ai, 2)} | {fmt(ivals, 0)} | {fmt(skipped, 0)} |")
    spreads = []
    for net in NETS:
        for name in [f"asgd-{net}-i{k}" for k in INTERVALS] + [f"asgd-{net}-balanced"]:
            v = [time_to(curve(mode, name, s), T) for s in seeds]
            if all(x is not None for x in v):
                spreads.append(max(v) - min(v))
    P("")
    P(f"Noise: the spread (max - min over the {len(seeds)} seeds) of one setting's time to error {T} is "
      f"{fmt(med(spreads))} s (median over the {len(spreads)} settings above; largest {fmt(max(spreads) if spreads else None)} s).")
    P("")
    P(f"The same runs measured in data instead of seconds: median epochs (peer 0's rows / its shard) "
      f"to error {T}, mode `{mode}`:\n")
    P("| network | " + " | ".join(f"i = {k}" for k in INTERVALS) + " | balanced |")
    P("|" + "---|" * (len(INTERVALS) + 2))
    for net in NETS:
        cells = [fmt(med([epochs_to(mode, f"asgd-{net}-i{k}", s, T) for s in seeds]), 2) for k in INTERVALS]
        cells.append(fmt(med([epochs_to(mode, f"asgd-{net}-balanced", s, T) for s in seeds]), 2))
        P(f"| {net} | " + " | ".join(cells) + " |")
    P("")
    # also the final (averaged) error and messages per interval
    P(f"Final error of the peers' average after 2 epochs, and messages sent by all peers (median), mode `{mode}`:\n")
    P("| network | " + " | ".join(f"i = {k}" for k in INTERVALS) + " | balanced |")
    P("|" + "---|" * (len(INTERVALS) + 2))
    for net in NETS:
        cells = []
        for name in [f"asgd-{net}-i{k}" for k in INTERVALS] + [f"asgd-{net}-balanced"]:
            e = med([(summary(mode, name, s) or {}).get("test", {}).get("centre_distance_rel") for s in seeds])
            msgs = med([lines(mode, name, s)[-1].get("puts_all") if lines(mode, name, s) else None for s in seeds])
            cells.append(f"{fmt(e, 4)} / {fmt(msgs, 0)}")
        P(f"| {net} | " + " | ".join(cells) + " |")
    P("")
    # plot: time to target against interval, one line per network, balanced as a horizontal line
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for net in NETS:
        ys = [med([time_to(curve(mode, f"asgd-{net}-i{k}", s), T) for s in seeds]) for k in INTERVALS]
        line, = axes[0].plot(INTERVALS, [float("nan") if y is None else y for y in ys], "o-", label=f"{net}, fixed")
        tb = med([time_to(curve(mode, f"asgd-{net}-balanced", s), T) for s in seeds])
        if tb is not None:
            axes[0].axhline(tb, color=line.get_color(), ls="--", lw=1, label=f"{net}, balanced")
        c = curve(mode, f"asgd-{net}-balanced", seeds[0])
        ls = lines(mode, f"asgd-{net}-balanced", seeds[0])
        axes[1].plot([j["time"] for j in ls if "interval" in j], [j["interval"] for j in ls if "interval" in j],
                     label=net, color=line.get_color())
    axes[0].set_xscale("log", base=2)
    axes[0].set_xlabel("fixed send interval (steps)")
    axes[0].set_ylabel(f"median training seconds to error {T}")
    axes[0].legend(fontsize=7)
    axes[0].grid(alpha=0.3)
    axes[1].set_xlabel("training seconds")
    axes[1].set_ylabel("peer 0's send interval under --balance interval")
    axes[1].set_yscale("log", base=2)
    axes[1].set_ylim(0.8, 80)
    axes[1].legend(fontsize=7)
    axes[1].grid(alpha=0.3)
    save_plot(fig, f"asgd_intervals_{mode}",
              f" (left: time to error {T} per interval; right: the balancer's interval over time, seed {seeds[0]}).",
              f"ASGD send interval against network ({mode} mode)")
    # error curves per network, seed 1
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
    for ax, net in zip(axes, NETS):
        for k in INTERVALS:
            c = curve(mode, f"asgd-{net}-i{k}", seeds[0])
            ax.plot([t for t, _ in c], [e for _, e in c], lw=1, label=f"i = {k}")
        c = curve(mode, f"asgd-{net}-balanced", seeds[0])
        ax.plot([t for t, _ in c], [e for _, e in c], "k--", lw=1.4, label="balanced")
        ax.set_title(net)
        ax.set_yscale("log")
        ax.set_xlabel("training seconds")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test centre_distance_rel")
    axes[0].legend(fontsize=7)
    save_plot(fig, f"asgd_networks_{mode}", f" (error curves, seed {seeds[0]}).",
              f"ASGD error against time per network and interval ({mode} mode, seed {seeds[0]})")

P("Commands (seed %d, mode `shared`; `cluster` adds `--slowdown 0=8,...,7=8`):\n" % seeds[0])
P("```")
for net in NETS:
    for k in INTERVALS:
        P(cmd_ref("shared", f"asgd-{net}-i{k}"))
    P(cmd_ref("shared", f"asgd-{net}-balanced"))
P("```\n")
if "networks" in texts:
    P(texts["networks"])

# ---------------------------------------------------------------- (c) sklearn
P("### (c) parley sequential K-means SGD against scikit-learn MiniBatchKMeans, one process each\n")
sk_runs = []
for label, f in (("MiniBatchKMeans, default threads", "sklearn.json"),
                 ("MiniBatchKMeans, 1 thread", "sklearn-1thread.json")):
    p = os.path.join(out, f)
    if os.path.exists(p):
        sk_runs.append((label, json.load(open(p))))
par = {s: [(j["time"], j["test"]["objective"]) for j in lines("sklearn", "seq-long", s)] for s in seeds
       if lines("sklearn", "seq-long", s)}
par_ai = {s: [(t - (init_estimate("sklearn", "seq-long", s) or 0), e) for t, e in c] for s, c in par.items()}
if sk_runs and par:
    best_all = min([min(e for _, e in c) for c in par.values()] +
                   [min(p["objective"] for p in r[m]) for _, r in sk_runs for m in ("fit", "partial_fit")])
    P(f"Same inertia: the lowest test objective any of these runs reaches is {best_all:.5f}; the target "
      f"for each tolerance is best * (1 + tol). Time to it: parley's first evaluation at or below it "
      f"(training seconds, evaluation excluded), median over seeds {', '.join(map(str, par))}; sklearn "
      f"`fit`: the fastest fit whose result is at or below it; sklearn `partial_fit`: the first "
      f"evaluation at or below it (evaluation excluded).\n")
    ini = INIT["shared"]["seq"]
    P(f"parley's time includes its k-means++ initialisation over all 1M training rows "
      f"({fmt(ini)} s: median of the one-step runs `init-seq`, mode `shared`); sklearn's fit time includes "
      f"its own (k-means++ on init_size = 3 x batch rows); partial_fit initialises on its first batch. "
      f"\"parley after init\" subtracts each run's own initialisation, estimated as t1 - (t2 - t1) from its "
      f"first two reports (0.01 epoch apart; derived).\n")
    P("| tolerance | target objective | parley (s) | parley after init (s) | " +
      " | ".join(f"{l}, {m} (s)" for l, _ in sk_runs for m in ("fit", "partial_fit")) +
      " | parley / fastest sklearn | parley after init / fastest sklearn |")
    P("|" + "---|" * (6 + 2 * len(sk_runs)))
    for tol in (0.01, 0.001):
        tgt = best_all * (1 + tol)
        tp = med([time_to(c, tgt) for c in par.values()])
        tpa = med([time_to(c, tgt) for c in par_ai.values()])
        cells, sk_best = [], None
        for _, r in sk_runs:
            tf = min((p["time"] for p in r["fit"] if p["objective"] <= tgt), default=None)
            tpf = time_to([(p["time"], p["objective"]) for p in r["partial_fit"]], tgt)
            for v in (tf, tpf):
                cells.append(fmt(v))
                if v is not None and (sk_best is None or v < sk_best):
                    sk_best = v
        r1 = tp / sk_best if (sk_best and tp is not None) else None
        r2 = tpa / sk_best if (sk_best and tpa is not None) else None
        P(f"| {tol:.1%} | {tgt:.5f} | {fmt(tp)} | {fmt(tpa)} | " + " | ".join(cells) +
          f" | {fmt(r1, 2)} | {fmt(r2, 2)} |")
    P("")
    thr = []
    for c in par.values():
        ls = lines("sklearn", "seq-long", next(s for s in par if par[s] is c))
        if len(ls) >= 3:
            a, b = ls[0], ls[-2]
            thr.append((b["epoch"] - a["epoch"]) * 1e6 / (b["time"] - a["time"]))
    P(f"Steady-state speed, rows per training second once running: parley sequential "
      f"{fmt(med(thr) / 1e6 if thr else None, 2)} M rows/s (batch 256, median over seeds, between its first and "
      f"last evaluation); " + "; ".join(
          f"{l} {fmt((r['fit'][-1]['rows_seen'] - r['fit'][-2]['rows_seen']) / max(r['fit'][-1]['time'] - r['fit'][-2]['time'], 1e-9) / 1e6, 2)} M rows/s "
          f"(batch {r['batch']}, fit of 2 passes minus fit of 1 pass)" for l, r in sk_runs) + ".\n")
    for label, r in sk_runs:
        P(f"- {label}: scikit-learn {r['sklearn']}, numpy {r['numpy']}, batch {r['batch']}, "
          f"threadpools {r['threadpools']}.")
    P("")
    fig, ax = plt.subplots(figsize=(7, 4.3))
    for s, c in par.items():
        line, = ax.plot([t for t, _ in c], [e for _, e in c], lw=1, label=f"parley sequential, seed {s}")
        ca = par_ai[s]
        ax.plot([t for t, _ in ca], [e for _, e in ca], lw=0.8, ls="--", color=line.get_color(),
                label=f"parley sequential, seed {s}, after its init (derived)")
    for label, r in sk_runs:
        ax.plot([p["time"] for p in r["fit"]], [p["objective"] for p in r["fit"]], "o", ms=4, label=f"{label}, fit")
        ax.plot([p["time"] for p in r["partial_fit"]], [p["objective"] for p in r["partial_fit"]], lw=1,
                label=f"{label}, partial_fit")
    ax.axhline(best_all * 1.01, color="grey", ls=":", lw=0.8, label="best + 1%")
    ax.set_xscale("log")
    ax.set_ylim(best_all * 0.9995, best_all * 1.012)
    ax.set_xlabel("training seconds (log)")
    ax.set_ylabel("test objective (mean 1/2 min ||x - c||^2)")
    ax.legend(fontsize=6.5)
    ax.grid(alpha=0.3)
    ax.set_title("K-means 1M x 10, k = 10: parley vs MiniBatchKMeans, one process each")
    save_plot(fig, "asgd_sklearn", ".")
    P("Commands:\n")
    P("```")
    P(cmd_ref("shared", "init-seq"))
    for s in par:
        P(cmd_ref("sklearn", "seq-long", s))
    for key in (("sklearn", "minibatchkmeans", 1), ("sklearn", "minibatchkmeans-1thread", 1)):
        if key in commands:
            P(commands[key])
    P("```\n")
if "sklearn" in texts:
    P(texts["sklearn"])
if "conclusions" in texts:
    P(texts["conclusions"])

with open(os.path.join(here, "RESULTS-asgd.md"), "w") as f:
    f.write("\n".join(md) + "\n")
print("\n".join(md))
