"""scikit-learn's own estimator checks, every one of them (none skipped or expected to fail)."""

from sklearn.utils.estimator_checks import check_estimator

import parley


def test_sgd_classifier_passes_check_estimator():
    check_estimator(parley.SGDClassifier())


def test_kmeans_passes_check_estimator():
    check_estimator(parley.KMeans(n_clusters=3))
