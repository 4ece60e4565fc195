r"""Global PL and Descent-Lemma rates (chapter 1).

For a :math:`K`-smooth, :math:`\mu`-PL function one gradient step of size
:math:`\eta` gives

.. math:: f(x^+) - f^* \le (1 - 2\mu\eta + \mu K\eta^2)\,(f(x) - f^*),

a contraction for :math:`0 < \eta < 2/K`, best at :math:`\eta = 1/K` where the
factor is :math:`1 - \mu/K`. Chapter 1 derives the factor with SymPy; these are
its numerical counterparts.
"""

from __future__ import annotations

import numpy as np

from . import _validate


def descent_factor(mu: float, K: float, eta):
    r"""The one-step factor :math:`1 - 2\mu\eta + \mu K\eta^2` (chapter 1).

    Parameters
    ----------
    mu, K : float
        PL and smoothness constants, :math:`0 < \mu \le K`.
    eta : float or array_like
        Step size(s), each > 0.

    Returns
    -------
    float or ndarray
        The factor for each step size (below 1 exactly when :math:`\eta < 2/K`).
    """
    mu = _validate.positive("mu", mu)
    K = _validate.positive("K", K)
    if mu > K:
        raise ValueError(f"mu must be <= K, got mu = {mu} > K = {K}")
    eta_arr = _validate.finite_array("eta", eta)
    if np.any(eta_arr <= 0):
        raise ValueError(f"eta must be > 0, got {eta!r}")
    with np.errstate(over="ignore"):  # a huge step gives the factor inf, without a warning
        factor = 1.0 - 2.0 * mu * eta_arr + mu * K * eta_arr**2
    return float(factor) if factor.ndim == 0 else factor


def pl_ratio(f, grad_sq_norm, f_star: float = 0.0):
    r"""The PL ratio :math:`\tfrac12\|\nabla f\|^2 / (f - f^*)` (chapter 1).

    A function is :math:`\mu`-PL exactly when this ratio is at least :math:`\mu`
    wherever :math:`f > f^*`. Points with :math:`f = f^*` give ``nan``.

    Parameters
    ----------
    f : array_like
        Values :math:`f(x)`.
    grad_sq_norm : array_like
        Squared gradient norms :math:`\|\nabla f(x)\|^2` at the same points.
    f_star : float
        Minimum value :math:`f^*`.
    """
    f = _validate.finite_array("f", f)
    grad_sq_norm = _validate.finite_array("grad_sq_norm", grad_sq_norm)
    if np.any(grad_sq_norm < 0):
        raise ValueError(f"grad_sq_norm must be >= 0 (a squared norm), got a minimum of {grad_sq_norm.min()!r}")
    if f.shape != grad_sq_norm.shape:
        raise ValueError(f"grad_sq_norm must have the shape of f {f.shape}, got {grad_sq_norm.shape}")
    f_star = _validate.real_number("f_star", f_star)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        gap = f - f_star
        ratio = np.where(gap > 0, 0.5 * grad_sq_norm / np.where(gap > 0, gap, 1.0), np.nan)
    return float(ratio) if ratio.ndim == 0 else ratio
