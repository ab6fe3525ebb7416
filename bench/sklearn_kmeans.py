#!/usr/bin/python3
"""scikit-learn's MiniBatchKMeans on the data of bench/asgd_kmeans.sh, for the speed comparison
with parley's sequential K-means SGD (bench/RESULTS-asgd.md).

  bench/sklearn_kmeans.py --train T.csv --test V.csv --clusters 10 --seeds 1,2,3,4,5 --out sk.json

Reads the dense CSVs parley reads (label first, ignored), as float64. Two ways of running
MiniBatchKMeans (n_init=1, k-means++ on init_size = 3 * batch points, compute_labels=False, no
early stopping):
  "fit":         MiniBatchKMeans(max_iter=1).fit(X[:m]) for growing m (24 sizes, each 1.22x
                 the one before), i.e. m / batch steps of sklearn's own loop (its fastest path:
                 no per-step Python); one fresh fit per point of the curve, each timed whole
                 (init, validation, steps).
  "partial_fit": one model, partial_fit on consecutive batches of a seeded permutation of X
                 (per-step Python and validation overhead included, as a user streaming data
                 would pay), evaluated every --eval-rows rows; timed without the evaluations.
Both curves are drawn once per seed of --seeds (random_state and the permutation), as parley
runs once per seed, so that both sides are summarised the same way (a median over seeds).
Each point records the training seconds and the test objective, the mean of
1/2 min_c ||x - c||^2 over the test rows (what parley reports as "objective"; sklearn's
inertia is the sum of min_c ||x - c||^2, so objective = inertia / (2 n)).
Threads: sklearn's OpenMP pool (reported, by default one thread per core) for the assignment
step; --threads 1 limits it to one (threadpoolctl).
"""
import argparse
import json
import os
import time

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from threadpoolctl import threadpool_info, threadpool_limits


def load(path):
    a = np.loadtxt(path, delimiter=",", dtype=np.float64)
    return np.ascontiguousarray(a[:, 1:])


def objective(centres, x):
    # ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, clipped at 0 (rounding).
    d2 = (x * x).sum(1)[:, None] - 2 * x @ centres.T + (centres * centres).sum(1)[None, :]
    return float(0.5 * np.maximum(d2.min(1), 0).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--clusters", type=int, required=True)
    ap.add_argument("--batch", type=int, default=1024, help="MiniBatchKMeans batch_size")
    ap.add_argument("--epochs", type=float, default=2.0, help="partial_fit: passes over X")
    ap.add_argument("--eval-rows", type=int, default=2048,
                    help="partial_fit: rows between evaluations (parley's part (c) evaluates every 2,000)")
    ap.add_argument("--seeds", default="1", help="comma-separated seeds, one pair of curves each")
    ap.add_argument("--threads", type=int, default=0, help="OpenMP threads (0: sklearn's default)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    t0 = time.perf_counter()
    x = load(a.train)
    xt = load(a.test)
    load_s = time.perf_counter() - t0
    n = x.shape[0]
    limit = threadpool_limits(limits=a.threads, user_api="openmp") if a.threads > 0 else None
    pools = [{k: p.get(k) for k in ("user_api", "internal_api", "num_threads")} for p in threadpool_info()]

    def model(seed):
        return MiniBatchKMeans(n_clusters=a.clusters, batch_size=a.batch, n_init=1, init="k-means++",
                               max_iter=1, tol=0.0, max_no_improvement=None, compute_labels=False,
                               random_state=seed)

    def fit_curve(seed):
        # m / batch steps for growing m (m <= n), then 2 passes over all of X.
        fit = []
        sizes = sorted({min(n, int(s)) for s in np.geomspace(8 * a.batch, n, 24)})
        for m in sizes + [2 * n]:
            km = model(seed)
            rows = x[:m] if m <= n else x
            if m > n:
                km.set_params(max_iter=m // n)
            t = time.perf_counter()
            km.fit(rows)
            sec = time.perf_counter() - t
            fit.append({"rows_seen": m, "steps": int(km.n_steps_), "time": sec,
                        "objective": objective(km.cluster_centers_, xt)})
        return fit

    def partial_fit_curve(seed):
        rng = np.random.default_rng(seed)
        order = rng.permutation(n)
        km = MiniBatchKMeans(n_clusters=a.clusters, batch_size=a.batch, n_init=1, init="k-means++",
                             compute_labels=False, random_state=seed)
        steps = int(a.epochs * n / a.batch)
        every = max(1, a.eval_rows // a.batch)
        pf, spent = [], 0.0
        for s in range(steps):
            lo = (s * a.batch) % n
            idx = order[lo:lo + a.batch]
            if len(idx) < a.batch:
                idx = np.concatenate([idx, order[:a.batch - len(idx)]])
            b = x[idx]  # the gather is not timed: parley's batches are row indices too
            t = time.perf_counter()
            km.partial_fit(b)
            spent += time.perf_counter() - t
            if (s + 1) % every == 0 or s + 1 == steps:
                pf.append({"steps": s + 1, "rows_seen": (s + 1) * a.batch, "time": spent,
                           "objective": objective(km.cluster_centers_, xt)})
        return pf

    runs = []
    for seed in [int(v) for v in a.seeds.split(",")]:
        fit = fit_curve(seed)
        pf = partial_fit_curve(seed)
        runs.append({"seed": seed, "fit": fit, "partial_fit": pf})
        print(f"seed {seed}: fit of 1 pass {fit[-2]['time']:.3f} s, objective {fit[-2]['objective']:.5f}; "
              f"partial_fit {pf[-1]['steps']} steps in {pf[-1]['time']:.3f} s, objective {pf[-1]['objective']:.5f}",
              flush=True)
    if limit is not None:
        limit.unregister()

    out = {"train": a.train, "test": a.test, "rows": n, "test_rows": int(xt.shape[0]), "dim": int(x.shape[1]),
           "clusters": a.clusters, "batch": a.batch, "eval_rows": a.eval_rows, "threads": a.threads or "default",
           "threadpools": pools, "cpu_count": os.cpu_count(), "load_seconds": load_s,
           "sklearn": __import__("sklearn").__version__, "numpy": np.__version__,
           "runs": runs}
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
