"""Command-line flags from Python keywords, and the runs of the estimators."""

import json

import numpy as np
import scipy.sparse as sp

from . import _parley


def to_flags(options):
    """``{"local_steps": 5, "dense_exchange": True}`` -> ``["--local-steps", "5",
    "--dense-exchange"]``: underscores become dashes; True is a flag given alone, False and
    None are left out; lists and tuples are joined by commas (``hidden=(64, 32)``)."""
    flags = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            flags.append(flag)
        elif isinstance(value, (list, tuple)):
            flags += [flag, ",".join(str(v) for v in value)]
        else:
            flags += [flag, str(value)]
    return flags


def train(**flags):
    """``parley train`` with the same options, as keywords (``model_out="m.parley"`` for
    ``--model-out``); returns the run's summary as a dict. Errors: ValueError for a bad
    option or data file (the command line's message), RuntimeError for a failed run;
    Ctrl-C stops the run and raises KeyboardInterrupt."""
    return json.loads(_parley.train(to_flags(flags)))


def dense_dataset(X, y, source="X"):
    """X as float32 C-contiguous rows (converted once if it is not) and y as float32."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    y = np.ascontiguousarray(y, dtype=np.float32)
    return _parley.dense(X, y, source)


def csr_dataset(X, y, source="X"):
    """A scipy CSR matrix with float32 data and int32 indices is borrowed as it is; other
    dtypes are converted once (data to float32, indices to int32); indptr (rows + 1 numbers)
    is converted to uint64 unless it is int64. Unsorted or duplicate indices: sorted and
    summed on a copy."""
    if not sp.isspmatrix_csr(X):
        X = sp.csr_matrix(X)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    data = np.ascontiguousarray(X.data, dtype=np.float32)
    indices = X.indices
    if indices.dtype not in (np.int32, np.uint32):
        if X.shape[1] > np.iinfo(np.int32).max:
            raise ValueError(f"X has {X.shape[1]} columns: at most 2^31 - 1 are supported")
        indices = indices.astype(np.int32)
    indices = np.ascontiguousarray(indices)
    indptr = np.ascontiguousarray(X.indptr)
    y = np.ascontiguousarray(y, dtype=np.float32)
    return _parley.csr(data, indices, indptr, X.shape[1], y, source)


def fit(flags, train, test=None, initial_params=None):
    """Runs the engine on Datasets (see _parley.fit); returns (summary, history, config,
    params) with the JSON decoded."""
    out = _parley.fit(flags, train, test, initial_params)
    history = [json.loads(line) for line in out["history"]]
    return (json.loads(out["summary"]), history, json.loads(out["config"]), out["params"])
