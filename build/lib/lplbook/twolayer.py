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
    _check_loss(loss)
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


@_validate.overflow_guard("W1", "W2")
def loss(loss, W1, W2) -> float:
    r""":math:`L(W_1, W_2) = \ell(W_1 W_2)` (chapter 2)."""
    W1, W2 = _check_factors(loss, W1, W2)
    return loss.value(W1 @ W2)


@_validate.overflow_guard("W1", "W2")
def grads(loss, W1, W2) -> tuple[np.ndarray, np.ndarray]:
    r"""The gradients :math:`(G_1, G_2) = (\nabla\ell(W) W_2^\top,\ W_1^\top\nabla\ell(W))` (chapter 2)."""
    W1, W2 = _check_factors(loss, W1, W2)
    grad_l = loss.grad(W1 @ W2)
    return grad_l @ W2.T, W1.T @ grad_l


@_validate.overflow_guard("W1", "W2")
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
        self.loss = _check_loss(loss)
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

    def check_start(self, x0) -> None:
        """Check a starting point ``(W1, W2)`` against the loss once (:func:`lplbook.gd.run` calls it)."""
        if not isinstance(x0, (tuple, list)) or len(x0) != 2:
            raise ValueError(f"x0 must be the pair of factors (W1, W2), got {_validate.describe(x0)}")
        try:
            _check_factors(self.loss, *x0)
        except ValueError as exc:
            raise ValueError(f"x0 = (W1, W2) must fit the loss: {exc}") from exc


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
@_validate.overflow_guard("W1", "W2", "E")
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


@_validate.overflow_guard("W1", "W2")
def gram_eigenvalues(W1, W2) -> tuple[np.ndarray, np.ndarray]:
    r"""Ascending eigenvalues of :math:`W_1W_1^\top` (n of them) and :math:`W_2^\top W_2` (m) (chapter 3)."""
    W1, W2 = _check_pair(W1, W2)
    return _eigvalsh_psd(W1 @ W1.T), _eigvalsh_psd(W2.T @ W2)


@_validate.overflow_guard("W1", "W2")
def T_spectrum(W1, W2) -> np.ndarray:
    r"""All :math:`nm` eigenvalues :math:`\lambda_i(W_1W_1^\top) + \lambda_j(W_2^\top W_2)` of
    :math:`\mathcal T`, ascending (chapter 3).

    :math:`\mathcal T` is the Kronecker sum :math:`I_m\otimes W_1W_1^\top + W_2^\top W_2\otimes I_n`
    acting on :math:`\operatorname{vec}(E)`, so its eigenvalues are the pairwise sums.
    """
    lam1, lam2 = gram_eigenvalues(W1, W2)
    return np.sort((lam1[:, None] + lam2[None, :]).ravel())


@_validate.overflow_guard("W1", "W2")
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
    with np.errstate(over="ignore"):  # a huge eta gives K_loc = inf, without a warning
        return grad_ell_spectral + K * (np.sqrt(T_max) + 0.5 * eta * grad_norm) ** 2


@_validate.overflow_guard("W1", "W2")
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


@_validate.overflow_guard("W1", "W2")
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

    Works on numbers or, elementwise, on arrays of coefficients.
    """
    return _cubic_root(a + K * s * s, K * s * g, K * g * g / 4.0, theta)


def _cubic_root(c1, c2, c3, theta):
    r"""The positive root of :math:`c_1\eta + c_2\eta^2 + c_3\eta^3 = \theta` (:math:`c_1 > 0`, :math:`c_2, c_3 \ge 0`).

    The left side is increasing and convex on :math:`\eta > 0`, so the root is unique, and
    Newton's method from :math:`\theta/c_1`, which lies above the root, decreases
    monotonically to it. Works on numbers or, elementwise, on arrays of coefficients.
    """
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


@_validate.overflow_guard("W1", "W2")
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
    eta = _step_from_parts(loss.K, _spectral_norm(grad_l), s_sq, g, theta)
    if not math.isfinite(eta):  # Newton's start theta / K_loc(0) overflowed
        raise ValueError(f"theta is too large for the step to be computed in float64, got {theta!r}")
    return eta


@_validate.overflow_guard("W1", "W2")
def initial_curvature_step(loss, W1, W2) -> float:
    r"""The constant step :math:`1/(K\lambda_{\max}(\mathcal T_0))` at the initialization (chapter 5).

    It is the limit of the adaptive step when the loss is already small, frozen at
    the initial weights.
    """
    W1, W2 = _check_factors(loss, W1, W2)
    T_max = T_extremes(W1, W2)[1]
    if not T_max > 0:
        raise ValueError("W1 and W2 must not both be zero: lambda_max(T_0) = 0 there and the step is infinite")
    return 1.0 / (loss.K * T_max)


# --- certified spectral bounds carried by Weyl's inequality (chapter 5) ----------------------
_SPECTRA = ("exact", "weyl")


def _check_spectra(spectra, spectra_refresh, spectra_growth):
    if not isinstance(spectra, str) or spectra not in _SPECTRA:
        raise ValueError(f"spectra must be 'exact' or 'weyl', got {spectra!r}")
    spectra_refresh = _validate.positive_int("spectra_refresh", spectra_refresh)
    spectra_growth = _validate.positive("spectra_growth", spectra_growth)
    return spectra, spectra_refresh, spectra_growth


def _rounding_margins(n, h, m):
    r"""Relative margins that cover rounding: of a Gram matrix and its eigenvalues (an inner
    product of length :math:`h`), and of one step :math:`W \mapsto W - \eta G` of a factor
    (:math:`\|\text{rounding}\|_F \le \epsilon\|W\|_F \le \epsilon\sqrt{\min(n, m)}\,\|W\|_2` and the like)."""
    eps = np.finfo(float).eps
    return 4.0 * eps * (h + n + m), 4.0 * eps * (math.sqrt(max(n, m)) + 2.0)



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
        rounding. (Mode ``spectra="exact"`` only.)
    spectra : {"exact", "weyl"}
        How the spectral quantities of :math:`K_{\rm loc}(\eta)` (chapter 3) are obtained.
        ``"exact"`` (the default, used by every chapter) solves the eigenvalue problems of
        :math:`W_1W_1^\top`, :math:`W_2^\top W_2` and :math:`\nabla\ell^\top\nabla\ell` at every
        step. ``"weyl"`` (chapter 5, a faster certified variant) solves them only every
        ``spectra_refresh`` steps and in between carries certified upper bounds by Weyl's
        inequality for singular values, :math:`\sigma_{\max}(A + B) \le \sigma_{\max}(A) + \|B\|_2`:
        a step changes :math:`W_1` by :math:`-\eta G_1`, so

        .. math:: \sigma_{\max}(W_1^+) \le \sigma_{\max}(W_1) + \eta\|G_1\|_F, \qquad
                  \|\nabla\ell(W)\|_2 \le \min\bigl(\|\nabla\ell(W)\|_F,\;
                  \|\nabla\ell(W_r)\|_2 + \|\nabla\ell(W) - \nabla\ell(W_r)\|_F\bigr),

        (and the same for :math:`W_2`), with :math:`W_r` the iterate of the last exact
        solve. :math:`\|\nabla L\|_F` is exact. :math:`K_{\rm loc}(\eta)` increases in
        :math:`\lambda_{\max}(\mathcal T) = \sigma_{\max}(W_1)^2 + \sigma_{\max}(W_2)^2` and in
        :math:`\|\nabla\ell\|_2`, so the step from the bounds solves
        :math:`\eta\,\widehat K_{\rm loc}(\eta) = \theta` with :math:`\widehat K_{\rm loc} \ge K_{\rm loc}`: it is never
        larger than the exact adaptive step at the same iterate, and
        :math:`\eta K_{\rm loc}(\eta) \le \theta` still holds with the exact :math:`K_{\rm loc}`, so the
        descent guarantee of chapter 5 holds at every step. The bounds carry relative margins of
        the size of the standard rounding-error bounds of the products and eigenvalues involved.
    spectra_refresh : int
        With ``spectra="weyl"``: solve the eigenvalue problems exactly at least every
        ``spectra_refresh`` steps.
    spectra_growth : float
        With ``spectra="weyl"``: solve them also as soon as the bound on
        :math:`\lambda_{\max}(\mathcal T)` exceeds ``1 + spectra_growth`` times its last exact value.

    Notes
    -----
    A policy object keeps the Gram matrices (or, with ``spectra="weyl"``, the bounds) of the run
    it is used in; use one per run. With ``spectra="weyl"``, ``exact_solves`` counts the steps at
    which the eigenvalue problems were solved.
    """

    def __init__(self, source, theta: float = 1.0, refresh: int = 50, spectra: str = "exact",
                 spectra_refresh: int = 50, spectra_growth: float = 0.2):
        loss = source.loss if isinstance(source, Objective) else source
        if not (hasattr(loss, "value_and_grad") and hasattr(loss, "K")):
            raise ValueError(f"source must be a twolayer.Objective or a loss with value_and_grad and K, "
                             f"got {type(source).__name__}")
        self.objective = source if isinstance(source, Objective) else None
        self.loss = source.loss if isinstance(source, Objective) else source
        self.theta = _validate.positive("theta", theta)
        self.refresh = _validate.positive_int("refresh", refresh)
        self.spectra, self.spectra_refresh, self.spectra_growth = _check_spectra(
            spectra, spectra_refresh, spectra_growth)
        self.exact_solves = 0
        self._previous = None
        self._stack = None
        self._seen = -1
        self._weyl = None

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
        if self.spectra == "weyl":
            return self._weyl_step(t, x, g)
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

    def _exact_spectra(self, W1, W2, grad_l):
        """Top eigenvalues of the two Gram matrices and of the Gram matrix of grad l."""
        self.exact_solves += 1
        gram1, gram2 = W1 @ W1.T, W2.T @ W2
        grad_gram = grad_l.T @ grad_l if grad_l.shape[1] <= grad_l.shape[0] else grad_l @ grad_l.T
        if gram1.shape == gram2.shape == grad_gram.shape:  # one LAPACK call for the three
            top = np.linalg.eigvalsh(np.stack((gram1, gram2, grad_gram)))[:, -1]
        else:
            top = [np.linalg.eigvalsh(M)[-1] for M in (gram1, gram2, grad_gram)]
        return [math.sqrt(max(float(v), 0.0)) for v in top]

    def _weyl_step(self, t, x, g):
        W1, W2 = x
        G1, G2 = g
        _, grad_l = self._gradient(W1, W2)
        g1, g2 = math.sqrt(float(np.vdot(G1, G1))), math.sqrt(float(np.vdot(G2, G2)))
        state = self._weyl
        exact = state is None or t != state["t"] + 1 or t - state["t_exact"] >= self.spectra_refresh
        if state is None or state["shape"] != (W1.shape, W2.shape):
            (n, h), m = W1.shape, W2.shape[1]
            gram_margin, step_margin = _rounding_margins(n, h, m)
        else:
            gram_margin, step_margin = state["margins"]
        if not exact:
            # Weyl: sigma_max(W - eta G) <= sigma_max(W) + eta ||G||_2 <= sigma_max(W) + eta ||G||_F
            eta = state["eta"]
            r1 = (state["r1"] + eta * state["g1"] * (1.0 + gram_margin)) * (1.0 + step_margin)
            r2 = (state["r2"] + eta * state["g2"] * (1.0 + gram_margin)) * (1.0 + step_margin)
            exact = r1 * r1 + r2 * r2 > (1.0 + self.spectra_growth) * state["s_sq_exact"]
        if exact:
            r1, r2, a_ref = (v * (1.0 + gram_margin) for v in self._exact_spectra(W1, W2, grad_l))
            state = {"t_exact": t, "s_sq_exact": r1 * r1 + r2 * r2, "a_ref": a_ref, "grad_ref": grad_l.copy(),
                     "shape": (W1.shape, W2.shape), "margins": (gram_margin, step_margin)}
            a = a_ref
        else:
            diff = grad_l - state["grad_ref"]
            a = min(float(np.vdot(grad_l, grad_l)), (state["a_ref"] + math.sqrt(float(np.vdot(diff, diff)))) ** 2)
            a = math.sqrt(a) * (1.0 + gram_margin)
        eta = _step_from_parts(self.loss.K, a, r1 * r1 + r2 * r2, math.sqrt(g1 * g1 + g2 * g2), self.theta)
        state.update(t=t, eta=eta, r1=r1, r2=r2, a=a, g1=g1, g2=g2)
        self._weyl = state
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

    def __post_init__(self):
        # checked, not converted: the arrays are used as they are given
        X = _validate.matrix("X", self.X, ndim=3)
        Y = _validate.matrix("Y", self.Y, ndim=3)
        B = X.shape[0]
        _validate.shape("Y", Y, (B, X.shape[1], None))
        for name in ("mu", "K", "min_value"):
            value = _validate.finite_array(name, getattr(self, name))
            _validate.shape(name, value, (B,))
        if not (np.all(np.asarray(self.mu) > 0) and np.all(np.asarray(self.K) > 0)):
            raise ValueError(f"mu and K must be > 0 for every problem, got mu = {self.mu!r}, K = {self.K!r}")

    @property
    def batch_size(self) -> int:
        """The number B of stacked problems."""
        return int(self.X.shape[0])

    def check_start(self, x0) -> None:
        """Check stacked starting factors ``(W1s, W2s)`` once (:func:`lplbook.gd.run_batch` calls it)."""
        if not isinstance(x0, tuple) or len(x0) != 2:
            raise ValueError(f"x0 must be the pair (W1s, W2s) of stacked factors, got {_validate.describe(x0)}")
        B, n, m = self.X.shape[0], self.X.shape[2], self.Y.shape[2]
        W1s = _validate.matrix("x0[0]", x0[0], ndim=3)
        _validate.shape("x0[0]", W1s, (B, n, None))
        h = W1s.shape[2]
        W2s = _validate.matrix("x0[1]", x0[1], ndim=3)
        _validate.shape("x0[1]", W2s, (B, h, m))
        if h < min(n, m):
            raise ValueError(f"width h must be >= min(n, m) = {min(n, m)}, got h = {h}")

    @classmethod
    def from_losses(cls, losses) -> "SquaredBatch":
        """Stack a sequence of :class:`lplbook.losses.SquaredLoss` of equal shapes."""
        from .losses import SquaredLoss

        if isinstance(losses, (np.ndarray, str)) or not hasattr(losses, "__iter__"):
            raise _validate.WrongKind(f"losses must be a sequence of losses.SquaredLoss, got "
                                      f"{_validate.describe(losses)}")
        losses = list(losses)
        if not losses:
            raise ValueError("losses must not be empty")
        for b, lo in enumerate(losses):
            _validate.instance(f"losses[{b}]", lo, SquaredLoss, "a losses.SquaredLoss")
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
@_validate.overflow_guard("W1", "W2")
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


