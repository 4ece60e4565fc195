r"""Deep linear networks :math:`W_{1:N} = W_N\cdots W_1` and the theorem of [ACGH19] (chapters 5 and 7).

Layer :math:`j` is :math:`W_j \in \mathbb{R}^{d_j\times d_{j-1}}` (``Ws[j-1]``), and the
whitened loss is :math:`\tfrac12\|W_{1:N} - \Phi\|_F^2`. A two-layer network
:math:`W_1W_2` of :mod:`lplbook.twolayer` is the case :math:`N = 2` with layers
``[W2, W1]``.

The constants of :func:`delta_bound`, :func:`step_bound` and :func:`iteration_bound` are
those of the convergence theorem of Arora, Cohen, Golowich and Hu (ICLR 2019); chapter 7
states the theorem with its hypotheses, and chapter 5 uses the step for :math:`N = 2`.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate


def _layers(Ws) -> list[np.ndarray]:
    if not isinstance(Ws, (list, tuple)) or len(Ws) == 0:
        raise ValueError(f"Ws must be a non-empty sequence (list or tuple) of 2-d arrays W_1, ..., W_N, "
                         f"got {_validate.describe(Ws)}")
    layers = [_validate.matrix(f"Ws[{j}]", W) for j, W in enumerate(Ws)]
    for j in range(1, len(layers)):
        if layers[j].shape[1] != layers[j - 1].shape[0]:
            raise ValueError(
                f"Ws[{j}] must have {layers[j - 1].shape[0]} columns to follow Ws[{j - 1}] "
                f"of shape {layers[j - 1].shape}, got shape {layers[j].shape}"
            )
    return layers


@_validate.overflow_guard("Ws")
def end_to_end(Ws) -> np.ndarray:
    r"""The end-to-end matrix :math:`W_{1:N} = W_N\cdots W_1`, shape :math:`(d_N, d_0)` (chapter 7)."""
    layers = _layers(Ws)
    W = layers[0]
    for layer in layers[1:]:
        W = layer @ W
    return W


@_validate.overflow_guard("Ws")
def balancedness(Ws) -> float:
    r"""The smallest :math:`\delta` with :math:`\|W_{j+1}^\top W_{j+1} - W_jW_j^\top\|_F \le \delta` for all :math:`j` (chapter 7)."""
    layers = _layers(Ws)
    return max(
        (float(np.linalg.norm(layers[j + 1].T @ layers[j + 1] - layers[j] @ layers[j].T))
         for j in range(len(layers) - 1)),
        default=0.0,
    )


@_validate.overflow_guard("W", "Phi")
def deficiency_margin(W, Phi) -> float:
    r"""The largest :math:`c` with :math:`\|W - \Phi\|_F \le \sigma_{\min}(\Phi) - c` (chapters 5 and 7).

    Returns :math:`\sigma_{\min}(\Phi) - \|W - \Phi\|_F`, computed as
    :math:`(\sigma_{\min}^2 - \|\Phi\|_F^2 + 2\langle W, \Phi\rangle - \|W\|_F^2)/(\sigma_{\min} + \|W - \Phi\|_F)`
    so that it keeps its relative accuracy when :math:`\|W\| \ll \|\Phi\|` (a tiny end-to-end
    matrix at a small initialization). The initialization has a deficiency margin exactly
    when this is positive.
    """
    W = _validate.matrix("W", W)
    Phi = _validate.matrix("Phi", Phi)
    _validate.shape("W", W, Phi.shape)
    phi_sq = float(np.vdot(Phi, Phi))
    if min(Phi.shape) == 1:  # a row or column: sigma_min(Phi)^2 = |Phi|_F^2 exactly
        sigma_min_sq = phi_sq
    else:
        gram = Phi.T @ Phi if Phi.shape[1] <= Phi.shape[0] else Phi @ Phi.T
        sigma_min_sq = max(float(np.linalg.eigvalsh(gram)[0]), 0.0)
    distance = float(np.linalg.norm(W - Phi))
    # sigma_min - |W - Phi| = (sigma_min^2 - |W - Phi|^2) / (sigma_min + |W - Phi|), with
    # |W - Phi|^2 = |Phi|^2 - 2<W, Phi> + |W|^2 expanded: no cancellation when |W| << |Phi|
    numerator = (sigma_min_sq - phi_sq) + 2.0 * float(np.vdot(W, Phi)) - float(np.vdot(W, W))
    denominator = math.sqrt(sigma_min_sq) + distance
    return numerator / denominator if denominator > 0 else 0.0


def _theorem_inputs(c, N, Phi):
    c = _validate.positive("c", c)
    N = _validate.positive_int("N", N)
    if N < 2:
        raise ValueError(f"N must be an integer >= 2 (a network with hidden layers), got {N}")
    Phi = _validate.matrix("Phi", Phi)
    norm = float(np.linalg.norm(Phi))
    if norm == 0:
        raise ValueError("Phi must not be the zero matrix")
    return c, N, norm


@_validate.overflow_guard("c", "N", "Phi")
def delta_bound(c, N, Phi) -> float:
    r"""The balancedness the theorem allows, :math:`\delta \le c^2/(256N^3\|\Phi\|_F^{2(N-1)/N})` (chapter 7)."""
    c, N, norm = _theorem_inputs(c, N, Phi)
    return c**2 / (256 * N**3 * norm ** (2 * (N - 1) / N))


@_validate.overflow_guard("c", "N", "Phi")
def step_bound(c, N, Phi) -> float:
    r"""The step the theorem allows, :math:`\eta \le c^{(4N-2)/N}/(6144N^3\|\Phi\|_F^{(6N-4)/N})` (chapters 5 and 7)."""
    c, N, norm = _theorem_inputs(c, N, Phi)
    return c ** ((4 * N - 2) / N) / (6144 * N**3 * norm ** ((6 * N - 4) / N))


@_validate.overflow_guard("c", "N", "Phi", "eta", "loss0", "eps")
def iteration_bound(c, N, Phi, eta, loss0, eps) -> float:
    r"""Steps that suffice for :math:`\ell(T) \le \varepsilon`: :math:`\log(\ell(0)/\varepsilon)/(\eta c^{2(N-1)/N})` (chapter 7).

    From :math:`\ell(t) \le \ell(0)(1 - \eta c^{2(N-1)/N})^t` and :math:`\log(1 - x) \le -x`.
    """
    c, N, _ = _theorem_inputs(c, N, Phi)
    eta = _validate.positive("eta", eta)
    loss0 = _validate.positive("loss0", loss0)
    eps = _validate.positive("eps", eps)
    return max(math.log(loss0 / eps), 0.0) / (eta * c ** (2 * (N - 1) / N))


# ---------------------------------------------------------------------------
# the whitened loss, its gradients and the objective for gd (chapter 7)
# ---------------------------------------------------------------------------
def widths(Ws) -> list[int]:
    r"""The widths :math:`[d_0, d_1, \dots, d_N]` of the layers ``Ws`` (chapter 7)."""
    layers = _layers(Ws)
    return [layers[0].shape[1]] + [W.shape[0] for W in layers]


def _check_network(Ws, Phi):
    layers = _layers(Ws)
    Phi = _validate.matrix("Phi", Phi)
    d = [layers[0].shape[1]] + [W.shape[0] for W in layers]
    if (d[-1], d[0]) != Phi.shape:
        raise ValueError(f"Phi must have shape (d_N, d_0) = {(d[-1], d[0])}, got {Phi.shape}")
    narrow = min(d[0], d[-1])
    for j, dj in enumerate(d[1:-1], start=1):
        if dj < narrow:
            raise ValueError(f"width d_{j} must be >= min(d_0, d_N) = {narrow} (no bottleneck), got {dj}")
    return layers, Phi


def _products(layers):
    """Prefix products P_j = W_j...W_1 (P_0 = I) and suffix products S_j = W_N...W_{j+1} (S_N = I)."""
    N = len(layers)
    prefix = [np.eye(layers[0].shape[1])]
    for W in layers:
        prefix.append(W @ prefix[-1])
    suffix = [None] * (N + 1)
    suffix[N] = np.eye(layers[-1].shape[0])
    for j in range(N - 1, -1, -1):
        suffix[j] = suffix[j + 1] @ layers[j]
    return prefix, suffix


@_validate.overflow_guard("Ws", "Phi")
def loss(Ws, Phi) -> float:
    r"""The whitened loss :math:`\tfrac12\|W_N\cdots W_1 - \Phi\|_F^2` (chapter 7)."""
    layers, Phi = _check_network(Ws, Phi)
    E = end_to_end(layers) - Phi
    return float(0.5 * np.vdot(E, E))


@_validate.overflow_guard("Ws", "Phi")
def grads(Ws, Phi) -> tuple[np.ndarray, ...]:
    r"""Gradients :math:`\nabla_{W_j} = (W_N\cdots W_{j+1})^\top (W_{1:N} - \Phi)(W_{j-1}\cdots W_1)^\top` (chapter 7)."""
    layers, Phi = _check_network(Ws, Phi)
    prefix, suffix = _products(layers)
    E = prefix[-1] - Phi
    return tuple(suffix[j + 1].T @ E @ prefix[j].T for j in range(len(layers)))


class Objective:
    r"""The objective ``Ws -> (loss, grads)`` of :math:`\tfrac12\|W_{1:N} - \Phi\|_F^2` for :func:`lplbook.gd.run` (chapter 7).

    ``x`` is the tuple of layers :math:`(W_1, \dots, W_N)`; one pass of prefix and suffix
    products per call.
    """

    def __init__(self, Phi):
        self.Phi = _validate.matrix("Phi", Phi)

    def check_start(self, x0) -> None:
        """Check the starting layers against Phi once (:func:`lplbook.gd.run` calls it)."""
        try:
            _check_network(list(x0) if isinstance(x0, tuple) else x0, self.Phi)
        except ValueError as exc:
            raise ValueError(f"x0 = (W_1, ..., W_N) must fit Phi: {exc}") from exc

    def __call__(self, Ws):
        prefix, suffix = _products(list(Ws))
        E = prefix[-1] - self.Phi
        return 0.5 * float(np.vdot(E, E)), tuple(suffix[j + 1].T @ E @ prefix[j].T for j in range(len(Ws)))


def objective(Phi) -> Objective:
    r"""The objective of the whitened deep linear problem of chapter 7; see :class:`Objective`."""
    return Objective(Phi)


class BatchObjective:
    r"""B deep linear runs with targets :math:`\Phi_b` stacked, for :func:`lplbook.gd.run_batch` (chapter 7).

    ``x`` is the tuple of stacked layers, ``x[j]`` of shape ``(B, d_{j+1}, d_j)``; ``Phi``
    is one target (shared) or a stack of B targets.
    """

    def __init__(self, Phi):
        Phi = _validate.finite_array("Phi", Phi, allow_empty=False)
        if Phi.ndim not in (2, 3):
            raise ValueError(f"Phi must be 2-d (shared) or 3-d (one per run), got shape {Phi.shape}")
        self.Phi = Phi

    def check_start(self, x0) -> None:
        """Check stacked starting layers once (:func:`lplbook.gd.run_batch` calls it)."""
        if not isinstance(x0, tuple) or len(x0) == 0:
            raise ValueError(f"x0 must be a tuple of stacked layers, got {_validate.describe(x0)}")
        layers = [_validate.matrix(f"x0[{j}]", W, ndim=3) for j, W in enumerate(x0)]
        B = layers[0].shape[0]
        for j in range(1, len(layers)):
            _validate.shape(f"x0[{j}]", layers[j], (B, None, layers[j - 1].shape[1]))
        target = (layers[-1].shape[1], layers[0].shape[2])
        if self.Phi.shape[-2:] != target:
            raise ValueError(f"x0 must end in layers of shape (d_N, d_0) = {self.Phi.shape[-2:]} (Phi's), "
                             f"got (d_N, d_0) = {target}")
        if self.Phi.ndim == 3 and self.Phi.shape[0] != B:
            raise ValueError(f"x0 must stack one run per target Phi[b] ({self.Phi.shape[0]}), got {B} runs")

    def value_and_grad(self, x, idx):
        Ws = list(x)
        k = Ws[0].shape[0]
        prefix = [np.broadcast_to(np.eye(Ws[0].shape[2]), (k,) + (Ws[0].shape[2],) * 2)]
        for W in Ws:
            prefix.append(W @ prefix[-1])
        Phi = self.Phi if self.Phi.ndim == 2 else self.Phi[idx]
        E = prefix[-1] - Phi
        grads = [None] * len(Ws)
        back = E  # (W_N ... W_{j+1})^T E, built from the top down
        for j in range(len(Ws) - 1, -1, -1):
            grads[j] = back @ np.swapaxes(prefix[j], 1, 2)
            if j:
                back = np.swapaxes(Ws[j], 1, 2) @ back
        return 0.5 * np.sum(E * E, axis=(1, 2)), tuple(grads)


# ---------------------------------------------------------------------------
# initializations and data (chapter 7)
# ---------------------------------------------------------------------------
def _widths_list(widths) -> list[int]:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__") or (
            isinstance(widths, np.ndarray) and widths.ndim != 1):
        raise ValueError(f"widths must be a sequence of integers d_0, ..., d_N, got {_validate.describe(widths)}")
    return [_validate.positive_int(f"widths[{j}]", w) for j, w in enumerate(widths)]


def _random_orthogonal(d, rng):
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


@_validate.overflow_guard("A")
def balanced_init(A, widths, rng=None, *, mix: bool = True) -> list[np.ndarray]:
    r"""Layers with end-to-end matrix exactly :math:`A` that are 0-balanced (chapter 7).

    With :math:`A = U\Sigma V^\top` (:math:`k = \min(d_0, d_N)` singular values):
    :math:`W_N = U\Sigma^{1/N}`, middle layers :math:`\Sigma^{1/N}`, :math:`W_1 = \Sigma^{1/N}V^\top`,
    each zero-padded to its width. With ``mix=True`` each hidden space is rotated by a
    random orthogonal :math:`Q_j` (:math:`W_j \to Q_jW_jQ_{j-1}^\top`), which changes neither the
    end-to-end matrix nor the balancedness.

    Parameters
    ----------
    A : array_like, shape (d_N, d_0)
    widths : sequence of int
        :math:`[d_0, d_1, \dots, d_N]` with every hidden :math:`d_j \ge \min(d_0, d_N)`.
    rng : numpy.random.Generator, optional
        Needed when ``mix=True``.
    """
    A = _validate.matrix("A", A)
    d = _widths_list(widths)
    if len(d) < 3:
        raise ValueError(f"widths must list d_0, ..., d_N with N >= 2, got {list(widths)}")
    if (d[-1], d[0]) != A.shape:
        raise ValueError(f"A must have shape (d_N, d_0) = {(d[-1], d[0])}, got {A.shape}")
    k = min(d[0], d[-1])
    if min(d[1:-1]) < k:
        raise ValueError(f"hidden widths must be >= min(d_0, d_N) = {k}, got {d[1:-1]}")
    if not isinstance(mix, (bool, np.bool_)):
        raise ValueError(f"mix must be True or False, got {_validate.describe(mix)}")
    if mix and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator when mix=True")
    N = len(d) - 1
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    root = s ** (1.0 / N)
    layers = []
    for j in range(1, N + 1):
        W = np.zeros((d[j], d[j - 1]))
        if j == 1:
            W[:k, :] = root[:, None] * Vt
        elif j == N:
            W[:, :k] = U * root
        else:
            W[:k, :k] = np.diag(root)
        layers.append(W)
    if mix:
        Qs = [np.eye(d[0])] + [_random_orthogonal(dj, rng) for dj in d[1:-1]] + [np.eye(d[-1])]
        layers = [Qs[j] @ layers[j - 1] @ Qs[j - 1].T for j in range(1, N + 1)]
    return layers


def gaussian_init(widths, std, rng) -> list[np.ndarray]:
    r"""Layer-wise Gaussian initialization, entries i.i.d. :math:`\mathcal N(0, \text{std}^2)` (chapter 7)."""
    d = _widths_list(widths)
    if len(d) < 2:
        raise ValueError(f"widths must list d_0, ..., d_N with N >= 1, got {list(widths)}")
    std = _validate.positive("std", std)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return [std * rng.standard_normal((d[j], d[j - 1])) for j in range(1, len(d))]


@_validate.overflow_guard("X", "Y")
def whiten(X, Y):
    r"""Whiten a regression data set into the target :math:`\Phi` of the whitened loss (chapter 7).

    With :math:`\Lambda = X^\top X/N` and :math:`\tilde X = X\Lambda^{-1/2}` (so that
    :math:`\tilde X^\top\tilde X/N = I`), the loss :math:`\frac1{2N}\|\tilde XW^\top - Y\|_F^2` equals
    :math:`\tfrac12\|W - \Phi\|_F^2 + c` with :math:`\Phi = Y^\top\tilde X/N` (shape :math:`(d_N, d_0)`)
    and :math:`c` the optimum, returned as ``min_value``.

    Parameters
    ----------
    X : array_like, shape (N, d_0)
        Inputs, rows are samples; :math:`X^\top X` must be invertible.
    Y : array_like, shape (N,) or (N, d_N)

    Returns
    -------
    X_white : ndarray, shape (N, d_0)
    Phi : ndarray, shape (d_N, d_0)
    min_value : float
    """
    X = _validate.matrix("X", X)
    Y = _validate.finite_array("Y", Y)
    Y = Y[:, None] if Y.ndim == 1 else Y
    if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y must have one row per sample ({X.shape[0]}), got shape {Y.shape}")
    N = X.shape[0]
    lam, V = np.linalg.eigh(X.T @ X / N)
    if lam[0] <= lam[-1] * X.shape[1] * np.finfo(float).eps:
        raise ValueError("X must have linearly independent columns (X^T X is singular)")
    X_white = X @ (V / np.sqrt(lam)) @ V.T
    Phi = Y.T @ X_white / N
    residual = X_white @ Phi.T - Y
    return X_white, Phi, float(0.5 * np.vdot(residual, residual) / N)
