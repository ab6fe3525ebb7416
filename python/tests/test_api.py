"""The Python API around the estimators: errors, history_, partial_fit, parley.train and
parley.load, Ctrl-C, and matrix factorisation on MovieLens."""

import os
import signal
import threading
import time

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_classification

import parley
from conftest import MOVIELENS


def blobs():
    X, y = make_classification(n_samples=400, n_features=10, n_informative=5, random_state=0)
    return X.astype(np.float32), y


def test_bad_parameter_value():
    X, y = blobs()
    with pytest.raises(ValueError, match="model must be 'logreg', 'svm', 'softmax' or 'mlp'"):
        parley.SGDClassifier(model="tree").fit(X, y)
    with pytest.raises(ValueError, match="--algo"):
        parley.SGDClassifier(algo="nope").fit(X, y)
    with pytest.raises(ValueError, match="lr must be > 0"):
        parley.SGDClassifier(lr=-1).fit(X, y)


def test_wrong_shapes_and_nan():
    X, y = blobs()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        parley.SGDClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        parley.SGDClassifier().fit(X[:, 0], y)
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        parley.SGDClassifier().fit(bad, y)
    clf = parley.SGDClassifier(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 9 features, but SGDClassifier is expecting 10"):
        clf.predict(X[:, 1:])
    with pytest.raises(ValueError, match="users and items differ in length"):
        parley.MatrixFactorization().fit([1, 2], [1], [3.0, 4.0])


def test_engine_rejects_bad_arrays_itself():
    from parley import _parley
    X = np.ones((4, 3), dtype=np.float32)
    X[1, 1] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        _parley.dense(X, np.zeros(4, dtype=np.float32))
    with pytest.raises(ValueError, match="expected dtype float32"):
        _parley.dense(np.ones((4, 3)), np.zeros(4, dtype=np.float32))
    with pytest.raises(ValueError, match="C-contiguous"):
        _parley.dense(np.ones((3, 4), dtype=np.float32).T, np.zeros(4, dtype=np.float32))


def test_history_and_multiclass_one_vs_rest():
    X, y = make_blobs(n_samples=300, centers=3, random_state=0)
    labels = np.array(["a", "b", "c"])[y]
    clf = parley.SGDClassifier(model="softmax", epochs=3, eval_every=1)
    clf.fit(X, labels, eval_set=(X, labels))
    assert list(clf.classes_) == ["a", "b", "c"]
    assert [round(h["epoch"]) for h in clf.history_] == [1, 2, 3]
    assert "accuracy" in clf.history_[-1]["test"]
    assert clf.score(X, labels) > 0.85
    ovr = parley.SGDClassifier(model="svm", epochs=3).fit(X, labels)
    assert ovr.coef_.shape == (3, 2)
    assert ovr.score(X, labels) > 0.85


def test_partial_fit_continues_from_the_parameters():
    X, y = blobs()
    clf = parley.SGDClassifier(model="logreg", lr=0.05)
    clf.partial_fit(X, y, classes=[0, 1])
    first = clf.coef_.copy()
    clf.partial_fit(X, y)
    assert not np.array_equal(first, clf.coef_)
    # Two partial_fit epochs are one fit of 1 epoch continued: not a restart from scratch.
    once = parley.SGDClassifier(model="logreg", lr=0.05, epochs=1).fit(X, y)
    np.testing.assert_array_equal(first, once.coef_)
    assert not np.array_equal(clf.coef_, once.coef_)
    with pytest.raises(ValueError, match="classes must be passed"):
        parley.SGDClassifier().partial_fit(X, y)
    soft = parley.SGDClassifier(model="softmax").partial_fit(X, y, classes=[0, 1])
    soft.partial_fit(X, y)
    with pytest.raises(ValueError, match="every batch must hold the last class, 1"):
        soft.partial_fit(X[y == 0], y[y == 0])


def test_train_and_load(tmp_path):
    X, y = blobs()
    path = tmp_path / "d.svm"
    with open(path, "w") as f:
        for row, label in zip(X, y):
            f.write(str(label) + " " + " ".join(f"{j + 1}:{v}" for j, v in enumerate(row)) + "\n")
    out = tmp_path / "m.parley"
    summary = parley.train(data=str(path), model="logreg", algo="pex", workers=2, epochs=3,
                           test_fraction=0.2, quiet=True, model_out=str(out))
    assert summary["model"] == "logreg" and summary["algo"] == "pex"
    model = parley.load(out)
    assert model.kind == "logreg" and model.params.size == 10
    assert np.mean(model.predict(X) == y) > 0.7
    with pytest.raises(ValueError, match="--no-such-flag"):
        parley.train(data=str(path), no_such_flag=1)
    with pytest.raises(ValueError, match="nope"):
        parley.train(data=str(tmp_path / "nope.svm"))
    with pytest.raises(ValueError, match="not a parley model file"):
        parley.load(path)


def test_ctrl_c_stops_a_run():
    X, y = blobs()
    clf = parley.SGDClassifier(model="logreg", epochs=100000, batch=1)
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    took = time.monotonic() - start
    assert took < 10, f"the run went on {took:.1f} s after Ctrl-C"
    assert not hasattr(clf, "classes_") or not hasattr(clf, "coef_")


def test_matrix_factorization_on_movielens():
    data = np.loadtxt(MOVIELENS, delimiter=",", skiprows=1, usecols=(0, 1, 2))
    users, items, ratings = data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]
    test = np.random.default_rng(0).random(len(ratings)) < 0.1
    mf = parley.MatrixFactorization(rank=32, l2=0.05, lr=0.01, epochs=10, batch=1)
    mf.fit(users[~test], items[~test], ratings[~test],
           eval_set=(users[test], items[test], ratings[test]))
    rmse = -mf.score(users[test], items[test], ratings[test])
    baseline = np.sqrt(np.mean((ratings[test] - ratings[~test].mean()) ** 2))
    print(f"MovieLens MF: test RMSE {rmse:.4f}, global mean {baseline:.4f}")
    assert rmse < 0.95 < baseline
    assert "rmse" in mf.history_[-1]["test"]
