"""Overhead of the gradient-descent engine, as a ratio to a bare NumPy loop.

Run from the repository root::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_gd.py

For a squared loss and for a two-layer factorization it times ``lplbook.gd.run`` per
step against a bare loop that does the same matrix products (the floor), in the same
process, and prints the median ratio over repeats. Ratios, not seconds, are the
result: they travel between machines. Nothing here is a test.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics
import time

import numpy as np

from lplbook import gd, twolayer
from lplbook.losses import SquaredLoss

STEPS = 2000
REPEATS = 7


def bare_squared(X, Y, W, eta, steps):
    """The floor for least squares: residual, gradient and loss, nothing else."""
    for _ in range(steps):
        R = Y - X @ W
        0.5 * np.sum(R * R)
        W = W + eta * (X.T @ R)
    return W


def bare_two_layer(X, Y, W1, W2, eta, steps):
    """The floor for a two-layer network: the same products as the engine's objective."""
    for _ in range(steps):
        R = Y - X @ (W1 @ W2)
        0.5 * np.sum(R * R)
        grad_l = -X.T @ R
        W1, W2 = W1 - eta * (grad_l @ W2.T), W2 - eta * (W1.T @ grad_l)
    return W1, W2


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ratio(engine, floor) -> tuple[float, float, float]:
    engine(), floor()  # warm up
    pairs = [(timed(engine), timed(floor)) for _ in range(REPEATS)]
    ratios = [e / f for e, f in pairs]
    return statistics.median(ratios), min(ratios), max(ratios)


def main() -> None:
    rng = np.random.default_rng(0)
    N, n, m, h = 20, 20, 20, 100
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    eta = 0.5 / loss.K
    W0 = np.zeros((n, m))
    med, lo, hi = ratio(
        lambda: gd.run(loss, W0, eta, max_iter=STEPS),
        lambda: bare_squared(loss.X, loss.Y, W0, eta, STEPS),
    )
    print(f"squared loss   n=m=N={n}, {STEPS} steps: gd.run / bare loop = {med:.2f} "
          f"(min {lo:.2f}, max {hi:.2f}, {REPEATS} repeats)")

    W1 = rng.standard_normal((n, h)) / np.sqrt(h)
    W2 = rng.standard_normal((h, m)) / np.sqrt(h)
    eta2 = 0.05 / loss.K
    objective = twolayer.objective(loss)
    med, lo, hi = ratio(
        lambda: gd.run(objective, (W1, W2), eta2, max_iter=STEPS),
        lambda: bare_two_layer(loss.X, loss.Y, W1, W2, eta2, STEPS),
    )
    print(f"two-layer      n=m=N={n}, h={h}, {STEPS} steps: gd.run / bare loop = {med:.2f} "
          f"(min {lo:.2f}, max {hi:.2f}, {REPEATS} repeats)")


if __name__ == "__main__":
    main()
