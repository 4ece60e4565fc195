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

    @_validate.overflow_guard("X", "Y")
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

    @_validate.overflow_guard("W")
    def residual(self, W) -> np.ndarray:
        r"""Residual :math:`R = Y - XW`, shape (N, m)."""
        W = self._check_W(W)
        return self.Y - self.X @ W

    @_validate.overflow_guard("W")
    def value(self, W) -> float:
        r"""Loss :math:`\ell(W) = \tfrac12\|Y - XW\|_F^2`."""
        R = self.residual(W)
        return float(0.5 * np.sum(R * R))

    @_validate.overflow_guard("W")
    def grad(self, W) -> np.ndarray:
        r"""Gradient :math:`\nabla\ell(W) = -X^\top(Y - XW)`, shape (n, m)."""
        return -self.X.T @ self.residual(W)

    def value_and_grad(self, W, *, check: bool = True) -> tuple[float, np.ndarray]:
        r"""Both :math:`\ell(W)` and :math:`\nabla\ell(W)` from one residual.

        ``check=False`` skips the input validation; :func:`lplbook.gd.run` uses it
        inside its loop after validating the starting point once.
        """
        if not check:  # inside gd.run's loop: no checks, overflow is the engine's to report
            R = self.Y - self.X @ W
            return float(0.5 * np.vdot(R, R)), -self.X.T @ R
        with _validate.overflow_guard("W"):
            R = self.residual(W)
            return float(0.5 * np.vdot(R, R)), -self.X.T @ R


def _singular_values(X):
    sigma = np.linalg.svd(X, compute_uv=False)
    tol = sigma[0] * max(X.shape) * np.finfo(float).eps
    nonzero = sigma[sigma > tol]
    if nonzero.size == 0:
        raise ValueError("X must not be the zero matrix (it has no nonzero singular value)")
    return sigma, nonzero


def _damped_newton(value_grad_hess, w0, *, max_iter=100):
    r"""Minimize a smooth convex function of a vector by Newton's method with backtracking.

    ``value_grad_hess(w)`` returns ``(f, g, H)``; a singular Hessian is handled with a
    least-squares solve (the minimum-norm Newton direction). Stops when the Newton
    decrement is at rounding level.
    """
    w = w0.copy()
    f, g, H = value_grad_hess(w)
    for _ in range(max_iter):
        direction = -np.linalg.lstsq(H, g, rcond=None)[0]
        decrement = -float(g @ direction)
        if decrement <= 1e-28 * max(1.0, abs(f)):
            break
        t = 1.0
        while True:
            f_new, g_new, H_new = value_grad_hess(w + t * direction)
            if f_new <= f - 0.25 * t * decrement or t < 1e-12:
                break
            t *= 0.5
        w, f, g, H = w + t * direction, f_new, g_new, H_new
    return w, f


class _LossMethods:
    """The methods every loss derives from its ``value_and_grad`` and its constants."""

    @property
    def kappa(self) -> float:
        r"""Condition number :math:`\kappa = K/\mu`."""
        return self.K / self.mu

    @_validate.overflow_guard("W")
    def value(self, W) -> float:
        r""":math:`\ell(W)`."""
        return self.value_and_grad(W)[0]

    @_validate.overflow_guard("W")
    def grad(self, W) -> np.ndarray:
        r""":math:`\nabla\ell(W)`."""
        return self.value_and_grad(W)[1]


