"""Predictions from a parley model's parameters (the layouts of src/parley/models/*.h).

Every function takes the model's config (the dict ``Model::Config()`` gives, as stored in a
model file) and its parameter vector (float64), and computes in numpy what the engine's
evaluation computes.
"""

import json

import numpy as np
import scipy.sparse as sp

from . import _parley


def linear_scores(config, params, X):
    """logreg/svm: the score <w, x> (+ w_bias * bias) of every row of X (dense or CSR)."""
    d = X.shape[1]
    scores = np.asarray(X @ params[:d], dtype=np.float64).ravel()
    bias = float(config.get("bias", -1))
    if bias >= 0:
        scores = scores + params[d] * bias
    return scores


def mlp_layers(config, params, features):
    """softmax/mlp: the (W as an in x out matrix, b) of every layer."""
    sizes = [features] + list(config.get("hidden", [])) + [int(config["classes"])]
    layers, at = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        # W_l is column-major out x in: element (o, i) at o + i * out, i.e. row-major in x out.
        W = params[at:at + n_in * n_out].reshape(n_in, n_out)
        at += n_in * n_out
        b = params[at:at + n_out]
        at += n_out
        layers.append((W, b))
    if at != params.size:
        raise ValueError(f"the model has {params.size} parameters, its layout {at}")
    return layers


def mlp_logits(config, params, X):
    """softmax/mlp: the output layer's logits for every row of X."""
    a = X.toarray() if sp.issparse(X) else X
    layers = mlp_layers(config, params, a.shape[1])
    for i, (W, b) in enumerate(layers):
        a = a @ W + b
        if i + 1 < len(layers):
            a = np.maximum(a, 0)
    return np.asarray(a, dtype=np.float64)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def kmeans_centres(config, params):
    k = int(config["clusters"])
    return params.reshape(k, params.size // k)


def nearest_centre(centres, X):
    """Index of the nearest centre of every row (ties to the lowest index)."""
    a = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    d2 = (a * a).sum(axis=1)[:, None] - 2 * a @ centres.T + (centres * centres).sum(axis=1)
    return np.argmin(d2, axis=1)


def mf_parts(config, params):
    """mf: (mu, item_bias, item_factors, user_bias, user_factors)."""
    users, items, rank = int(config["users"]), int(config["items"]), int(config["rank"])
    at = 0

    def take(n):
        nonlocal at
        part = params[at:at + n]
        at += n
        return part

    mu = take(1)[0]
    item_bias = take(items)
    item_factors = take(items * rank).reshape(items, rank)
    user_bias = take(users)
    user_factors = take(users * rank).reshape(users, rank)
    if at != params.size:
        raise ValueError(f"the model has {params.size} parameters, its layout {at}")
    return mu, item_bias, item_factors, user_bias, user_factors


def mf_predict(config, params, users, items):
    """mf: r_hat = mu + b_u + b_i + <p_u, q_i> for dense user and item indices."""
    mu, bi, q, bu, p = mf_parts(config, params)
    return mu + bu[users] + bi[items] + np.einsum("ij,ij->i", p[users], q[items])


class Model:
    """A model file loaded by ``parley.load``: ``kind``, ``config`` (dict), ``params``
    (float64 array), ``checkpoint`` (dict, or None for a plain model file), and ``predict``.
    """

    def __init__(self, config, params, checkpoint=None):
        self.config = config
        self.kind = config["kind"]
        self.params = params
        self.checkpoint = checkpoint

    def predict(self, X, items=None):
        """logreg/svm: 0/1 (score > 0); softmax/mlp: class 0..C-1; kmeans: nearest centre;
        mf: predict(users, items) with the model's dense user and item indices."""
        if self.kind in ("logreg", "svm"):
            return (linear_scores(self.config, self.params, X) > 0).astype(np.int64)
        if self.kind in ("softmax", "mlp"):
            return np.argmax(mlp_logits(self.config, self.params, X), axis=1)
        if self.kind == "kmeans":
            return nearest_centre(kmeans_centres(self.config, self.params), X)
        if self.kind == "mf":
            if items is None:
                raise ValueError("an mf model predicts from users and items: predict(users, items)")
            return mf_predict(self.config, self.params, np.asarray(users_or(X)), np.asarray(items))
        raise ValueError(f"predict is not available for {self.kind} models")

    def __repr__(self):
        return f"parley.Model(kind={self.kind!r}, params={self.params.size})"


def users_or(x):
    return np.asarray(x, dtype=np.int64)


def load(path):
    """Loads a model file written by ``parley train --model-out`` (or a checkpoint)."""
    config, params, checkpoint = _parley.load(str(path))
    return Model(json.loads(config), params, json.loads(checkpoint) if checkpoint else None)
