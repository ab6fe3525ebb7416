#!/usr/bin/python3
"""Part (c) of bench/asgd_kmeans.sh: parley's sequential K-means (one thread and
--kmeans-threads 2) against scikit-learn's MiniBatchKMeans, time to the same inertia. Run alone
it prints markdown tables computed from the logs; bench/asgd_report.py imports it for its
section (c), so both print the same numbers.

  /usr/bin/python3 bench/asgd_sklearn_table.py bench/out/asgd

Definitions: DEFINITIONS below (bench/RESULTS-asgd.md prints them).
"""
import functools
import json
import os
import statistics
import sys

DEFINITIONS = (
    "Same inertia: best = the lowest test objective any run of this part reaches on that data (any seed, "
    "either side); target = best x (1 + tolerance). Each side runs once per seed, each run gives a time "
    "to the target, and a side's time is the median over its seeds (given when most seeds reached the "
    "target). parley: its first evaluation at or below the target (training seconds: evaluations "
    "excluded, k-means++ seeding included). sklearn `fit`: per seed, the fastest of the fits on growing "
    "prefixes whose result is at or below the target (each fit timed whole: init, validation, steps); "
    "`partial_fit`: per seed, its first evaluation at or below it (evaluations excluded). Ratios are "
    "sklearn's time / parley's: \"1 thread each\" is parley with one thread against the faster of "
    "sklearn's two ways with one thread, \"best of each\" the fastest variant of each side."
)
TOLERANCES = [0.01, 0.001, 0.0001]
VARIANTS = [("seq-sk", "parley 1 thread"), ("seq-sk-t2", "parley 2 threads")]
DATA = ["k10", "k100"]
SK_THREADS = [(0, "default threads"), (1, "1 thread")]


def seeds_of(out):
    return sorted({int(line.split("\t")[3]) for line in open(os.path.join(out, "commands.tsv"))
                   if line.split("\t")[1] == "fast"})


# The logs are read once each (every table and the report's plot go through these two).
@functools.cache
def parley_log(out, data, name, seed):
    p = os.path.join(out, f"{data}.fast.{name}.seed{seed}.jsonl")
    if not os.path.exists(p):
        return []
    return [r for r in (json.loads(line) for line in open(p)) if "test" in r]


def parley_curve(out, data, name, seed):
    return [(r["time"], r["test"]["objective"]) for r in parley_log(out, data, name, seed)]


@functools.cache
def sklearn_runs(out, data):
    """{threads: the json of bench/sklearn_kmeans.py} for the thread settings that ran."""
    sk = {}
    for t, _ in SK_THREADS:
        p = os.path.join(out, f"{data}.sklearn-t{t}.json")
        if os.path.exists(p):
            sk[t] = json.load(open(p))
    return sk


def first(points, target):
    return next((t for t, o in points if o <= target), None)


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v and len(v) * 2 > len(values) else None  # a majority reached it


def fmt(v, nd=4):
    return "-" if v is None else f"{v:.{nd}f}"


def sk_fit_time(run, target):
    return min((x["time"] for x in run["fit"] if x["objective"] <= target), default=None)


def sk_pf_time(run, target):
    return next((x["time"] for x in run["partial_fit"] if x["objective"] <= target), None)


def best_objective(out, data, seeds):
    objs = [o for name, _ in VARIANTS for s in seeds for _, o in parley_curve(out, data, name, s)]
    for j in sklearn_runs(out, data).values():
        for run in j["runs"]:
            objs += [x["objective"] for x in run["fit"]] + [x["objective"] for x in run["partial_fit"]]
    return min(objs)


