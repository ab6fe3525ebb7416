#!/usr/bin/env python3
"""MPI tests of `parley train --transport mpi`, run by CTest (CMakeLists.txt, one test per case).

Each case launches `mpiexec -n N --oversubscribe parley train --transport mpi ...` on small
generated data, over the default path (shared memory) or `--mca btl tcp,self`, and checks it
against the same run in one process (`--transport inproc`): equal summaries where the algorithm
is deterministic (sequential, sync, pex-sync, simu, lloyd, and on ratings, IDX and a --test
file), the same quality where it is not (async, pex, asgd); in every case each rank holds only
its share of the data (the start line's "data"). Failure cases: a wrong rank count, a malformed
data file, an emulated killed worker, a worker process that stops answering (SIGSTOP) or dies
(SIGKILL), a pex master that stops answering, a parameter server killed by the emulation, each
with a deadline.

  mpi_test.py --parley PATH --mpiexec PATH --case NAME [--btl shm|tcp]

OpenMPI (the default build) or MPICH (scripts/check-mpich.sh: --mpiexec mpiexec.mpich, default
path only; --btl tcp is an OpenMPI option).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

# --train-eval-rows below the 3200 training rows: rank 0 then holds only its sample of them.
SVM_FLAGS = ["--test-fraction", "0.2", "--model", "logreg", "--epochs", "3", "--lr", "0.5", "--batch", "8",
             "--train-eval-rows", "1000"]

# name: (ranks, algorithm flags, data kind, check: "exact" or max accuracy gap)
CASES = {
    "sequential": (1, ["--algo", "sequential"], "svm", "exact"),
    "sync": (3, ["--algo", "sync", "--workers", "2"], "svm", "exact"),
    "sync-servers": (4, ["--algo", "sync", "--workers", "2", "--servers", "2", "--backup", "0"], "svm", "exact"),
    "sync-backup": (4, ["--algo", "sync", "--workers", "3", "--backup", "1"], "svm", 0.05),
    # async: emulated 0.2 ms steps, as for pex below: with thread-speed steps on a loaded
    # machine one worker can run ahead of the other and the staler gradients cost accuracy
    # (tcp: MPI 0.740 against in-process 0.794 once in a CI run beside other tests).
    "async": (3, ["--algo", "async", "--workers", "2", "--step-time", "0.0002"], "svm", 0.05),
    # pex: emulated 0.2 ms steps so both workers progress alike on a loaded machine (with
    # thread-speed steps a starved worker's stale contribution, weight 1/2, held the in-process
    # reference run at test accuracy 0.58-0.67 in 2 of 6 runs under ctest -j2).
    "pex": (3, ["--algo", "pex", "--workers", "2", "--step-time", "0.0002"], "svm", 0.06),
    # pex-sync with a fixed K: the default K is sized from measured times, so its rounds, and
    # the model, vary from run to run (docs/sparse-exchanges.md).
    "pex-sync": (3, ["--algo", "pex-sync", "--workers", "2", "--local-steps", "10"], "svm", "exact"),
    "asgd": (3, ["--algo", "asgd", "--workers", "3"], "svm", 0.06),
    "asgd-balance": (2, ["--algo", "asgd", "--workers", "2", "--balance", "both", "--blocks", "4", "--msg-blocks", "2"], "svm", 0.06),
    "simu": (2, ["--algo", "simu", "--workers", "2"], "svm", "exact"),
    "lloyd": (2, ["--algo", "lloyd", "--workers", "2"], "kmeans", "exact"),
    "sync-network": (3, ["--algo", "sync", "--workers", "2", "--network", "10gbe", "--stragglers", "0.1:3",
                         "--step-time", "0.0005"], "svm", "exact"),
    # Ratings sharded by user, an Init that reads the data (the global mean) run on rank 0.
    "mf": (3, ["--algo", "pex-sync", "--workers", "2", "--local-steps", "10"], "ratings", "exact"),
    # A separate --test file (its highest feature index sets every rank's width), 3 workers.
    "test-file": (4, ["--algo", "sync", "--workers", "3"], "svm-test", "exact"),
    # IDX images (gzipped), streamed by every rank.
    "idx": (3, ["--algo", "sync", "--workers", "2"], "idx", "exact"),
}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def env():
    e = dict(os.environ)
    e["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    e["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    e["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    return e


def is_mpich(mpiexec):
    p = subprocess.run([mpiexec, "--version"], capture_output=True, text=True)
    return "HYDRA" in p.stdout or "mpich" in os.path.realpath(mpiexec)


def mpi_cmd(a, n):
    if a.mpich:  # Hydra runs more ranks than cores without being asked
        return [a.mpiexec, "-n", str(n), a.parley, "train", "--transport", "mpi"]
    cmd = [a.mpiexec, "-n", str(n), "--oversubscribe"]
    if a.btl == "tcp":
        cmd += ["--mca", "btl", "tcp,self"]
    return cmd + [a.parley, "train", "--transport", "mpi"]


def write_idx(tmp, prefix, n):
    """A gzipped IDX pair of n 4x4 images with labels 0..2 (a learnable pattern), MNIST-named."""
    import gzip
    import struct
    images, labels = bytearray(struct.pack(">IIII", 0x803, n, 4, 4)), bytearray(struct.pack(">II", 0x801, n))
    for i in range(n):
        y = i * 7 % 3
        images += bytes(((p * 13 + i * 29) % 97 + (120 if p % 3 == y else 0)) for p in range(16))
        labels.append(y)
    for name, data in ((prefix + "-images-idx3-ubyte.gz", images), (prefix + "-labels-idx1-ubyte.gz", labels)):
        with gzip.open(os.path.join(tmp, name), "wb") as f:
            f.write(bytes(data))
    return os.path.join(tmp, prefix + "-images-idx3-ubyte.gz")


def data_flags(kind, tmp, parley):
    def gen(name, *args):
        path = os.path.join(tmp, name)
        if not os.path.exists(path):
            subprocess.run([parley, "gen"] + list(args) + ["--out", path], check=True, stdout=subprocess.DEVNULL)
        return path
    if kind == "svm":
        return ["--data", gen("d.svm", "sparse-binary", "--rows", "4000", "--features", "500")] + SVM_FLAGS
    if kind == "svm-test":
        train = gen("d.svm", "sparse-binary", "--rows", "4000", "--features", "500")
        test = gen("t.svm", "sparse-binary", "--rows", "600", "--features", "700", "--seed", "2")
        return ["--data", train, "--test", test, "--model", "logreg", "--epochs", "3", "--lr", "0.5", "--batch", "8",
                "--train-eval-rows", "1000"]
    if kind == "ratings":
        path = gen("r.csv", "ratings", "--rows", "5000", "--users", "200", "--items", "300", "--rank", "4")
        return ["--data", path, "--test-fraction", "0.1", "--model", "mf", "--rank", "8", "--batch", "1", "--lr", "0.02",
                "--epochs", "3", "--train-eval-rows", "1000"]
    if kind == "idx":
        train, test = write_idx(tmp, "train", 1500), write_idx(tmp, "t10k", 300)
        return ["--data", train, "--test", test, "--model", "softmax", "--epochs", "3", "--lr", "0.1", "--batch", "16",
                "--train-eval-rows", "500"]
    # Enough rows that K-means' seeding sample (1024 rows) is well below the training set.
    path = gen("k.csv", "kmeans", "--rows", "12000", "--dim", "5", "--clusters", "4")
    return ["--data", "csv:" + path, "--test-fraction", "0.1", "--model", "kmeans", "--clusters", "4", "--epochs", "5",
            "--train-eval-rows", "1000"]


def start_data(path):
    """The "data" object of a metrics log's start line: what the run's processes hold."""
    for line in open(path):
        j = json.loads(line)
        if j.get("event") == "start":
            return j.get("data")
    fail("%s has no start line" % path)


def check_ranks_hold_their_shards(ref, got, n, sequential, kind):
    """Each MPI rank held only what its role needs: a worker or peer exactly its shard (the same
    rows as the in-process run's shard: same count, and the summaries agree), rank 0 besides its
    shard the test set, the train-evaluation sample and the rows a data-reading Init reads
    (K-means seeds on a sample of 1024 rows; MF's Init reads none); together the workers hold
    every training row once."""
    for k in ("train_rows", "test_rows", "shard_rows"):
        if got.get(k) != ref.get(k):
            fail("data %s: MPI %r, in-process %r" % (k, got.get(k), ref.get(k)))
    ranks = got.get("by_rank", [])
    if len(ranks) != n:
        fail("data.by_rank has %d ranks, expected %d: %r" % (len(ranks), n, ranks))
    held = 0
    for r in ranks:
        shard = r["shard"]
        want = 0 if shard < 0 else ref["shard_rows"][shard]
        own = r["train_rows"] if sequential else r["shard_rows"]  # sequential's shard is the training set
        if own != want:
            fail("rank %d (%s) holds %d rows of shard %d, its shard has %d" % (r["rank"], r["role"], own, shard, want))
        held += own
        if r["rank"] == 0:
            if r["test_rows"] != ref["test_rows"]:
                fail("rank 0 holds %d test rows, the test set has %d" % (r["test_rows"], ref["test_rows"]))
            # The whole training set only where it is evaluated (no smaller sample) or trained on:
            # a data-reading Init (K-means) has only its rows, and only until its parameters are out.
            if not sequential and r["train_eval_rows"] > 0 and r["train_rows"] != 0:
                fail("rank 0 (%s) still holds the whole training set (%d rows)" % (r["role"], r["train_rows"]))
            # At its peak (the sample and Init's rows are read sorted, then put in order: twice).
            init_rows = 1024 if kind == "kmeans" else 0
            bound = own + r["test_rows"] + 2 * r["train_eval_rows"] + 2 * init_rows
            if not sequential and r["train_eval_rows"] > 0 and r["peak_rows"] > bound:
                fail("rank 0 (%s) held %d rows at once, more than its shard, the test set, the train-evaluation "
                     "sample and Init's rows (%d)" % (r["role"], r["peak_rows"], bound))
        elif r["test_rows"] or r["train_eval_rows"] or r["train_rows"] or r["peak_rows"] != want:
            fail("rank %d (%s) holds more than its shard: %r" % (r["rank"], r["role"], r))
    if held != ref["train_rows"]:
        fail("the workers hold %d training rows together, the training set has %d" % (held, ref["train_rows"]))


def run(cmd, timeout=120):
    t0 = time.time()
    p = subprocess.run(cmd, env=env(), capture_output=True, text=True, timeout=timeout)
    return p, time.time() - t0


def compare_case(a, tmp):
    n, algo, kind, check = CASES[a.case]
    flags = data_flags(kind, tmp, a.parley) + algo
    if check != "exact":
        flags += ["--epochs", "10"]  # asynchronous runs vary with scheduling: compare converged runs
    ref_sum, ref_log = os.path.join(tmp, "inproc.json"), os.path.join(tmp, "inproc.jsonl")
    p, _ = run([a.parley, "train"] + flags + ["--quiet", "--summary", ref_sum, "--metrics", ref_log])
    if p.returncode != 0:
        fail("in-process run failed: " + p.stderr)
    mpi_sum, mpi_log = os.path.join(tmp, "mpi.json"), os.path.join(tmp, "mpi.jsonl")
    p, secs = run(mpi_cmd(a, n) + flags + ["--summary", mpi_sum, "--metrics", mpi_log, "--no-progress"])
    print(p.stdout)
    print(p.stderr, file=sys.stderr)
    if p.returncode != 0:
        fail("MPI run exited %d" % p.returncode)
    # One progress line per evaluation and one "done" line: rank 0 only.
    if p.stdout.count("done:") != 1:
        fail("expected exactly one 'done:' line, got %d" % p.stdout.count("done:"))
    if p.stdout.count("(final)") != 1:
        fail("expected exactly one final evaluation line")
    ref, got = json.load(open(ref_sum)), json.load(open(mpi_sum))
    if got.get("transport") != "mpi" or got.get("ranks") != n:
        fail("summary does not say transport mpi with %d ranks: %s" % (n, got.get("transport")))
    lines = [json.loads(l) for l in open(mpi_log)]
    if not any(l.get("event") == "start" and l.get("transport") == "mpi" for l in lines):
        fail("metrics log has no start event")
    check_ranks_hold_their_shards(start_data(ref_log), start_data(mpi_log), n, a.case == "sequential", kind)
    if check == "exact":
        for part in ("train", "test"):
            for k, v in ref[part].items():
                w = got[part].get(k)
                if w is None or abs(w - v) > 1e-12 * max(1.0, abs(v)):
                    fail("%s %s: MPI %r, in-process %r (must agree: deterministic algorithm)" % (part, k, w, v))
        if got["updates"] != ref["updates"]:
            fail("updates: MPI %r, in-process %r" % (got["updates"], ref["updates"]))
    else:
        gap = abs(got["test"]["accuracy"] - ref["test"]["accuracy"])
        if gap > check or got["test"]["accuracy"] < 0.7:
            fail("test accuracy: MPI %.4f, in-process %.4f (allowed gap %.2f, floor 0.70)" %
                 (got["test"]["accuracy"], ref["test"]["accuracy"], check))
    if got["messages"] <= 0 and n > 1:
        fail("no messages counted across ranks")
    final = [l for l in lines if l.get("final")]
    if a.case.startswith("asgd"):
        # Every peer's state messages, not rank 0's only: peer 0 alone writes about 1/n of them.
        # In one run every message written is read at most once (slots keep the newest).
        peer0 = [l for l in lines if l.get("state") == "peer0"][-1]
        puts, received = final[-1]["puts_all"], final[-1]["received_all"]
        if puts <= peer0["sends"] or received > puts or received < peer0["received"]:
            fail("puts_all %r / received_all %r do not count every peer (peer 0: %r sends, %r received)" %
                 (puts, received, peer0["sends"], peer0["received"]))
    if len(got.get("worker_steps", [])) != len(ref.get("worker_steps", [])) or min(got["worker_steps"]) <= 0:
        fail("worker_steps %r (in-process %r)" % (got.get("worker_steps"), ref.get("worker_steps")))
    print("ok: %s over %s in %.1fs: test %s" % (a.case, a.btl, secs, got["test"]))


def bad_data(a, tmp):
    """A malformed data file fails on every rank before the run, and the job says once, on rank 0,
    which file, line and why (every rank parses every row, so they agree)."""
    path = os.path.join(tmp, "bad.svm")
    with open(path, "w") as f:
        f.write("1 1:1 2:1\n-1 3:1\n\n1 4:x\n")
    p, _ = run(mpi_cmd(a, 3) + ["--data", path, "--algo", "sync", "--workers", "2", "--model", "logreg"], timeout=60)
    want = "bad.svm:4: value of feature 4 'x' is not a number"
    if p.returncode == 0 or p.stderr.count(want) != 1:
        fail("expected the error '%s' once, got rc %d, stderr:\n%s" % (want, p.returncode, p.stderr))
    print("ok: " + want)


def ranks_error(a, tmp):
    flags = data_flags("svm", tmp, a.parley) + ["--algo", "pex", "--workers", "3"]
    p, secs = run(mpi_cmd(a, 2) + flags, timeout=60)
    want = "pex with --workers 3 needs 4 ranks (1 master + 3 workers); mpirun started 2"
    if p.returncode == 0 or want not in p.stderr:
        fail("expected the rank-count error, got rc %d, stderr:\n%s" % (p.returncode, p.stderr))
    if p.stderr.count(want) != 1:
        fail("the rank-count error should be printed once (rank 0), got %d" % p.stderr.count(want))
    print("ok: " + want)
    # hogwild shares memory between threads: refused under MPI, whatever the rank count.
    flags = flags[:-4] + ["--algo", "hogwild", "--workers", "2"]
    p, secs = run(mpi_cmd(a, 2) + flags, timeout=60)
    want = "--algo hogwild shares one parameter vector between the threads of one process"
    if p.returncode == 0 or p.stderr.count(want) != 1:
        fail("expected the hogwild refusal once, got rc %d, stderr:\n%s" % (p.returncode, p.stderr))
    print("ok: " + want)


def pex_kill(a, tmp):
    """An emulated worker death: pex carries on without it, as in one process."""
    # Emulated 0.2 ms steps: both workers progress alike, so worker 1 reaches its step 100 (its
    # death) before worker 0 has spent the run's budget, however the threads are scheduled.
    flags = data_flags("svm", tmp, a.parley) + ["--algo", "pex", "--workers", "2", "--kill", "1@step=100",
                                                "--deadline", "2", "--step-time", "0.0002"]
    ref_sum = os.path.join(tmp, "inproc.json")
    p, _ = run([a.parley, "train"] + flags + ["--quiet", "--summary", ref_sum])
    if p.returncode != 0:
        fail("in-process run failed: " + p.stderr)
    mpi_sum = os.path.join(tmp, "mpi.json")
    p, secs = run(mpi_cmd(a, 3) + flags + ["--summary", mpi_sum, "--no-progress"], timeout=60)
    print(p.stdout, p.stderr)
    if p.returncode != 0:
        fail("MPI run exited %d" % p.returncode)
    ref, got = json.load(open(ref_sum)), json.load(open(mpi_sum))
    kills = [e for e in got["events"] if e.get("event") == "killed"]
    if len(kills) != 1 or kills[0].get("worker") != 1:
        fail("expected one 'killed' event for worker 1, got %r" % got["events"])
    if abs(got["epochs"] - ref["epochs"]) > 1e-9:
        fail("epochs: MPI %r, in-process %r" % (got["epochs"], ref["epochs"]))
    print("ok: killed worker 1, run finished in %.1fs with test %s" % (secs, got["test"]))


def resume(a, tmp):
    """A checkpoint written by rank 0 of an MPI run resumes under MPI, and the resumed run agrees
    with the same checkpoint-and-resume in one process (sync is deterministic)."""
    base = data_flags("svm", tmp, a.parley) + ["--algo", "sync", "--workers", "2"]
    sums = {}
    for kind in ("inproc", "mpi"):
        ck = os.path.join(tmp, kind + ".ck")
        first = base + ["--epochs", "2", "--checkpoint", ck, "--no-progress", "--quiet"]
        second = base + ["--epochs", "3", "--resume", ck, "--summary", os.path.join(tmp, kind + ".json"),
                         "--no-progress"]
        launch = mpi_cmd(a, 3) if kind == "mpi" else [a.parley, "train"]
        for flags in (first, second):
            p, _ = run(launch + flags)
            if p.returncode != 0:
                fail("%s run %s exited %d: %s" % (kind, " ".join(flags[-6:]), p.returncode, p.stderr))
        if not os.path.exists(ck):
            fail("%s: no checkpoint at %s" % (kind, ck))
        sums[kind] = json.load(open(os.path.join(tmp, kind + ".json")))
    ref, got = sums["inproc"], sums["mpi"]
    if got.get("resumed_from", {}).get("epoch") != 2.0 or got["epochs"] != 3.0:
        fail("MPI resumed run: resumed_from %r, epochs %r (expected 2 -> 3)" % (got.get("resumed_from"), got["epochs"]))
    for part in ("train", "test"):
        for k, v in ref[part].items():
            if abs(got[part][k] - v) > 1e-12 * max(1.0, abs(v)):
                fail("resumed %s %s: MPI %r, in-process %r" % (part, k, got[part][k], v))
    if got["updates"] != ref["updates"]:
        fail("updates: MPI %r, in-process %r" % (got["updates"], ref["updates"]))
    print("ok: MPI checkpoint at epoch 2 resumed to 3: test %s" % got["test"])


def rank_pids(mpirun_pid):
    """{rank: pid} of the processes mpirun started: its descendants (OpenMPI starts the ranks
    itself, MPICH's Hydra through a proxy) that carry OMPI_COMM_WORLD_RANK or PMI_RANK."""
    parent = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue

    def descends(pid):
        while pid in parent and pid > 1:
            pid = parent[pid]
            if pid == mpirun_pid:
                return True
        return False

    out = {}
    for pid in parent:
        if not descends(pid):
            continue
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                for kv in f.read().split(b"\0"):
                    if kv.startswith(b"OMPI_COMM_WORLD_RANK=") or kv.startswith(b"PMI_RANK="):
                        out[int(kv.split(b"=", 1)[1])] = pid
        except (OSError, ValueError):
            continue
    return out


# How long after a rank stops answering the job must have ended, beyond --deadline: rank 0's
# role gives up on it after the deadline, and the runtime's grace for a rank whose role has not
# ended (5 s once the run has failed, src/parley/runtime/runner.cc) then ends the job with
# MPI_Abort.
STOPPED_RANK_MARGIN = 10


def signalled_rank(a, tmp, sig, rank=2, algo="sync"):
    """A rank stops answering (SIGSTOP) or dies (SIGKILL): worker 1 (rank 2) of sync, or the pex
    master (rank 0). The job ends within --deadline + STOPPED_RANK_MARGIN seconds with a message
    naming it, never a hang. A stopped worker is named by parley's runtime ("worker 1",
    "rank 2"), a stopped master by the ranks that stop hearing it ("rank 0 (master)"); a dead
    rank by mpiexec."""
    what = "stopped" if sig == signal.SIGSTOP else "was killed"
    who = "rank %d" % rank
    metrics = os.path.join(tmp, "m.jsonl")
    checkpoint = os.path.join(tmp, "ck.parley")
    deadline = 2
    flags = data_flags("svm", tmp, a.parley) + ["--algo", algo, "--workers", "2",
                                                "--deadline", str(deadline),
                                                "--epochs", "1000", "--step-time", "0.005",
                                                "--metrics", metrics, "--no-progress",
                                                "--checkpoint", checkpoint]
    t0 = time.time()
    p = subprocess.Popen(mpi_cmd(a, 3) + flags, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pids = {}
    while time.time() - t0 < 60:
        pids = rank_pids(p.pid)
        if len(pids) == 3 and os.path.exists(metrics) and sum(1 for _ in open(metrics)) >= 2:
            break
        time.sleep(0.1)
    else:
        p.kill()
        fail("the run did not start: ranks %r" % pids)
    os.kill(pids[rank], sig)
    signalled = time.time()
    checkpointed = os.path.exists(checkpoint)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the job hung for 60 s after %s %s" % (who, what))
    finally:
        try:
            os.kill(pids[rank], signal.SIGCONT)
            os.kill(pids[rank], signal.SIGKILL)
        except ProcessLookupError:
            pass
    secs = time.time() - signalled
    print(err)
    if p.returncode == 0:
        fail("the job succeeded although %s %s" % (who, what))
    if sig != signal.SIGSTOP:
        names = [who]
    elif rank == 0:
        names = ["rank 0 (master)"]
    else:
        names = ["worker %d" % (rank - 1), who]
    if not all(n in err for n in names):
        fail("the error does not name %s:\n%s" % (" / ".join(names), err))
    # Rank 0 reports the run's error, with the way to continue when a checkpoint was written.
    if sig == signal.SIGSTOP and rank != 0 and checkpointed and "--resume " + checkpoint not in err:
        fail("a checkpoint was written before rank %d stopped, but the error does not say"
             " '--resume %s':\n%s" % (rank, checkpoint, err))
    if secs > deadline + STOPPED_RANK_MARGIN:
        fail("the job ended %.1f s after %s %s, more than --deadline %d + %d s"
             % (secs, who, what, deadline, STOPPED_RANK_MARGIN))
    print("ok: ended %.1fs after %s %s (limit %d s), rc %d"
          % (secs, who, what, deadline + STOPPED_RANK_MARGIN, p.returncode))


def dead_server(a, tmp):
    """sync with 2 parameter servers, server 1 (rank 1) killed by the emulation at t = 1 s: the
    workers name it after 2 x --deadline and the job ends with that error."""
    deadline = 1
    flags = data_flags("svm", tmp, a.parley) + ["--algo", "sync", "--workers", "2", "--servers", "2",
                                                "--kill", "s1@t=1", "--deadline", str(deadline),
                                                "--epochs", "1000", "--step-time", "0.001",
                                                "--no-progress", "--quiet"]
    r, secs = run(mpi_cmd(a, 4) + flags)
    print(r.stderr)
    if r.returncode == 0:
        fail("the job succeeded although server 1 was killed")
    want = "waited %d s for parameters from server 1 (rank 1)" % (2 * deadline)
    if want not in r.stderr:
        fail("the error does not say %r:\n%s" % (want, r.stderr))
    if secs > 1 + 2 * deadline + STOPPED_RANK_MARGIN:
        fail("the job ended %.1f s after its start, more than the kill at 1 s + 2 x --deadline + %d s"
             % (secs, STOPPED_RANK_MARGIN))
    print("ok: server 1 named, job ended %.1f s after its start" % secs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parley", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--btl", default="shm", choices=["shm", "tcp"])
    a = ap.parse_args()
    a.mpich = is_mpich(a.mpiexec)
    if a.mpich and a.btl != "shm":
        fail("--btl tcp selects OpenMPI's TCP transport; with MPICH run the default path only")
    with tempfile.TemporaryDirectory(prefix="parley-mpi-") as tmp:
        if a.case in CASES:
            compare_case(a, tmp)
        elif a.case == "ranks-error":
            ranks_error(a, tmp)
        elif a.case == "bad-data":
            bad_data(a, tmp)
        elif a.case == "pex-kill":
            pex_kill(a, tmp)
        elif a.case == "stopped-worker":
            signalled_rank(a, tmp, signal.SIGSTOP)
        elif a.case == "killed-worker":
            signalled_rank(a, tmp, signal.SIGKILL)
        elif a.case == "stopped-master":
            signalled_rank(a, tmp, signal.SIGSTOP, rank=0, algo="pex")
        elif a.case == "dead-server":
            dead_server(a, tmp)
        elif a.case == "resume":
            resume(a, tmp)
        else:
            fail("unknown case " + a.case)


if __name__ == "__main__":
    main()
