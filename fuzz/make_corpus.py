#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets, fuzz/corpus/<target>/, from the test fixtures'
shapes: a few tiny valid files of every format (some gzipped) and a few near misses. Run it
after changing a format; the output is deterministic, so an unchanged format gives no diff.

    fuzz/make_corpus.py            (writes into fuzz/corpus next to this script)
"""
import gzip
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


LIBSVM = [
    b"1 1:0.5 3:2\n-1 2:1 # comment\n",
    b"+1 qid:3 1:1e-3 7:4\n0 2:-1.5\n\n2 10:1\r\n",
    b"0 1:1 2:2 3:3\n1 3:1\n2 2:0.25\n",
    b"1 1:1\n1 4294967295:1\n",
    b"1 2:1 1:1\n",
    b"-1 1:nan\n",
]
DENSE_CSV = [  # first byte: the label column and header rule of csv_fuzz
    b"\x01label,a,b\n1,0.5,2\n0,1,3\n",
    b"\x00" + b"1,2,3\n4,5,6\n",
    b"\x05" + b"x,y,z\n0.1,-2e3,7\n1,1,1\n",
    b"\x02" + b"1,2\n3\n",
]
RATINGS = [
    b"userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,31,4,1\n",
    b"1::1193::5::978300760\n2::661::3::978302109\n1::661::4::0\n",
    b'"","userId","movieId","rating"\n"1",1,31,2.5\n"2",7,31,1\n',
    b"user\titem\trating\n5\t6\t1.5\n",
    b"1,2,3.5\n4,2,1\n",
    b"userId,movieId,rating\n1,2\n",
]
KRON = [
    b"# parley Kronecker points\nkron 3 2\n0.5 1 0 -2 | 0.25 4\n-1.25 0.5 0.5 0.5 | 1 -1\n",
    b"kron 1 1 # tiny\n+2 | 3\n",
    b"kron 2 2\n1 1 1 | 1\n",
]
TOML = [
    b'data = "train.svm"\ntest-fraction = 0.2\nepochs = 2\nlr = 0.3\nbatch = 2\nseed = 5\n'
    b"quiet = true\n",
    b'model = "mlp"\nhidden = [256, 128]\nl2 = 1e-4\nkron = false\nmax-features = 1000\n',
    b"epochs = 2\nlr = = 3\n",
    b"epochs = 2\nlearning_rate = 3\n",
    b'[table]\nx = 1\n',
    b'target = "accuracy=0.85"\nkron-threads = -1\nrank = 3.5\n',
    # parley compare experiments (config_fuzz reads every input as one too)
    b'[workload]\ndata = "d.svm"\nepochs = 3\nrepeat = 2\nseed = 7\n\n[[run]]\nname = "seq"\n'
    b'algo = "sequential"\n\n[[run]]\nname = "pex-2"\nalgo = "pex"\nworkers = 2\nhidden = [8, 4]\n',
    b'[workload]\nname = "x"\n[run]\nname = "a"\n',
]


def idx(magic_dims, dims, data: bytes) -> bytes:
    return struct.pack(">I", 0x800 | magic_dims) + b"".join(struct.pack(">I", d) for d in dims) + data


IDX = [
    idx(3, [3, 2, 2], bytes(range(12))),
    gz(idx(3, [2, 3, 1], bytes([0, 255, 7, 8, 9, 10]))),
    idx(1, [4], bytes([1, 2, 3, 4])),
    idx(3, [2, 2, 2], bytes(range(7))),
    idx(3, [0x10000, 0x10000, 0x10000], b""),
]


def model_body(config: dict, params: int) -> bytes:
    """A model file without its checksum (model_file_fuzz appends it), runtime/model_file.h."""
    text = json.dumps(config, separators=(",", ":"), sort_keys=True).encode()
    body = b"PARLEYM\n" + struct.pack("<II", 1, len(text)) + text
    body += struct.pack("<Q", params) + b"".join(struct.pack("<d", 0.125 * (i % 7 - 3)) for i in range(params))
    return body


CHECKPOINT = {"epoch": 1.0, "updates": 12, "algorithm": "sequential", "seed": 1}
MODELS = [
    model_body({"kind": "logreg", "num_features": 5, "bias": 1.0, "l2": 0.0001}, 6),
    model_body({"kind": "svm", "num_features": 3, "bias": -1.0, "l2": 0.0}, 3),
    model_body({"kind": "softmax", "inputs": 3, "classes": 2, "l2": 0.0001}, 8),
    model_body({"kind": "mlp", "inputs": 2, "classes": 3, "hidden": [2], "l2": 0.0}, 15),
    model_body({"kind": "mf", "users": 2, "items": 2, "rank": 1, "l2": 0.05, "init_scale": 0.1,
                "rating_min": 1.0, "rating_max": 5.0}, 1 + 2 * 2 + 2 * 2),
    model_body({"kind": "kmeans", "clusters": 2, "dim": 2, "step": "lr"}, 4),
    model_body({"kind": "twolayer", "dim": 2, "width": 2, "threshold": 0.5, "signs": [1, -1]}, 4),
    model_body({"kind": "logreg", "num_features": 2, "bias": -1.0, "l2": 0.0001,
                "checkpoint": CHECKPOINT}, 2),
]


def wire(kind: int, shape: int, payload: bytes) -> bytes:
    """wire_fuzz's input: message kind, receiver shapes, payload (src/parley/core/wire.h)."""
    return bytes([kind, shape]) + payload


