r"""Losses :math:`\ell(W)` of the non-overparametrized problem and their constants.

The book's non-overparametrized problem is to minimize a loss :math:`\ell(W)` over
:math:`W \in \mathbb{R}^{n\times m}` that is :math:`\mu`-PL,

.. math:: \tfrac12\|\nabla\ell(W)\|_F^2 \ge \mu\,(\ell(W) - \ell^*),

and :math:`K`-smooth (:math:`\nabla\ell` is :math:`K`-Lipschitz); see chapter 1,
*PL, the Descent Lemma and linear convergence*. Every loss here exposes ``value``,
``grad``, ``mu``, ``K`` and ``min_value`` (:math:`\ell^*`), all computed from the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _validate


@dataclass(frozen=True, eq=False)
class SquaredLoss:
    r"""Least squares :math:`\ell(W) = \tfrac12\|Y - XW\|_F^2` (chapter 1).

    Parameters
    ----------
    X : array_like, shape (N, n)
        Data matrix; its rows are the :math:`N` samples.
    Y : array_like, shape (N, m)
        Targets.

    Attributes
    ----------
    mu : float
        PL constant: the smallest *nonzero* squared singular value of :math:`X`.
        Least squares is :math:`\mu`-PL with this constant even when
        :math:`X^\top X` is singular and :math:`\ell` is not strongly convex.
    K : float
        Smoothness constant :math:`\sigma_{\max}^2(X)`, the largest eigenvalue
        of the Hessian :math:`X^\top X \otimes I_m`.
    min_value : float
        :math:`\ell^* = \tfrac12\|(I - P_X)Y\|_F^2` with :math:`P_X` the orthogonal
        projector onto the column space of :math:`X`; it is zero when :math:`X` has
        full row rank (:math:`N \le n`).
    rank : int
        Numerical rank of :math:`X`.

    Notes
    -----
    The gradient is :math:`\nabla\ell(W) = -X^\top(Y - XW)`. The constants come
    from the singular values of the data matrix :math:`X` (never of a factor of a
    network), with the rank decided by NumPy's default tolerance
    ``sigma_max * max(N, n) * eps``.
    """

    X: np.ndarray
    Y: np.ndarray
    mu: float = field(init=False)
    K: float = field(init=False)
    min_value: float = field(init=False)
    rank: int = field(init=False)

    def __post_init__(self):
        X = _validate.matrix("X", self.X).copy()  # own the data: read-only below
        Y = _validate.matrix("Y", self.Y).copy()
        if Y.shape[0] != X.shape[0]:
            raise ValueError(
                f"Y must have as many rows as X ({X.shape[0]} samples), got shape {Y.shape}"
            )
        X.setflags(write=False)
        Y.setflags(write=False)
        sigma = np.linalg.svd(X, compute_uv=False)
        tol = sigma[0] * max(X.shape) * np.finfo(float).eps
        nonzero = sigma[sigma > tol]
        if nonzero.size == 0:
            raise ValueError("X must not be the zero matrix (it has no nonzero singular value)")
        # least-squares residual: (I - P_X) Y, with the projector from lstsq
        W_star, *_ = np.linalg.lstsq(X, Y, rcond=None)
        residual = Y - X @ W_star
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "mu", float(nonzero[-1] ** 2))
        object.__setattr__(self, "K", float(sigma[0] ** 2))
        object.__setattr__(self, "rank", int(nonzero.size))
        # with full row rank (rank = N) every Y is fitted exactly: l* = 0, not rounding noise
        min_value = 0.0 if nonzero.size == X.shape[0] else float(0.5 * np.sum(residual**2))
        object.__setattr__(self, "min_value", min_value)

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(n, m)`` of the variable :math:`W`."""
        return (self.X.shape[1], self.Y.shape[1])

    @property
    def kappa(self) -> float:
        r"""Condition number :math:`\kappa = K/\mu`."""
        return self.K / self.mu

    def _check_W(self, W) -> np.ndarray:
        W = _validate.matrix("W", W)
        _validate.shape("W", W, self.shape)
        return W

    def residual(self, W) -> np.ndarray:
        r"""Residual :math:`R = Y - XW`, shape (N, m)."""
        W = self._check_W(W)
        return self.Y - self.X @ W

    def value(self, W) -> float:
        r"""Loss :math:`\ell(W) = \tfrac12\|Y - XW\|_F^2`."""
        R = self.residual(W)
        return float(0.5 * np.sum(R * R))

    def grad(self, W) -> np.ndarray:
        r"""Gradient :math:`\nabla\ell(W) = -X^\top(Y - XW)`, shape (n, m)."""
        return -self.X.T @ self.residual(W)

    def value_and_grad(self, W, *, check: bool = True) -> tuple[float, np.ndarray]:
        r"""Both :math:`\ell(W)` and :math:`\nabla\ell(W)` from one residual.

        ``check=False`` skips the input validation; :func:`lplbook.gd.run` uses it
        inside its loop after validating the starting point once.
        """
        R = self.residual(W) if check else self.Y - self.X @ W
        return float(0.5 * np.vdot(R, R)), -self.X.T @ R
