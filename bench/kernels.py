#!/usr/bin/python3
"""Kernel speed against the peers, side by side in one run, one thread each side unless said
(bench/kernels.sh runs this; bench/RESULTS-kernels.md quotes it).

  gemm    the MLP's five matrix products with Eigen and with OpenBLAS (bench/gemm_compare.cc).
  mlp     Fashion-MNIST MLP 784-256-10, batch 64, SGD lr 0.05 momentum 0.9, 3 epochs: parley
          against PyTorch (OpenBLAS, float32). Samples per second of the training loop
          (evaluation excluded on both sides) and test accuracy; then 2 workers: parley
          `--algo sync --workers 2` (batch 64 each) against DistributedDataParallel over gloo
          with 2 processes (batch 64 each).
  mf      MovieLens latest-small, seeded 90/10 split (`parley split`), rank 64: parley
          (lr 0.01, l2 0.05, batch 1) against LIBMF `mf-train -k 64 -s 1`, and parley
          `--algo hogwild --workers 2` against `-s 2` (LIBMF's defaults otherwise). Marginal
          seconds per epoch = (t(61 epochs) - t(1 epoch)) / 60 of each process's wall-clock
          time, so loading and set-up cancel on both sides; test RMSE after 60 epochs (parley:
          61).
  logreg  the text-like set of bench/foundation.sh (180k x 50,000, 50 non-zeros a row), batch
          1, lr 0.5, l2 1e-5: parley against scikit-learn's SGDClassifier, marginal seconds per
          epoch = (t5 - t1) / 4 of the training time each side reports; and parley
          `--algo hogwild --workers 2` against parley with one thread.

Every measurement runs --repeat times (default 5), the two sides interleaved; tables give
medians with the range. Raw outputs and the commands go to --out (bench/out/kernels)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY = "/usr/bin/python3"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"kernels: {msg}", file=sys.stderr, flush=True)


class Runner:
    def __init__(self, out):
        self.out = out
        self.commands = {}
        self.extra = []  # free-form sections (gemm) printed after the table
        os.makedirs(out, exist_ok=True)

    def run(self, name, argv, env=None):
        """Runs argv, its output to OUT/name.log; returns (stdout, wall seconds)."""
        cmd = " ".join(argv).replace(ROOT + "/", "")
        self.commands.setdefault(name.rsplit("-r", 1)[0], cmd)
        log(f"{name}: {cmd}")
        t0 = time.perf_counter()
        p = subprocess.run(argv, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        with open(os.path.join(self.out, name + ".log"), "w") as f:
            f.write(f"$ {cmd}\n{p.stdout}{p.stderr}")
        if p.returncode != 0:
            sys.exit(f"kernels: {name} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return p.stdout, wall


def med(xs):
    return statistics.median(xs)


def span(xs, fmt="{:.3g}"):
    return f"{fmt.format(med(xs))} ({fmt.format(min(xs))}-{fmt.format(max(xs))})"


def summary(path):
    with open(path) as f:
        return json.load(f)


def peer_env():
    # The machine may set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow
    # the current one, so the peer runs without them (its BLAS is recorded in its output).
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = "1"
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def part_mlp(a, r, rows):
    fm = os.path.join(ROOT, "data/fashion-mnist")
    common = ["--data", f"{fm}/train-images-idx3-ubyte.gz", "--test", f"{fm}/t10k-images-idx3-ubyte.gz",
              "--model", "mlp", "--hidden", "256", "--batch", "64", "--lr", "0.05", "--momentum", "0.9",
              "--epochs", "3", "--eval-every", "3", "--quiet"]
    res = {k: [] for k in ("p1", "t1", "pa1", "ta1", "p2", "t2", "pa2", "ta2")}
    for i in range(a.repeat):
        seed = str(i + 1)
        s = os.path.join(r.out, f"mlp-parley-r{i}.json")
        r.run(f"mlp-parley-r{i}", [a.parley, "train", *common, "--seed", seed, "--summary", s])
        j = summary(s)
        res["p1"].append(180000 / (j["train_seconds"] - j["eval_seconds"]))
        res["pa1"].append(j["test"]["accuracy"])
        out, _ = r.run(f"mlp-torch-r{i}", [PY, "bench/torch_mlp.py", "--data", fm, "--seed", seed],
                       env=peer_env())
        t = json.loads(out.strip().splitlines()[-1])
        res["t1"].append(t["samples_per_second"])
        res["ta1"].append(t["test_accuracy"])
        blas = t["blas"]
        if i < a.repeat_workers:
            s = os.path.join(r.out, f"mlp-parley-sync2-r{i}.json")
            r.run(f"mlp-parley-sync2-r{i}", [a.parley, "train", *common, "--algo", "sync", "--workers", "2",
                                             "--seed", seed, "--summary", s])
            j = summary(s)
            res["p2"].append(180000 / (j["train_seconds"] - j["eval_seconds"]))
            res["pa2"].append(j["test"]["accuracy"])
            out, _ = r.run(f"mlp-torch-ddp2-r{i}", [PY, "bench/torch_mlp.py", "--data", fm, "--seed", seed,
                                                    "--ddp", "2", "--port", str(29517 + i)], env=peer_env())
            t = json.loads(out.strip().splitlines()[-1])
            res["t2"].append(t["samples_per_second"])
            res["ta2"].append(t["test_accuracy"])
    ratio1 = [p / t for p, t in zip(res["p1"], res["t1"])]
    rows.append(("MLP 784-256-10, batch 64, 3 epochs, 1 thread each: samples/s",
                 span(res["p1"], "{:.0f}"), span(res["t1"], "{:.0f}"),
                 f"{med(res['p1']) / med(res['t1']):.2f}x (paired {span(ratio1, '{:.2f}')})",
                 f"{span(res['pa1'], '{:.4f}')} / {span(res['ta1'], '{:.4f}')}",
                 f"`{r.commands['mlp-parley']}`; `{r.commands['mlp-torch']}` ({blas})"))
    if res["p2"]:
        ratio2 = [p / t for p, t in zip(res["p2"], res["t2"])]
        rows.append(("MLP, 2 workers (parley sync) against DDP/gloo with 2 processes: samples/s",
                     span(res["p2"], "{:.0f}"), span(res["t2"], "{:.0f}"),
                     f"{med(res['p2']) / med(res['t2']):.2f}x (paired {span(ratio2, '{:.2f}')})",
                     f"{span(res['pa2'], '{:.4f}')} / {span(res['ta2'], '{:.4f}')}",
                     f"`{r.commands['mlp-parley-sync2']}`; `{r.commands['mlp-torch-ddp2']}`"))


def build_libmf(r):
    src = os.path.join(os.path.dirname(ROOT), "shared/peers/libmf")
    if not os.path.isdir(src):
        sys.exit(f"kernels: no LIBMF source at {src} (../shared/peers/libmf beside the checkout)")
    tmp = tempfile.mkdtemp(prefix="parley-libmf-")
    shutil.copytree(src, os.path.join(tmp, "libmf"))
    r.run("libmf-make", ["make", "-C", os.path.join(tmp, "libmf"), "mf-train"])
    return tmp, os.path.join(tmp, "libmf", "mf-train")


def part_mf(a, r, rows):
    tmp, mf_train = build_libmf(r)
    try:
        tr_csv, te_csv = os.path.join(r.out, "ml.train.csv"), os.path.join(r.out, "ml.test.csv")
        r.run("mf-split", [a.parley, "split", "--data", os.path.join(ROOT, "data/movielens-small/ratings.csv"),
                           "--test-fraction", "0.1", "--seed", "1", "--train-out", tr_csv, "--test-out", te_csv])
        txt = {}
        for name, path in (("train", tr_csv), ("test", te_csv)):
            txt[name] = os.path.join(r.out, f"ml.{name}.txt")
            with open(path) as f, open(txt[name], "w") as g:
                next(f)
                for line in f:
                    u, i, v = line.strip().split(",")[:3]
                    g.write(f"{u} {i} {v}\n")
        pcmd = [a.parley, "train", "--data", tr_csv, "--test", te_csv, "--model", "mf", "--rank", "64",
                "--l2", "0.05", "--batch", "1", "--lr", "0.01", "--quiet"]
        model = os.path.join(tmp, "ml.model")
        t = {k: [] for k in ("p1", "p61", "h1", "h61", "s1_1", "s1_61", "s2_1", "s2_61")}
        rmse, hrmse = [], []
        hog = ["--algo", "hogwild", "--workers", "2"]
        for i in range(a.repeat):
            for e in (1, 61):
                for key, extra, out in (("p", [], rmse), ("h", hog, hrmse)):
                    name = f"mf-parley{'-hogwild2' if extra else ''}-e{e}-r{i}"
                    s = os.path.join(r.out, name + ".json")
                    _, wall = r.run(name, pcmd + extra + ["--epochs", str(e), "--eval-every", str(e),
                                                          "--summary", s])
                    t[f"{key}{e}"].append(wall)
                    if e == 61:
                        out.append(summary(s)["test"]["rmse"])
                for threads in (1, 2):
                    _, wall = r.run(f"mf-libmf-s{threads}-t{e}-r{i}",
                                    [mf_train, "--quiet", "-k", "64", "-s", str(threads), "-t", str(e),
                                     txt["train"], model])
                    t[f"s{threads}_{e}"].append(wall)
        # LIBMF's test RMSE after 60 iterations, from a run that evaluates every iteration.
        libmf_rmse = {}
        for threads in (1, 2):
            out, _ = r.run(f"mf-libmf-s{threads}-rmse", [mf_train, "-k", "64", "-s", str(threads), "-t", "60",
                                                        "-p", txt["test"], txt["train"], model])
            last = [l.split() for l in out.splitlines() if l.strip() and l.split()[0].isdigit()]
            libmf_rmse[threads] = float(last[-1][2])
        marg = {k: [(b - a_) / 60 for a_, b in zip(t[f"{k}1" if k in ("p", "h") else f"{k}_1"],
                                                     t[f"{k}61" if k in ("p", "h") else f"{k}_61"])]
                for k in ("p", "h", "s1", "s2")}
        for threads, mine, what, err, extra in ((1, "p", "parley 1 thread", rmse, ""),
                                                (2, "h", "parley hogwild, 2 workers", hrmse, " " + " ".join(hog))):
            k = f"s{threads}"
            ratio = [s / p for p, s in zip(marg[mine], marg[k])]
            rows.append((f"MF rank 64, MovieLens latest-small: marginal s/epoch, {what} "
                         f"against LIBMF -s {threads}",
                         span(marg[mine], "{:.4f}"), span(marg[k], "{:.4f}"),
                         f"{med(marg[k]) / med(marg[mine]):.2f}x (paired {span(ratio, '{:.2f}')})",
                         f"{span(err, '{:.4f}')} / {libmf_rmse[threads]:.4f}",
                         f"`{' '.join(pcmd)}{extra} --epochs 61 --eval-every 61` (and 1); "
                         f"`mf-train --quiet -k 64 -s {threads} -t 61 ml.train.txt` (and -t 1)"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def part_logreg(a, r, rows):
    data = os.path.join(r.out, "text")
    tr, te = data + ".train.svm", data + ".test.svm"
    if not (os.path.exists(tr) and os.path.exists(te)):
        r.run("logreg-gen", [a.parley, "gen", "sparse-binary", "--rows", "200000", "--features", "50000",
                             "--nnz", "50", "--seed", "1", "--out", data + ".svm"])
        r.run("logreg-split", [a.parley, "split", "--data", data + ".svm", "--test-fraction", "0.1",
                               "--seed", "1", "--train-out", tr, "--test-out", te])
    t = {k: [] for k in ("p1", "p5", "h1", "h5", "s1", "s5")}
    acc = {"p": [], "h": [], "s": []}
    hog = ["--algo", "hogwild", "--workers", "2"]
    for i in range(a.repeat):
        for e in (1, 5):
            for key, extra in (("p", []), ("h", hog)):
                name = f"logreg-parley{'-hogwild2' if extra else ''}-e{e}-r{i}"
                s = os.path.join(r.out, name + ".json")
                r.run(name, [a.parley, "train", "--data", tr, "--test", te, "--model", "logreg", "--l2", "1e-5",
                             "--batch", "1", "--lr", "0.5", "--epochs", str(e), "--eval-every", str(e), "--seed", "1",
                             "--quiet", "--summary", s] + extra)
                j = summary(s)
                t[f"{key}{e}"].append(j["train_seconds"] - j["eval_seconds"])
                if e == 5:
                    acc[key].append(j["test"]["accuracy"])
            out, _ = r.run(f"logreg-sklearn-e{e}-r{i}", [PY, "bench/sklearn_sgd.py", tr, te, "--features", "50000",
                                                         "--lr", "0.5", "--l2", "1e-5", "--epochs", str(e)],
                           env=peer_env())
            k = json.loads(out.strip().splitlines()[-1])
            t[f"s{e}"].append(k["seconds"])
            if e == 5:
                acc["s"].append(k["test_accuracy"])
    mp = [(b - a_) / 4 for a_, b in zip(t["p1"], t["p5"])]
    mh = [(b - a_) / 4 for a_, b in zip(t["h1"], t["h5"])]
    ms = [(b - a_) / 4 for a_, b in zip(t["s1"], t["s5"])]
    rows.append(("logistic regression, text-like 180k x 50k, batch 1: marginal s/epoch",
                 span(mp, "{:.4f}"), span(ms, "{:.4f}"),
                 f"{med(ms) / med(mp):.2f}x (paired {span([s / p for p, s in zip(mp, ms)], '{:.2f}')})",
                 f"{span(acc['p'], '{:.4f}')} / {span(acc['s'], '{:.4f}')}",
                 f"`{r.commands['logreg-parley-e5']}` (and 1 epoch); `{r.commands['logreg-sklearn-e5']}` (and 1)"))
    rows.append(("logistic regression as above: parley hogwild, 2 workers, against parley 1 thread (marginal s/epoch)",
                 span(mh, "{:.4f}"), span(mp, "{:.4f}"),
                 f"{med(mp) / med(mh):.2f}x (paired {span([p / h for p, h in zip(mp, mh)], '{:.2f}')})",
                 f"{span(acc['h'], '{:.4f}')} / {span(acc['p'], '{:.4f}')}",
                 f"`{r.commands['logreg-parley-hogwild2-e5']}` (and 1 epoch)"))


def part_gemm(a, r, rows):
    """Eigen against OpenBLAS on the MLP's products (bench/gemm_compare.cc); its own table."""
    exe = os.path.join(r.out, "gemm_compare")
    blas = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    r.run("gemm-build", ["g++", "-std=c++20", "-O3", "-march=" + os.environ.get("PARLEY_ARCH", "native"),
                         "-ffp-contract=off", "-Isrc", "-isystem", "/usr/include/eigen3",
                         "bench/gemm_compare.cc", blas, "-o", exe])
    out, _ = r.run("gemm", [exe, "--batch", "64", "--rounds", "7"], env=peer_env())
    r.extra.append("Eigen (as parley's MLP computes) against the system BLAS "
                   f"(`{os.path.realpath(blas)}`), one thread, batch 64: `{r.commands['gemm']}`\n\n"
                   "```\n" + out + "```\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("parts", nargs="*", default=["gemm", "mlp", "mf", "logreg"])
    ap.add_argument("--parley", default=os.path.join(ROOT, "build/release/parley"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--repeat-workers", type=int, default=3, help="runs of the 2-worker MLP comparison")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/out/kernels"))
    a = ap.parse_args()
    os.chdir(ROOT)
    for p in a.parts:
        if p not in ("gemm", "mlp", "mf", "logreg"):
            sys.exit(f"kernels: unknown part '{p}' (gemm, mlp, mf, logreg)")
    r = Runner(a.out)
    rows = []
    load = open("/proc/loadavg").read().split()[0]
    for p in a.parts:
        {"gemm": part_gemm, "mlp": part_mlp, "mf": part_mf, "logreg": part_logreg}[p](a, r, rows)
    head = ("| what | parley | peer | parley's advantage | quality: parley / peer | commands |\n"
            "|---|---|---|---|---|---|\n")
    table = head + "".join("| " + " | ".join(row) + " |\n" for row in rows)
    note = (f"\nMedians (range) of {a.repeat} interleaved runs ({a.repeat_workers} for 2 workers); "
            f"load average {load} at the start; {time.strftime('%Y-%m-%d')}; "
            f"parley {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()}.\n")
    text = (table + note if rows else "") + "".join("\n" + e for e in r.extra)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
