"""Arrays in the engine's storage types go in without a copy: the engine's Dataset reads the
caller's buffer (same address), no borrowed array is copied during a run, and the process's
peak memory grows by far less than the array's size. Other dtypes are converted once."""

import subprocess
import sys

import numpy as np
import scipy.sparse as sp

import parley
from parley import _parley, _run


def address(a):
    return a.__array_interface__["data"][0]


def test_dense_float32_is_borrowed():
    X = np.random.default_rng(0).random((1000, 20), dtype=np.float32)
    y = np.zeros(1000, dtype=np.float32)
    d = _run.dense_dataset(X, y)
    assert d.where("x") == (address(X), True)
    assert d.where("label") == (address(y), True)


def test_float64_is_converted_once():
    X = np.random.default_rng(0).random((1000, 20))
    d = _run.dense_dataset(X, np.zeros(1000))
    addr, borrowed = d.where("x")
    assert addr != address(X)  # a float32 copy, which the engine then borrows
    assert borrowed


def test_csr_float32_int32_is_borrowed_indptr_converted():
    X = sp.random(2000, 500, density=0.01, format="csr", dtype=np.float32, random_state=0)
    assert X.indices.dtype == np.int32
    d = _run.csr_dataset(X, np.zeros(2000, dtype=np.float32))
    assert d.where("val") == (address(X.data), True)
    assert d.where("col") == (address(X.indices), True)
    # Row pointers: int32 in scipy, uint64 in the engine: rows + 1 numbers converted.
    assert d.where("row_ptr")[1] is False
    # int64 row pointers (scipy keeps them int64 only when int32 cannot hold them) are borrowed.
    indptr = X.indptr.astype(np.int64)
    d64 = _parley.csr(X.data, X.indices, indptr, X.shape[1], np.zeros(2000, dtype=np.float32))
    assert d64.where("row_ptr") == (address(indptr), True)


# Run in a fresh interpreter: the peak memory of this one holds the other tests' data.
MEMORY_SCRIPT = """
import resource
import numpy as np
import parley
from parley import _parley

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

rng = np.random.default_rng(1)
X = rng.random((150_000, 100), dtype=np.float32)
y = (X[:, 0] > 0.5).astype(np.int64)
before_copies, before = _parley.borrowed_copies(), peak()
clf = parley.SGDClassifier(model="softmax", epochs=0.5, batch=256).fit(X, y)
print(X.nbytes, peak() - before, _parley.borrowed_copies()[0] - before_copies[0],
      clf.score(X[:1000], y[:1000]))
"""


def test_a_run_copies_no_borrowed_array_and_little_memory():
    # 60 MB of float32 rows; softmax, sequential (one shard), no test split.
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], check=True,
                         capture_output=True, text=True).stdout.split()
    nbytes, grown, copies, accuracy = int(out[0]), int(out[1]), int(out[2]), float(out[3])
    print(f"X {nbytes / 1e6:.0f} MB; peak RSS grew by {grown / 1e6:.1f} MB during fit; "
          f"borrowed copies {copies}")
    assert copies == 0
    # The run holds the train-evaluation sample (20000 rows, 8 MB), the labels as float32
    # (0.6 MB) and the model; a copy of X would add 60 MB.
    assert grown < nbytes / 3
    assert accuracy > 0.9
