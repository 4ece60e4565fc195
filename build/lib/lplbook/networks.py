r"""Smooth fully connected networks with manual backpropagation (chapters 8–9).

A network with layer widths :math:`d_0 = d, d_1, \dots, d_{L-1}` and a scalar output is

.. math:: \Psi(x) = w_L^\top\,\sigma\bigl(W_{L-1}\,\sigma(\cdots\sigma(W_1 x))\bigr),

with :math:`W_\ell \in \mathbb{R}^{d_\ell\times d_{\ell-1}}`, :math:`w_L \in \mathbb{R}^{d_{L-1}}` and a
smooth strictly increasing activation :math:`\sigma` (``"tanh"`` or ``"softplus"``). Its training
loss on inputs :math:`x_1, \dots, x_n` (rows of :math:`X`) and targets :math:`y` is
:math:`f(\theta) = \tfrac12\sum_i(\Psi(x_i) - y_i)^2 \ge 0`, the nonnegative function whose zeros the
local PL criterion of chapter 8 is about. Parameters are handled as a flat vector
:math:`\theta` (``Network.flatten`` / ``Network.unflatten``), so :func:`lplbook.gd.run` and
:mod:`lplbook.criterion` work on it directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import _validate

ACTIVATIONS = ("tanh", "softplus")


def activation(name: str):
    r"""The activation :math:`\sigma` and its derivative :math:`\sigma'` by name (chapter 9)."""
    _check_activation("name", name)
    if name == "tanh":
        return np.tanh, lambda z: 1.0 / np.cosh(np.clip(z, -350.0, 350.0)) ** 2
    if name == "softplus":
        def softplus(z):
            return np.logaddexp(0.0, z)

        def sigmoid(z):
            return 0.5 * (1.0 + np.tanh(0.5 * z))

        return softplus, sigmoid
    raise AssertionError(name)  # pragma: no cover - checked above


def _check_activation(label, name):
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"{label} must be one of {ACTIVATIONS} (the activation), got {_validate.describe(name)}")


@dataclass(frozen=True, eq=False)
class Network:
    r"""The architecture and data of a scalar-output network and its squared training loss (chapter 9).

    Parameters
    ----------
    widths : sequence of int
        :math:`[d_0, d_1, \dots, d_{L-1}]`: input dimension then hidden widths (at least one
        hidden layer); the output layer maps :math:`d_{L-1}` to 1.
    X : array_like, shape (n, d_0)
        Inputs, one per row.
    y : array_like, shape (n,)
        Targets.
    act : str
        ``"tanh"`` or ``"softplus"``.
    """

    widths: tuple
    X: np.ndarray
    y: np.ndarray
    act: str = "tanh"
    shapes: tuple = field(init=False)
    size: int = field(init=False)

    @_validate.overflow_guard("X", "y")
    def __post_init__(self):
        if isinstance(self.widths, (str, bytes)) or not hasattr(self.widths, "__iter__"):
            raise ValueError(f"widths must be a sequence of integers, got {_validate.describe(self.widths)}")
        widths = tuple(_validate.positive_int(f"widths[{j}]", w) for j, w in enumerate(self.widths))
        if len(widths) < 2:
            raise ValueError(f"widths must list d_0 and at least one hidden width, got {list(self.widths)}")
        X = _validate.matrix("X", self.X).copy()
        y = _validate.finite_array("y", self.y).reshape(-1).copy()
        if X.shape[1] != widths[0]:
            raise ValueError(f"X must have d_0 = {widths[0]} columns, got shape {X.shape}")
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have one target per row of X ({X.shape[0]}), got {y.shape[0]}")
        _check_activation("act", self.act)
        shapes = tuple((widths[j + 1], widths[j]) for j in range(len(widths) - 1)) + ((1, widths[-1]),)
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "shapes", shapes)
        object.__setattr__(self, "size", int(sum(a * b for a, b in shapes)))

    # -- parameters -----------------------------------------------------------------
    def flatten(self, Ws) -> np.ndarray:
        """The flat parameter vector of the layers ``Ws`` (in order, row-major)."""
        if not isinstance(Ws, (list, tuple)):
            raise ValueError(f"Ws must be a list of {len(self.shapes)} layers, got {_validate.describe(Ws)}")
        if len(Ws) != len(self.shapes):
            raise ValueError(f"Ws must have {len(self.shapes)} layers, got {len(Ws)}")
        parts = []
        for j, (W, shape) in enumerate(zip(Ws, self.shapes)):
            W = _validate.matrix(f"Ws[{j}]", W)
            _validate.shape(f"Ws[{j}]", W, shape)
            parts.append(W.ravel())
        return np.concatenate(parts)

    def unflatten(self, theta) -> list[np.ndarray]:
        """The layers (views into ``theta``) of a flat parameter vector."""
        theta = _validate.finite_array("theta", theta)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got {theta.shape}")
        return self._unflatten(theta)

    def _unflatten(self, theta) -> list[np.ndarray]:
        # unchecked: the loop of gd.run calls it through value_and_grad(check=False)
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.size,):
            raise ValueError(f"theta must have shape ({self.size},), got {theta.shape}")
        Ws, start = [], 0
        for a, b in self.shapes:
            Ws.append(theta[start:start + a * b].reshape(a, b))
            start += a * b
        return Ws

    # -- forward and backward ----------------------------------------------------------
    @_validate.overflow_guard("theta", "X")
    def outputs(self, theta, X=None) -> np.ndarray:
        r"""Network outputs :math:`\Psi(x_i)` for the rows of ``X`` (default: the training inputs)."""
        sigma, _ = activation(self.act)
        Ws = self.unflatten(theta)
        if X is not None:
            X = _validate.matrix("X", X)
            if X.shape[1] != self.widths[0]:
                raise ValueError(f"X must have d_0 = {self.widths[0]} columns, got shape {X.shape}")
        H = (self.X if X is None else X).T
        for W in Ws[:-1]:
            H = sigma(W @ H)
        return (Ws[-1] @ H).ravel()

    def value_and_grad(self, theta, *, check: bool = True):
        r"""The loss :math:`f(\theta) = \tfrac12\|\Psi(X) - y\|^2` and its gradient by backpropagation."""
        if check:
            theta = _validate.finite_array("theta", theta)
            self.unflatten(theta)  # checks the shape
            with _validate.overflow_guard("theta"):
                return self.value_and_grad(theta, check=False)
        sigma, dsigma = activation(self.act)
        Ws = self._unflatten(theta)
        H = [self.X.T]  # H[l]: activations of layer l, shape (d_l, n)
        Z = []
        for W in Ws[:-1]:
            Z.append(W @ H[-1])
            H.append(sigma(Z[-1]))
        r = (Ws[-1] @ H[-1]).ravel() - self.y
        grads = [None] * len(Ws)
        delta = r[None, :]  # d f / d (pre-activation of the output), shape (1, n)
        grads[-1] = delta @ H[-1].T
        back = Ws[-1].T @ delta
        for j in range(len(Ws) - 2, -1, -1):
            delta = back * dsigma(Z[j])
            grads[j] = delta @ H[j].T
            back = Ws[j].T @ delta
        return 0.5 * float(r @ r), np.concatenate([G.ravel() for G in grads])

    def value(self, theta) -> float:
        """The training loss :math:`f(\\theta)`."""
        return self.value_and_grad(theta)[0]

    def grad(self, theta) -> np.ndarray:
        r""":math:`\nabla f(\theta)`."""
        return self.value_and_grad(theta)[1]


# ---------------------------------------------------------------------------
# initializations (chapter 9)
# ---------------------------------------------------------------------------
def _check_rng(rng):
    _validate.generator("rng", rng)


def _check_net(net):
    return _validate.instance("net", net, Network, "a networks.Network")


def positive_init(net: Network, output_scale: float, rng, *, low: float = 0.5, high: float = 1.5) -> np.ndarray:
    r"""The "positive" initialization (chapter 9): first layer zero, hidden layers strictly positive,
    output layer of a large scale.

    Hidden layers :math:`W_2, \dots, W_{L-1}` have i.i.d. entries uniform in
    ``[low, high] / d_{l-1}`` (strictly positive), and the output weights are
    ``output_scale`` times i.i.d. uniform entries in ``[low, high] / d_{L-1}`` (strictly
    positive). The first layer is exactly zero.
    """
    _check_net(net)
    _check_rng(rng)
    output_scale = _validate.positive("output_scale", output_scale)
    low = _validate.positive("low", low)
    high = _validate.positive("high", high)
    if not low < high:
        raise ValueError(f"low must be < high, got low = {low}, high = {high}")
    Ws = []
    for j, (a, b) in enumerate(net.shapes):
        if j == 0:
            Ws.append(np.zeros((a, b)))
        elif j == len(net.shapes) - 1:
            Ws.append(output_scale * rng.uniform(low, high, size=(a, b)) / b)
        else:
            Ws.append(rng.uniform(low, high, size=(a, b)) / b)
    return net.flatten(Ws)


def xavier_init(net: Network, rng) -> np.ndarray:
    r"""Xavier/Glorot normal initialization: entries :math:`\mathcal N(0, 2/(d_{\rm in} + d_{\rm out}))` (chapter 9)."""
    _check_net(net)
    _check_rng(rng)
    return net.flatten([rng.standard_normal((a, b)) * np.sqrt(2.0 / (a + b)) for a, b in net.shapes])


def he_init(net: Network, rng) -> np.ndarray:
    r"""He normal initialization: entries :math:`\mathcal N(0, 2/d_{\rm in})` (chapter 9)."""
    _check_net(net)
    _check_rng(rng)
    return net.flatten([rng.standard_normal((a, b)) * np.sqrt(2.0 / b) for a, b in net.shapes])


# ---------------------------------------------------------------------------
# the tangent kernel and batched runs (chapter 9's experiments)
# ---------------------------------------------------------------------------
def _forward(Ws, X, act):
    """Forward pass of stacked layers ``Ws[j]: (B, a, b)`` on the rows of ``X``.

    Returns the activations ``H[l]: (B, d_l, n)`` (``H[0]`` the inputs), the pre-activations
    ``Z[l]``, the outputs ``(B, n)`` and the derivative of the activation.
    """
    sigma, dsigma = activation(act)
    B = Ws[0].shape[0]
    H = [np.broadcast_to(X.T, (B,) + X.T.shape)]
    Z = []
    for W in Ws[:-1]:
        Z.append(W @ H[-1])
        H.append(sigma(Z[-1]))
    out = (Ws[-1] @ H[-1])[:, 0, :]
    return H, Z, out, dsigma


def tangent_kernel(net: Network, theta) -> np.ndarray:
    r"""The network's tangent kernel :math:`K(\theta) = JJ^\top` at :math:`\theta` (chapter 9).

    :math:`J \in \mathbb{R}^{n\times P}` has rows :math:`\nabla_\theta\Psi(x_i)`, so
    :math:`K_{ij} = \langle\nabla_\theta\Psi(x_i), \nabla_\theta\Psi(x_j)\rangle
    = \sum_\ell \langle\delta_\ell(x_i), \delta_\ell(x_j)\rangle\,\langle h_{\ell-1}(x_i), h_{\ell-1}(x_j)\rangle`
    by :eq:`ch9-eq-backprop`. Gradient descent on :math:`f` moves the residual by
    :math:`-\eta K r` to first order, so the spread of :math:`K`'s eigenvalues sets the early
    rate. At a positive initialization with :math:`\tanh`, :math:`K = \|\delta\|^2XX^\top`.

    Returns
    -------
    ndarray, shape (n, n)
        Symmetric positive semidefinite.
    """
    _check_net(net)
    Ws = [W[None] for W in net.unflatten(theta)]
    with _validate.overflow_guard("theta"):
        H, Z, _, dsigma = _forward(Ws, net.X, net.act)
        K = H[-1][0].T @ H[-1][0]  # output layer: delta = 1 for every input
        back = np.swapaxes(Ws[-1], 1, 2)[0] * np.ones((1, net.X.shape[0]))
        for j in range(len(Ws) - 2, -1, -1):
            delta = back * dsigma(Z[j][0])
            K += (delta.T @ delta) * (H[j][0].T @ H[j][0])
            back = Ws[j][0].T @ delta
    return K


class BatchNetwork:
    r"""B runs of one network architecture and data, stacked, for :func:`lplbook.gd.run_batch` (chapter 9).

    ``x`` is the tuple of stacked layers, ``x[j]`` of shape ``(B,) + net.shapes[j]``; every
    run trains the squared loss :math:`f(\theta) = \tfrac12\|\Psi(X) - y\|^2` of ``net``. It
    computes exactly what :meth:`Network.value_and_grad` computes, for all active runs at once.

    Parameters
    ----------
    net : Network
        The architecture, the data and the activation.
    """

    def __init__(self, net: Network):
        self.net = _check_net(net)

    def stack(self, thetas) -> tuple:
        """Stacked layers ``(B,) + shape`` of a sequence of flat parameter vectors of ``net``."""
        if isinstance(thetas, np.ndarray) and thetas.ndim == 1 or not hasattr(thetas, "__len__") or not len(thetas):
            raise ValueError(f"thetas must be a non-empty sequence of flat parameter vectors, got "
                             f"{_validate.describe(thetas)}")
        layers = []
        for i, theta in enumerate(thetas):
            theta = _validate.finite_array(f"thetas[{i}]", theta)
            if theta.shape != (self.net.size,):
                raise ValueError(f"thetas[{i}] must have shape ({self.net.size},), got {theta.shape}")
            layers.append(self.net.unflatten(theta))
        return tuple(np.stack([Ws[j] for Ws in layers]) for j in range(len(self.net.shapes)))

    def unstack(self, x, b: int) -> np.ndarray:
        """The flat parameter vector of run ``b`` of stacked layers ``x``."""
        self._check_stack("x", x)
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 0 <= b < x[0].shape[0]:
            raise ValueError(f"b must index one of the {x[0].shape[0]} runs, got {b}")
        return self.net.flatten([W[b] for W in x])

    def check_start(self, x0) -> None:
        """Check stacked starting layers once (:func:`lplbook.gd.run_batch` calls it)."""
        self._check_stack("x0", x0)

    def _check_stack(self, name, x) -> None:
        if not isinstance(x, tuple) or len(x) != len(self.net.shapes):
            raise ValueError(f"{name} must be a tuple of {len(self.net.shapes)} stacked layers, got "
                             f"{_validate.describe(x)}")
        B = None
        for j, (W, shape) in enumerate(zip(x, self.net.shapes)):
            W = _validate.matrix(f"{name}[{j}]", W, ndim=3)
            B = W.shape[0] if B is None else B
            _validate.shape(f"{name}[{j}]", W, (B,) + shape)

    def value_and_grad(self, x, idx):
        Ws = list(x)
        H, Z, out, dsigma = _forward(Ws, self.net.X, self.net.act)
        r = out - self.net.y
        grads = [None] * len(Ws)
        delta = r[:, None, :]
        grads[-1] = delta @ np.swapaxes(H[-1], 1, 2)
        back = np.swapaxes(Ws[-1], 1, 2) @ delta
        for j in range(len(Ws) - 2, -1, -1):
            delta = back * dsigma(Z[j])
            grads[j] = delta @ np.swapaxes(H[j], 1, 2)
            back = np.swapaxes(Ws[j], 1, 2) @ delta
        return 0.5 * np.sum(r * r, axis=1), tuple(grads)


def _int_sequence(name, value, *, nonnegative: bool = False) -> tuple:
    """A non-empty sequence of integers (exponents; seeds, which are nonnegative), as a tuple of int."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a non-empty sequence of integers, got {_validate.describe(value)}")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{name} must be a non-empty sequence of integers, got the entry {_validate.describe(v)}")
        if nonnegative and v < 0:
            raise ValueError(f"{name} must be nonnegative integers (seeds), got {int(v)}")
        out.append(int(v))
    if not out:
        raise ValueError(f"{name} must be a non-empty sequence of integers, got an empty one")
    return tuple(out)