def time_table(out, seeds):
    """The time-to-target table, as markdown lines, and {(data, tol): (1 thread each, best of each)}."""
    lines = [
        "| data | tolerance | target | parley 1 thread (s) | parley 2 threads (s) | sklearn default threads: fit | "
        "partial_fit | sklearn 1 thread: fit | partial_fit | 1 thread each: sklearn / parley | "
        "best of each: sklearn / parley |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for data in DATA:
        sk = sklearn_runs(out, data)
        par = {name: [parley_curve(out, data, name, s) for s in seeds] for name, _ in VARIANTS}
        best = best_objective(out, data, seeds)
        for tol in TOLERANCES:
            target = best * (1 + tol)
            tp = {name: med([first(c, target) for c in cs]) for name, cs in par.items()}
            cells, fastest = [], {}
            for t, _ in SK_THREADS:
                j = sk.get(t)
                f = med([sk_fit_time(r, target) for r in j["runs"]]) if j else None
                pf = med([sk_pf_time(r, target) for r in j["runs"]]) if j else None
                cells += [fmt(f, 3), fmt(pf, 3)]
                fastest[t] = min([v for v in (f, pf) if v is not None], default=None)
            one = fastest.get(1) / tp["seq-sk"] if fastest.get(1) and tp["seq-sk"] else None
            sk_best = min([v for v in fastest.values() if v is not None], default=None)
            par_best = min([v for v in tp.values() if v is not None], default=None)
            both = sk_best / par_best if sk_best and par_best else None
            ratios[(data, tol)] = (one, both)
            lines.append(f"| {data} | {tol * 100:g}% | {target:.5f} | {fmt(tp['seq-sk'])} | {fmt(tp['seq-sk-t2'])} | "
                         + " | ".join(cells) + f" | {fmt(one, 2)} | {fmt(both, 2)} |")
    return lines, ratios


def rate_table(out, seeds):
    """Steady-state rows per second, as markdown lines."""
    lines = ["| data | parley 1 thread | parley 2 threads | MiniBatchKMeans default threads | MiniBatchKMeans 1 thread |",
             "|---|---|---|---|---|"]
    for data in DATA:
        cells = []
        for name, _ in VARIANTS:
            rs = []
            for s in seeds:
                L = parley_log(out, data, name, s)
                if len(L) > 2:
                    rs.append((L[-1]["epoch"] - L[0]["epoch"]) * 1_000_000 / (L[-1]["time"] - L[0]["time"]))
            cells.append(fmt(statistics.median(rs) / 1e6, 2) + " M" if rs else "-")
        sk = sklearn_runs(out, data)
        for t, _ in SK_THREADS:
            rs = []
            for run in sk[t]["runs"] if t in sk else []:
                f = {x["rows_seen"]: x["time"] for x in run["fit"]}
                n = sk[t]["rows"]
                if n in f and 2 * n in f and f[2 * n] > f[n]:
                    rs.append(n / (f[2 * n] - f[n]))
            cells.append(fmt(statistics.median(rs) / 1e6, 2) + " M" if rs else "-")
        lines.append(f"| {data} | " + " | ".join(cells) + " |")
    return lines


def env_lines(out):
    lines = []
    for data in DATA:
        for t, what in SK_THREADS:
            j = sklearn_runs(out, data).get(t)
            if j:
                lines.append(f"- {data}, MiniBatchKMeans {what}: scikit-learn {j['sklearn']}, numpy {j['numpy']}, "
                             f"batch {j['batch']}, seeds {', '.join(str(r['seed']) for r in j['runs'])}, "
                             f"partial_fit evaluated every {j['eval_rows']} rows, threadpools {j['threadpools']}.")
    return lines


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "bench/out/asgd"
    seeds = seeds_of(out)
    print(f"Seeds: {', '.join(map(str, seeds))} on both sides; a median is given when most seeds reached the target.")
    print()
    print("\n".join(time_table(out, seeds)[0]))
    print()
    print("Steady state, rows per training second (parley: between its first and last evaluation; sklearn: "
          "fit of 2 passes minus fit of 1 pass, batch 1024), median over seeds:")
    print()
    print("\n".join(rate_table(out, seeds)))
    print()
    print("\n".join(env_lines(out)))


if __name__ == "__main__":
    main()
