"""One plotting style and the few plot kinds the book repeats.

Every figure of the book calls :func:`use_style` once and labels both axes; these
helpers draw measured optimality gaps against the bounds the chapters prove.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from . import _validate

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the book's matplotlib style (idempotent; every figure from chapter 1 on)."""
    mpl.rcParams.update(STYLE)


def gap_curve(ax, losses, f_star: float = 0.0, **kwargs):
    r"""Plot the measured gaps :math:`f(x_t) - f^*` on a log scale against :math:`t` (chapter 1).

    ``losses`` is a non-empty 1-d real array without NaN; ``+inf`` entries (the overflowed
    loss a diverged run of :func:`lplbook.gd.run` records) are left out of the curve.
    """
    _validate.axes("ax", ax)
    losses = _validate.loss_history("losses", losses)
    f_star = _validate.real_number("f_star", f_star)
    with np.errstate(over="ignore"):
        gaps = losses - f_star
    (line,) = ax.semilogy(np.arange(gaps.size), gaps, **kwargs)
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(r"optimality gap $f(x_t) - f^*$")
    return line


def bound_curve(ax, gap0: float, factors, n_steps: int | None = None, **kwargs):
    r"""Plot the bound :math:`(f(x_0) - f^*)\prod_{s<t} q_s` for per-step factors :math:`q_s` (chapters 1 and 5).

    ``factors`` is one factor per step, or one number (a constant factor) together with
    ``n_steps``, the number of steps to draw.
    """
    _validate.axes("ax", ax)
    gap0 = _validate.positive("gap0", gap0)
    factors = _validate.finite_array("factors", factors)  # empty: a run of no steps, the bound at t = 0
    if factors.ndim > 1:
        raise ValueError(f"factors must be one number or a 1-d array, got shape {factors.shape}")
    if factors.ndim == 0:
        if n_steps is None:
            raise ValueError("n_steps must be given with a constant factor")
        factors = np.full(_validate.positive_int("n_steps", n_steps), float(factors))
    with np.errstate(over="ignore", under="ignore"):
        bound = gap0 * np.concatenate([[1.0], np.cumprod(factors)])
    kwargs.setdefault("linestyle", "--")
    (line,) = ax.semilogy(np.arange(bound.size), bound, **kwargs)
    return line


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 6.4, height: float = 4.0):
    """A figure with the book's style and an ``nrows x ncols`` grid of axes (chapter 1 on)."""
    use_style()
    ncols = _validate.positive_int("ncols", ncols)
    nrows = _validate.positive_int("nrows", nrows)
    width = _validate.positive("width", width)
    height = _validate.positive("height", height)
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained")
