#!/usr/bin/python3
"""Part (c) of bench/asgd_kmeans.sh alone: parley's sequential K-means (one thread and
--kmeans-threads 2) against scikit-learn's MiniBatchKMeans, time to the same inertia. Prints
markdown tables computed from the logs (bench/RESULTS-asgd.md takes them as they are).

  /usr/bin/python3 bench/asgd_sklearn_table.py bench/out/asgd

Same definitions as bench/asgd_report.py part (c): best = the lowest test objective any run of
this part reaches on that data; target = best x (1 + tolerance); parley: its first evaluation
at or below the target (training seconds: evaluations excluded, k-means++ seeding included),
median over the seeds; sklearn `fit`: the fastest fit on a prefix whose result is at or below
it (timed whole), `partial_fit`: its first evaluation at or below it.
"""
import json
import os
import statistics
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench/out/asgd"
TOLERANCES = [0.01, 0.001, 0.0001]
VARIANTS = [("seq-sk", "parley 1 thread"), ("seq-sk-t2", "parley 2 threads")]

seeds = sorted({int(line.split("\t")[3]) for line in open(os.path.join(OUT, "commands.tsv"))
                if line.split("\t")[1] == "fast"})


def curve(data, name, seed):
    p = os.path.join(OUT, f"{data}.fast.{name}.seed{seed}.jsonl")
    if not os.path.exists(p):
        return []
    rows = [json.loads(line) for line in open(p)]
    return [(r["time"], r["test"]["objective"]) for r in rows if "test" in r]


def first(points, target):
    return next((t for t, o in points if o <= target), None)


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if len(v) * 2 > len(values) else None  # a majority reached it


def fmt(v, nd=4):
    return "-" if v is None else f"{v:.{nd}f}"


print(f"Seeds: {', '.join(map(str, seeds))}; a median is given when most seeds reached the target.")
print()
print("| data | tolerance | target | parley 1 thread (s) | parley 2 threads (s) | sklearn default threads: fit | partial_fit | "
      "sklearn 1 thread: fit | partial_fit | 1 thread each: sklearn / parley | best of each: sklearn / parley |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for data in ["k10", "k100"]:
    sk = {}
    for t in (0, 1):
        p = os.path.join(OUT, f"{data}.sklearn-t{t}.json")
        if os.path.exists(p):
            sk[t] = json.load(open(p))
    par = {name: [curve(data, name, s) for s in seeds] for name, _ in VARIANTS}
    allobj = [o for cs in par.values() for c in cs for _, o in c]
    for j in sk.values():
        allobj += [x["objective"] for x in j["fit"]] + [x["objective"] for x in j["partial_fit"]]
    best = min(allobj)
    for tol in TOLERANCES:
        target = best * (1 + tol)
        tp = {name: med([first(c, target) for c in cs]) for name, cs in par.items()}
        cells, fastest = [], {}
        for t in (0, 1):
            j = sk.get(t)
            f = min((x["time"] for x in j["fit"] if x["objective"] <= target), default=None) if j else None
            pf = next((x["time"] for x in j["partial_fit"] if x["objective"] <= target), None) if j else None
            cells += [fmt(f, 3), fmt(pf, 3)]
            fastest[t] = min([v for v in (f, pf) if v is not None], default=None)
        one = fastest[1] / tp["seq-sk"] if fastest.get(1) and tp["seq-sk"] else None
        sk_best = min([v for v in fastest.values() if v is not None], default=None)
        par_best = min([v for v in tp.values() if v is not None], default=None)
        both = sk_best / par_best if sk_best and par_best else None
        print(f"| {data} | {tol * 100:g}% | {target:.5f} | {fmt(tp['seq-sk'])} | {fmt(tp['seq-sk-t2'])} | "
              + " | ".join(cells) + f" | {fmt(one, 2)} | {fmt(both, 2)} |")
print()
print("Steady state, rows per training second between the first and last evaluation (median over seeds):")
print()
print("| data | parley 1 thread | parley 2 threads |")
print("|---|---|---|")
for data in ["k10", "k100"]:
    cells = []
    for name, _ in VARIANTS:
        rs = []
        for s in seeds:
            p = os.path.join(OUT, f"{data}.fast.{name}.seed{s}.jsonl")
            if not os.path.exists(p):
                continue
            L = [json.loads(line) for line in open(p)]
            L = [r for r in L if "test" in r]
            if len(L) > 2:
                rs.append((L[-1]["epoch"] - L[0]["epoch"]) * 1_000_000 / (L[-1]["time"] - L[0]["time"]))
        cells.append(fmt(statistics.median(rs) / 1e6, 2) + " M" if rs else "-")
    print(f"| {data} | " + " | ".join(cells) + " |")
print()
for data in ["k10", "k100"]:
    for t in (0, 1):
        p = os.path.join(OUT, f"{data}.sklearn-t{t}.json")
        if os.path.exists(p):
            j = json.load(open(p))
            print(f"- {data}, MiniBatchKMeans {'default threads' if t == 0 else '1 thread'}: scikit-learn {j['sklearn']}, "
                  f"numpy {j['numpy']}, batch {j['batch']}, threadpools {j['threadpools']}.")
