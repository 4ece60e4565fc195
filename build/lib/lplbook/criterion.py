r"""The local PL criterion for nonnegative functions (chapters 8–9), after [Cha22].

For a nonnegative :math:`f` and a ball :math:`B(x_0, r)`,

.. math:: \alpha(x_0, r) = \inf\Bigl\{\frac{\|\nabla f(x)\|^2}{f(x)} : x \in B(x_0, r),\ f(x) \neq 0\Bigr\},

and the criterion is :math:`4 f(x_0) < r^2\alpha(x_0, r)`. Under it, gradient flow stays in the
ball, :math:`f(x(t)) \le e^{-\alpha t}f(x_0)`, its path has length at most
:math:`2\sqrt{f(x_0)/\alpha} < r`, and it converges to a zero of :math:`f` (chapter 8).

Sampling can only ever give an *upper* estimate of an infimum: :func:`alpha_sampled` says so
in its name's documentation, and the chapters pair it with rigorous lower bounds where they
prove one (:func:`alpha_first_layer` for networks whose first layer is zero).
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate, rates


def pl_ratio(f, grad_sq_norm):
    r"""The ratio :math:`\|\nabla f\|^2/f` at points with :math:`f > 0` (``nan`` where :math:`f = 0`) (chapter 8)."""
    if np.any(_validate.finite_array("f", f) < 0):
        raise ValueError("f must be nonnegative")
    # twice chapter 1's PL ratio (1/2)|grad f|^2 / (f - f*) with f* = 0
    return 2.0 * rates.pl_ratio(f, grad_sq_norm, 0.0)


def alpha_sampled(objective, x0, r, rng, n_samples: int = 1000) -> float:
    r"""An **upper** estimate of :math:`\alpha(x_0, r)`: the smallest ratio at sampled points (chapter 8).

    Points are drawn uniformly in the ball :math:`B(x_0, r)` (plus :math:`x_0` itself). The
    infimum over the ball is at most this number; it can be much smaller — use a proved
    lower bound when the conclusion depends on it.

    Parameters
    ----------
    objective : callable or object with ``value_and_grad``
        ``x -> (f(x), grad f(x))`` on flat vectors.
    x0 : array_like, 1-d
    r : float
        Radius > 0.
    rng : numpy.random.Generator
    n_samples : int
    """
    value_and_grad = objective.value_and_grad if hasattr(objective, "value_and_grad") else objective
    _validate.function("objective", value_and_grad, "a callable x -> (f, grad) or have a value_and_grad method")
    x0 = _validate.finite_array("x0", x0, allow_empty=False).reshape(-1)
    r = _validate.positive("r", r)
    n_samples = _validate.positive_int("n_samples", n_samples)
    _validate.generator("rng", rng)
    d = x0.size
    directions = rng.standard_normal((n_samples, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    radii = r * rng.uniform(size=n_samples) ** (1.0 / d)
    best = math.inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a huge ball may overflow
        for x in np.vstack([x0, x0 + radii[:, None] * directions]):
            f, g = value_and_grad(x)
            if f > 0:
                best = min(best, float(np.vdot(g, g)) / f)
    return best


def criterion_holds(f0, r, alpha) -> bool:
    r"""The local PL criterion :math:`4 f(x_0) < r^2\alpha(x_0, r)` (chapter 8)."""
    f0 = _validate.nonnegative("f0", f0)
    r = _validate.positive("r", r)
    alpha = _validate.nonnegative("alpha", alpha)
    return 4.0 * f0 < r * r * alpha


def flow_path_bound(f0, alpha) -> float:
    r"""Length bound :math:`2\sqrt{f(x_0)/\alpha}` of the gradient-flow path (chapter 8)."""
    f0 = _validate.nonnegative("f0", f0)
    alpha = _validate.positive("alpha", alpha)
    return 2.0 * math.sqrt(f0 / alpha)


def gd_max_step(M, eps) -> float:
    r"""The step :math:`\eta \le 2(1 - \varepsilon)/M` of the gradient-descent criterion (chapter 8).

    With :math:`\|\nabla^2 f\| \le M` on the ball, such a step decreases :math:`f` by at least
    :math:`\varepsilon\eta\|\nabla f\|^2`.
    """
    M = _validate.positive("M", M)
    eps = _validate.positive("eps", eps)
    if eps >= 1:
        raise ValueError(f"eps must be in (0, 1), got {eps}")
    return 2.0 * (1.0 - eps) / M


def gd_path_bound(f0, alpha, eps) -> float:
    r"""Length bound :math:`(2/\varepsilon)\sqrt{f(x_0)/\alpha}` of the gradient-descent path (chapter 8)."""
    eps = _validate.positive("eps", eps)
    if eps >= 1:
        raise ValueError(f"eps must be in (0, 1), got {eps}")
    return flow_path_bound(f0, alpha) / eps


def gd_criterion_holds(f0, r, alpha, eps) -> bool:
    r"""The gradient-descent criterion :math:`4 f(x_0) < \varepsilon^2 r^2\alpha(x_0, r)` (chapter 8)."""
    eps = _validate.positive("eps", eps)
    if eps >= 1:
        raise ValueError(f"eps must be in (0, 1), got {eps}")
    r = _validate.positive("r", r)
    return criterion_holds(f0, eps * r, alpha)


def alpha_first_layer(net, theta) -> float:
    r"""The proved lower bound :math:`2\|\delta\|^2\lambda_{\min}(XX^\top)` on :math:`\|\nabla f\|^2/f` at a
    parameter whose first layer is zero (chapter 9).

    With :math:`W_1 = 0` every input reaches the second layer as the same vector
    :math:`\sigma(0)\mathbf 1`, so the back-propagated vector :math:`\delta \in \mathbb{R}^{d_1}` at the
    first layer is the same for every sample and :math:`\partial f/\partial W_1 = \delta\, r^\top X`
    (:math:`r` the residuals). Hence
    :math:`\|\nabla f\|^2 \ge \|\delta\|^2\|X^\top r\|^2 \ge 2\|\delta\|^2\lambda_{\min}(XX^\top) f`.

    Raises
    ------
    ValueError
        If the first layer of ``theta`` is not exactly zero.
    """
    from . import networks

    _validate.instance("net", net, networks.Network, "a networks.Network")
    Ws = net.unflatten(theta)
    if np.any(Ws[0] != 0):
        raise ValueError("theta must have a zero first layer W_1")
    sigma, dsigma = networks.activation(net.act)
    # forward the common hidden vector, then back-propagate the output weights
    h = sigma(np.zeros(Ws[0].shape[0]))
    pre = [np.zeros(Ws[0].shape[0])]
    for W in Ws[1:-1]:
        pre.append(W @ h)
        h = sigma(pre[-1])
    back = Ws[-1].ravel()
    for j in range(len(Ws) - 2, 0, -1):
        back = Ws[j].T @ (back * dsigma(pre[j]))
    delta = back * dsigma(pre[0])
    X = net.X
    gram = X @ X.T  # n x n, inputs linearly independent when n <= d
    lam_min = max(float(np.linalg.eigvalsh(gram)[0]), 0.0)
    return 2.0 * float(delta @ delta) * lam_min
