r"""Two-layer linear networks :math:`L(W_1, W_2) = \ell(W_1 W_2)` (chapters 2–5).

Shapes: :math:`W_1 \in \mathbb{R}^{n\times h}`, :math:`W_2 \in \mathbb{R}^{h\times m}`,
width :math:`h \ge \min(n, m)` so that :math:`\min L = \ell^*`. The gradients are

.. math:: G_1 = \nabla\ell(W)\,W_2^\top, \qquad G_2 = W_1^\top\nabla\ell(W),
          \qquad W = W_1 W_2,

and the imbalance is :math:`D = W_1^\top W_1 - W_2 W_2^\top`. Chapter 2 studies the
scalar case :math:`n = h = m = 1`, :math:`L(a, b) = \tfrac12(ab - y)^2`.
"""

from __future__ import annotations

import numpy as np

from . import _validate


def _check_factors(loss, W1, W2):
    W1 = _validate.matrix("W1", W1)
    W2 = _validate.matrix("W2", W2)
    n, m = loss.shape
    _validate.shape("W1", W1, (n, None))
    h = W1.shape[1]
    _validate.shape("W2", W2, (h, m))
    if h < min(n, m):
        raise ValueError(f"width h must be >= min(n, m) = {min(n, m)}, got h = {h}")
    return W1, W2


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
    r"""The imbalance :math:`D = W_1^\top W_1 - W_2 W_2^\top`, shape (h, h) (chapter 2)."""
    W1 = _validate.matrix("W1", W1)
    W2 = _validate.matrix("W2", W2)
    if W2.shape[0] != W1.shape[1]:
        raise ValueError(f"W2 must have W1's width h = {W1.shape[1]} rows, got shape {W2.shape}")
    return W1.T @ W1 - W2 @ W2.T


def objective(loss):
    r"""The objective ``(W1, W2) -> (L, (G1, G2))`` for :func:`lplbook.gd.run` (chapter 2).

    One product :math:`W_1W_2`, one residual and two gradient products per call.
    """

    def value_and_grad(factors):
        W1, W2 = factors
        value, grad_l = loss.value_and_grad(W1 @ W2)
        return value, (grad_l @ W2.T, W1.T @ grad_l)

    return value_and_grad