def arr(fmt: str, values) -> bytes:
    return struct.pack("<Q", len(values)) + b"".join(struct.pack("<" + fmt, v) for v in values)


WIRE = [
    # ps params (ps_wire.h), dense block of 4 and sparse at keys 1, 3
    wire(0, 4, struct.pack("<qqdB", 3, 1, 0.5, 0) + arr("d", [1, 2, 3, 4])),
    wire(0, 4, struct.pack("<qqdB", 3, 1, 0.5, 1) + arr("I", [1, 3]) + arr("d", [2, 4])),
    # ps gradient, dense and sparse, with a sparse pull of key 2
    wire(1, 3, struct.pack("<qqdB", 2, 8, 0.25, 0) + arr("d", [1, 1, 1]) +
         struct.pack("<qB", 1, 0) + arr("I", [])),
    wire(1, 128 + 4, struct.pack("<qqdB", 2, 8, 0.25, 1) + arr("I", [0, 3]) + arr("d", [1, -1]) +
         struct.pack("<qB", 2, 1) + arr("I", [2])),
    # ps stop, evaluation slice
    wire(2, 0, struct.pack("<q", 7)),
    wire(2, 0, struct.pack("<qd", -1, 1.0) + arr("d", [0.5, 0.25])),
    # pex contribution (2 shared, local entry 1 of 3) and average of 2
    wire(3, 2 + 16 * 3, struct.pack("<qqd", 10, 2, 1.5) + arr("d", [1, 2]) + arr("I", [1]) + arr("d", [9])),
    wire(4, 2, struct.pack("<dq", 100.0, 5) + arr("d", [1, 2])),
    # asgd state: 2 blocks of 6 parameters, both sent
    wire(5, 6 + 32, struct.pack("<I", 2) + struct.pack("<I", 0) + arr("d", [1, 2, 3]) +
         struct.pack("<I", 1) + arr("d", [4, 5, 6])),
    # asgd final of 2 values; lloyd partial (2 sums, 1 count) and centres of 2
    wire(6, 2, struct.pack("<q", -1) + arr("d", [1, 2]) + struct.pack("<qq", 3, 4)),
    wire(6, 2, struct.pack("<q", 1) + arr("d", [1, 2]) + arr("d", [3])),
    wire(6, 2, struct.pack("<q", 1) + arr("d", [0.5, 1.5])),
]

# read_fuzz: the first byte picks the file name (read_fuzz.cc, kNames): 0 .svm.gz, 1 .csv.gz,
# 2 .dat.gz, 3 csv: .tsv.gz, 4 .svm, 5 .csv, 6 .dat, 7 ratings: .csv.
READ = [
    b"\x00" + gz(LIBSVM[0]),
    b"\x00" + gz(LIBSVM[1]) + gz(LIBSVM[2]),  # two gzip members, read as one file
    b"\x00" + gz(LIBSVM[2])[:-6],             # truncated gzip
    b"\x01" + gz(RATINGS[0]),
    b"\x01" + gz(b"a,b\n1,2\n3,4\n"),
    b"\x02" + gz(RATINGS[1]),
    b"\x03" + gz(b"1\t2\t3\n0\t1\t1\n"),
    b"\x04" + LIBSVM[1],
    b"\x05" + b"label,x\n1,2\n0,3\n",
    b"\x06" + b"1 1:1\n",
    b"\x07" + RATINGS[4],
]

CORPORA = {
    "libsvm_fuzz": LIBSVM,
    "csv_fuzz": DENSE_CSV,
    "ratings_fuzz": RATINGS,
    "idx_fuzz": IDX,
    "kron_fuzz": KRON,
    "model_file_fuzz": MODELS,
    "config_fuzz": TOML,
    "wire_fuzz": WIRE,
    "read_fuzz": READ,
}


# The inputs of fixed findings (fuzz/crashes-found/<prefix>-...) are seeds too, so that every
# run replays them first.
FOUND_PREFIXES = {"wire-": "wire_fuzz", "kron-": "kron_fuzz", "model-file-": "model_file_fuzz",
                  "libsvm-": "libsvm_fuzz", "csv-": "csv_fuzz", "ratings-": "ratings_fuzz",
                  "idx-": "idx_fuzz", "read-": "read_fuzz", "config-": "config_fuzz"}


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for target, seeds in CORPORA.items():
        d = os.path.join(OUT, target)
        os.makedirs(d)
        for i, s in enumerate(seeds):
            with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
                f.write(s)
    found = os.path.join(HERE, "crashes-found")
    for name in sorted(os.listdir(found)) if os.path.isdir(found) else []:
        for prefix, target in FOUND_PREFIXES.items():
            if name.startswith(prefix):
                shutil.copy(os.path.join(found, name), os.path.join(OUT, target, "found-" + name))


if __name__ == "__main__":
    main()
