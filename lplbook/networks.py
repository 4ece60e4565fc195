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