@_validate.overflow_guard("W1", "W2")
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


# ---------------------------------------------------------------------------
# the constants of [XMTMV25] and [XMTMV23], in the book's notation (chapters 3–5)
# ---------------------------------------------------------------------------
# [XMTMV25] writes L(W1, W2) = l(W1 W2^T) with W2 of shape (m, h): its W2 is the book's W2^T.
# The imbalance D = W1^T W1 - W2 W2^T, the operator T and the end-to-end matrix W are the same
# in both notations; the paper writes sigma^2_min(T), sigma^2_max(T) for the book's
# lambda_min(T), lambda_max(T).

def _check_loss(loss):
    """A loss of :mod:`lplbook.losses` (or any object with their interface), else ``ValueError``."""
    return _validate.loss_object("loss", loss)


def _check_strongly_convex(loss, W1, W2):
    """Factors checked against ``loss``, and the unique minimizer :math:`W^*` (Assumption 2.1)."""
    from .losses import unique_minimizer

    _check_loss(loss)
    W1, W2 = _check_factors(loss, W1, W2)
    return W1, W2, unique_minimizer(loss)


def _svd_extremes(M) -> tuple[float, float]:
    r""":math:`(\sigma_{\min}, \sigma_{\max})` of ``M`` over its :math:`\min(\text{rows}, \text{cols})` singular values."""
    G = M.T @ M if M.shape[1] <= M.shape[0] else M @ M.T
    lam = _eigvalsh_psd(G)
    return float(np.sqrt(lam[0])), float(np.sqrt(lam[-1]))


def _imbalance_table(W1, W2) -> dict:
    r"""The imbalance quantities of [XMTMV25, Table 2] from the spectrum of :math:`D`.

    :math:`\lambda_k(\cdot)` is the k-th largest eigenvalue, read as 0 when k exceeds h.
    """
    n, h, m = W1.shape[0], W1.shape[1], W2.shape[1]
    d = imbalance_spectrum(W1, W2)  # ascending, length h
    lam_plus, lam_minus = max(float(d[-1]), 0.0), max(float(-d[0]), 0.0)
    lam_n_D = max(float(d[h - n]), 0.0) if n <= h else 0.0  # max(lambda_n(D), 0)
    lam_m_minus_D = max(float(-d[m - 1]), 0.0) if m <= h else 0.0  # max(lambda_m(-D), 0)
    return dict(lam_plus=lam_plus, lam_minus=lam_minus, Delta=lam_n_D + lam_m_minus_D,
                Delta_plus=lam_plus - lam_n_D, Delta_minus=lam_minus - lam_m_minus_D)


def _alpha_floor(Dp, Dm, Dl, b):
    r""":math:`\tfrac12[-\Delta_+ - \Delta_- + \sqrt{(\Delta_+ + \underline\Delta)^2 + 4b^2} + \sqrt{(\Delta_- + \underline\Delta)^2 + 4b^2}]`."""
    return 0.5 * (-Dp - Dm + math.sqrt((Dp + Dl) ** 2 + 4 * b * b) + math.sqrt((Dm + Dl) ** 2 + 4 * b * b))


def _alpha_ceiling(lp, lm, b):
    r""":math:`\tfrac12[\lambda_+ + \sqrt{\lambda_+^2 + 4b^2}] + \tfrac12[\lambda_- + \sqrt{\lambda_-^2 + 4b^2}]`."""
    return 0.5 * (lp + math.sqrt(lp * lp + 4 * b * b)) + 0.5 * (lm + math.sqrt(lm * lm + 4 * b * b))


