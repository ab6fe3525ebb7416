#!/usr/bin/env python3
"""Runs killed with SIGKILL, run by CTest (CMakeLists.txt: crash/<case>).

checkpoint: `parley train --checkpoint` killed with SIGKILL at seeded random moments (many
checkpoints a second, so some kills land while one is being written). Whatever the moment, the
checkpoint file is either absent (killed before the first) or complete: `parley eval` reads it
and `parley train --resume` finishes the run from it. Sequential and sync (3 worker threads).

(An MPI rank killed with SIGKILL: tests/mpi/mpi_test.py, case killed-worker.)

  kill_test.py --parley PATH --case checkpoint [--seed N]
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd, timeout=120):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def make_data(parley, tmp):
    data = os.path.join(tmp, "d.svm")
    rc, _, err = run([parley, "gen", "sparse-binary", "--out", data, "--rows", "3000",
                      "--features", "2000", "--nnz", "20", "--seed", "3"])
    if rc != 0:
        fail("parley gen failed: " + err)
    return data


def checkpoint_case(a, tmp):
    data = make_data(a.parley, tmp)
    rng = random.Random(a.seed)
    # Delays cover the start (data read, no checkpoint yet) to deep into the run.
    settings = [("sequential", []), ("sync", ["--workers", "3"])]
    kills = 0
    for i in range(8):
        algo, extra = settings[i % len(settings)]
        ck = os.path.join(tmp, "run%d.ck" % i)
        base = [a.parley, "train", "--data", data, "--test-fraction", "0.2", "--model", "logreg",
                "--algo", algo, "--lr", "0.5", "--batch", "16", "--eval-every", "0.05",
                "--train-eval-rows", "200", "--checkpoint", ck, "--no-progress", "--quiet",
                "--seed", str(i + 1)] + extra
        p = subprocess.Popen(base + ["--epochs", "1000"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        delay = rng.uniform(0.05, 2.5)
        time.sleep(delay)
        if p.poll() is not None:
            fail("run %d (%s) ended before its kill at %.2f s: %s" % (i, algo, delay, p.stderr.read()))
        p.send_signal(signal.SIGKILL)
        p.wait()
        kills += 1
        if not os.path.exists(ck):
            print("run %d (%s): killed at %.2f s, before its first checkpoint" % (i, algo, delay))
            continue
        rc, out, err = run([a.parley, "eval", "--model-file", ck, "--data", data])
        if rc != 0:
            fail("run %d (%s) killed at %.2f s: parley eval refuses its checkpoint: %s"
                 % (i, algo, delay, err))
        metrics = json.loads(out)
        # The resumed run goes on from the checkpoint's epoch to the next whole epoch.
        at = checkpoint_epoch(a.parley, ck)
        target = int(at) + 1
        rc, out, err = run(base + ["--resume", ck, "--epochs", str(target)], timeout=300)
        if rc != 0:
            fail("run %d (%s) killed at %.2f s: --resume %s failed: %s" % (i, algo, delay, ck, err))
        print("run %d (%s): killed at %.2f s; checkpoint at epoch %.2f evaluates (%s) and resumes "
              "to epoch %d" % (i, algo, delay, at, short(metrics), target))
    print("ok: %d runs killed" % kills)


def short(metrics, prefix=""):
    """The numbers of eval's JSON, nested objects flattened: "test.accuracy 0.91, ..."."""
    parts = []
    for k, v in sorted(metrics.items()):
        if isinstance(v, dict):
            parts.append(short(v, prefix + k + "."))
        elif isinstance(v, (int, float)):
            parts.append("%s%s %.4g" % (prefix, k, v))
    return ", ".join(p for p in parts if p)


def checkpoint_epoch(parley, ck):
    """The epoch a checkpoint was written at, from its config JSON (runtime/model_file.h:
    magic, u32 version, u32 length, the JSON)."""
    with open(ck, "rb") as f:
        head = f.read(16)
        length = int.from_bytes(head[12:16], "little")
        config = f.read(length)
    try:
        return float(json.loads(config)["checkpoint"]["epoch"])
    except (ValueError, KeyError) as e:
        fail("%s: cannot read its checkpoint epoch (%s)" % (ck, e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parley", required=True)
    ap.add_argument("--case", required=True, choices=["checkpoint"])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-kill-") as tmp:
        checkpoint_case(a, tmp)


if __name__ == "__main__":
    main()
