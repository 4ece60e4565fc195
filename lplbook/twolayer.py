r"""Two-layer linear networks :math:`L(W_1, W_2) = \ell(W_1 W_2)` (chapters 2–5).

Shapes: :math:`W_1 \in \mathbb{R}^{n\times h}`, :math:`W_2 \in \mathbb{R}^{h\times m}`,
width :math:`h \ge \min(n, m)` so that :math:`\min L = \ell^*`. The gradients are

.. math:: G_1 = \nabla\ell(W)\,W_2^\top, \qquad G_2 = W_1^\top\nabla\ell(W),
          \qquad W = W_1 W_2,

and the imbalance is :math:`D = W_1^\top W_1 - W_2 W_2^\top`. Chapter 2 studies the
scalar case :math:`n = h = m = 1`, :math:`L(a, b) = \tfrac12(ab - y)^2`.

Chapter 3 introduces the operator :math:`\mathcal T(E) = W_1W_1^\top E + E\,W_2^\top W_2` on
:math:`\mathbb{R}^{n\times m}`, with :math:`\|\nabla L\|_F^2 = \langle\nabla\ell, \mathcal T(\nabla\ell)\rangle`
and eigenvalues :math:`\lambda_i(W_1W_1^\top) + \lambda_j(W_2^\top W_2)`; from it the local PL
constant :math:`\mu_{\rm loc}` and the local smoothness constant :math:`K_{\rm loc}(\eta)`.
Chapter 4 bounds :math:`\lambda_{\min}(\mathcal T)` from below by the imbalance and the margin.
Every spectral quantity here comes from the small Gram matrices (:math:`n\times n`,
:math:`m\times m`), or, for the imbalance, from an :math:`(n+m)\times(n+m)` triangular
factor; never from an SVD of an :math:`n\times h` factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import _validate, gd


def _check_pair(W1, W2):
    W1 = _validate.matrix("W1", W1)
    W2 = _validate.matrix("W2", W2)
    h = W1.shape[1]
    if W2.shape[0] != h:
        raise ValueError(f"W2 must have W1's width h = {h} rows, got shape {W2.shape}")
    n, m = W1.shape[0], W2.shape[1]
    if h < min(n, m):
        raise ValueError(f"width h must be >= min(n, m) = {min(n, m)}, got h = {h}")
    return W1, W2


def _check_factors(loss, W1, W2):
    W1 = _validate.matrix("W1", W1)
    W2 = _validate.matrix("W2", W2)
    n, m = loss.shape
    _validate.shape("W1", W1, (n, None))
    h = W1.shape[1]
    _validate.shape("W2", W2, (h, m))
    return _check_pair(W1, W2)


def _eigvalsh_psd(G):
    """Ascending eigenvalues of a PSD Gram matrix, rounding noise below 0 clipped to 0."""
    return np.clip(np.linalg.eigvalsh(G), 0.0, None)


def _spectral_norm(M):
    """:math:`\\|M\\|_2` from the smaller Gram matrix of ``M``."""
    G = M.T @ M if M.shape[1] <= M.shape[0] else M @ M.T
    return float(np.sqrt(_eigvalsh_psd(G)[-1]))


def loss(loss, W1, W2) -> float:
    r""":math:`L(W_1, W_2) = \ell(W_1 W_2)` (chapter 2)."""
    W1, W2 = _check_factors(loss, W1, W2)
    return loss.value(W1 @ W2)


def grads(loss, W1, W2) -> tuple[np.ndarray, np.ndarray]:
    r"""The gradients :math:`(G_1, G_2) = (\nabla\ell(W) W_2^\top,\ W_1^\top\nabla\ell(W))` (chapter 2)."""
    W1, W2 = _check_factors(loss, W1, W2)
    grad_l = loss.grad(W1 @ W2)
    return grad_l @ W2.T, W1.T @ grad_l


def imbalance(W1, W2) -> np.ndarray:
    r"""The imbalance :math:`D = W_1^\top W_1 - W_2 W_2^\top`, shape (h, h) (chapters 2 and 4)."""
    W1, W2 = _check_pair(W1, W2)
    return W1.T @ W1 - W2 @ W2.T


class Objective:
    r"""The objective ``(W1, W2) -> (L, (G1, G2))`` for :func:`lplbook.gd.run` (chapter 2).

    One product :math:`W = W_1W_2`, one residual and two gradient products per call. It
    keeps :math:`W` and :math:`\nabla\ell(W)` of its last evaluation (``last_W``,
    ``last_grad_ell``, and the factors it was called with), so that a step policy run
    beside it (:class:`AdaptiveStep`) does not recompute them.
    """

    def __init__(self, loss):
        self.loss = loss
        self.last_factors = None
        self.last_W = None
        self.last_grad_ell = None
        self.evaluations = 0
        self._value_and_grad = _unchecked(loss)

    def __call__(self, factors):
        W1, W2 = factors
        W = W1 @ W2
        value, grad_l = self._value_and_grad(W)
        self.last_factors, self.last_W, self.last_grad_ell = (W1, W2), W, grad_l
        self.evaluations += 1
        return value, (grad_l @ W2.T, W1.T @ grad_l)


def _unchecked(loss):
    method = loss.value_and_grad
    try:
        method.__func__  # a bound method of a loss class
        if "check" in method.__code__.co_varnames:
            return lambda W: method(W, check=False)
    except AttributeError:
        pass
    return method


def objective(loss) -> Objective:
    r"""The objective ``(W1, W2) -> (L, (G1, G2))`` of :math:`L = \ell(W_1W_2)` (chapter 2); see :class:`Objective`."""
    return Objective(loss)


# ---------------------------------------------------------------------------
# the operator T and the local constants (chapter 3)
# ---------------------------------------------------------------------------
def apply_T(W1, W2, E) -> np.ndarray:
    r"""The operator :math:`\mathcal T(E) = W_1W_1^\top E + E\,W_2^\top W_2` (chapter 3).

    Parameters
    ----------
    W1 : ndarray, shape (n, h)
    W2 : ndarray, shape (h, m)
    E : ndarray, shape (n, m)
    """
    W1, W2 = _check_pair(W1, W2)
    E = _validate.matrix("E", E)
    _validate.shape("E", E, (W1.shape[0], W2.shape[1]))
    return W1 @ (W1.T @ E) + (E @ W2.T) @ W2


def gram_eigenvalues(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    r"""Ascending eigenvalues of :math:`W_1W_1^\top` (n of them) and :math:`W_2^\top W_2` (m) (chapter 3)."""
    W1, W2 = _check_pair(W1, W2)
    return _eigvalsh_psd(W1 @ W1.T), _eigvalsh_psd(W2.T @ W2)


def T_spectrum(W1, W2) -> np.ndarray:
    r"""All :math:`nm` eigenvalues :math:`\lambda_i(W_1W_1^\top) + \lambda_j(W_2^\top W_2)` of
    :math:`\mathcal T`, ascending (chapter 3).

    :math:`\mathcal T` is the Kronecker sum :math:`I_m\otimes W_1W_1^\top + W_2^\top W_2\otimes I_n`
    acting on :math:`\operatorname{vec}(E)`, so its eigenvalues are the pairwise sums.
    """
    lam1, lam2 = gram_eigenvalues(W1, W2)
    return np.sort((lam1[:, None] + lam2[None, :]).ravel())


def T_extremes(W1, W2) -> tuple[float, float]:
    r""":math:`(\lambda_{\min}(\mathcal T), \lambda_{\max}(\mathcal T))`, each a sum of Gram extremes (chapter 3)."""
    lam1, lam2 = gram_eigenvalues(W1, W2)
    return float(lam1[0] + lam2[0]), float(lam1[-1] + lam2[-1])


@dataclass(frozen=True)
class LocalConstants:
    r"""The local constants of :math:`L` at :math:`(W_1, W_2)` for a step :math:`\eta` (chapter 3).

    Attributes
    ----------
    loss : float
        :math:`L(W_1, W_2)`.
    gap : float
        :math:`L - \ell^*`.
    grad_sq_norm : float
        :math:`\|\nabla L\|_F^2 = \|G_1\|_F^2 + \|G_2\|_F^2`.
    grad_ell_spectral : float
        :math:`\|\nabla\ell(W)\|_2`.
    T_min, T_max : float
        :math:`\lambda_{\min}(\mathcal T)` and :math:`\lambda_{\max}(\mathcal T)`.
    mu_loc : float
        Local PL constant :math:`\mu\,\lambda_{\min}(\mathcal T)`.
    K_loc : float
        Local smoothness constant :math:`K_{\rm loc}(\eta)`.
    eta : float
        The step size :math:`K_{\rm loc}` was evaluated at.
    """

    loss: float
    gap: float
    grad_sq_norm: float
    grad_ell_spectral: float
    T_min: float
    T_max: float
    mu_loc: float
    K_loc: float
    eta: float


def _K_loc(K, grad_ell_spectral, T_max, grad_norm, eta):
    return grad_ell_spectral + K * (np.sqrt(T_max) + 0.5 * eta * grad_norm) ** 2


def local_constants(loss, W1, W2, eta) -> LocalConstants:
    r"""Every local constant of chapter 3 at :math:`(W_1, W_2)`, from one residual.

    Parameters
    ----------
    loss : a loss of :mod:`lplbook.losses`
        :math:`\ell`, with ``mu`` and ``K``.
    W1 : ndarray, shape (n, h)
    W2 : ndarray, shape (h, m)
    eta : float
        Step size (> 0) at which :math:`K_{\rm loc}(\eta)` is evaluated.
    """
    W1, W2 = _check_factors(loss, W1, W2)
    eta = _validate.positive("eta", eta)
    value, grad_l = loss.value_and_grad(W1 @ W2)
    G1, G2 = grad_l @ W2.T, W1.T @ grad_l
    grad_sq = float(np.vdot(G1, G1) + np.vdot(G2, G2))
    lam1, lam2 = _eigvalsh_psd(W1 @ W1.T), _eigvalsh_psd(W2.T @ W2)
    T_min, T_max = float(lam1[0] + lam2[0]), float(lam1[-1] + lam2[-1])
    spec = _spectral_norm(grad_l)
    return LocalConstants(
        loss=value,
        gap=value - loss.min_value,
        grad_sq_norm=grad_sq,
        grad_ell_spectral=spec,
        T_min=T_min,
        T_max=T_max,
        mu_loc=loss.mu * T_min,
        K_loc=float(_K_loc(loss.K, spec, T_max, np.sqrt(grad_sq), eta)),
        eta=eta,
    )


def local_pl_constant(loss, W1, W2) -> float:
    r"""Local PL constant :math:`\mu_{\rm loc} = \mu\,(\lambda_{\min}(W_1W_1^\top) + \lambda_{\min}(W_2^\top W_2))` (chapter 3).

    At :math:`(W_1, W_2)`, :math:`\tfrac12\|\nabla L\|_F^2 \ge \mu_{\rm loc}\,(L - \ell^*)`.
    """
    W1, W2 = _check_factors(loss, W1, W2)
    return loss.mu * T_extremes(W1, W2)[0]


def local_smoothness(loss, W1, W2, eta) -> float:
    r"""Local smoothness :math:`K_{\rm loc}(\eta) = \|\nabla\ell(W)\|_2 + K(\sqrt{\lambda_{\max}(\mathcal T)} + \tfrac\eta2\|\nabla L\|_F)^2` (chapter 3).

    One gradient step of size :math:`\eta` from :math:`(W_1, W_2)` satisfies
    :math:`L^+ \le L - \eta\|\nabla L\|_F^2 + \tfrac{\eta^2}{2}K_{\rm loc}(\eta)\|\nabla L\|_F^2`.
    """
    return local_constants(loss, W1, W2, eta).K_loc


_NEWTON_TOL = 4 * np.finfo(float).eps


def _solve_step(K, a, s, g, theta):
    r"""Root of :math:`\eta K_{\rm loc}(\eta) = \theta` with :math:`K_{\rm loc}(\eta) = a + K(s + \eta g/2)^2`.

    Works on numbers or, elementwise, on arrays of coefficients. Newton from
    :math:`\theta/(a + Ks^2)`, which lies above the root, decreases monotonically to it.
    """
    c3, c2, c1 = K * g * g / 4.0, K * s * g, a + K * s * s
    eta = theta / c1
    vector = isinstance(eta, np.ndarray)
    for _ in range(100):
        step = (((c3 * eta + c2) * eta + c1) * eta - theta) / ((3.0 * c3 * eta + 2.0 * c2) * eta + c1)
        eta = eta - step
        if (np.all(step <= _NEWTON_TOL * eta) if vector else step <= _NEWTON_TOL * eta):
            break
    return eta


def _step_from_parts(K, a, s_sq, g, theta) -> float:
    r"""The adaptive step from :math:`\|\nabla\ell\|_2`, :math:`\lambda_{\max}(\mathcal T)` and :math:`\|\nabla L\|_F`."""
    if a + K * s_sq <= 0:
        raise ValueError("W1 and W2 must not both vanish at a minimizer: K_loc(0) = 0 there")
    return float(_solve_step(K, a, math.sqrt(max(s_sq, 0.0)), g, theta))


def adaptive_step(loss, W1, W2, theta: float = 1.0) -> float:
    r"""The step :math:`\eta` solving :math:`\eta\,K_{\rm loc}(\eta) = \theta` (chapters 3 and 5).

    The adaptive step of chapter 5 is ``theta = 1``; chapter 3 uses other values of
    ``theta`` to lay a grid of steps up to :math:`\eta K_{\rm loc}(\eta) = 2`.
    :math:`\eta K_{\rm loc}(\eta)` is a cubic in :math:`\eta` with nonnegative coefficients
    and value 0 at 0, so the root is unique. Newton's method started at
    :math:`\eta_0 = \theta/K_{\rm loc}(0) \ge \eta` decreases monotonically to it (the cubic
    is increasing and convex on :math:`\eta > 0`).

    Raises
    ------
    ValueError
        On bad factors, ``theta <= 0``, or when :math:`K_{\rm loc}(0) = 0` (both factors zero
        at a minimizer), where every step is admissible.
    """
    W1, W2 = _check_factors(loss, W1, W2)
    theta = _validate.positive("theta", theta)
    grad_l = loss.grad(W1 @ W2)
    G1, G2 = grad_l @ W2.T, W1.T @ grad_l
    g = float(np.sqrt(np.vdot(G1, G1) + np.vdot(G2, G2)))
    s_sq = float(np.linalg.eigvalsh(W1 @ W1.T)[-1] + np.linalg.eigvalsh(W2.T @ W2)[-1])
    return _step_from_parts(loss.K, _spectral_norm(grad_l), s_sq, g, theta)


def initial_curvature_step(loss, W1, W2) -> float:
    r"""The constant step :math:`1/(K\lambda_{\max}(\mathcal T_0))` at the initialization (chapter 5).

    It is the limit of the adaptive step when the loss is already small, frozen at
    the initial weights.
    """
    W1, W2 = _check_factors(loss, W1, W2)
    return 1.0 / (loss.K * T_extremes(W1, W2)[1])


class AdaptiveStep(gd.StepPolicy):
    r"""The adaptive step policy :math:`\eta_t` with :math:`\eta_t K_{\rm loc}(\eta_t) = \theta` (chapter 5).

    Parameters
    ----------
    source : Objective or loss
        Best: the :class:`Objective` that :func:`lplbook.gd.run` evaluates, so that the
        policy reuses its :math:`W` and :math:`\nabla\ell(W)`; a loss works too (then
        :math:`\nabla\ell` is recomputed).
    theta : float
        Target value of :math:`\eta K_{\rm loc}(\eta)`; 1 is the adaptive step of chapter 5.
    refresh : int
        The Gram matrices :math:`W_1W_1^\top`, :math:`W_2^\top W_2` are carried from step to
        step by the exact update

        .. math:: (W_1W_1^\top)^+ = W_1W_1^\top - \eta(\nabla\ell W^\top + W\nabla\ell^\top)
                  + \eta^2\nabla\ell\,W_2^\top W_2\,\nabla\ell^\top

        (and its mirror for :math:`W_2^\top W_2`), which costs only :math:`n\times m`-sized
        products, and recomputed from the factors every ``refresh`` steps to wash out
        rounding.

    Notes
    -----
    A policy object keeps the Gram matrices of the run it is used in; use one per run.
    """

    def __init__(self, source, theta: float = 1.0, refresh: int = 50):
        loss = source.loss if isinstance(source, Objective) else source
        if not (hasattr(loss, "value_and_grad") and hasattr(loss, "K")):
            raise ValueError(f"source must be a twolayer.Objective or a loss with value_and_grad and K, "
                             f"got {type(source).__name__}")
        self.objective = source if isinstance(source, Objective) else None
        self.loss = source.loss if isinstance(source, Objective) else source
        self.theta = _validate.positive("theta", theta)
        self.refresh = _validate.positive_int("refresh", refresh)
        self._previous = None
        self._stack = None
        self._seen = -1

    def _gradient(self, W1, W2):
        # the objective's cache is used only if it was evaluated on these very arrays since
        # this policy's previous call (gd.run evaluates the objective, then asks for a step)
        obj = self.objective
        fresh = (obj is not None and obj.last_factors is not None and obj.evaluations != self._seen
                 and obj.last_factors[0] is W1 and obj.last_factors[1] is W2)
        if obj is not None:
            self._seen = obj.evaluations
        if fresh:
            return obj.last_W, obj.last_grad_ell
        W = W1 @ W2
        return W, self.loss.grad(W)

    def _grams(self, t, W1, W2):
        prev = self._previous
        if prev is None or t != prev[0] + 1 or t % self.refresh == 0:
            return W1 @ W1.T, W2.T @ W2
        _, gram1, gram2, W, grad_l, eta = prev
        cross1 = grad_l @ W.T
        cross1 += cross1.T.copy()
        cross2 = grad_l.T @ W
        cross2 += cross2.T.copy()
        new1 = (eta * eta) * ((grad_l @ gram2) @ grad_l.T)
        new1 -= eta * cross1
        new1 += gram1
        new2 = (eta * eta) * ((grad_l.T @ gram1) @ grad_l)
        new2 -= eta * cross2
        new2 += gram2
        return new1, new2

    def __call__(self, t, x, f, g):
        W1, W2 = x
        G1, G2 = g
        W, grad_l = self._gradient(W1, W2)
        gram1, gram2 = self._grams(t, W1, W2)
        K = self.loss.K
        # |grad L|^2 = <grad l, T(grad l)> from the small Gram matrices, not from G1, G2
        gg = math.sqrt(max(float(np.vdot(grad_l, gram1 @ grad_l) + np.vdot(grad_l, grad_l @ gram2)), 0.0))
        grad_gram = grad_l.T @ grad_l if grad_l.shape[1] <= grad_l.shape[0] else grad_l @ grad_l.T
        if gram1.shape == gram2.shape == grad_gram.shape:  # one LAPACK call for the three
            stack = self._stack
            if stack is None or stack.shape[1:] != gram1.shape:
                stack = self._stack = np.empty((3,) + gram1.shape)
            stack[0], stack[1], stack[2] = gram1, gram2, grad_gram
            top = np.linalg.eigvalsh(stack)[:, -1]
        else:
            top = [np.linalg.eigvalsh(M)[-1] for M in (gram1, gram2, grad_gram)]
        s_sq = max(float(top[0]) + float(top[1]), 0.0)
        eta = _step_from_parts(K, math.sqrt(max(float(top[2]), 0.0)), s_sq, gg, self.theta)
        self._previous = (t, gram1, gram2, W, grad_l, eta)
        return eta


# ---------------------------------------------------------------------------
# batched problems (chapter 5)
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SquaredBatch:
    r"""B two-layer squared-loss problems :math:`\tfrac12\|Y_b - X_bW_{1,b}W_{2,b}\|_F^2`, stacked
    (chapters 5 and 10).

    Build it with :meth:`from_losses`; pass it to :func:`lplbook.gd.run_batch` with
    starting factors stacked as ``(W1s, W2s)`` of shapes ``(B, n, h)`` and ``(B, h, m)``.

    Attributes
    ----------
    X, Y : ndarray, shapes (B, N, n) and (B, N, m)
    mu, K, min_value : ndarray, shape (B,)
        The constants of each problem's loss :math:`\ell_b`.
    """

    X: np.ndarray
    Y: np.ndarray
    mu: np.ndarray
    K: np.ndarray
    min_value: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_losses(cls, losses) -> "SquaredBatch":
        """Stack a sequence of :class:`lplbook.losses.SquaredLoss` of equal shapes."""
        losses = list(losses)
        if not losses:
            raise ValueError("losses must not be empty")
        shapes = {(lo.X.shape, lo.Y.shape) for lo in losses}
        if len(shapes) != 1:
            raise ValueError(f"losses must all have the same X and Y shapes, got {sorted(shapes)}")
        return cls(
            X=np.stack([lo.X for lo in losses]),
            Y=np.stack([lo.Y for lo in losses]),
            mu=np.array([lo.mu for lo in losses]),
            K=np.array([lo.K for lo in losses]),
            min_value=np.array([lo.min_value for lo in losses]),
        )

    def rows(self, idx):
        """``(X[idx], X[idx]^T, Y[idx])``, gathered once per set of active runs."""
        cache = self._cache
        if cache.get("idx") is not idx:
            X = self.X[idx]
            cache.update(idx=idx, X=X, XT=np.ascontiguousarray(np.swapaxes(X, 1, 2)), Y=self.Y[idx])
        return cache["X"], cache["XT"], cache["Y"]

    def value_and_grad(self, x, idx):
        r"""Losses and gradients :math:`(G_1, G_2)` of the runs ``idx``."""
        W1, W2 = x
        X, XT, Y = self.rows(idx)
        R = Y - X @ (W1 @ W2)
        grad_l = -(XT @ R)
        return 0.5 * np.sum(R * R, axis=(1, 2)), (grad_l @ np.swapaxes(W2, 1, 2),
                                                   np.swapaxes(W1, 1, 2) @ grad_l)


class BatchAdaptiveStep(gd.BatchStepPolicy):
    r"""The adaptive step of :class:`AdaptiveStep` for every run of a :class:`SquaredBatch` (chapter 5)."""

    def __init__(self, batch: SquaredBatch, theta: float = 1.0):
        if not isinstance(batch, SquaredBatch):
            raise ValueError(f"batch must be a twolayer.SquaredBatch, got {type(batch).__name__}")
        self.batch = batch
        self.theta = _validate.positive("theta", theta)

    def __call__(self, t, x, f, g, idx):
        W1, W2 = x
        G1, G2 = g
        X, XT, Y = self.batch.rows(idx)
        grad_l = -(XT @ (Y - X @ (W1 @ W2)))
        gg = np.sqrt(np.sum(G1 * G1, axis=(1, 2)) + np.sum(G2 * G2, axis=(1, 2)))
        gram = grad_l @ np.swapaxes(grad_l, 1, 2) if grad_l.shape[1] <= grad_l.shape[2] \
            else np.swapaxes(grad_l, 1, 2) @ grad_l
        a = np.sqrt(np.clip(np.linalg.eigvalsh(gram)[:, -1], 0.0, None))
        s_sq = (np.linalg.eigvalsh(W1 @ np.swapaxes(W1, 1, 2))[:, -1]
                + np.linalg.eigvalsh(np.swapaxes(W2, 1, 2) @ W2)[:, -1])
        return _solve_step(self.batch.K[idx], a, np.sqrt(np.clip(s_sq, 0.0, None)), gg, self.theta)


# ---------------------------------------------------------------------------
# the imbalance and lower bounds on lambda_min(T) (chapter 4)
# ---------------------------------------------------------------------------
def imbalance_spectrum(W1, W2) -> np.ndarray:
    r"""All :math:`h` eigenvalues of :math:`D = W_1^\top W_1 - W_2W_2^\top`, ascending (chapter 4).

    With :math:`C = [W_1^\top\;\; W_2] \in \mathbb{R}^{h\times(n+m)}` and
    :math:`J = \operatorname{diag}(I_n, -I_m)`, :math:`D = CJC^\top`. For :math:`h > n + m`
    a thin QR factorization :math:`C = QR` gives :math:`D = Q(RJR^\top)Q^\top`: the nonzero
    eigenvalues of :math:`D` are those of the :math:`(n+m)\times(n+m)` matrix
    :math:`RJR^\top`, and the other :math:`h - n - m` are zeros. This costs
    :math:`O(h(n+m)^2)`, like forming the Gram matrices, and is backward stable (a square root
    of the Gram matrix :math:`C^\top C` would amplify rounding errors near rank deficiency).
    For :math:`h \le n + m` the :math:`h\times h` matrix is used directly.
    """
    W1, W2 = _check_pair(W1, W2)
    n, h, m = W1.shape[0], W1.shape[1], W2.shape[1]
    if h <= n + m:
        return np.linalg.eigvalsh(W1.T @ W1 - W2 @ W2.T)
    R = np.linalg.qr(np.hstack([W1.T, W2]), mode="r")
    J = np.concatenate([np.ones(n), -np.ones(m)])
    small = np.linalg.eigvalsh((R * J) @ R.T)
    return np.sort(np.concatenate([small, np.zeros(h - n - m)]))


def _gram_floor(upper, lower_k, sigma_k_sq):
    r"""The root :math:`\tfrac12(-\bar\lambda + \sqrt{(\bar\lambda + 2\underline\lambda)^2 + 4\sigma^2})`."""
    return 0.5 * (-upper + np.sqrt((upper + 2.0 * lower_k) ** 2 + 4.0 * sigma_k_sq))


@dataclass(frozen=True)
class GramLowerBounds:
    r"""Certified lower bounds on the Gram extremes of chapter 4.

    Attributes
    ----------
    W1 : float
        Lower bound on :math:`\lambda_{\min}(W_1W_1^\top)`.
    W2 : float
        Lower bound on :math:`\lambda_{\min}(W_2^\top W_2)`.
    T_min : float
        Their sum, a lower bound on :math:`\lambda_{\min}(\mathcal T)`.
    imbalance_only : float
        The bound on :math:`\lambda_{\min}(\mathcal T)` with the margin terms set to zero.
    margin_only : float
        The bound on :math:`\lambda_{\min}(\mathcal T)` with the :math:`\underline\lambda` terms set to zero.
    """

    W1: float
    W2: float
    T_min: float
    imbalance_only: float
    margin_only: float


def gram_lower_bounds(W1, W2) -> GramLowerBounds:
    r"""Lower bounds on :math:`\lambda_{\min}(W_1W_1^\top)`, :math:`\lambda_{\min}(W_2^\top W_2)` from
    imbalance and margin (chapter 4, where they are proved).

    With :math:`D` the imbalance, :math:`W = W_1W_2` and :math:`\lambda_k` the
    :math:`k`-th largest eigenvalue,

    .. math::
        \lambda_{\min}(W_2^\top W_2) \ge \tfrac12\Bigl(-\bar\lambda + \sqrt{(\bar\lambda + 2\underline\lambda)^2
        + 4\sigma_m^2(W)}\Bigr), \quad \bar\lambda = \max(\lambda_{\max}(D), 0),\;
        \underline\lambda = \max(\lambda_m(-D), 0),

    and the same with :math:`D \to -D`, :math:`m \to n` for :math:`W_1W_1^\top`
    (:math:`\sigma_k(W) = 0` when :math:`k` exceeds the other dimension, and
    :math:`\lambda_k(\pm D) = 0` when :math:`k > h`).
    """
    W1, W2 = _check_pair(W1, W2)
    n, h, m = W1.shape[0], W1.shape[1], W2.shape[1]
    d = imbalance_spectrum(W1, W2)  # ascending, length h
    WtW = (W1 @ W2).T @ (W1 @ W2)  # m x m
    sv2 = _eigvalsh_psd(WtW if m <= n else (W1 @ W2) @ (W1 @ W2).T)  # the min(n, m) sigma^2
    sigma_m_sq = float(sv2[0]) if m <= n else 0.0
    sigma_n_sq = float(sv2[0]) if n <= m else 0.0
    top, bottom = max(float(d[-1]), 0.0), max(float(-d[0]), 0.0)  # lambda_max(D)^+, lambda_max(-D)^+
    lower_m = max(float(-d[m - 1]), 0.0) if m <= h else 0.0  # lambda_m(-D)^+
    lower_n = max(float(d[h - n]), 0.0) if n <= h else 0.0  # lambda_n(D)^+
    b2 = float(_gram_floor(top, lower_m, sigma_m_sq))
    b1 = float(_gram_floor(bottom, lower_n, sigma_n_sq))
    return GramLowerBounds(
        W1=b1,
        W2=b2,
        T_min=b1 + b2,
        imbalance_only=float(_gram_floor(bottom, lower_n, 0.0) + _gram_floor(top, lower_m, 0.0)),
        margin_only=float(_gram_floor(bottom, 0.0, sigma_n_sq) + _gram_floor(top, 0.0, sigma_m_sq)),
    )
