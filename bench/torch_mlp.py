#!/usr/bin/python3
"""PyTorch's peer of parley's MLP on Fashion-MNIST (bench/kernels.py): the same network
(784-256-10, ReLU, softmax cross-entropy), plain mini-batch SGD with momentum and L2 (PyTorch's
weight_decay adds l2 * w to the gradient as parley does), the same batch size and epochs, a
fresh random order every epoch, float32 (PyTorch's default). One thread unless --threads.
--ddp N: N processes with DistributedDataParallel over gloo on loopback, each on its own 1/N of
every epoch (DistributedSampler), the batch per process as given.
Prints one JSON object: training seconds (the loop alone; loading and evaluation excluded),
samples per second and test accuracy."""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(prefix):
    x = read_idx(prefix + "-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    y = read_idx(prefix + "-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def blas_library():
    """The BLAS this process multiplies with: Debian's torch links libblas.so.3, which is the
    reference BLAS unless libopenblas0-pthread (the bench's peer) provides it."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    return ", ".join(sorted(libs)) or "none"


def train(a, rank=0, world=1):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load(os.path.join(a.data, "train"))
    xte, yte = load(os.path.join(a.data, "t10k"))
    model = torch.nn.Sequential(torch.nn.Linear(784, a.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(a.hidden, 10))
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.l2)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(a.seed)
    n = xtr.shape[0]
    t0 = time.perf_counter()
    for _ in range(a.epochs):
        order = torch.randperm(n, generator=gen)[rank::world]
        for s in range(0, order.shape[0], a.batch):
            idx = order[s:s + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = float((model(xte).argmax(1) == yte).float().mean())
    return {"peer": "torch" if world == 1 else f"torch DDP gloo x{world}",
            "torch": torch.__version__, "threads": a.threads, "processes": world,
            "blas": blas_library(),
            "seconds": seconds, "samples_per_second": n * a.epochs / seconds,
            "test_accuracy": acc}


def ddp_worker(rank, a, port, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE=str(a.ddp),
                      RANK=str(rank))
    torch.distributed.init_process_group("gloo", rank=rank, world_size=a.ddp)
    r = train(a, rank, a.ddp)
    torch.distributed.barrier()
    if rank == 0:
        out.put(r)
    torch.distributed.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder of the Fashion-MNIST .gz files")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ddp", type=int, default=1, help="processes (DistributedDataParallel, gloo)")
    ap.add_argument("--port", type=int, default=29517)
    a = ap.parse_args()
    if a.ddp == 1:
        print(json.dumps(train(a)))
        return
    import torch.multiprocessing as mp
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=ddp_worker, args=(r, a, a.port, out)) for r in range(a.ddp)]
    for p in procs:
        p.start()
    result = out.get(timeout=600)
    for p in procs:
        p.join(timeout=60)
    if any(p.exitcode != 0 for p in procs):
        sys.exit("torch_mlp.py: a DDP process failed")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