def _names(comparison, name, value) -> list:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{name} must be a sequence of initialization names, got {_validate.describe(value)}")
    value = list(value)
    for n in value:
        if not isinstance(n, str) or n not in comparison.iterations:
            raise ValueError(f"{name} must name initializations of this comparison {list(comparison.iterations)}, "
                             f"got {_validate.describe(n)}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def iterations_to(losses, level) -> float:
    r"""The first iteration :math:`t` with :math:`f(\theta_t) \le` ``level``, or ``inf`` if the run never got there (chapter 9)."""
    losses = _validate.loss_history("losses", losses, inf_last_only=True)
    level = _validate.real_number("level", level)
    hit = np.flatnonzero(losses <= level)
    return float(hit[0]) if hit.size else math.inf


@dataclass(frozen=True, eq=False)
class InitComparison:
    r"""Initializations compared at their own tuned constant steps (chapter 9's experiments).

    Every entry of the dictionaries is keyed by the initialization's name.

    Attributes
    ----------
    exponents : tuple of int
        The step grid: :math:`\eta = 2^k/\lambda_{\max}(K(\theta_0))`, :math:`k` in ``exponents``,
        with :math:`K` the tangent kernel at the start drawn from the first tuning seed.
    targets : tuple of float
        Relative targets :math:`f \le \tau\,f_{\rm ref}`; the step is tuned for the smallest.
    f_ref : float
        The reference loss :math:`\tfrac12\|y\|^2` (the loss of the zero network).
    anchor : dict of float
        :math:`\lambda_{\max}(K(\theta_0))` that anchors the grid.
    tuning_iterations : dict of ndarray, shape (len(exponents), n_tuning_seeds)
        Iterations to the smallest target on the tuning seeds (``inf``: not within ``tune_cap``).
    tuning_final : dict of ndarray, shape (len(exponents), n_tuning_seeds)
        The last loss of each tuning run (``inf`` if it diverged), the tie-break.
    tuned_k, step : dict
        The chosen exponent and step.
    iterations : dict of ndarray, shape (n_eval_seeds, len(targets))
        Iterations to each target on the evaluation seeds (``inf``: not within ``cap``).
    f0, kernel_kappa : dict of ndarray, shape (n_eval_seeds,)
        The initial loss and :math:`\kappa(K(\theta_0))` on the evaluation seeds.
    tune_cap, cap : int
    """

    exponents: tuple
    targets: tuple
    f_ref: float
    anchor: dict
    tuning_iterations: dict
    tuning_final: dict
    tuned_k: dict
    step: dict
    iterations: dict
    f0: dict
    kernel_kappa: dict
    tune_cap: int
    cap: int

    def median_iterations(self, name: str, target_index: int = -1) -> float:
        """The median over evaluation seeds of the iterations to a target (``inf`` if most runs missed it).

        ``target_index`` indexes ``targets``; a negative index counts from the last, as in Python.
        """
        if not isinstance(name, str) or name not in self.iterations:
            raise ValueError(f"name must be an initialization of this comparison {list(self.iterations)}, "
                             f"got {_validate.describe(name)}")
        if isinstance(target_index, bool) or not isinstance(target_index, (int, np.integer)) or not (
                -len(self.targets) <= target_index < len(self.targets)):
            raise ValueError(f"target_index must index one of the {len(self.targets)} targets, got "
                             f"{_validate.describe(target_index)}")
        return float(np.median(self.iterations[name][:, target_index]))

    def tuned_choice(self, names) -> str:
        """Of ``names``, the one whose tuned step did best on the tuning seeds (fewest median iterations,
        then the smaller median final loss).

        This is how the output scale of the positive initialization is chosen without looking at
        the evaluation seeds; ties go to the first name.
        """
        names = _names(self, "names", names)
        def tuned(name):
            i = self.exponents.index(self.tuned_k[name])
            return (float(np.median(self.tuning_iterations[name][i])), float(np.median(self.tuning_final[name][i])))
        return min(names, key=tuned)

    def speedup(self, name: str, baselines=("Xavier", "He"), target_index: int = -1) -> tuple:
        r"""The speed-up of ``name`` against the best of ``baselines`` at one target (chapter 9).

        The speed-up is :math:`T_{\rm base}/T_{\rm name}` with :math:`T` the median iterations over
        the evaluation seeds and :math:`T_{\rm base}` the smallest baseline median; above one,
        ``name`` is faster. A median of ``inf`` (most runs missed the target within ``cap``) is
        censored at ``cap``.

        Returns
        -------
        (float, str)
            The value and how it relates to the true speed-up: ``"="``; ``"<"`` (``name`` missed,
            so the true value is below this bound); ``">"`` (the baselines missed); ``"?"`` (both
            missed; the value is ``nan``).
        """
        _names(self, "name", [name])
        baselines = _names(self, "baselines", baselines)
        mine = self.median_iterations(name, target_index)
        base = min(self.median_iterations(b, target_index) for b in baselines)
        if math.isinf(mine) and math.isinf(base):
            return math.nan, "?"
        if math.isinf(mine):
            return base / self.cap, "<"
        if mine == 0:  # the start already met the target
            return (1.0 if base == 0 else math.inf), "="
        if math.isinf(base):
            return self.cap / mine, ">"
        return base / mine, "="

    def to_dict(self) -> dict:
        """A JSON-ready dictionary (``inf`` written as ``None``); :meth:`from_dict` reads it back."""
        def plain(v):
            if isinstance(v, dict):
                return {k: plain(u) for k, u in v.items()}
            if isinstance(v, (np.ndarray, list, tuple)):
                return [plain(u) for u in v]
            v = float(v) if isinstance(v, (float, np.floating)) else int(v) if isinstance(v, (np.integer,)) else v
            return None if isinstance(v, float) and math.isinf(v) else v
        return {name: plain(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict) -> "InitComparison":
        """The comparison stored by :meth:`to_dict`."""
        if not isinstance(d, dict) or set(d) != set(cls.__dataclass_fields__):
            raise ValueError(f"d must be a dictionary with the keys {sorted(cls.__dataclass_fields__)}, "
                             f"got {_validate.describe(d)}")

        def arr(v):
            return np.array([[math.inf if u is None else u for u in row] if isinstance(row, list)
                             else (math.inf if row is None else row) for row in v], dtype=float)
        per_name = ("tuning_iterations", "tuning_final", "iterations", "f0", "kernel_kappa")
        return cls(**{k: ({n: arr(u) for n, u in v.items()} if k in per_name else
                          tuple(v) if k in ("exponents", "targets") else v) for k, v in d.items()})


def compare_initializations(net: Network, inits: dict, *, exponents, tuning_seeds, eval_seeds,
                            targets=(1e-3, 1e-6), tune_cap: int = 3000, cap: int = 10_000) -> InitComparison:
    r"""Tune a constant step for each initialization, then count iterations to relative targets (chapter 9).

    For each initialization ``inits[name](rng)``: the grid of steps is
    :math:`\eta_k = 2^k/\lambda_{\max}(K(\theta_0))` (``exponents``; :math:`K` is
    :func:`tangent_kernel` at the start drawn with ``default_rng(tuning_seeds[0])``, and gradient
    descent on the linearized model is stable for :math:`\eta < 2/\lambda_{\max}(K)`). Every step of
    the grid runs from every tuning seed for at most ``tune_cap`` iterations; the chosen step reaches
    :math:`f \le \min(\text{targets})\cdot\tfrac12\|y\|^2` in the fewest iterations (median over the
    tuning seeds; ties and misses broken by the smaller median final loss). Then every initialization
    runs from the evaluation seeds with its chosen step for at most ``cap`` iterations. All runs of
    one stage go through :func:`lplbook.gd.run_batch` in one batch.

    Parameters
    ----------
    net : Network
    inits : dict of callable
        ``name -> (rng -> flat parameter vector)``.
    exponents : sequence of int
    tuning_seeds, eval_seeds : sequence of int
        Disjoint seeds for ``np.random.default_rng``.
    targets : sequence of float in (0, 1)
    tune_cap, cap : int

    Returns
    -------
    InitComparison
    """
    from . import gd  # local import: gd does not depend on networks

    _check_net(net)
    if not isinstance(inits, dict) or not inits or not all(callable(v) for v in inits.values()):
        raise ValueError(f"inits must be a non-empty dictionary of callables rng -> theta, got "
                         f"{_validate.describe(inits)}")
    exponents = _int_sequence("exponents", exponents)
    tuning_seeds = _int_sequence("tuning_seeds", tuning_seeds, nonnegative=True)
    eval_seeds = _int_sequence("eval_seeds", eval_seeds, nonnegative=True)
    if set(tuning_seeds) & set(eval_seeds):
        raise ValueError(f"tuning_seeds and eval_seeds must be disjoint, got {tuning_seeds} and {eval_seeds}")
    targets = _validate.finite_array("targets", targets)
    if targets.ndim != 1:
        raise ValueError(f"targets must be a 1-d sequence of relative targets, got shape {targets.shape}")
    targets = tuple(float(t) for t in targets)
    if not targets or not all(0 < t < 1 for t in targets):
        raise ValueError(f"targets must be relative targets in (0, 1), got {targets}")
    tune_cap = _validate.positive_int("tune_cap", tune_cap)
    cap = _validate.positive_int("cap", cap)

    batch = BatchNetwork(net)
    f_ref = 0.5 * float(net.y @ net.y)
    level = min(targets) * f_ref
    names = list(inits)
    anchor = {name: float(np.linalg.eigvalsh(tangent_kernel(net, inits[name](np.random.default_rng(tuning_seeds[0]))))[-1])
              for name in names}
    starts, steps, where = [], [], []
    for name in names:
        for i, k in enumerate(exponents):
            for j, seed in enumerate(tuning_seeds):
                starts.append(inits[name](np.random.default_rng(seed)))
                steps.append(2.0 ** k / anchor[name])
                where.append((name, i, j))
    traces = gd.run_batch(batch, batch.stack(starts), np.array(steps), max_iter=tune_cap, f_star=0.0, tol=level)
    tuning = {name: np.empty((len(exponents), len(tuning_seeds))) for name in names}
    final = {name: np.empty((len(exponents), len(tuning_seeds))) for name in names}
    for (name, i, j), trace in zip(where, traces):
        tuning[name][i, j] = iterations_to(trace.losses, level)
        final[name][i, j] = trace.losses[-1] if trace.status != "diverged" else math.inf
    tuned_k, step = {}, {}
    for name in names:
        best = min(range(len(exponents)),
                   key=lambda i: (np.median(tuning[name][i]), np.median(final[name][i])))
        tuned_k[name] = exponents[best]
        step[name] = 2.0 ** exponents[best] / anchor[name]

    starts = [inits[name](np.random.default_rng(seed)) for name in names for seed in eval_seeds]
    etas = np.array([step[name] for name in names for _ in eval_seeds])
    traces = gd.run_batch(batch, batch.stack(starts), etas, max_iter=cap, f_star=0.0, tol=level)
    iterations, f0, kernel_kappa = {}, {}, {}
    for a, name in enumerate(names):
        runs = traces[a * len(eval_seeds):(a + 1) * len(eval_seeds)]
        iterations[name] = np.array([[iterations_to(t.losses, tau * f_ref) for tau in targets] for t in runs])
        f0[name] = np.array([t.losses[0] for t in runs])
        spectra = [np.linalg.eigvalsh(tangent_kernel(net, th)) for th in starts[a * len(eval_seeds):(a + 1) * len(eval_seeds)]]
        kernel_kappa[name] = np.array([lam[-1] / lam[0] for lam in spectra])
    return InitComparison(exponents, targets, f_ref, anchor, tuning, final, tuned_k, step, iterations, f0,
                          kernel_kappa, tune_cap, cap)


@dataclass(frozen=True)
class SweepSettings:
    r"""The settings of chapter 9's comparison of the positive initialization with Xavier and He.

    The data are :func:`lplbook.data.conditioning_ladder` with the first ``n`` breast-cancer labels;
    the networks are ``act`` networks with two hidden layers of each width in ``widths``; the
    positive initialization runs at each output scale of ``scales``. The other fields are those of
    :func:`compare_initializations`.
    """

    n: int = 20
    widths: tuple = (32, 128)
    scales: tuple = (1.0, 4.0, 16.0, 64.0)
    act: str = "tanh"
    exponents: tuple = tuple(range(-5, 8))
    tuning_seeds: tuple = (1000, 1001)
    eval_seeds: tuple = (0, 1, 2, 3, 4)
    targets: tuple = (1e-3, 1e-6)
    tune_cap: int = 3000
    cap: int = 10_000

    def __post_init__(self):
        def ints(name, value, check):
            if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or not len(value):
                raise ValueError(f"{name} must be a non-empty sequence, got {_validate.describe(value)}")
            return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(value))

        object.__setattr__(self, "n", _validate.positive_int("n", self.n))
        object.__setattr__(self, "widths", ints("widths", self.widths, _validate.positive_int))
        object.__setattr__(self, "scales", ints("scales", self.scales, _validate.positive))
        _check_activation("act", self.act)
        object.__setattr__(self, "exponents", _int_sequence("exponents", self.exponents))
        object.__setattr__(self, "tuning_seeds", _int_sequence("tuning_seeds", self.tuning_seeds, nonnegative=True))
        object.__setattr__(self, "eval_seeds", _int_sequence("eval_seeds", self.eval_seeds, nonnegative=True))
        if set(self.tuning_seeds) & set(self.eval_seeds):
            raise ValueError(f"tuning_seeds and eval_seeds must be disjoint, got {self.tuning_seeds} and "
                             f"{self.eval_seeds}")
        object.__setattr__(self, "targets", ints("targets", self.targets, _validate.positive))
        if not all(t < 1 for t in self.targets):
            raise ValueError(f"targets must be relative targets in (0, 1), got {self.targets}")
        object.__setattr__(self, "tune_cap", _validate.positive_int("tune_cap", self.tune_cap))
        object.__setattr__(self, "cap", _validate.positive_int("cap", self.cap))


def sweep_initializations(net: Network, scales) -> dict:
    r"""The initializations of chapter 9's comparison: positive at each output scale, then Xavier and He."""
    _check_net(net)
    scales = _validate.finite_array("scales", scales)
    if scales.ndim != 1 or not scales.size or np.any(scales <= 0):
        raise ValueError(f"scales must be a non-empty 1-d sequence of positive output scales, got {scales!r}")
    inits = {f"positive, s = {float(s):g}": (lambda rng, s=float(s): positive_init(net, s, rng)) for s in scales}
    inits["Xavier"] = lambda rng: xavier_init(net, rng)
    inits["He"] = lambda rng: he_init(net, rng)
    return inits


def init_sweep(settings: SweepSettings = SweepSettings(), *, inputs=None, widths=None) -> dict:
    r"""Run chapter 9's comparison: every input matrix, width and initialization (chapter 9).

    Parameters
    ----------
    settings : SweepSettings
    inputs : sequence of str, optional
        Names of :func:`lplbook.data.conditioning_ladder` to run (default: all).
    widths : sequence of int, optional
        Widths to run (default: ``settings.widths``).

    Returns
    -------
    dict
        ``(input name, width) -> InitComparison``.
    """
    from . import data  # local import: data is independent of the models

    settings = _validate.instance("settings", settings, SweepSettings, "a networks.SweepSettings")
    ladder = data.conditioning_ladder(settings.n)
    if inputs is None:
        names = list(ladder)
    else:
        if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
            raise ValueError(f"inputs must be a sequence of names, got {_validate.describe(inputs)}")
        names = list(inputs)
        if not names or not all(isinstance(n, str) and n in ladder for n in names):
            raise ValueError(f"inputs must name entries of data.conditioning_ladder() {list(ladder)}, got {names!r}")
    if widths is None:
        widths = settings.widths
    else:
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
            raise ValueError(f"widths must be a sequence of positive integers, got {_validate.describe(widths)}")
        widths = tuple(_validate.positive_int(f"widths[{i}]", w) for i, w in enumerate(widths))
        if not widths:
            raise ValueError("widths must not be empty")
    y = data.breast_cancer()[1][:settings.n]
    results = {}
    for name in names:
        for width in widths:
            net = Network((ladder[name].shape[1], width, width), ladder[name], y, settings.act)
            results[name, width] = compare_initializations(
                net, sweep_initializations(net, settings.scales), exponents=settings.exponents,
                tuning_seeds=settings.tuning_seeds, eval_seeds=settings.eval_seeds, targets=settings.targets,
                tune_cap=settings.tune_cap, cap=settings.cap)
    return results


SWEEP_FILE = "ch9x_init_sweep.json"


def _check_path(path):
    import os

    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise ValueError(f"path must be a non-empty file path, got {_validate.describe(path)}")
    return path


def save_init_sweep(results: dict, settings: SweepSettings, path) -> None:
    """Write :func:`init_sweep`'s results and settings as JSON (``tools/init_sweep.py`` does it)."""
    import dataclasses
    import json

    settings = _validate.instance("settings", settings, SweepSettings, "a networks.SweepSettings")
    if not isinstance(results, dict) or not results or not all(
            isinstance(k, tuple) and len(k) == 2 and isinstance(v, InitComparison) for k, v in results.items()):
        raise ValueError(f"results must be init_sweep's dictionary (input name, width) -> InitComparison, got "
                         f"{_validate.describe(results)}")
    path = _check_path(path)
    runs = [{"inputs": name, "width": int(width), "comparison": c.to_dict()} for (name, width), c in results.items()]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"settings": dataclasses.asdict(settings), "runs": runs}, fh, indent=1)
        fh.write("\n")


def load_init_sweep(path=None) -> tuple:
    r"""The stored results of :func:`init_sweep` (chapter 9's experiments).

    Parameters
    ----------
    path : path-like, optional
        Default: the file shipped with the package, ``lplbook/results/ch9x_init_sweep.json``.

    Returns
    -------
    (SweepSettings, dict)
        The settings and ``(input name, width) -> InitComparison``.
    """
    import json
    from importlib import resources

    if path is None:
        text = resources.files("lplbook").joinpath("results", SWEEP_FILE).read_text(encoding="utf-8")
    else:
        with open(_check_path(path), encoding="utf-8") as fh:
            text = fh.read()
    stored = json.loads(text)
    settings = SweepSettings(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored["settings"].items()})
    return settings, {(run["inputs"], run["width"]): InitComparison.from_dict(run["comparison"])
                      for run in stored["runs"]}
