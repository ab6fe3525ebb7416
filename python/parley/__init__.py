"""parley from Python: scikit-learn estimators over parley's distributed SGD engine.

    import parley
    clf = parley.SGDClassifier(model="softmax", algo="pex", workers=2, epochs=5).fit(X, y)
    clf.predict(X_test); clf.history_          # one dict per evaluation of the run
    parley.train(data="train.svm", model="logreg", algo="pex", workers=2)   # the CLI's train
    parley.load("model.parley").predict(X)

See docs/python.md: which arrays go in without a copy, the GIL, Ctrl-C, history_.
"""

from ._estimators import KMeans, MatrixFactorization, SGDClassifier
from ._models import Model, load
from ._run import train

__all__ = ["SGDClassifier", "KMeans", "MatrixFactorization", "train", "load", "Model"]
