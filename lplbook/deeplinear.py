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
    if isinstance(Ws, np.ndarray) or len(Ws) == 0:
        raise ValueError("Ws must be a non-empty sequence of 2-d arrays W_1, ..., W_N")
    layers = [_validate.matrix(f"Ws[{j}]", W) for j, W in enumerate(Ws)]
    for j in range(1, len(layers)):
        if layers[j].shape[1] != layers[j - 1].shape[0]:
            raise ValueError(
                f"Ws[{j}] must have {layers[j - 1].shape[0]} columns to follow Ws[{j - 1}] "
                f"of shape {layers[j - 1].shape}, got shape {layers[j].shape}"
            )
    return layers


def end_to_end(Ws) -> np.ndarray:
    r"""The end-to-end matrix :math:`W_{1:N} = W_N\cdots W_1`, shape :math:`(d_N, d_0)` (chapter 7)."""
    layers = _layers(Ws)
    W = layers[0]
    for layer in layers[1:]:
        W = layer @ W
    return W


def balancedness(Ws) -> float:
    r"""The smallest :math:`\delta` with :math:`\|W_{j+1}^\top W_{j+1} - W_jW_j^\top\|_F \le \delta` for all :math:`j` (chapter 7)."""
    layers = _layers(Ws)
    return max(
        (float(np.linalg.norm(layers[j + 1].T @ layers[j + 1] - layers[j] @ layers[j].T))
         for j in range(len(layers) - 1)),
        default=0.0,
    )


def deficiency_margin(W, Phi) -> float:
    r"""The largest :math:`c` with :math:`\|W - \Phi\|_F \le \sigma_{\min}(\Phi) - c` (chapters 5 and 7).

    Returns :math:`\sigma_{\min}(\Phi) - \|W - \Phi\|_F`; the initialization has a deficiency
    margin exactly when this is positive.
    """
    W = _validate.matrix("W", W)
    Phi = _validate.matrix("Phi", Phi)
    _validate.shape("W", W, Phi.shape)
    gram = Phi.T @ Phi if Phi.shape[1] <= Phi.shape[0] else Phi @ Phi.T
    sigma_min = math.sqrt(max(float(np.linalg.eigvalsh(gram)[0]), 0.0))
    return sigma_min - float(np.linalg.norm(W - Phi))


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


def delta_bound(c, N, Phi) -> float:
    r"""The balancedness the theorem allows, :math:`\delta \le c^2/(256N^3\|\Phi\|_F^{2(N-1)/N})` (chapter 7)."""
    c, N, norm = _theorem_inputs(c, N, Phi)
    return c**2 / (256 * N**3 * norm ** (2 * (N - 1) / N))


def step_bound(c, N, Phi) -> float:
    r"""The step the theorem allows, :math:`\eta \le c^{(4N-2)/N}/(6144N^3\|\Phi\|_F^{(6N-4)/N})` (chapters 5 and 7)."""
    c, N, norm = _theorem_inputs(c, N, Phi)
    return c ** ((4 * N - 2) / N) / (6144 * N**3 * norm ** ((6 * N - 4) / N))


def iteration_bound(c, N, Phi, eta, loss0, eps) -> float:
    r"""Steps that suffice for :math:`\ell(T) \le \varepsilon`: :math:`\log(\ell(0)/\varepsilon)/(\eta c^{2(N-1)/N})` (chapter 7).

    From :math:`\ell(t) \le \ell(0)(1 - \eta c^{2(N-1)/N})^t` and :math:`\log(1 - x) \le -x`.
    """
    c, N, _ = _theorem_inputs(c, N, Phi)
    eta = _validate.positive("eta", eta)
    loss0 = _validate.positive("loss0", loss0)
    eps = _validate.positive("eps", eps)
    return max(math.log(loss0 / eps), 0.0) / (eta * c ** (2 * (N - 1) / N))
