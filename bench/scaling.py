#!/usr/bin/python3
"""Time to target with more workers than one, every algorithm knob at its default, against
sequential SGD in the same run (bench/scaling.sh runs this; bench/RESULTS-scaling.md quotes it).

Tasks (the settings of issue 18's table; a run stops at its target, an epoch cap or 30 s):
  logreg  text-like 180k x 50,000, 50 non-zeros a row (bench/kernels.py's set), batch 1,
          lr 0.5, l2 1e-5; target test accuracy 0.895; evaluated every 0.1 epoch.
  mf      MovieLens latest-small, seeded 90/10 split, rank 64, batch 1, lr 0.005 (l2 default
          1e-4); target test RMSE 0.875; evaluated every 0.5 epoch.
  mlp     Fashion-MNIST 784-256-10, batch 64, lr 0.05, momentum 0.9; target test accuracy
          0.85; evaluated every 0.25 epoch.
Algorithms: sequential, then sync, async, pex, asgd, hogwild with --workers 2 and 8 (8 threads
on 2 cores: oversubscribed). Seeds 1-3; medians. The time is the run's training clock when the
target was first met (evaluation excluded); "-" when it was not met (the cell then says where
the run ended). asgd evaluates peer 0's own state until the end, and the final line the
peers' average.

  sweep   sync and async with 2 workers at batch 1, 16, 64, 256 on the logreg task (lr 0.5)
          against sequential at the same batch: seconds per epoch (1 epoch, no target), and
          the in-process round trip per server step.

Raw outputs and the commands go to --out (bench/out/scaling)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALGOS = ["sync", "async", "pex", "asgd", "hogwild"]


def log(msg):
    print(f"scaling: {msg}", file=sys.stderr, flush=True)


def run(out, name, argv, commands):
    cmd = " ".join(argv).replace(ROOT + "/", "")
    commands.setdefault(name.rsplit("-s", 1)[0], cmd)
    log(f"{name}: {cmd}")
    p = subprocess.run(argv, capture_output=True, text=True)
    with open(os.path.join(out, name + ".log"), "w") as f:
        f.write(f"$ {cmd}\n{p.stdout}{p.stderr}")
    if p.returncode != 0:
        sys.exit(f"scaling: {name} failed ({p.returncode}):\n{p.stdout}{p.stderr}")


def prepare(a, out, commands):
    data = os.path.join(out, "text")
    tr, te = data + ".train.svm", data + ".test.svm"
    if not (os.path.exists(tr) and os.path.exists(te)):
        run(out, "logreg-gen", [a.parley, "gen", "sparse-binary", "--rows", "200000", "--features", "50000",
                                "--nnz", "50", "--seed", "1", "--out", data + ".svm"], commands)
        run(out, "logreg-split", [a.parley, "split", "--data", data + ".svm", "--test-fraction", "0.1",
                                  "--seed", "1", "--train-out", tr, "--test-out", te], commands)
    mtr, mte = os.path.join(out, "ml.train.csv"), os.path.join(out, "ml.test.csv")
    if not (os.path.exists(mtr) and os.path.exists(mte)):
        run(out, "mf-split", [a.parley, "split", "--data", os.path.join(ROOT, "data/movielens-small/ratings.csv"),
                              "--test-fraction", "0.1", "--seed", "1", "--train-out", mtr, "--test-out", mte],
            commands)
    fm = os.path.join(ROOT, "data/fashion-mnist")
    return {
        "logreg": (["--data", tr, "--test", te, "--model", "logreg", "--batch", "1", "--lr", "0.5",
                    "--l2", "1e-5", "--eval-every", "0.1", "--epochs", "6"], "accuracy", 0.895),
        "mf": (["--data", mtr, "--test", mte, "--model", "mf", "--rank", "64", "--batch", "1",
                "--lr", "0.005", "--eval-every", "0.5", "--epochs", "60"], "rmse", 0.875),
        "mlp": (["--data", f"{fm}/train-images-idx3-ubyte.gz", "--test", f"{fm}/t10k-images-idx3-ubyte.gz",
                 "--model", "mlp", "--hidden", "256", "--batch", "64", "--lr", "0.05", "--momentum", "0.9",
                 "--eval-every", "0.25", "--epochs", "10"], "accuracy", 0.85),
    }


def one(a, out, commands, task, flags, metric, target, algo, workers, seed):
    name = f"{task}-{algo}{workers if algo != 'sequential' else ''}-s{seed}"
    s = os.path.join(out, name + ".json")
    argv = [a.parley, "train", *flags, "--algo", algo, "--target", f"{metric}={target}",
            "--time-limit", "30", "--seed", str(seed), "--quiet", "--summary", s]
    if algo != "sequential":
        argv += ["--workers", str(workers)]
    run(out, name, argv, commands)
    with open(s) as f:
        j = json.load(f)
    return {"time": j["target"]["time"], "seconds": j["train_seconds"], "epochs": j["epochs"],
            "final": j["test"][metric], "bytes": j.get("bytes", 0)}


def med(xs):
    return statistics.median(xs)


def cell(rs):
    times = [r["time"] for r in rs if r["time"] is not None]
    if len(times) == len(rs):
        return med(times), f"{med(times):.3g} s"
    ends = ", ".join(f"{r['final']:.3f} at {r['epochs']:.3g} ep / {r['seconds']:.3g} s" for r in rs)
    if times:
        return None, f"{len(times)}/{len(rs)} met ({ends})"
    return None, f"- ({ends})"


def plot(res, path):
    """Time to target by task, algorithm and workers (log scale); unmet runs are not drawn."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    tasks = [t for t in ("logreg", "mf", "mlp") if (t, "sequential", 1) in res]
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 3.6), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        base, _ = cell(res[(task, "sequential", 1)])
        for k, w in enumerate((2, 8)):
            ys = [cell(res[(task, algo, w)])[0] for algo in ALGOS]
            xs = [i + (k - 0.5) * 0.38 for i in range(len(ALGOS))]
            ax.bar([x for x, y in zip(xs, ys) if y], [y for y in ys if y], width=0.36,
                   label=f"{w} workers")
        if base:
            ax.axhline(base, color="k", lw=1, ls="--", label="sequential")
        ax.set_yscale("log")
        ax.set_xticks(range(len(ALGOS)), ALGOS)
        ax.set_title(task)
        ax.set_ylabel("seconds to target (median)")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--parley", default=os.path.join(ROOT, "build/release/parley"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench/out/scaling"))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("parts", nargs="*", default=["logreg", "mf", "mlp", "sweep"])
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    commands = {}
    tasks = prepare(a, a.out, commands)
    res = {}
    for task in [t for t in ("logreg", "mf", "mlp") if t in a.parts]:
        flags, metric, target = tasks[task]
        for seed in range(1, a.seeds + 1):  # seeds outermost: the configurations interleave
            res.setdefault((task, "sequential", 1), []).append(
                one(a, a.out, commands, task, flags, metric, target, "sequential", 1, seed))
            for w in (2, 8):
                for algo in ALGOS:
                    res.setdefault((task, algo, w), []).append(
                        one(a, a.out, commands, task, flags, metric, target, algo, w, seed))
    lines = []
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    if res:
        lines.append(f"Time to target, median of {a.seeds} seeds (parley {commit}, "
                     f"{time.strftime('%Y-%m-%d')}); ratio = sequential's time / the algorithm's "
                     "(> 1: sooner than sequential); MB = bytes the summary counts, median.\n")
        lines.append("| task | algorithm | workers | time to target | ratio | MB |")
        lines.append("|---|---|---|---|---|---|")
        for task in ("logreg", "mf", "mlp"):
            if (task, "sequential", 1) not in res:
                continue
            base, text = cell(res[(task, "sequential", 1)])
            lines.append(f"| {task} | sequential | 1 | {text} | 1 | 0 |")
            for w in (2, 8):
                for algo in ALGOS:
                    rs = res[(task, algo, w)]
                    t, text = cell(rs)
                    ratio = f"{base / t:.2f}" if t and base else "-"
                    mb = med([r["bytes"] for r in rs]) / 1e6
                    lines.append(f"| {task} | {algo} | {w} | {text} | {ratio} | {mb:.0f} |")
        with open(os.path.join(a.out, "raw.json"), "w") as f:
            json.dump({f"{k[0]}/{k[1]}/{k[2]}": v for k, v in res.items()}, f, indent=1)
    if "sweep" in a.parts:
        flags = [f for f in tasks["logreg"][0]]
        i = flags.index("--epochs")
        flags[i + 1] = "1"
        i = flags.index("--eval-every")
        flags[i + 1] = "1"
        b = flags.index("--batch")
        lines.append("\nSeconds per epoch of the logreg task (1 epoch, training clock), seed 1, by batch "
                     "size; sync and async with 2 workers; seconds per server step (sync: 2 gradients in, "
                     "2 answers out; async: one each), compute included.\n")
        lines.append("| batch | sequential | sync x2 | async x2 | sync / seq | async / seq | "
                     "sync s per server step | async s per server step |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for batch in (1, 16, 64, 256):
            flags[b + 1] = str(batch)
            r = {}
            for algo in ("sequential", "sync", "async"):
                name = f"sweep-b{batch}-{algo}"
                s = os.path.join(a.out, name + ".json")
                argv = [a.parley, "train", *flags, "--algo", algo, "--seed", "1", "--quiet", "--summary", s]
                if algo != "sequential":
                    argv += ["--workers", "2"]
                run(a.out, name, argv, commands)
                with open(s) as f:
                    r[algo] = json.load(f)
            seq = r["sequential"]["train_seconds"]
            row = [str(batch), f"{seq:.3g}"]
            row += [f"{r[x]['train_seconds']:.3g}" for x in ("sync", "async")]
            row += [f"{r[x]['train_seconds'] / seq:.1f}x" for x in ("sync", "async")]
            # sync: one server step per 2 gradients; async: one per gradient
            steps = {"sync": r["sync"]["updates"], "async": r["async"]["updates"]}
            row += [f"{r[x]['train_seconds'] / steps[x] * 1e6:.1f} us" for x in ("sync", "async")]
            lines.append("| " + " | ".join(row) + " |")
    if res:
        plot(res, os.path.join(a.out, "scaling.png"))
    text = "\n".join(lines) + "\n\nCommands (seed 1):\n\n" + "\n".join(
        f"    {v}" for k, v in sorted(commands.items())) + "\n"
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
