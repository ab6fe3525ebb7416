"""scikit-learn estimators over parley's engine: SGDClassifier, KMeans, MatrixFactorization.

Every estimator takes the run's options as constructor parameters (the command line's names:
algo, workers, backup, local_steps, epochs, batch, lr, ..., the emulation options step_time,
slowdown, stragglers, step_sigma, kill, network, latency, bandwidth, jitter,
network_slowdown; target="accuracy=0.9" with validation_fraction or eval_set; seed), fits
with one engine run (Train, in-process threads), and records the run's metrics log as
``history_`` (one dict per evaluation) and its summary as ``summary_``. See docs/python.md.
"""

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, ClusterMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from . import _models, _run

# The run options every estimator takes, with their defaults (None: the engine's default).
_RUN_DEFAULTS = dict(
    algo="sequential", workers=1, backup=0, local_steps=0, epochs=10.0, batch=32, lr=0.1,
    schedule="constant", lr_t0=None, momentum=0.0, eval_every=1.0, target=None,
    validation_fraction=0.0, time_limit=0.0, seed=1, step_time=None, slowdown=None, stragglers=None, step_sigma=None,
    kill=None, network=None, latency=None, bandwidth=None, jitter=None, network_slowdown=None,
)
# Run options that are estimator parameters but not flags of `parley train` under that name.
_NOT_FLAGS = {"validation_fraction"}


def _history(log):
    """The metrics log's evaluations (its lines with an epoch; events are left out)."""
    return [line for line in log if "event" not in line]


class _ParleyRun:
    """What the estimators share: run flags from their parameters, and the run."""

    def _run_flags(self, model_flags, partial=False):
        options = {k: getattr(self, k) for k in _RUN_DEFAULTS if k not in _NOT_FLAGS}
        if options["algo"] == "sequential":
            options.pop("workers")  # sequential has one worker
        if options["backup"] == 0:
            options.pop("backup")
        if options["local_steps"] == 0:
            options.pop("local_steps")
        if partial:
            options["epochs"] = 1.0
        if self.validation_fraction:
            options["test_fraction"] = self.validation_fraction
        options.update(model_flags)
        options["quiet"] = True
        options["no_progress"] = True
        return _run.to_flags(options)

    def _record(self, summary, history):
        self.summary_ = summary
        self.history_ = _history(history)
        self.n_iter_ = float(summary.get("epochs", 0))