@dataclass(frozen=True, eq=False)
class LogCoshLoss(_LossMethods):
    r"""A robust regression loss :math:`\ell(W) = \sum_{i,j}\varphi\bigl((XW - Y)_{ij}\bigr)` (chapter 6).

    With :math:`\varphi(r) = r^2/2 + \beta\log\cosh r`, :math:`\varphi'' = 1 + \beta\,\mathrm{sech}^2 r
    \in [1, 1 + \beta]`, so :math:`\ell` is :math:`\mu`-PL with :math:`\mu = \sigma_r^2(X)` (the
    smallest nonzero squared singular value) and :math:`K`-smooth with
    :math:`K = (1 + \beta)\sigma_{\max}^2(X)`; chapter 6 proves both.

    Parameters
    ----------
    X : array_like, shape (N, n)
    Y : array_like, shape (N, m)
    beta : float
        Weight :math:`\beta \ge 0` of the log-cosh term (:math:`\beta = 0` is least squares).

    Attributes
    ----------
    mu, K : float
        The PL and smoothness constants above.
    min_value : float
        :math:`\ell^*`, computed by a damped Newton method column by column (the loss
        separates over the columns of :math:`W`); it is zero when :math:`X` has full row rank.
    minimizer : ndarray, shape (n, m)
        The minimum-norm minimizer found by that Newton method.
    """

    X: np.ndarray
    Y: np.ndarray
    beta: float
    mu: float = field(init=False)
    K: float = field(init=False)
    min_value: float = field(init=False)
    minimizer: np.ndarray = field(init=False, repr=False)

    @_validate.overflow_guard("X", "Y")
    def __post_init__(self):
        X = _validate.matrix("X", self.X).copy()
        Y = _validate.matrix("Y", self.Y).copy()
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"Y must have as many rows as X ({X.shape[0]} samples), got shape {Y.shape}")
        beta = _validate.nonnegative("beta", self.beta)
        X.setflags(write=False)
        Y.setflags(write=False)
        sigma, nonzero = _singular_values(X)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        object.__setattr__(self, "beta", beta)
        object.__setattr__(self, "mu", float(nonzero[-1] ** 2))
        object.__setattr__(self, "K", float((1.0 + beta) * sigma[0] ** 2))
        W_star = np.linalg.lstsq(X, Y, rcond=None)[0]
        if nonzero.size < X.shape[0]:  # l* > 0: minimize each column by Newton's method
            total = 0.0
            for j in range(Y.shape[1]):
                def vgh(w, y=Y[:, j]):
                    r = X @ w - y
                    return (self._phi(r).sum(), X.T @ self._dphi(r), (X.T * self._d2phi(r)) @ X)
                W_star[:, j], f_j = _damped_newton(vgh, W_star[:, j])
                total += f_j
            min_value = float(total)
        else:
            min_value = 0.0
        W_star.setflags(write=False)
        object.__setattr__(self, "minimizer", W_star)
        object.__setattr__(self, "min_value", min_value)

    def _phi(self, r):
        # log cosh r = |r| + log1p(exp(-2|r|)) - log 2, stable for large |r|
        a = np.abs(r)
        return 0.5 * r * r + self.beta * (a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0))

    def _dphi(self, r):
        return r + self.beta * np.tanh(r)

    def _d2phi(self, r):
        return 1.0 + self.beta / np.cosh(np.clip(r, -350.0, 350.0)) ** 2

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(n, m)`` of the variable :math:`W`."""
        return (self.X.shape[1], self.Y.shape[1])

    def value_and_grad(self, W, *, check: bool = True):
        r""":math:`\ell(W)` and :math:`\nabla\ell(W) = X^\top\varphi'(XW - Y)`."""
        if check:
            W = _validate.matrix("W", W)
            _validate.shape("W", W, self.shape)
            with _validate.overflow_guard("W"):
                return self.value_and_grad(W, check=False)
        r = self.X @ W - self.Y
        return float(self._phi(r).sum()), self.X.T @ self._dphi(r)


@dataclass(frozen=True, eq=False)
class LogisticRidgeLoss(_LossMethods):
    r"""Ridge-regularized logistic regression on the end-to-end vector (chapter 6).

    .. math:: \ell(W) = \frac1N\sum_{i=1}^N \log\bigl(1 + e^{-y_i x_i^\top W}\bigr) + \frac{\lambda}{2}\|W\|_F^2,
              \qquad W \in \mathbb{R}^{n\times 1},\; y_i \in \{-1, +1\}.

    Its Hessian lies between :math:`\lambda I` and :math:`(\lambda + \sigma_{\max}^2(X)/(4N))I`, so
    :math:`\ell` is :math:`\lambda`-strongly convex, hence :math:`\mu`-PL with :math:`\mu = \lambda`,
    and :math:`K`-smooth with :math:`K = \lambda + \sigma_{\max}^2(X)/(4N)` (chapter 6).

    Parameters
    ----------
    X : array_like, shape (N, n)
        Features (rows are samples).
    y : array_like, shape (N,) or (N, 1)
        Labels in :math:`\{-1, +1\}`.
    lam : float
        Ridge weight :math:`\lambda > 0`.

    Attributes
    ----------
    mu, K, min_value : float
        :math:`\lambda`, the smoothness constant above, and :math:`\ell^*` computed by a
        damped Newton method (the minimizer is unique).
    minimizer : ndarray, shape (n, 1)
    """

    X: np.ndarray
    y: np.ndarray
    lam: float
    mu: float = field(init=False)
    K: float = field(init=False)
    min_value: float = field(init=False)
    minimizer: np.ndarray = field(init=False, repr=False)

    @_validate.overflow_guard("X", "Y")
    def __post_init__(self):
        X = _validate.matrix("X", self.X).copy()
        y = _validate.finite_array("y", self.y).reshape(-1).copy()
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have one label per row of X ({X.shape[0]}), got shape {np.shape(self.y)}")
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError("y must have labels in {-1, +1} only")
        lam = _validate.positive("lam", self.lam)
        X.setflags(write=False)
        y.setflags(write=False)
        sigma, _ = _singular_values(X)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "mu", lam)
        object.__setattr__(self, "K", float(lam + sigma[0] ** 2 / (4.0 * X.shape[0])))
        N = X.shape[0]
        Z = y[:, None] * X  # margins are Z @ w

        def vgh(w):
            z = Z @ w
            p = _sigmoid(-z)  # = 1 - sigmoid(z)
            f = float(np.sum(np.logaddexp(0.0, -z)) / N + 0.5 * lam * w @ w)
            g = -Z.T @ p / N + lam * w
            H = (Z.T * (p * (1.0 - p))) @ Z / N + lam * np.eye(w.size)
            return f, g, H

        w_star, f_star = _damped_newton(vgh, np.zeros(X.shape[1]))
        w_star = w_star[:, None]
        w_star.setflags(write=False)
        object.__setattr__(self, "minimizer", w_star)
        object.__setattr__(self, "min_value", float(f_star))

    @property
    def shape(self) -> tuple[int, int]:
        """Shape ``(n, 1)`` of the variable :math:`W`."""
        return (self.X.shape[1], 1)

    def value_and_grad(self, W, *, check: bool = True):
        r""":math:`\ell(W)` and :math:`\nabla\ell(W) = -\frac1N\sum_i \sigma(-y_ix_i^\top W)\,y_ix_i + \lambda W`."""
        if check:
            W = _validate.matrix("W", W)
            _validate.shape("W", W, self.shape)
            with _validate.overflow_guard("W"):
                return self.value_and_grad(W, check=False)
        z = self.y * (self.X @ W[:, 0])
        N = self.X.shape[0]
        value = float(np.sum(np.logaddexp(0.0, -z)) / N + 0.5 * self.lam * np.vdot(W, W))
        grad = -(self.X.T @ (self.y * _sigmoid(-z)))[:, None] / N + self.lam * W
        return value, grad


def _sigmoid(z):
    """The logistic function, without overflow for large |z|."""
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def unique_minimizer(loss) -> np.ndarray:
    r"""The unique minimizer :math:`W^*` of a :math:`\mu`-strongly convex loss (chapters 3–5).

    The constants of [XMTMV25] (its Table 2, Theorems 3.1–3.2) assume that :math:`\ell` is
    :math:`\mu`-strongly convex (their Assumption 2.1), which makes :math:`W^*` unique. For
    least squares and the log-cosh loss this holds exactly when :math:`X` has full column
    rank (then :math:`\mu = \sigma_{\min}^2(X)` is the strong-convexity constant); the
    ridge-logistic loss is always :math:`\lambda`-strongly convex. Any other object must
    say so itself, with ``strongly_convex = True`` and a ``minimizer`` attribute.

    Raises
    ------
    ValueError
        Naming ``loss``, when it is not strongly convex (an under-determined least-squares
        problem, ``mu == 0``, or a loss that does not declare a unique minimizer).
    """
    mu = getattr(loss, "mu", None)
    if not isinstance(mu, (float, int, np.floating)) or not mu > 0:
        raise ValueError(f"loss must be mu-strongly convex with mu > 0 (Assumption 2.1 of XMTMV25), "
                         f"got mu = {mu!r}")
    if isinstance(loss, (SquaredLoss, LogCoshLoss)):
        n = loss.X.shape[1]
        rank = int(np.linalg.matrix_rank(loss.X))
        if rank < n:
            raise ValueError(
                f"loss must be strongly convex with a unique minimizer (Assumption 2.1 of XMTMV25): "
                f"X must have full column rank {n}, got rank {rank}; an under-determined problem "
                f"has a whole affine set of minimizers")
        if isinstance(loss, SquaredLoss):
            return np.linalg.lstsq(loss.X, loss.Y, rcond=None)[0]
        return np.array(loss.minimizer)
    if isinstance(loss, LogisticRidgeLoss):
        return np.array(loss.minimizer)
    if getattr(loss, "strongly_convex", False) is True and hasattr(loss, "minimizer"):
        return _validate.matrix("loss.minimizer", loss.minimizer)
    raise ValueError(f"loss must be strongly convex with a unique minimizer (Assumption 2.1 of XMTMV25); "
                     f"{type(loss).__name__} does not declare strongly_convex = True and a minimizer")