@dataclass(frozen=True)
class XMTMV25Init:
    r"""The initialization quantities of [XMTMV25, Table 2], in the book's notation (chapters 4–5).

    With :math:`D = W_1^\top W_1 - W_2W_2^\top` at the start, :math:`\lambda_k` the k-th largest
    eigenvalue (read as 0 for k > h), :math:`W^*` the unique minimizer of :math:`\ell` and
    :math:`W(0) = W_1W_2`:

    Attributes
    ----------
    lam_plus, lam_minus : float
        :math:`\lambda_+ = \max(\lambda_{\max}(D), 0)`, :math:`\lambda_- = \max(\lambda_{\max}(-D), 0)`.
    Delta : float
        :math:`\underline\Delta = \max(\lambda_n(D), 0) + \max(\lambda_m(-D), 0)`.
    Delta_plus, Delta_minus : float
        :math:`\Delta_+ = \lambda_+ - \max(\lambda_n(D), 0)`, :math:`\Delta_- = \lambda_- - \max(\lambda_m(-D), 0)`.
    beta1, beta2 : float
        :math:`\beta_1 = \max(0, \sigma_{\min}(W^*) - \sqrt{K/\mu}\,\|W(0) - W^*\|_F)` and
        :math:`\beta_2 = \sigma_{\max}(W^*) + \sqrt{K/\mu}\,\|W(0) - W^*\|_F`: bounds on the singular
        values of :math:`W(t)` along any run that does not increase the loss.
    alpha1, alpha2 : float
        :math:`\alpha_1 = \tfrac12[-\Delta_+ - \Delta_- + \sqrt{(\Delta_+ + \underline\Delta)^2 + 4\beta_1^2}
        + \sqrt{(\Delta_- + \underline\Delta)^2 + 4\beta_1^2}]` and
        :math:`\alpha_2 = \tfrac12[\lambda_+ + \sqrt{\lambda_+^2 + 4\beta_2^2}] + \tfrac12[\lambda_- + \sqrt{\lambda_-^2 + 4\beta_2^2}]`,
        the lower and upper bounds on :math:`\lambda_{\min}(\mathcal T_t)`, :math:`\lambda_{\max}(\mathcal T_t)`
        that Lemma 3.1 of [XMTMV25] carries along the run (up to factors :math:`e^{\pm\sqrt{\eta_0}}`).
    gap0 : float
        :math:`L(0) - \ell^*` (the paper's :math:`L(0)`, which assumes :math:`\ell^* = 0`).
    dist0 : float
        :math:`\|W(0) - W^*\|_F`.
    mu, K : float
        The loss's strong-convexity and smoothness constants.
    """

    lam_plus: float
    lam_minus: float
    Delta: float
    Delta_plus: float
    Delta_minus: float
    beta1: float
    beta2: float
    alpha1: float
    alpha2: float
    gap0: float
    dist0: float
    mu: float
    K: float


@_validate.overflow_guard("W1", "W2")
def xmtmv25_init(loss, W1, W2) -> XMTMV25Init:
    r"""The initialization quantities :math:`\lambda_\pm, \underline\Delta, \Delta_\pm, \beta_{1,2}, \alpha_{1,2}`
    of [XMTMV25, Table 2] at :math:`(W_1, W_2)` (chapters 4 and 5).

    Spectra come from the :math:`(n+m)\times(n+m)` factor of :func:`imbalance_spectrum` and the
    small Gram matrices, never from an SVD of a factor.

    Notes
    -----
    The formulas are the printed ones. For :math:`n \ne m` the printed :math:`\alpha_1` can exceed
    :math:`\lambda_{\min}(\mathcal T)` itself: it credits the margin :math:`\beta_1` to both Gram matrices,
    while only the :math:`\min(n, m)`-sized one can have it (chapter 4 shows a counterexample). With
    :math:`n = m`, the case of the paper's experiments, no violation was found.

    Raises
    ------
    ValueError
        If ``loss`` is not :math:`\mu`-strongly convex with a unique minimizer (for least squares:
        :math:`X` of full column rank), or the factors are mis-shaped or non-finite.
    """
    W1, W2, W_star = _check_strongly_convex(loss, W1, W2)
    W0 = W1 @ W2
    table = _imbalance_table(W1, W2)
    s_min, s_max = _svd_extremes(W_star)
    dist0 = float(np.linalg.norm(W0 - W_star))
    reach = math.sqrt(loss.K / loss.mu) * dist0
    beta1, beta2 = max(0.0, s_min - reach), s_max + reach
    gap0 = max(float(loss.value(W0)) - float(loss.min_value), 0.0)
    return XMTMV25Init(
        **table, beta1=beta1, beta2=beta2,
        alpha1=_alpha_floor(table["Delta_plus"], table["Delta_minus"], table["Delta"], beta1),
        alpha2=_alpha_ceiling(table["lam_plus"], table["lam_minus"], beta2),
        gap0=gap0, dist0=dist0, mu=float(loss.mu), K=float(loss.K),
    )


def _xmtmv25_K_coefficients(K, T_max, sigma_max_W, gap):
    r""":math:`(A, B, C)` with :math:`K_t(\eta) = A + B\eta + C\eta^2` ([XMTMV25, eq. (12)])."""
    root = math.sqrt(2.0 * K * max(gap, 0.0))
    return K * T_max + root, 3.0 * K * T_max * root, 6.0 * K * K * sigma_max_W * max(gap, 0.0)


@_validate.overflow_guard("W1", "W2")
def xmtmv25_smoothness(loss, W1, W2, eta) -> float:
    r"""The local smoothness constant :math:`K_t` of [XMTMV25, Thm 3.1, eq. (12)] (chapter 3).

    .. math:: K_t = K\lambda_{\max}(\mathcal T) + \sqrt{2K(L - \ell^*)} + 6K^2\sigma_{\max}(W)(L - \ell^*)\eta^2
              + 3K\lambda_{\max}(\mathcal T)\sqrt{2K(L - \ell^*)}\,\eta ,

    with :math:`L - \ell^*` in place of the paper's :math:`L(t)` (it assumes :math:`\ell^* = 0`).
    With it, one step of size :math:`\eta` gives
    :math:`L^+ \le L - (\eta - K_t\eta^2/2)\|\nabla L\|_F^2` [XMTMV25, eq. (9)].

    Raises
    ------
    ValueError
        If ``loss`` is not strongly convex (Assumption 2.1), ``eta <= 0``, or the factors are bad.
    """
    W1, W2, _ = _check_strongly_convex(loss, W1, W2)
    eta = _validate.positive("eta", eta)
    W = W1 @ W2
    gap = float(loss.value(W)) - float(loss.min_value)
    T_max = T_extremes(W1, W2)[1]
    A, B, C = _xmtmv25_K_coefficients(loss.K, T_max, _spectral_norm(W), gap)
    with np.errstate(over="raise"):
        try:
            return float(A + B * eta + C * eta * eta)
        except FloatingPointError:
            return math.inf


