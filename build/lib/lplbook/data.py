"""Data sets for the book: synthetic problems it generates and small real data sets that
ship inside an installed package (scikit-learn's bundled files). Nothing is downloaded.
"""

from __future__ import annotations

import numpy as np

from . import _validate


def _standardize(X):
    X = np.asarray(X, dtype=float)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - X.mean(axis=0)) / scale


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    r"""The Wisconsin breast-cancer data (569 samples, 30 features) bundled with scikit-learn (chapter 6).

    Returns
    -------
    X : ndarray, shape (569, 30)
        Features standardized to mean 0 and standard deviation 1.
    y : ndarray, shape (569,)
        Labels :math:`+1` (benign) and :math:`-1` (malignant).
    """
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    return _standardize(bunch.data), np.where(bunch.target == 1, 1.0, -1.0)


def diabetes() -> tuple[np.ndarray, np.ndarray]:
    r"""The diabetes regression data (442 samples, 10 features, scalar target) bundled with scikit-learn (chapter 7).

    Returns standardized features and the centred target.
    """
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes()
    return _standardize(bunch.data), bunch.target - bunch.target.mean()


def gaussian_regression(N: int, n: int, m: int, rng, *, noise: float = 0.0):
    r"""A synthetic least-squares problem :math:`Y = X\Theta + \text{noise}` with Gaussian :math:`X, \Theta` (chapter 5).

    Parameters
    ----------
    N, n, m : int
        Samples, input and output dimensions.
    rng : numpy.random.Generator
    noise : float
        Standard deviation of Gaussian noise added to :math:`Y`.
    """
    N = _validate.positive_int("N", N)
    n = _validate.positive_int("n", n)
    m = _validate.positive_int("m", m)
    noise = _validate.nonnegative("noise", noise)
    _validate.generator("rng", rng)
    X = rng.standard_normal((N, n))
    Y = X @ rng.standard_normal((n, m)) + noise * rng.standard_normal((N, m))
    return X, Y


def conditioning_ladder(n: int = 20, gaussian_dim: int = 100, seed: int = 20250911) -> dict:
    r"""Four input matrices of ``n`` rows whose :math:`\kappa(XX^\top)` climbs from 1 to about :math:`10^4` (chapter 9).

    All have rows of squared norm about their dimension (features of unit variance), like the
    standardized breast-cancer data.

    - ``"orthogonal rows"``: the first ``n`` breast-cancer rows made orthogonal (Gram–Schmidt,
      via a QR factorization) and scaled to norm :math:`\sqrt d`, so :math:`XX^\top = d\,I`;
    - ``"Gaussian"``: i.i.d. standard normal entries in dimension ``gaussian_dim`` :math:`\gg n`
      (``default_rng(seed)``);
    - ``"breast cancer, whitened"``: the first ``n`` rows after whitening the features with the
      whole data set's covariance (:func:`lplbook.deeplinear.whiten`);
    - ``"breast cancer"``: the first ``n`` standardized rows as they are.

    Returns
    -------
    dict of str to ndarray
        In that order (increasing :math:`\kappa(XX^\top)` for the defaults).
    """
    from .deeplinear import whiten  # local import: the data module stays free of the model modules

    n = _validate.positive_int("n", n)
    gaussian_dim = _validate.positive_int("gaussian_dim", gaussian_dim)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a nonnegative integer, got {_validate.describe(seed)}")
    X_all, y_all = breast_cancer()
    d = X_all.shape[1]
    if not n <= min(d, gaussian_dim):
        raise ValueError(f"n must be at most d = {d} and gaussian_dim = {gaussian_dim} (linearly independent "
                         f"rows), got n = {n}")
    Q, _ = np.linalg.qr(X_all[:n].T)
    return {
        "orthogonal rows": np.sqrt(d) * Q.T,
        "Gaussian": np.random.default_rng(seed).standard_normal((n, gaussian_dim)),
        "breast cancer, whitened": whiten(X_all, y_all)[0][:n],
        "breast cancer": X_all[:n],
    }