def _store_params(estimator, arguments):
    """Keeps __init__'s arguments as attributes of the same names, unchanged (scikit-learn's
    convention: get_params reads them back by the signature's names)."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def _check_positive(name, value, kind=int):
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


class SGDClassifier(_ParleyRun, ClassifierMixin, BaseEstimator):
    """A linear or neural classifier trained by parley's distributed SGD.

    model: "logreg" (L2 logistic regression), "svm" (L2 linear SVM, hinge loss), "softmax"
    (multinomial), "mlp" (softmax with ReLU hidden layers ``hidden``). logreg and svm are
    binary in the engine: with more than two classes they are trained one-vs-rest (one run
    per class), as scikit-learn's SGDClassifier does. logreg/svm run on sparse rows (a dense
    X is converted to CSR, a copy); softmax/mlp on dense rows (a sparse X is densified).
    bias: logreg/svm's constant feature (fit_intercept; < 0: none). The step sizes default to
    lr / sqrt(1 + t / lr_t0) (schedule="invsqrt", lr=0.5, lr_t0=100) on batches of 32: on
    Fashion-MNIST (softmax, pex, 2 workers, 5 epochs, seeds 0-9) the last iterate scored
    0.8337-0.8410 in 20 runs, 10 on an idle machine and 10 beside three busy processes; the
    previous defaults (lr=0.2, lr_t0=1000, batches of 16) scored 0.8311-0.8406 in the same
    settings, 0.8234 once on the command line and 0.8046 once in CI: their last steps were
    larger, so the last iterate was noisier.
    """

    def __init__(self, model="logreg", l2=1e-4, bias=1.0, hidden=(128,), algo="sequential",
                 workers=1, backup=0, local_steps=0, epochs=10.0, batch=32, lr=0.5,
                 schedule="invsqrt", lr_t0=100.0, momentum=0.0, eval_every=1.0, target=None,
                 validation_fraction=0.0, time_limit=0.0, seed=1, step_time=None,
                 slowdown=None, stragglers=None, step_sigma=None, kill=None, network=None,
                 latency=None, bandwidth=None, jitter=None, network_slowdown=None):
        _store_params(self, locals())

    # --- input ---------------------------------------------------------------------------

    def _sparse_model(self):
        return self.model in ("logreg", "svm")

    def _check_params(self):
        if self.model not in ("logreg", "svm", "softmax", "mlp"):
            raise ValueError(
                f"model must be 'logreg', 'svm', 'softmax' or 'mlp', got {self.model!r}")
        _check_positive("epochs", self.epochs)
        _check_positive("lr", self.lr)
        _check_positive("batch", self.batch)

    def _dataset(self, X, y):
        if self._sparse_model():
            return _run.csr_dataset(X, y)
        if sp.issparse(X):
            X = X.toarray()
        return _run.dense_dataset(X, y)

    def _model_flags(self, classes):
        flags = {"model": self.model, "l2": self.l2}
        if self._sparse_model():
            flags["bias"] = self.bias
        if self.model == "mlp":
            flags["hidden"] = tuple(self.hidden)
        return flags

    def _encode(self, y):
        """Class indices of y among classes_; a label not in classes_ is an error."""
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        if not np.all(self.classes_[idx] == y):
            unknown = np.setdiff1d(np.unique(y), self.classes_)
            raise ValueError(f"y contains labels not in classes_: {unknown[:5]}")
        return idx

    # --- fit -----------------------------------------------------------------------------

    def fit(self, X, y, eval_set=None):
        """Trains from scratch on X (n_samples x n_features, dense or sparse) and labels y.
        eval_set: optional (X_test, y_test), evaluated at every evaluation point (history_)
        and used by target=. Returns self."""
        self._check_params()
        X, y = self._validate_data(X, y, accept_sparse="csr", dtype=np.float32, order="C")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                "SGDClassifier needs samples of at least two classes in the data, but the "
                f"data contain only one class: {self.classes_[0]!r}")
        self._fit(X, y, eval_set, initial=None)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y, starting from the current parameters (from scratch on the
        first call, which must give ``classes``, all the labels y will ever hold). The
        learning-rate schedule restarts at every call. Returns self."""
        self._check_params()
        first = not hasattr(self, "classes_")
        X, y = self._validate_data(X, y, accept_sparse="csr", dtype=np.float32, order="C",
                                   reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = np.unique(classes)
            if len(self.classes_) < 2:
                raise ValueError("partial_fit needs at least two classes")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes={classes!r} is not the same as on the first call to "
                             f"partial_fit: {self.classes_!r}")
        self._fit(X, y, None, initial=None if first else self._params, partial=True)
        return self

    def _fit(self, X, y, eval_set, initial, partial=False):
        yi = self._encode(y)
        if partial and not self._sparse_model() and yi.max() != len(self.classes_) - 1:
            # The engine sizes the output layer from the largest class index in the data.
            raise ValueError(f"partial_fit with model={self.model!r}: every batch must hold "
                             f"the last class, {self.classes_[-1]!r}")
        test = None
        if eval_set is not None:
            Xt, yt = eval_set
            Xt = self._validate_data(Xt, accept_sparse="csr", dtype=np.float32, order="C",
                                     reset=False)
            test = (Xt, self._encode(column_or_1d(yt)))
        C = len(self.classes_)
        flags = self._run_flags(self._model_flags(self.classes_), partial=partial)
        if self._sparse_model() and C > 2:
            # One-vs-rest: one binary run per class.
            params, histories, summaries, config = [], [], [], None
            for c in range(C):
                yc = (yi == c).astype(np.float32)
                train = self._dataset(X, yc)
                t = None if test is None else self._dataset(test[0], (test[1] == c))
                summary, history, config, p = _run.fit(
                    flags, train, t, None if initial is None else initial[c])
                params.append(p)
                histories.append(history)
                summaries.append(summary)
            self._params = params
            self._config = config
            self._record(summaries[-1], histories[-1])
            self.summary_ = summaries
            self.history_ = [_history(h) for h in histories]
        else:
            labels = yi if C > 2 or not self._sparse_model() else (yi == 1)
            train = self._dataset(X, labels)
            t = None
            if test is not None:
                t = self._dataset(test[0], test[1] if C > 2 or not self._sparse_model()
                                  else (test[1] == 1))
            init = None if initial is None else (initial[0] if self._sparse_model() else initial)
            summary, history, config, p = _run.fit(flags, train, t, init)
            self._params = [p] if self._sparse_model() else p
            self._config = config
            self._record(summary, history)
        d = X.shape[1]
        if self._sparse_model():
            P = np.vstack(self._params)
            self.coef_ = P[:, :d]
            self.intercept_ = (P[:, d] * self.bias if self.bias >= 0 else np.zeros(P.shape[0]))
        else:
            self.params_ = self._params
        return self

    # --- predict -------------------------------------------------------------------------

    def _check_X(self, X):
        check_is_fitted(self, "classes_")
        return self._validate_data(X, accept_sparse="csr", dtype=(np.float64, np.float32),
                                   reset=False)

    def decision_function(self, X):
        """Scores: shape (n_samples,) for two classes (> 0: classes_[1]), else
        (n_samples, n_classes)."""
        X = self._check_X(X)
        if self._sparse_model():
            scores = np.column_stack([_models.linear_scores(self._config, p, X)
                                      for p in self._params])
            return scores.ravel() if scores.shape[1] == 1 else scores
        logits = _models.mlp_logits(self._config, self._params, X)
        if len(self.classes_) == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.int64)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _has_proba(self):
        return self.model != "svm"

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Class probabilities (logreg: sigmoid, normalised over classes one-vs-rest;
        softmax/mlp: softmax). Not for svm."""
        X = self._check_X(X)
        if self._sparse_model():
            scores = np.column_stack([_models.linear_scores(self._config, p, X)
                                      for p in self._params])
            p = expit(scores)
            if p.shape[1] == 1:
                return np.hstack([1 - p, p])
            return p / p.sum(axis=1, keepdims=True)
        return _models.softmax(_models.mlp_logits(self._config, self._params, X))

    @available_if(_has_proba)
    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))


class KMeans(_ParleyRun, ClusterMixin, BaseEstimator):
    """K-means trained by parley's mini-batch SGD (kmeans_step="count": each centre moves
    towards its points by 1/count, scikit-learn's MiniBatchKMeans update; "lr": the gradient
    of the batch-mean loss, step lr). The centres start from greedy k-means++ seeding.
    Dense rows (a sparse X is densified, a copy)."""

    def __init__(self, n_clusters=8, kmeans_step="count", algo="sequential", workers=1,
                 backup=0, local_steps=0, epochs=10.0, batch=32, lr=1.0, schedule="constant",
                 lr_t0=None, momentum=0.0, eval_every=1.0, target=None, validation_fraction=0.0,
                 time_limit=0.0, seed=1, step_time=None, slowdown=None, stragglers=None,
                 step_sigma=None, kill=None, network=None, latency=None, bandwidth=None,
                 jitter=None, network_slowdown=None):
        _store_params(self, locals())

    def fit(self, X, y=None):
        """Fits k centres to X (n_samples x n_features). Returns self."""
        if not isinstance(self.n_clusters, (int, np.integer)) or self.n_clusters < 1:
            raise ValueError(f"n_clusters must be an integer >= 1, got {self.n_clusters!r}")
        _check_positive("epochs", self.epochs)
        X = self._validate_data(X, accept_sparse="csr", dtype=np.float32, order="C")
        if sp.issparse(X):
            X = X.toarray()
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        # The engine's dense rows carry a label each; K-means ignores them (zeros).
        train = _run.dense_dataset(X, np.zeros(X.shape[0], dtype=np.float32))
        flags = self._run_flags({"model": "kmeans", "clusters": self.n_clusters,
                                 "kmeans_step": self.kmeans_step})
        summary, history, config, params = _run.fit(flags, train)
        self._config = config
        self.cluster_centers_ = _models.kmeans_centres(config, params)
        self._record(summary, history)
        self.labels_ = self.predict(X)
        a = X.astype(np.float64)
        self.inertia_ = float(((a - self.cluster_centers_[self.labels_]) ** 2).sum())
        return self

    def predict(self, X):
        """The nearest centre of every row."""
        check_is_fitted(self, "cluster_centers_")
        X = self._validate_data(X, accept_sparse="csr", dtype=(np.float64, np.float32),
                                reset=False)
        return _models.nearest_centre(self.cluster_centers_, X)

    def fit_transform(self, X, y=None):
        """fit(X), then transform(X)."""
        return self.fit(X).transform(X)

    def transform(self, X):
        """Distances of every row to every centre."""
        check_is_fitted(self, "cluster_centers_")
        X = self._validate_data(X, accept_sparse="csr", dtype=(np.float64, np.float32),
                                reset=False)
        a = X.toarray() if sp.issparse(X) else X.astype(np.float64)
        c = self.cluster_centers_
        d2 = (a * a).sum(axis=1)[:, None] - 2 * a @ c.T + (c * c).sum(axis=1)
        return np.sqrt(np.maximum(d2, 0))


class MatrixFactorization(_ParleyRun, BaseEstimator):
    """Matrix factorisation with biases (r_hat = mu + b_u + b_i + <p_u, q_i>, LIBMF's
    per-rating L2), trained by parley's SGD: fit(users, items, ratings), predict(users,
    items). Users and items are any integer ids; ids not seen by fit are predicted from mu
    and the known side's bias and factors (zero for the unknown side)."""

    def __init__(self, rank=32, l2=0.05, init_scale=0.1, algo="sequential", workers=1,
                 backup=0, local_steps=0, epochs=10.0, batch=1, lr=0.01, schedule="constant",
                 lr_t0=None, momentum=0.0, eval_every=1.0, target=None, validation_fraction=0.0,
                 time_limit=0.0, seed=1, step_time=None, slowdown=None, stragglers=None,
                 step_sigma=None, kill=None, network=None, latency=None, bandwidth=None,
                 jitter=None, network_slowdown=None):
        _store_params(self, locals())

    @staticmethod
    def _triples(users, items, ratings=None):
        users = column_or_1d(np.asarray(users))
        items = column_or_1d(np.asarray(items))
        if users.shape != items.shape:
            raise ValueError(f"users and items differ in length: {users.shape[0]} and "
                             f"{items.shape[0]}")
        if users.dtype.kind not in "iu" or items.dtype.kind not in "iu":
            raise ValueError("users and items must be integer ids")
        if ratings is not None:
            ratings = column_or_1d(np.asarray(ratings, dtype=np.float32))
            if ratings.shape != users.shape:
                raise ValueError(f"ratings has {ratings.shape[0]} entries, users "
                                 f"{users.shape[0]}")
            if not np.all(np.isfinite(ratings)):
                raise ValueError("Input ratings contains NaN or infinity.")
        return users, items, ratings

    def _index(self, ids, known):
        idx = np.clip(np.searchsorted(known, ids), 0, len(known) - 1)
        return idx.astype(np.uint32), known[idx] == ids

    def fit(self, users, items, ratings, eval_set=None):
        """Fits the factors to the (user, item, rating) triples; eval_set: optional
        (users, items, ratings) evaluated at every evaluation point (RMSE in history_).
        Returns self."""
        _check_positive("rank", self.rank)
        _check_positive("epochs", self.epochs)
        users, items, ratings = self._triples(users, items, ratings)
        if users.size == 0:
            raise ValueError("Found array with 0 ratings while a minimum of 1 is required.")
        self.user_ids_, u = np.unique(users, return_inverse=True)
        self.item_ids_, i = np.unique(items, return_inverse=True)
        nu, ni = len(self.user_ids_), len(self.item_ids_)
        from . import _parley
        train = _parley.ratings(np.ascontiguousarray(u, dtype=np.uint32),
                                np.ascontiguousarray(i, dtype=np.uint32),
                                np.ascontiguousarray(ratings), nu, ni)
        test = None
        if eval_set is not None:
            tu, ti, tr = self._triples(*eval_set)
            tu, ku = self._index(tu, self.user_ids_)
            ti, ki = self._index(ti, self.item_ids_)
            keep = ku & ki  # the engine evaluates known users and items only
            test = _parley.ratings(np.ascontiguousarray(tu[keep]), np.ascontiguousarray(ti[keep]),
                                   np.ascontiguousarray(tr[keep]), nu, ni)
        flags = self._run_flags({"model": "mf", "rank": self.rank, "l2": self.l2,
                                 "init_scale": self.init_scale})
        summary, history, config, params = _run.fit(flags, train, test)
        self._config = config
        self._params = params
        mu, bi, q, bu, p = _models.mf_parts(config, params)
        self.global_mean_ = mu
        self.item_bias_, self.item_factors_ = bi, q
        self.user_bias_, self.user_factors_ = bu, p
        self._record(summary, history)
        return self

    def predict(self, users, items):
        """Predicted ratings for (user, item) pairs."""
        check_is_fitted(self, "user_factors_")
        users, items, _ = self._triples(users, items)
        u, ku = self._index(users, self.user_ids_)
        i, ki = self._index(items, self.item_ids_)
        bu = np.where(ku, self.user_bias_[u], 0.0)
        bi = np.where(ki, self.item_bias_[i], 0.0)
        dot = np.einsum("ij,ij->i", self.user_factors_[u], self.item_factors_[i])
        return self.global_mean_ + bu + bi + np.where(ku & ki, dot, 0.0)

    def score(self, users, items, ratings):
        """Minus the RMSE (greater is better, as scikit-learn's scores)."""
        users, items, ratings = self._triples(users, items, ratings)
        return -float(np.sqrt(np.mean((self.predict(users, items) - ratings) ** 2)))
