"""Shared fixtures of the Python tests: paths (ctest sets PARLEY_SOURCE_DIR and PARLEY_BINARY,
python/CMakeLists.txt) and the data sets, read with numpy."""

import gzip
import os
import pathlib

import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("PARLEY_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
PARLEY_BINARY = os.environ.get("PARLEY_BINARY", str(SOURCE_DIR / "build/release/parley"))
FASHION = SOURCE_DIR / "data/fashion-mnist"
MOVIELENS = SOURCE_DIR / "data/movielens-small/ratings.csv"


def read_idx(path):
    """An IDX file (gzipped) as a numpy array of its dims."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(tuple(dims))


def fashion(part):
    """(X, y) of Fashion-MNIST's "train" or "t10k" part: X float32 rows scaled to [0, 1] as
    parley's IDX reader scales them (byte * (1.0f / 255.0f)), y int64."""
    images = read_idx(FASHION / f"{part}-images-idx3-ubyte.gz")
    labels = read_idx(FASHION / f"{part}-labels-idx1-ubyte.gz")
    X = images.reshape(images.shape[0], -1).astype(np.float32) * np.float32(1.0 / 255.0)
    return np.ascontiguousarray(X), labels.astype(np.int64)


@pytest.fixture(scope="session")
def fashion_train():
    return fashion("train")


@pytest.fixture(scope="session")
def fashion_test():
    return fashion("t10k")
