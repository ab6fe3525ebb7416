#!/usr/bin/python3
"""Plots of bench/kron.sh's results (Kronecker-structured SGD against dense SGD, issue 7).

Usage: kron_plot.py RESULTS_DIR PLOTS_DIR
Reads RESULTS_DIR/{d,m,n,batch,breakeven,threads,fired}.jsonl, writes PLOTS_DIR/kron_*.png and
RESULTS_DIR/breakeven.md (the break-even n for each d), and prints the tables it draws from.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def series(rows, trainer, key):
    pts = sorted((r[key], r["step_seconds"]["median"]) for r in rows if r["trainer"] == trainer)
    return np.array([p[0] for p in pts], float), np.array([p[1] for p in pts], float)


def sweep_plot(rows, key, xlabel, title, out, logx=True):
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for trainer, style in (("kron", "o-"), ("dense", "s--")):
        x, t = series(rows, trainer, key)
        if len(x):
            ax.plot(x, t * 1e3, style, label=trainer)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("median time per step (ms)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def table(rows, key):
    lines = [f"| {key} | kron ms/step | dense ms/step | kron init s | dense init s | kron MB | dense MB |",
             "|---|---|---|---|---|---|---|"]
    by = {}
    for r in rows:
        by.setdefault(r[key], {})[r["trainer"]] = r
    for k in sorted(by):
        kr, de = by[k].get("kron"), by[k].get("dense")

        def f(r, fn):
            return fn(r) if r else "-"

        lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
            k,
            f(kr, lambda r: f"{r['step_seconds']['median'] * 1e3:.3f}"),
            f(de, lambda r: f"{r['step_seconds']['median'] * 1e3:.3f}"),
            f(kr, lambda r: f"{r['init_seconds']:.3f} (Gram {r['gram_seconds']:.3f})"),
            f(de, lambda r: f"{r['init_seconds']:.3f}"),
            f(kr, lambda r: f"{r['memory_bytes'] / 2**20:.1f}"),
            f(de, lambda r: f"{r['memory_bytes'] / 2**20:.1f}")))
    return "\n".join(lines)


def main():
    res, plots = sys.argv[1], sys.argv[2]
    os.makedirs(plots, exist_ok=True)
    d = load(os.path.join(res, "d.jsonl"))
    m = load(os.path.join(res, "m.jsonl"))
    n = load(os.path.join(res, "n.jsonl"))
    b = load(os.path.join(res, "batch.jsonl"))
    be = load(os.path.join(res, "breakeven.jsonl"))
    th = load(os.path.join(res, "threads.jsonl"))
    fired = load(os.path.join(res, "fired.jsonl"))

    if d:
        sweep_plot(d, "d", "d = d1 * d2 (d1 = d2)", "time per step vs d (n=1024, m=256, batch 16)",
                   os.path.join(plots, "kron_vs_d.png"))
        print("## against d\n" + table(d, "d") + "\n")
    if m:
        sweep_plot(m, "m", "m (neurons)", "time per step vs m (n=1024, d=32x32, batch 16)",
                   os.path.join(plots, "kron_vs_m.png"))
        print("## against m\n" + table(m, "m") + "\n")
    if n:
        sweep_plot(n, "n", "n (training points)", "time per step vs n (d=32x32, m=256, batch 16)",
                   os.path.join(plots, "kron_vs_n.png"))
        print("## against n\n" + table(n, "n") + "\n")
    if b:
        sweep_plot(b, "batch", "batch size", "time per step vs batch (n=1024, d=32x32, m=256)",
                   os.path.join(plots, "kron_vs_batch.png"))
        print("## against batch size\n" + table(b, "batch") + "\n")

    # Initialisation: Kronecker (Gram + projections) and dense (drawing W) against d and n.
    if d and n:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, rows, key, label in ((axes[0], d, "d", "d (n=1024, m=256)"),
                                     (axes[1], n, "n", "n (d=32x32, m=256)")):
            kr = sorted((r[key], r) for r in rows if r["trainer"] == "kron")
            de = sorted((r[key], r["init_seconds"]) for r in rows if r["trainer"] == "dense")
            x = [k for k, _ in kr]
            ax.plot(x, [r["projection_seconds"] for _, r in kr], "o-", label="kron: projections P (m n d)")
            ax.plot(x, [r["gram_seconds"] for _, r in kr], "^-", label="kron: Gram G (n^2 (d1+d2))")
            ax.plot([k for k, _ in de], [v for _, v in de], "s--", label="dense: draw W (m d)")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel(label)
            ax.set_ylabel("initialisation seconds")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(plots, "kron_init.png"), dpi=110)
        plt.close(fig)

    # Memory held by each trainer against n and m.
    if n and m:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, rows, key in ((axes[0], n, "n"), (axes[1], m, "m")):
            for trainer, style in (("kron", "o-"), ("dense", "s--")):
                pts = sorted((r[key], r["memory_bytes"]) for r in rows if r["trainer"] == trainer)
                ax.plot([p[0] for p in pts], [p[1] / 2**20 for p in pts], style, label=trainer)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel(key)
            ax.set_ylabel("trainer state (MiB)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        axes[0].set_title("d=32x32, m=256", fontsize=10)
        axes[1].set_title("n=1024, d=32x32", fontsize=10)
        fig.tight_layout()
        fig.savefig(os.path.join(plots, "kron_memory.png"), dpi=110)
        plt.close(fig)

    # Break-even n for each d: the Kronecker step time is a + b n (fit on the n sweep; it does
    # not depend on d), the dense one depends on d only (the d sweep).
    if d and n:
        xn, tn = series(n, "kron", "n")
        slope, intercept = np.polyfit(xn, tn, 1)
        xd, td = series(d, "dense", "d")
        lines = ["| d (d1 x d2) | dense ms/step | break-even n (fit) | Gram at that n |", "|---|---|---|---|"]
        for dd, t in zip(xd, td):
            nstar = max((t - intercept) / slope, 0)
            side = int(round(np.sqrt(dd)))
            lines.append(f"| {int(dd)} ({side}x{side}) | {t * 1e3:.3f} | {nstar:,.0f} | "
                         f"{8 * nstar * nstar / 2**30:,.2f} GiB |")
        text = (f"Kronecker step (m=256, batch 16): {intercept * 1e3:.4f} ms + {slope * 1e6:.4f} us per point "
                f"(least squares over n = {', '.join(str(int(v)) for v in xn)})\n\n" + "\n".join(lines))
        direct = []
        if be:
            for dd in sorted({r["d"] for r in be if r["trainer"] == "dense"}):
                tdense = [r["step_seconds"]["median"] for r in be if r["trainer"] == "dense" and r["d"] == dd][0]
                kx, kt = series([r for r in be if r["trainer"] == "kron"], "kron", "n")
                # first crossing by linear interpolation between measured points
                if tdense < kt[0]:
                    cell = f"below n = {int(kx[0])}"
                elif tdense >= kt[-1]:
                    cell = f"beyond n = {int(kx[-1])}"
                else:
                    i = int(np.argmax(kt > tdense))
                    cell = f"{kx[i - 1] + (tdense - kt[i - 1]) * (kx[i] - kx[i - 1]) / (kt[i] - kt[i - 1]):,.0f}"
                direct.append(f"| {dd} | {tdense * 1e3:.3f} | {cell} |")
            text += ("\n\nMeasured directly (Kronecker trainer at d = 8x8 for n = " +
                     ", ".join(str(int(v)) for v in series([r for r in be if r['trainer'] == 'kron'], 'kron', 'n')[0]) +
                     "; dense at each d):\n\n| d | dense ms/step | n where the Kronecker step takes as long |\n|---|---|---|\n" +
                     "\n".join(direct))
        with open(os.path.join(res, "breakeven.md"), "w") as f:
            f.write(text + "\n")
        print("## break-even\n" + text + "\n")

        fig, ax = plt.subplots(figsize=(5.5, 4))
        nstars = [max((t - intercept) / slope, 0) for t in td]
        ax.plot(xd, nstars, "o-")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("d = d1 * d2")
        ax.set_ylabel("break-even n (Kronecker faster below)")
        ax.set_title("n where both trainers take equally long per step\n(m=256, batch 16; fitted)", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(plots, "kron_breakeven.png"), dpi=110)
        plt.close(fig)

    if th:
        print("## Kronecker trainer threads (d=64x64, m=256, batch 16)")
        print("| n | threads | ms/step | init s (Gram, projections) |\n|---|---|---|---|")
        for r in th:
            print(f"| {r['n']} | {r['threads']} | {r['step_seconds']['median'] * 1e3:.3f} | "
                  f"{r['init_seconds']:.2f} ({r['gram_seconds']:.2f}, {r['projection_seconds']:.2f}) |")
        print()

    if fired:
        f0 = fired[0]
        ep = [r["epoch"] for r in fired]
        fig, ax1 = plt.subplots(figsize=(6.5, 4))
        ax1.fill_between(ep, [r["fired"]["p10"] for r in fired], [r["fired"]["p90"] for r in fired],
                         alpha=0.25, label="10%-90% of points")
        ax1.plot(ep, [r["fired"]["mean"] for r in fired], "o-", ms=3, label="mean")
        ax1.plot(ep, [r["fired"]["min"] for r in fired], ":", label="min")
        ax1.plot(ep, [r["fired"]["max"] for r in fired], ":", label="max")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("fraction of the m neurons fired per point")
        ax2 = ax1.twinx()
        ax2.plot(ep, [r["objective"] for r in fired], "k--", label="train objective")
        ax2.set_yscale("log")
        ax2.set_ylabel("train objective (dashed)")
        ax1.legend(loc="center right", fontsize=8)
        ax1.set_title(f"fired neurons per point (n={f0['n']}, d={f0['d1']}x{f0['d2']}, m={f0['m']}, "
                      f"batch {f0['batch']}, lr {f0['lr']})", fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(plots, "kron_fired.png"), dpi=110)
        plt.close(fig)
        print("## fired fraction over training")
        print("| epoch | mean | min | p10 | median | p90 | max | crossings | objective |\n|---|---|---|---|---|---|---|---|---|")
        picks = sorted(set(range(0, len(fired), max(1, len(fired) // 8))) | {len(fired) - 1})
        for r in (fired[i] for i in picks):
            f = r["fired"]
            print(f"| {r['epoch']:.1f} | {f['mean']:.4f} | {f['min']:.4f} | {f['p10']:.4f} | {f['median']:.4f} | "
                  f"{f['p90']:.4f} | {f['max']:.4f} | {r['crossings']} | {r['objective']:.5f} |")


if __name__ == "__main__":
    main()