def _bisect_increasing(F, lo, hi, iters=200):
    """Root of an increasing ``F`` in ``[lo, hi]`` with ``F(lo) < 0 <= F(hi)``, by bisection."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if F(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 4 * np.finfo(float).eps * hi:
            break
    return hi


@dataclass(frozen=True)
class XMTMV25Rate:
    r"""The rate constants of [XMTMV25, Thm 3.2 / Thm E.1] for a chosen :math:`\eta_0` (chapter 5).

    Attributes
    ----------
    eta0, c, d : float
        The smallest step and the constants of Theorem E.1 (Theorem 3.2 is :math:`c = 1/2, d = 2`).
    mu_bar : float
        :math:`\bar\mu = \mu[\alpha_1 + 2\alpha_2(1 - e^{\eta_0^c})]`, a floor on :math:`\mu_t`.
    rho_bar : float
        :math:`\bar\rho(\eta_0, 0) = 1 - 2\bar\mu\eta_0 + \bar\mu\bar K_0\eta_0^2`, the a priori factor of eq. (17).
    Delta : float
        :math:`\Delta = (1 + \eta_0^d)\,\bar\rho(\eta_0, 0)` (not Table 2's :math:`\underline\Delta`).
    init : XMTMV25Init
        The initialization quantities the constants are built from.
    """

    eta0: float
    c: float
    d: float
    mu_bar: float
    rho_bar: float
    Delta: float
    init: XMTMV25Init

    def K_bar(self, t):
        r""":math:`\bar K_t = \sqrt{2KL_0\bar\rho^t} + 6K^2\beta_2L_0\eta_0^2\Delta^t + Ke^{\eta_0^c}\alpha_2[1 + 3\sqrt{2KL_0\Delta^t}\,\eta_0]`.

        The paper prints :math:`e^{\sqrt{\eta_0}}` here for every :math:`c`; the book uses
        :math:`e^{\eta_0^c}`, the bound on :math:`\lambda_{\max}(\mathcal T_t)` that its proof carries
        (the two agree at :math:`c = 1/2`). ``t`` may be an array of iterations.
        """
        t = _validate.finite_array("t", t)
        if np.any(t < 0):
            raise ValueError(f"t must be >= 0, got {t!r}")
        with np.errstate(over="ignore"):  # Delta^t may overflow to inf for a huge t
            return _K_bar(self.init, self.eta0, self.c, self.rho_bar, self.Delta, t)

    def bound(self, t):
        r"""The a priori bound :math:`L(0)\,\bar\rho(\eta_0, 0)^t` on :math:`L(t) - \ell^*` [XMTMV25, eq. (17)]."""
        t = _validate.finite_array("t", t)
        if np.any(t < 0):
            raise ValueError(f"t must be >= 0, got {t!r}")
        with np.errstate(over="ignore"):
            return self.init.gap0 * self.rho_bar ** t


def _K_bar(init, eta0, c, rho_bar, Delta, t):
    K, L0 = init.K, init.gap0
    out = (np.sqrt(2 * K * L0 * rho_bar ** t) + 6 * K * K * init.beta2 * L0 * eta0 ** 2 * Delta ** t
           + K * math.exp(eta0 ** c) * init.alpha2 * (1 + 3 * np.sqrt(2 * K * L0 * Delta ** t) * eta0))
    return float(out) if np.ndim(out) == 0 else out


def _rate_parts(init, eta0, c, d):
    """(mu_bar, K_bar_0, rho_bar, Delta, 1 - Delta) of Theorem E.1 at eta0 (arrays allowed)."""
    mu_bar = init.mu * (init.alpha1 + 2 * init.alpha2 * (1 - np.exp(eta0 ** c)))
    K, L0 = init.K, init.gap0
    K0 = (np.sqrt(2 * K * L0) + 6 * K * K * init.beta2 * L0 * eta0 ** 2
          + K * np.exp(eta0 ** c) * init.alpha2 * (1 + 3 * np.sqrt(2 * K * L0) * eta0))
    one_minus_rho = 2 * mu_bar * eta0 - mu_bar * K0 * eta0 ** 2
    rho_bar = 1 - one_minus_rho
    # 1 - Delta = (1 - rho_bar) - eta0^d rho_bar, written so that it keeps its digits for tiny eta0
    return mu_bar, K0, rho_bar, (1 + eta0 ** d) * rho_bar, one_minus_rho - eta0 ** d * rho_bar


@dataclass(frozen=True)
class XMTMV25EtaMax:
    r"""The admissible range of :math:`\eta_0` in [XMTMV25, Thm E.1, eqs. (101)–(102)] (chapter 5).

    Attributes
    ----------
    eta1 : float
        :math:`\eta_0^{(1)}`, the unique positive root of :math:`\eta_0\bar K_0(\eta_0) = 1` (eq. 101).
    eta2 : float
        :math:`\eta_0^{(2)}`, the smallest positive root of
        :math:`4KL_0\eta_0^2 = (1 - e^{-\eta_0^c})(1 - \Delta(\eta_0))` (eq. 102); ``inf`` if the
        two sides never cross, ``0.0`` if the right side is already the smaller one at
        :math:`10^{-30}\eta_0^{(1)}` (the theorem then gives nothing).
    eta3 : float
        :math:`(\log(1 + \alpha_1/(2\alpha_2)))^{1/c}`, below which :math:`\bar\mu > 0`.
    eta_max : float
        :math:`\min(\eta_0^{(1)}, \eta_0^{(2)}, \eta_0^{(3)})`.
    c, d : float
    init : XMTMV25Init
    """

    eta1: float
    eta2: float
    eta3: float
    eta_max: float
    c: float
    d: float
    init: XMTMV25Init

    def constants(self, eta0) -> XMTMV25Rate:
        r"""The rate constants :math:`\bar\mu, \bar\rho(\eta_0, 0), \Delta, \bar K_t` for :math:`\eta_0 \in (0, \eta_{\max}]`."""
        eta0 = _validate.positive("eta0", eta0)
        if eta0 > self.eta_max:
            raise ValueError(f"eta0 must lie in (0, eta_max] = (0, {self.eta_max:.6g}], got {eta0!r}")
        mu_bar, _, rho_bar, Delta, _ = _rate_parts(self.init, eta0, self.c, self.d)
        return XMTMV25Rate(eta0=eta0, c=self.c, d=self.d, mu_bar=float(mu_bar), rho_bar=float(rho_bar),
                           Delta=float(Delta), init=self.init)


_ETA2_GRID = np.logspace(-30, 3, 6601)  # relative to eta1: 200 points per decade


def _xmtmv25_eta_max(init: XMTMV25Init, c: float, d: float) -> XMTMV25EtaMax:
    if not init.alpha1 > 0:
        raise ValueError(f"W1, W2 must give alpha1 > 0 (the assumption of XMTMV25's Theorem 3.2), "
                         f"got alpha1 = {init.alpha1:.6g}")
    K, L0 = init.K, init.gap0

    def eq101(eta):
        return eta * _rate_parts(init, eta, c, d)[1] - 1.0

    eta1 = _bisect_increasing(eq101, 0.0, 1.0 / (K * init.alpha2))

    def eq102(eta):  # right side minus left side of (102)
        one_minus_Delta = _rate_parts(init, eta, c, d)[4]
        return -np.expm1(-eta ** c) * one_minus_Delta - 4 * K * L0 * eta ** 2

    grid = eta1 * _ETA2_GRID
    with np.errstate(over="ignore", invalid="ignore"):
        values = eq102(grid)
    below = np.flatnonzero(~(values > 0))
    if below.size == 0:
        eta2 = math.inf
    elif below[0] == 0:
        eta2 = 0.0
    else:
        lo, hi = grid[below[0] - 1], grid[below[0]]
        eta2 = _bisect_increasing(lambda e: -eq102(e), lo, hi)
    eta3 = math.log1p(init.alpha1 / (2 * init.alpha2)) ** (1 / c)
    return XMTMV25EtaMax(eta1=float(eta1), eta2=float(eta2), eta3=float(eta3),
                         eta_max=float(min(eta1, eta2, eta3)), c=c, d=d, init=init)


def _slack_pair(lower_name, lower, upper_name, upper):
    """The slack constants of the papers' theorems: ``lower`` in (0, 1) and ``upper`` > 1."""
    lower_value = _validate.positive(lower_name, lower)
    if not lower_value < 1:
        raise ValueError(f"{lower_name} must lie in (0, 1), got {lower!r}")
    upper_value = _validate.real_number(upper_name, upper)
    if not upper_value > 1:
        raise ValueError(f"{upper_name} must be > 1, got {upper!r}")
    return lower_value, upper_value


def _check_c_d(c, d):
    return _slack_pair("c", c, "d", d)


@_validate.overflow_guard("W1", "W2", "c", "d")
def xmtmv25_eta_max(loss, W1, W2, c: float = 0.5, d: float = 2.0) -> XMTMV25EtaMax:
    r""":math:`\eta_0^{(1)}, \eta_0^{(2)}, \eta_0^{(3)}` and :math:`\eta_{\max}` of [XMTMV25, Thm E.1] (chapter 5).

    :math:`\eta_0^{(1)}` solves eq. (101), whose left side increases from 0, by bisection.
    :math:`\eta_0^{(2)}` is the first sign change of eq. (102) (right side minus left side) on a
    logarithmic grid of 200 points per decade from :math:`10^{-30}\eta_0^{(1)}` to
    :math:`10^{3}\eta_0^{(1)}`, refined by bisection. Theorem 3.2 is ``c = 0.5, d = 2``; the paper's
    experiments use ``d = 1.01``. Use :meth:`XMTMV25EtaMax.constants` for the rate constants at a
    chosen :math:`\eta_0`.

    Raises
    ------
    ValueError
        If ``loss`` is not strongly convex, ``c`` is not in (0, 1), ``d <= 1``, the factors are
        bad, or the initialization has :math:`\alpha_1 \le 0`.
    """
    c, d = _check_c_d(c, d)
    return _xmtmv25_eta_max(xmtmv25_init(loss, W1, W2), c, d)


class _LoggingPolicy(gd.StepPolicy):
    """A step policy that keeps, per step, the factor of its bound and counts its costs."""

    def _start(self, W1, W2):
        self._W1_0, self._W2_0 = W1.copy(), W2.copy()
        self.factors: list[float] = []
        self.eigenproblems = 0

    def _check_start(self, t, x):
        if t == 0 and not (np.array_equal(x[0], self._W1_0) and np.array_equal(x[1], self._W2_0)):
            raise ValueError("x0 of gd.run must be the initialization (W1, W2) this policy was built from")

    def bound(self) -> np.ndarray:
        r"""The bound :math:`L(0)\prod_{k<t} h_k` on :math:`L(t) - \ell^*` for the steps taken so far."""
        return self.gap0 * np.concatenate([[1.0], np.cumprod(self.factors)])


class XMTMV25Step(_LoggingPolicy):
    r"""The step rule of [XMTMV25, eqs. (18)–(19)] for :func:`lplbook.gd.run` (chapter 5).

    .. math:: \eta_t^* = \min\bigl((1 + \eta_0^d)^{t/2}\eta_0,\; 1/K_t\bigr) \quad (h = \rho), \qquad
              \eta_t^* = \min\bigl((1 + \eta_0^d)^{t/2}\eta_0,\; 1/\bar K_t\bigr) \quad (h = \bar\rho).

    :math:`K_t` depends on :math:`\eta_t` (eq. 12), so ":math:`1/K_t`" is the step :math:`\eta` with
    :math:`\eta K_t(\eta) = 1`, the positive root of a cubic with nonnegative coefficients, found by
    Newton's method as for the book's adaptive step. After a run, ``factors`` holds
    :math:`h(\eta_t^*, t)` (:math:`\rho = 1 - 2\mu_t\eta + \mu_tK_t\eta^2` with :math:`\mu_t = \mu\lambda_{\min}(\mathcal T_t)`, or
    :math:`\bar\rho(\eta, t) = 1 - 2\bar\mu\eta + \bar\mu\bar K_t\eta^2`), so that ``bound()`` is eq. (20);
    ``eigenproblems`` counts the symmetric eigenvalue problems solved (three per step for
    :math:`h = \rho`: the two Gram matrices and :math:`W^\top W`; none for :math:`h = \bar\rho`).

    Parameters
    ----------
    loss : a strongly convex loss of :mod:`lplbook.losses`
    W1, W2 : ndarray
        The initialization; ``gd.run`` must start from it.
    eta0 : float
        The smallest step, in :math:`(0, \eta_{\max}]`.
    h : {"rho", "rho_bar"}
    c, d : float
        The constants of Theorem E.1 (Theorem 3.2: ``c = 0.5, d = 2``).
    spectra : {"exact", "weyl"}
        For :math:`h = \rho`: how :math:`\lambda_{\max}(\mathcal T_t)`, :math:`\sigma_{\max}(W_t)` and
        :math:`\lambda_{\min}(\mathcal T_t)` are obtained. ``"exact"`` (the default, used by the book)
        solves three eigenvalue problems per step. ``"weyl"`` (chapter 5, a faster certified variant,
        as for :class:`AdaptiveStep`) solves them every ``spectra_refresh`` steps and in between
        carries bounds by Weyl's inequality for singular values, the step changing :math:`W_i` by
        :math:`-\eta G_i`:

        .. math:: \sigma_{\max}(W_i^+) \le \sigma_{\max}(W_i) + \eta\|G_i\|_F, \qquad
                  \sigma_{\min}(W_i^+) \ge \sigma_{\min}(W_i) - \eta\|G_i\|_F,

        (:math:`\sigma_{\min}` over the :math:`n` rows of :math:`W_1`, the :math:`m` columns of :math:`W_2`),
        and, from :math:`W^+ = W - \eta(G_1W_2 + W_1G_2) + \eta^2G_1G_2`,
        :math:`\sigma_{\max}(W^+) \le \min\bigl(\sigma_{\max}(W) + \eta(\|G_1\|_F\sigma_{\max}(W_2) +
        \sigma_{\max}(W_1)\|G_2\|_F) + \eta^2\|G_1\|_F\|G_2\|_F,\ \sigma_{\max}(W_1^+)\sigma_{\max}(W_2^+)\bigr)`.
        :math:`K_t(\eta)` (eq. 12) increases in :math:`\lambda_{\max}(\mathcal T_t)` and
        :math:`\sigma_{\max}(W_t)`, so the step from the upper bounds is never larger than the exact
        rule's :math:`1/K_t` and still satisfies :math:`\eta K_t(\eta) \le 1` with the exact :math:`K_t`;
        with :math:`\eta K_t \le 1`, :math:`\rho` decreases in :math:`\mu_t` and increases in :math:`K_t`, so the
        factor logged from a lower bound on :math:`\mu_t = \mu\lambda_{\min}(\mathcal T_t)` and the
        upper bound on :math:`K_t` is never below the exact :math:`\rho`, and ``bound()`` stays a bound.
        Ignored for :math:`h = \bar\rho`, which solves no eigenvalue problem.
    spectra_refresh : int
        With ``spectra="weyl"``: solve the eigenvalue problems at least every ``spectra_refresh`` steps.
    spectra_growth : float
        With ``spectra="weyl"``: solve them also as soon as the bound on :math:`\lambda_{\max}(\mathcal T_t)`
        exceeds ``1 + spectra_growth`` times its last exact value, or the lower bound on
        :math:`\lambda_{\min}(\mathcal T_t)` falls below ``1 - spectra_growth`` times it.
    """

    @_validate.overflow_guard("W1", "W2", "eta0", "c", "d")
    def __init__(self, loss, W1, W2, eta0, h: str = "rho", c: float = 0.5, d: float = 2.0,
                 spectra: str = "exact", spectra_refresh: int = 50, spectra_growth: float = 0.2):
        if not isinstance(h, str) or h not in ("rho", "rho_bar"):
            raise ValueError(f"h must be 'rho' or 'rho_bar', got {h!r}")
        self.spectra, self.spectra_refresh, self.spectra_growth = _check_spectra(
            spectra, spectra_refresh, spectra_growth)
        self._weyl = None
        c, d = _check_c_d(c, d)
        init = xmtmv25_init(loss, W1, W2)
        self.eta_max = _xmtmv25_eta_max(init, c, d)
        self.rate = self.eta_max.constants(eta0)
        self.loss, self.h, self.eta0, self.d = loss, h, self.rate.eta0, d
        self.gap0 = init.gap0
        self._start(*_check_factors(loss, W1, W2))

    def __call__(self, t, x, f, g):
        self._check_start(t, x)
        cap = (1 + self.eta0 ** self.d) ** (t / 2) * self.eta0
        if self.h == "rho_bar":
            K_bar = self.rate.K_bar(t)
            eta = min(cap, 1.0 / K_bar)
            mu_bar = self.rate.mu_bar
            self.factors.append(float(1 - 2 * mu_bar * eta + mu_bar * K_bar * eta * eta))
            return eta
        if self.spectra == "weyl":
            T_min, T_max, s_max = self._weyl_spectra(t, x, g)
        else:
            W1, W2 = x
            W = W1 @ W2
            lam1, lam2 = _eigvalsh_psd(W1 @ W1.T), _eigvalsh_psd(W2.T @ W2)
            s_max = _svd_extremes(W)[1]
            self.eigenproblems += 3
            T_min, T_max = float(lam1[0] + lam2[0]), float(lam1[-1] + lam2[-1])
        gap = float(f) - float(self.loss.min_value)
        A, B, C = _xmtmv25_K_coefficients(self.loss.K, T_max, s_max, gap)
        eta = min(cap, float(_cubic_root(A, B, C, 1.0)))
        mu_t = self.loss.mu * T_min
        self.factors.append(float(1 - 2 * mu_t * eta + mu_t * (A + B * eta + C * eta * eta) * eta * eta))
        if self._weyl is not None:
            self._weyl["eta"] = eta
        return eta

    def _weyl_spectra(self, t, x, g):
        r"""Certified :math:`(\lambda_{\min}(\mathcal T_t)` from below, :math:`\lambda_{\max}(\mathcal T_t)` and
        :math:`\sigma_{\max}(W_t)` from above), solving the eigenvalue problems only now and then."""
        W1, W2 = x
        G1, G2 = g
        g1, g2 = math.sqrt(float(np.vdot(G1, G1))), math.sqrt(float(np.vdot(G2, G2)))
        (n, h), m = W1.shape, W2.shape[1]
        state = self._weyl
        exact = state is None or t != state["t"] + 1 or t - state["t_exact"] >= self.spectra_refresh
        if state is None or state["shape"] != (n, h, m):
            gram_margin, step_margin = _rounding_margins(n, h, m)
        else:
            gram_margin, step_margin = state["margins"]
        up, down = 1.0 + step_margin, 1.0 - step_margin
        if not exact:
            eta, p1, p2 = state["eta"], state["g1"] * (1.0 + gram_margin), state["g2"] * (1.0 + gram_margin)
            r1, r2 = (state["r1"] + eta * p1) * up, (state["r2"] + eta * p2) * up
            l1, l2 = max((state["l1"] - eta * p1) * down, 0.0), max((state["l2"] - eta * p2) * down, 0.0)
            w = min((state["w"] + eta * (p1 * state["r2"] + state["r1"] * p2) + eta * eta * p1 * p2) * up,
                    r1 * r2 * up)
            growth = self.spectra_growth
            exact = (r1 * r1 + r2 * r2 > (1.0 + growth) * state["T_max_exact"]
                     or l1 * l1 + l2 * l2 < (1.0 - growth) * state["T_min_exact"])
        if exact:
            lam1, lam2 = _eigvalsh_psd(W1 @ W1.T), _eigvalsh_psd(W2.T @ W2)
            w = _svd_extremes(W1 @ W2)[1] * (1.0 + gram_margin)
            self.eigenproblems += 3
            r1, r2 = math.sqrt(lam1[-1]) * (1.0 + gram_margin), math.sqrt(lam2[-1]) * (1.0 + gram_margin)
            # sigma_min of W1 over its n rows (0 if h < n), of W2 over its m columns; an eigenvalue's
            # rounding error is relative to the largest one
            l1 = math.sqrt(max(lam1[0] - gram_margin * lam1[-1], 0.0)) if h >= n else 0.0
            l2 = math.sqrt(max(lam2[0] - gram_margin * lam2[-1], 0.0)) if h >= m else 0.0
            state = {"t_exact": t, "T_max_exact": r1 * r1 + r2 * r2, "T_min_exact": l1 * l1 + l2 * l2,
                     "shape": (n, h, m), "margins": (gram_margin, step_margin)}
        state.update(t=t, r1=r1, r2=r2, l1=l1, l2=l2, w=w, g1=g1, g2=g2)
        self._weyl = state
        return l1 * l1 + l2 * l2, r1 * r1 + r2 * r2, w


# --- [XMTMV23]: the squared-loss predecessor -------------------------------------------------
def _check_xmtmv23_loss(loss):
    from .losses import SquaredLoss

    if not isinstance(loss, SquaredLoss):
        raise ValueError(f"loss must be a losses.SquaredLoss (XMTMV23 treats least squares only), "
                         f"got {type(loss).__name__}")
    N = loss.X.shape[0]
    if loss.rank != N:
        raise ValueError(f"loss must have X of full row rank (XMTMV23's under-determined setting, l* = 0): "
                         f"rank {loss.rank} < N = {N}")
    return loss


@dataclass(frozen=True)
class XMTMV23Init:
    r"""The margin and imbalance quantities of [XMTMV23, Table 2] (chapters 4–5).

    Attributes
    ----------
    p1, p2 : float
        :math:`p_1 = \max(\sigma_{\min}(Y) - \|E_0\|_F, 0)/\sigma_{\max}(X)` and
        :math:`p_2 = (\|Y\|_F + \|E_0\|_F)/\sigma_{\min}(X)`, :math:`E_0 = Y - XW_1W_2`.
    lam_plus, lam_minus, Delta, Delta_plus, Delta_minus : float
        As in :class:`XMTMV25Init`.
    alpha0, beta0 : float
        :math:`\alpha_0 = \tfrac12[-\Delta_+ + \sqrt{(\Delta_+ + \underline\Delta)^2 + 4p_1^2}] + \tfrac12[-\Delta_- + \sqrt{(\Delta_- + \underline\Delta)^2 + 4p_1^2}]`
        and :math:`\beta_0`, the same as :math:`\alpha_2` of [XMTMV25] with :math:`p_2` for :math:`\beta_2`.
    gap0 : float
        :math:`L(0)`.
    """

    p1: float
    p2: float
    lam_plus: float
    lam_minus: float
    Delta: float
    Delta_plus: float
    Delta_minus: float
    alpha0: float
    beta0: float
    gap0: float


@_validate.overflow_guard("W1", "W2")
def xmtmv23_init(loss, W1, W2) -> XMTMV23Init:
    r"""The quantities :math:`p_1, p_2, \alpha_0, \beta_0` of [XMTMV23, Table 2] at :math:`(W_1, W_2)` (chapter 4).

    As for :func:`xmtmv25_init`, the formulas are the printed ones: for :math:`n \ne m` the printed
    :math:`\alpha_0` credits the margin :math:`p_1` to both Gram matrices.

    Raises
    ------
    ValueError
        If ``loss`` is not a least-squares loss with :math:`X` of full row rank, or the factors are bad.
    """
    _check_loss(loss)
    loss = _check_xmtmv23_loss(loss)
    W1, W2 = _check_factors(loss, W1, W2)
    table = _imbalance_table(W1, W2)
    E0 = loss.Y - loss.X @ (W1 @ W2)
    e0 = float(np.linalg.norm(E0))
    sx_min, sx_max = math.sqrt(loss.mu), math.sqrt(loss.K)
    p1 = max(_svd_extremes(loss.Y)[0] - e0, 0.0) / sx_max
    p2 = (float(np.linalg.norm(loss.Y)) + e0) / sx_min
    alpha0 = _alpha_floor(table["Delta_plus"], table["Delta_minus"], table["Delta"], p1)
    return XMTMV23Init(p1=p1, p2=p2, **table, alpha0=alpha0,
                       beta0=_alpha_ceiling(table["lam_plus"], table["lam_minus"], p2), gap0=0.5 * e0 * e0)


def _xmtmv23_a(loss, init, c1, c2, gap):
    r""":math:`(a_1, a_2(t), a_3(t), a_4(t))` of [XMTMV23, eqs. (26)–(27)] at the gap ``gap`` = :math:`L(t)`."""
    kappa, s2 = loss.K / loss.mu, loss.mu  # s2 = sigma_min^2(X)
    gap = max(gap, 0.0)
    a1 = 2 * (c1 * init.alpha0) * s2
    a2 = 2 * math.sqrt(2 * kappa * gap * s2 ** 3) * init.p2 + kappa * s2 ** 2 * (c2 * init.beta0) ** 2
    a3 = 2 * math.sqrt(2 * kappa ** 3 * gap * s2 ** 5) * c2 * init.beta0 * init.p2
    a4 = 2 * kappa ** 2 * s2 ** 3 * init.p2 ** 2 * gap
    return a1, a2, a3, a4


@dataclass(frozen=True)
class XMTMV23EtaMax:
    r""":math:`\eta_1^{\max}, \eta_2^{\max}` of [XMTMV23, eq. (29)] and :math:`\eta_{\max}` their minimum (chapter 5).

    Attributes
    ----------
    eta1, eta2, eta_max : float
    c1, c2 : float
    init : XMTMV23Init
    """

    eta1: float
    eta2: float
    eta_max: float
    c1: float
    c2: float
    init: XMTMV23Init

    def factor(self, loss, eta, gap) -> float:
        r"""The factor :math:`f(\eta, t) = 1 - a_1\eta + a_2(t)\eta^2 + a_3(t)\eta^3 + a_4(t)\eta^4` at :math:`L(t) =` ``gap``."""
        loss = _check_xmtmv23_loss(_check_loss(loss))
        eta = _validate.positive("eta", eta)
        gap = _validate.nonnegative("gap", gap)
        a1, a2, a3, a4 = _xmtmv23_a(loss, self.init, self.c1, self.c2, gap)
        try:
            return float(1 - a1 * eta + a2 * eta ** 2 + a3 * eta ** 3 + a4 * eta ** 4)
        except OverflowError:  # a huge eta: the eta^2 (or higher) term dominates and is +inf
            return math.inf


def _check_c1_c2(c1, c2):
    return _slack_pair("c1", c1, "c2", c2)


@_validate.overflow_guard("W1", "W2", "c1", "c2")
def xmtmv23_eta_max(loss, W1, W2, c1: float = 0.5, c2: float = 1.5) -> XMTMV23EtaMax:
    r"""The constant step bound :math:`\eta_{\max} = \min(\eta_1^{\max}, \eta_2^{\max})` of [XMTMV23, Thm 3.1, eq. (29)] (chapter 5).

    Both are the unique positive roots of cubics with nonnegative coefficients,
    :math:`a_4(0)\eta^3 + a_3(0)\eta^2 + (a_2(0) + b)\eta = a_1` with
    :math:`b = 4c_2L(0)\sigma_{\max}^2(X)/(c_2 - 1)` and :math:`b = 8c_2\beta_0L(0)\sigma_{\max}^2(X)/((1 - c_1)\alpha_0)`.

    Raises
    ------
    ValueError
        If ``loss`` is not least squares with :math:`X` of full row rank, :math:`c_1 \notin (0, 1)`,
        :math:`c_2 \le 1`, the factors are bad, or :math:`\alpha_0 \le 0`.
    """
    c1, c2 = _check_c1_c2(c1, c2)
    init = xmtmv23_init(loss, W1, W2)
    if not init.alpha0 > 0:
        raise ValueError(f"W1, W2 must give alpha0 > 0 (the assumption of XMTMV23's Theorem 3.1), "
                         f"got alpha0 = {init.alpha0:.6g}")
    a1, a2, a3, a4 = _xmtmv23_a(loss, init, c1, c2, init.gap0)
    extra1 = 4 * c2 * init.gap0 * loss.K / (c2 - 1)
    extra2 = 8 * c2 * init.beta0 * init.gap0 * loss.K / ((1 - c1) * init.alpha0)
    eta1 = float(_cubic_root(a2 + extra1, a3, a4, a1))
    eta2 = float(_cubic_root(a2 + extra2, a3, a4, a1))
    return XMTMV23EtaMax(eta1=eta1, eta2=eta2, eta_max=min(eta1, eta2), c1=c1, c2=c2, init=init)


class XMTMV23Step(_LoggingPolicy):
    r"""The step rules of [XMTMV23] for :func:`lplbook.gd.run`: its adaptive step (Claim 3.1) or its
    constant :math:`\eta_{\max}` (Thm 3.2) (chapter 5).

    The adaptive step is :math:`\eta_t = \min(\eta_t', \eta_{\max})` with :math:`\eta_t'` the positive root
    of :math:`-a_1 + 2a_2(t)\eta + 3a_3(t)\eta^2 + 4a_4(t)\eta^3 = 0`; the coefficients depend on the run
    only through :math:`L(t)`, so it needs no eigenvalue problem per step. After a run ``factors``
    holds :math:`f(\eta_t, t)` and ``bound()`` is :math:`L(0)\prod_{k<t}f(\eta_k, k)` (eq. 32).

    Parameters
    ----------
    loss : losses.SquaredLoss with X of full row rank
    W1, W2 : ndarray
        The initialization; ``gd.run`` must start from it.
    adaptive : bool
        ``True`` for Claim 3.1's adaptive step, ``False`` for the constant :math:`\eta_{\max}`.
    c1, c2 : float
        Slack constants, :math:`0 < c_1 < 1 < c_2` (the paper's experiments: 0.5 and 1.5).
    """

    @_validate.overflow_guard("W1", "W2", "c1", "c2")
    def __init__(self, loss, W1, W2, adaptive: bool = True, c1: float = 0.5, c2: float = 1.5):
        if not isinstance(adaptive, bool):
            raise ValueError(f"adaptive must be True or False, got {adaptive!r}")
        self.eta_max = xmtmv23_eta_max(loss, W1, W2, c1, c2)
        self.loss, self.adaptive = loss, adaptive
        self.gap0 = self.eta_max.init.gap0
        self._start(*_check_factors(loss, W1, W2))

    def __call__(self, t, x, f, g):
        self._check_start(t, x)
        em = self.eta_max
        gap = float(f) - float(self.loss.min_value)
        a1, a2, a3, a4 = _xmtmv23_a(self.loss, em.init, em.c1, em.c2, gap)
        eta = em.eta_max
        if self.adaptive:
            eta = min(float(_cubic_root(2 * a2, 3 * a3, 4 * a4, a1)), em.eta_max)
        self.factors.append(float(1 - a1 * eta + a2 * eta ** 2 + a3 * eta ** 3 + a4 * eta ** 4))
        return eta


def _check_backtracking(eta_bt, tau, gamma, rule, max_trials):
    """The parameters of Algorithm 1 of [XMTMV25], checked (chapter 5b): ValueError names the argument."""
    eta_bt = _validate.positive("eta_bt", eta_bt)
    tau = _validate.positive("tau", tau)
    if not tau < 1:
        raise ValueError(f"tau must lie in (0, 1), got {tau!r}")
    gamma = _validate.positive("gamma", gamma)
    if not gamma < 1:
        raise ValueError(f"gamma must lie in (0, 1), got {gamma!r}")
    if not isinstance(rule, str) or rule not in ("printed", "armijo"):
        raise ValueError(f"rule must be 'printed' or 'armijo', got {rule!r}")
    return eta_bt, tau, gamma, rule, _validate.positive_int("max_trials", max_trials)


class Backtracking(gd.StepPolicy):
    r"""Backtracking line search on :math:`L(W_1, W_2)` for :func:`lplbook.gd.run` (chapter 5).

    Each step starts at :math:`\eta = \eta_{\rm bt}` and multiplies it by :math:`\tau` until the
    sufficient-decrease test holds:

    - ``rule="printed"``: :math:`L(W_1 - \eta G_1, W_2 - \eta G_2) \le L - \gamma\|\nabla L\|_F^2`, the test
      of [XMTMV25, App. G.2.1, Algorithm 1] as printed (no factor :math:`\eta`);
    - ``rule="armijo"``: :math:`L(\cdot) \le L - \gamma\eta\|\nabla L\|_F^2`, Armijo's test.

    The printed test can be impossible (when :math:`L - \gamma\|\nabla L\|_F^2 < \ell^*`); after
    ``max_trials`` rejected trials the policy takes the last, smallest trial step and counts a
    ``failures``. ``trials`` lists the trials of every step (each is one loss evaluation).

    Parameters
    ----------
    loss : a loss of :mod:`lplbook.losses`
    eta_bt : float
        The first trial step of every iteration (the paper does not print its value).
    tau : float
        Shrink factor in (0, 1); the paper's 0.1.
    gamma : float
        Sufficient-decrease constant in (0, 1); the paper's 0.9.
    rule : {"printed", "armijo"}
    max_trials : int
    """

    def __init__(self, loss, eta_bt, tau: float = 0.1, gamma: float = 0.9, rule: str = "printed",
                 max_trials: int = 60):
        self.loss = _check_loss(loss)
        self.eta_bt, self.tau, self.gamma, self.rule, self.max_trials = _check_backtracking(
            eta_bt, tau, gamma, rule, max_trials)
        self._value = _unchecked(loss)
        self.trials: list[int] = []
        self.failures = 0

    @property
    def loss_evaluations(self) -> int:
        """Loss evaluations spent in the line search (one per trial)."""
        return int(sum(self.trials))

    def __call__(self, t, x, f, g):
        W1, W2 = x
        G1, G2 = g
        gg = float(np.vdot(G1, G1) + np.vdot(G2, G2))
        eta = self.eta_bt
        with np.errstate(over="ignore", invalid="ignore"):
            for trial in range(1, self.max_trials + 1):
                value = self._value((W1 - eta * G1) @ (W2 - eta * G2))[0]
                decrease = self.gamma * gg * (eta if self.rule == "armijo" else 1.0)
                if value <= f - decrease:
                    break
                if trial < self.max_trials:
                    eta *= self.tau
            else:
                self.failures += 1
        self.trials.append(trial)
        return eta


# ---------------------------------------------------------------------------
# the reproduction of [XMTMV25]'s experiments: GD in span coordinates, batched rules (the reproduction chapter, after chapter 5)
# ---------------------------------------------------------------------------
def span_coordinates(W1, W2):
    r"""Factors of width at most n + m on which gradient descent runs exactly as on the given ones (the reproduction chapter, after chapter 5).

    Every GD update of :math:`W_1` is a combination of the rows of :math:`W_2^\top`, and every update of
    :math:`W_2` one of the columns of :math:`W_1^\top`: the rows of :math:`W_1(t)` and the columns of
    :math:`W_2(t)` stay in the span :math:`S` of those of :math:`W_1(0)` and :math:`W_2(0)`, of dimension at
    most :math:`n + m`. With a thin QR factorization :math:`[W_1^\top\; W_2] = QR`,
    :math:`W_1 = AQ^\top` and :math:`W_2 = QB`, where :math:`A^\top` is the first n columns of R and B the others, and
    gradient descent from :math:`(A, B)` with the same steps gives :math:`W_1(t) = A(t)Q^\top`,
    :math:`W_2(t) = QB(t)`: the same products :math:`W(t)`, losses, Gram matrices :math:`W_1W_1^\top = AA^\top`,
    :math:`W_2^\top W_2 = B^\top B`, gradient norms, and the nonzero spectrum of the imbalance. A run at
    width :math:`h` then costs what a run at width :math:`n + m` costs.

    Parameters
    ----------
    W1, W2 : ndarray
        Shapes ``(n, h)`` and ``(h, m)``, or stacks ``(B, n, h)`` and ``(B, h, m)``.

    Returns
    -------
    A, B : ndarray
        Shapes ``(n, r)`` and ``(r, m)`` (or stacked), :math:`r = \min(h, n + m)`; for :math:`h \le n + m`
        copies of the factors.
    """
    if isinstance(W1, np.ndarray) and W1.ndim not in (2, 3):
        raise ValueError(f"W1 must be a matrix (n, h) or a stack (B, n, h), got shape {W1.shape}")
    W1 = _validate.matrix("W1", W1, ndim=np.ndim(W1) if np.ndim(W1) in (2, 3) else 2)
    if isinstance(W2, np.ndarray) and W2.ndim in (2, 3) and W2.ndim != W1.ndim:
        raise ValueError(f"W1 and W2 must both be matrices or both stacks of B matrices, got shapes "
                         f"{W1.shape} and {W2.shape}")
    W2 = _validate.matrix("W2", W2, ndim=W1.ndim)
    lead = W1.shape[:-2]
    _validate.shape("W2", W2, lead + (W1.shape[-1], None))
    n, h = W1.shape[-2:]
    m = W2.shape[-1]
    if h <= n + m:
        return W1.copy(), W2.copy()
    R = np.linalg.qr(np.concatenate([np.swapaxes(W1, -1, -2), W2], axis=-1), mode="r")
    return np.ascontiguousarray(np.swapaxes(R[..., :n], -1, -2)), np.ascontiguousarray(R[..., n:])


def _check_batch(batch):
    if not isinstance(batch, SquaredBatch):
        raise ValueError(f"batch must be a twolayer.SquaredBatch, got {type(batch).__name__}")
    return batch


def _per_run_objects(name, values, cls, B):
    if isinstance(values, (np.ndarray, str)) or not isinstance(values, (list, tuple)):
        raise ValueError(f"{name} must be a list of {cls.__name__}, one per run, got {_validate.describe(values)}")
    if len(values) != B or not all(isinstance(v, cls) for v in values):
        raise ValueError(f"{name} must hold one {cls.__name__} per run of the batch ({B}), got "
                         f"{len(values)} items of types {sorted({type(v).__name__ for v in values})}")
    return tuple(values)


class _BatchLogging(gd.BatchStepPolicy):
    """A batched policy that keeps, per run, the factor of its bound at every step."""

    def _start(self, B, gap0):
        self.gap0 = np.asarray(gap0, dtype=float)
        self.factors = [[] for _ in range(B)]
        self.eigenproblems = np.zeros(B, dtype=int)

    def _record(self, idx, values):
        for b, v in zip(idx.tolist(), values.tolist()):
            self.factors[b].append(v)

    def bound(self) -> list:
        r"""Per run, the bound :math:`L(0)\prod_{k<t} h_k` on :math:`L(t) - \ell^*` for the steps taken."""
        return [g0 * np.concatenate([[1.0], np.cumprod(f)]) for g0, f in zip(self.gap0, self.factors)]


def _batch_T_and_W(W1, W2):
    r""":math:`\lambda_{\min}(\mathcal T)`, :math:`\lambda_{\max}(\mathcal T)`, :math:`\sigma_{\max}(W)` per run, from small Gram matrices."""
    W = W1 @ W2
    G1 = W1 @ np.swapaxes(W1, 1, 2)
    G2 = np.swapaxes(W2, 1, 2) @ W2
    GW = np.swapaxes(W, 1, 2) @ W if W.shape[2] <= W.shape[1] else W @ np.swapaxes(W, 1, 2)
    if G1.shape == G2.shape == GW.shape:  # one LAPACK call for the three
        lam = np.linalg.eigvalsh(np.concatenate([G1, G2, GW]))
        k = W.shape[0]
        l1, l2, lw = lam[:k], lam[k:2 * k], lam[2 * k:]
    else:
        l1, l2, lw = (np.linalg.eigvalsh(G) for G in (G1, G2, GW))
    T_min = np.clip(l1[:, 0], 0.0, None) + np.clip(l2[:, 0], 0.0, None)
    T_max = np.clip(l1[:, -1], 0.0, None) + np.clip(l2[:, -1], 0.0, None)
    return T_min, T_max, np.sqrt(np.clip(lw[:, -1], 0.0, None))


class BatchXMTMV25Step(_BatchLogging):
    r"""The step rule of [XMTMV25, eq. (19)] for every run of a :class:`SquaredBatch` (the reproduction chapter, after chapter 5).

    Run ``b`` takes the step :class:`XMTMV25Step` would take with ``rates[b]``:
    :math:`\eta_t^* = \min((1 + \eta_0^d)^{t/2}\eta_0, 1/K_t)` for ``h="rho"`` (:math:`\eta K_t(\eta) = 1`
    solved per run by Newton's method on the cubic, :math:`\lambda_{\min}(\mathcal T_t)`,
    :math:`\lambda_{\max}(\mathcal T_t)` and :math:`\sigma_{\max}(W(t))` from stacked small Gram matrices, in one
    batched eigenvalue call) or with :math:`1/\bar K_t` for ``h="rho_bar"`` (no eigenvalue problem). After a
    run, ``factors[b]`` holds the factors :math:`h(\eta_t^*, t)` and ``bound()[b]`` is eq. (20);
    ``eigenproblems[b]`` counts the small symmetric eigenvalue problems of run ``b``.

    Parameters
    ----------
    batch : SquaredBatch
    rates : list of XMTMV25Rate
        One per run, from :meth:`XMTMV25EtaMax.constants` at that run's start.
    h : {"rho", "rho_bar"}
    """

    def __init__(self, batch, rates, h: str = "rho"):
        self.batch = _check_batch(batch)
        rates = _per_run_objects("rates", rates, XMTMV25Rate, batch.batch_size)
        if not isinstance(h, str) or h not in ("rho", "rho_bar"):
            raise ValueError(f"h must be 'rho' or 'rho_bar', got {h!r}")
        self.h, self.rates = h, rates
        get = lambda f: np.array([f(r) for r in rates], dtype=float)  # noqa: E731
        self.eta0, self.d, self.c = get(lambda r: r.eta0), get(lambda r: r.d), get(lambda r: r.c)
        self.mu_bar, self.rho_bar, self.Delta = get(lambda r: r.mu_bar), get(lambda r: r.rho_bar), get(lambda r: r.Delta)
        self._K, self._L0 = get(lambda r: r.init.K), get(lambda r: r.init.gap0)
        self._beta2, self._alpha2 = get(lambda r: r.init.beta2), get(lambda r: r.init.alpha2)
        self._start(len(rates), self._L0)

    def _K_bar(self, t, idx):
        r""":math:`\bar K_t` of the runs ``idx`` (as :meth:`XMTMV25Rate.K_bar`)."""
        K, L0, e0 = self._K[idx], self._L0[idx], self.eta0[idx]
        rb, De = self.rho_bar[idx], self.Delta[idx]
        return (np.sqrt(2 * K * L0 * rb ** t) + 6 * K * K * self._beta2[idx] * L0 * e0 ** 2 * De ** t
                + K * np.exp(e0 ** self.c[idx]) * self._alpha2[idx] * (1 + 3 * np.sqrt(2 * K * L0 * De ** t) * e0))

    def __call__(self, t, x, f, g, idx):
        e0 = self.eta0[idx]
        cap = (1 + e0 ** self.d[idx]) ** (t / 2) * e0
        if self.h == "rho_bar":
            K_bar = self._K_bar(t, idx)
            eta = np.minimum(cap, 1.0 / K_bar)
            mu_bar = self.mu_bar[idx]
            self._record(idx, 1 - 2 * mu_bar * eta + mu_bar * K_bar * eta * eta)
            return eta
        W1, W2 = x
        T_min, T_max, s_max = _batch_T_and_W(W1, W2)
        self.eigenproblems[idx] += 3
        K = self.batch.K[idx]
        gap = np.clip(np.asarray(f, dtype=float) - self.batch.min_value[idx], 0.0, None)
        root = np.sqrt(2.0 * K * gap)
        A, B, C = K * T_max + root, 3.0 * K * T_max * root, 6.0 * K * K * s_max * gap
        eta = np.minimum(cap, _cubic_root(A, B, C, 1.0))
        mu_t = self.batch.mu[idx] * T_min
        self._record(idx, 1 - 2 * mu_t * eta + mu_t * (A + B * eta + C * eta * eta) * eta * eta)
        return eta


class BatchXMTMV23Step(_BatchLogging):
    r"""The adaptive step of [XMTMV23, Claim 3.1] (or its constant :math:`\eta_{\max}`) for every run of a
    :class:`SquaredBatch` (the reproduction chapter, after chapter 5).

    Run ``b`` takes the step :class:`XMTMV23Step` would take with ``eta_maxes[b]``; the coefficients
    :math:`a_1, \dots, a_4` depend on the run only through :math:`L(t)`, so the batch needs no
    eigenvalue problem per step. ``factors[b]`` and ``bound()[b]`` are as in :class:`XMTMV23Step`.

    Parameters
    ----------
    batch : SquaredBatch
    eta_maxes : list of XMTMV23EtaMax
        One per run, from :func:`xmtmv23_eta_max` at that run's start.
    adaptive : bool
    """

    def __init__(self, batch, eta_maxes, adaptive: bool = True):
        self.batch = _check_batch(batch)
        ems = _per_run_objects("eta_maxes", eta_maxes, XMTMV23EtaMax, batch.batch_size)
        if not isinstance(adaptive, bool):
            raise ValueError(f"adaptive must be True or False, got {adaptive!r}")
        self.adaptive = adaptive
        get = lambda f: np.array([f(e) for e in ems], dtype=float)  # noqa: E731
        self.eta_max = get(lambda e: e.eta_max)
        self._c1a0 = get(lambda e: e.c1 * e.init.alpha0)
        self._c2b0 = get(lambda e: e.c2 * e.init.beta0)
        self._p2 = get(lambda e: e.init.p2)
        self._start(len(ems), get(lambda e: e.init.gap0))

    def __call__(self, t, x, f, g, idx):
        kappa = self.batch.K[idx] / self.batch.mu[idx]
        s2 = self.batch.mu[idx]
        gap = np.clip(np.asarray(f, dtype=float) - self.batch.min_value[idx], 0.0, None)
        p2, c2b0 = self._p2[idx], self._c2b0[idx]
        a1 = 2 * self._c1a0[idx] * s2
        a2 = 2 * np.sqrt(2 * kappa * gap * s2 ** 3) * p2 + kappa * s2 ** 2 * c2b0 ** 2
        a3 = 2 * np.sqrt(2 * kappa ** 3 * gap * s2 ** 5) * c2b0 * p2
        a4 = 2 * kappa ** 2 * s2 ** 3 * p2 ** 2 * gap
        eta = self.eta_max[idx]
        if self.adaptive:
            eta = np.minimum(_cubic_root(2 * a2, 3 * a3, 4 * a4, a1), eta)
        self._record(idx, 1 - a1 * eta + a2 * eta ** 2 + a3 * eta ** 3 + a4 * eta ** 4)
        return eta


class BatchBacktracking(gd.BatchStepPolicy):
    r"""The backtracking line search of :class:`Backtracking` for every run of a :class:`SquaredBatch`
    (the reproduction chapter, after chapter 5).

    All runs try :math:`\eta_{\rm bt}`, then the runs whose test failed try :math:`\tau\eta`, and so on: one
    stacked loss evaluation per round for the runs still searching. ``trials[b]`` lists the trials of
    every step of run ``b`` (one loss evaluation each) and ``failures[b]`` counts its steps that took the
    last trial after ``max_trials`` rejections.

    Parameters
    ----------
    batch : SquaredBatch
    eta_bt, tau, gamma, rule, max_trials
        As in :class:`Backtracking`.
    """

    def __init__(self, batch, eta_bt, tau: float = 0.1, gamma: float = 0.9, rule: str = "printed",
                 max_trials: int = 60):
        self.batch = _check_batch(batch)
        self.eta_bt, self.tau, self.gamma, self.rule, self.max_trials = _check_backtracking(
            eta_bt, tau, gamma, rule, max_trials)
        B = batch.batch_size
        self.trials = [[] for _ in range(B)]
        self.failures = np.zeros(B, dtype=int)

    def loss_evaluations(self) -> np.ndarray:
        """Loss evaluations spent in the line search, per run (one per trial)."""
        return np.array([sum(t) for t in self.trials], dtype=int)

    def __call__(self, t, x, f, g, idx):
        W1, W2 = x
        G1, G2 = g
        X, _, Y = self.batch.rows(idx)
        f = np.asarray(f, dtype=float)
        gg = np.sum(G1 * G1, axis=(1, 2)) + np.sum(G2 * G2, axis=(1, 2))
        eta = np.full(idx.size, self.eta_bt)
        trials = np.zeros(idx.size, dtype=int)
        open_ = np.arange(idx.size)
        with np.errstate(over="ignore", invalid="ignore"):
            for trial in range(1, self.max_trials + 1):
                e = eta[open_][:, None, None]
                R = Y[open_] - X[open_] @ ((W1[open_] - e * G1[open_]) @ (W2[open_] - e * G2[open_]))
                value = 0.5 * np.sum(R * R, axis=(1, 2))
                trials[open_] = trial
                decrease = self.gamma * gg[open_] * (eta[open_] if self.rule == "armijo" else 1.0)
                passed = value <= f[open_] - decrease
                open_ = open_[~passed]
                if open_.size == 0:
                    break
                if trial < self.max_trials:
                    eta[open_] *= self.tau
        for b in idx[open_].tolist():
            self.failures[b] += 1
        for b, k in zip(idx.tolist(), trials.tolist()):
            self.trials[b].append(k)
        return eta
