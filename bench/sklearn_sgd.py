#!/usr/bin/python3
"""scikit-learn's SGDClassifier on LIBSVM train/test files: the peer of parley's sequential
logistic-regression SGD. Same loss (log-loss + alpha/2 ||w||^2, no intercept), same constant
step size, same epochs, batch size 1. Prints one JSON object."""
import argparse
import json
import time

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import SGDClassifier

ap = argparse.ArgumentParser()
ap.add_argument("train")
ap.add_argument("test")
ap.add_argument("--features", type=int, required=True)
ap.add_argument("--lr", type=float, required=True)
ap.add_argument("--l2", type=float, required=True)
ap.add_argument("--epochs", type=int, required=True)
a = ap.parse_args()

Xtr, ytr = load_svmlight_file(a.train, n_features=a.features)
Xte, yte = load_svmlight_file(a.test, n_features=a.features)
ytr = np.where(ytr > 0, 1, -1)
yte = np.where(yte > 0, 1, -1)
clf = SGDClassifier(loss="log_loss", penalty="l2", alpha=a.l2, fit_intercept=False,
                    learning_rate="constant", eta0=a.lr, max_iter=a.epochs, tol=None,
                    shuffle=True, random_state=1)
t0 = time.perf_counter()
clf.fit(Xtr, ytr)
seconds = time.perf_counter() - t0
print(json.dumps({"peer": "sklearn.SGDClassifier", "seconds": seconds,
                  "seconds_per_epoch": seconds / a.epochs,
                  "nnz_per_second": Xtr.nnz * a.epochs / seconds,
                  "test_accuracy": float(clf.score(Xte, yte)), "train_nnz": int(Xtr.nnz),
                  "train_rows": int(Xtr.shape[0])}))
