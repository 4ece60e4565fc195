"""Speed of the gradient-descent engine, as ratios measured in one process.

Run from the repository root::

    python benchmarks/bench_gd.py            # single-threaded BLAS is set below
    python benchmarks/bench_gd.py spectra    # only some sections: engine batching rules reproduction spectra

1. Engine overhead (chapter 5's setting, n = m = N = 20, h = 1000): time per step of
   ``lplbook.gd.run`` on a two-layer squared loss, with a constant step and with the
   adaptive step, as a ratio to the floor: the same matrix products of plain gradient
   descent in a bare Python loop. Targets: <= 1.5 (constant), <= 2 (adaptive).
2. Batching (256 problems, n = m = N = 5, h = 50, 2000 steps): a Python loop of single
   ``gd.run`` calls against one ``gd.run_batch`` call. Target: >= 10x faster.
3. Step rules (chapter 5b, the setting of [XMTMV25]'s Fig. 2: X 10x10 orthogonal, N(0, 1)
   factors, h = 1000): time per step of ``gd.run`` with each rule — eq. (19) with rho and
   with rho_bar, the book's adaptive step (eq. (19) with rho and the adaptive step also with
   ``spectra="weyl"``, see 5.), XMTMV23's adaptive step, Armijo backtracking — as
   a ratio to the constant-step floor (the bare loop of 1.), and the one-off cost of
   ``xmtmv25_eta_max`` in floor steps. No target: the ratios show what each rule costs per step.

4. The reproduction chapter (5c, [XMTMV25]'s Fig. 1 at h = 1000, sigma^2 = 1: 30 draws, eq. (19) with rho, 50
   steps): a Python loop of single ``gd.run`` calls with ``XMTMV25Step`` at full width, against one
   ``gd.run_batch`` call with ``BatchXMTMV25Step`` at full width, and against the chapter's way (the same batch in
   the exact span coordinates of ``twolayer.span_coordinates``, width n + m = 20). No target.

5. Certified spectra (issue 13, n = m = N = 20, h = 1000): time per step of ``gd.run`` with the constant step,
   the book's adaptive step and eq. (19) with rho, each with ``spectra="exact"`` (the eigenvalue problems at every
   step) and ``spectra="weyl"`` (bounds carried by Weyl's inequality, exact every ``spectra_refresh`` steps), as a
   ratio to the constant-step floor, on two problems: the engine setting of 1. and [XMTMV25]'s Fig. 2 setting of
   3. at n = m = 20 (eq. (19) needs its alpha1 > 0). Target: <= 1.5 for each rule.

Every ratio is a median over repeats, printed with its range; seconds are not the
result (they do not travel between machines). Nothing here is a test.
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

REPEATS = 5


def floor_two_layer(X, Y, W1, W2, eta, steps):
    """Plain gradient descent on a two-layer network: only the necessary products."""
    W1, W2 = W1.copy(), W2.copy()
    for _ in range(steps):
        R = Y - X @ (W1 @ W2)
        0.5 * np.vdot(R, R)
        grad_l = -X.T @ R
        G1, G2 = grad_l @ W2.T, W1.T @ grad_l
        W1 -= eta * G1
        W2 -= eta * G2
    return W1, W2


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_ratio(fn, baseline) -> tuple[float, float, float]:
    fn(), baseline()  # warm up
    ratios = []
    for _ in range(REPEATS):
        t_fn, t_base = seconds(fn), seconds(baseline)
        ratios.append(t_fn / t_base)
    return statistics.median(ratios), min(ratios), max(ratios)


def engine_overhead() -> None:
    rng = np.random.default_rng(0)
    N = n = m = 20
    h, steps = 1000, 300
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    W1 = rng.standard_normal((n, h)) / np.sqrt(h)
    W2 = rng.standard_normal((h, m)) / np.sqrt(h)
    eta = 0.5 * twolayer.adaptive_step(loss, W1, W2)
    objective = twolayer.objective(loss)
    floor = lambda: floor_two_layer(loss.X, loss.Y, W1, W2, eta, steps)  # noqa: E731
    const = lambda: gd.run(objective, (W1, W2), eta, max_iter=steps)  # noqa: E731
    adapt = lambda: gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective), max_iter=steps)  # noqa: E731
    for name, fn, target in [("constant step", const, "<= 1.5"), ("adaptive step", adapt, "<= 2")]:
        med, lo, hi = median_ratio(fn, floor)
        print(f"engine overhead, n=m=N={n}, h={h}, {name}: gd.run / bare loop = {med:.2f} "
              f"(range {lo:.2f}-{hi:.2f}, {REPEATS} repeats; target {target})")


def batching() -> None:
    rng = np.random.default_rng(1)
    B, N, n, m, h, steps = 256, 5, 5, 5, 50, 2000
    losses = [SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m))) for _ in range(B)]
    batch = twolayer.SquaredBatch.from_losses(losses)
    W1 = rng.standard_normal((B, n, h)) / np.sqrt(h)
    W2 = rng.standard_normal((B, h, m)) / np.sqrt(h)
    etas = np.array([0.1 / lo.K for lo in losses])

    def loop():
        return [gd.run(twolayer.objective(lo), (W1[b], W2[b]), etas[b], max_iter=steps)
                for b, lo in enumerate(losses)]

    def batched():
        return gd.run_batch(batch, (W1, W2), etas, max_iter=steps)

    loop(), batched()
    ratios = []
    for _ in range(REPEATS):
        ratios.append(seconds(loop) / seconds(batched))
    print(f"batching, {B} problems n=m=N={n}, h={h}, {steps} steps: loop of gd.run / run_batch = "
          f"{statistics.median(ratios):.1f}x (range {min(ratios):.1f}-{max(ratios):.1f}, {REPEATS} repeats; "
          "target >= 10x)")


def step_rules() -> None:
    rng = np.random.default_rng(2)
    n = m = 10
    h, steps = 1000, 200
    X = np.linalg.qr(rng.standard_normal((n, n)))[0]
    W1, W2 = rng.standard_normal((n, h)), rng.standard_normal((h, m))
    loss = SquaredLoss(X, X @ W1 @ W2 + rng.standard_normal((n, m)))
    objective = twolayer.objective(loss)
    eta_max = twolayer.xmtmv25_eta_max(loss, W1, W2, c=0.5, d=1.01)
    eta = eta_max.eta_max
    floor = lambda: floor_two_layer(loss.X, loss.Y, W1, W2, eta, steps)  # noqa: E731
    rules = {
        "constant step (gd.run)": lambda: eta,
        "eq. (19), h = rho": lambda: twolayer.XMTMV25Step(loss, W1, W2, eta, h="rho", d=1.01),
        "eq. (19), h = rho, spectra='weyl'": lambda: twolayer.XMTMV25Step(loss, W1, W2, eta, h="rho", d=1.01,
                                                                           spectra="weyl"),
        "eq. (19), h = rho_bar": lambda: twolayer.XMTMV25Step(loss, W1, W2, eta, h="rho_bar", d=1.01),
        "book's adaptive step": lambda: twolayer.AdaptiveStep(objective),
        "book's adaptive step, spectra='weyl'": lambda: twolayer.AdaptiveStep(objective, spectra="weyl"),
        "XMTMV23 adaptive step": lambda: twolayer.XMTMV23Step(loss, W1, W2),
        "Armijo backtracking": lambda: twolayer.Backtracking(loss, 1.0, rule="armijo"),
    }
    for name, make in rules.items():
        med, lo, hi = median_ratio(lambda: gd.run(objective, (W1, W2), make(), max_iter=steps), floor)
        print(f"step rules, n=m={n}, h={h}, {name}: time per step / constant-step floor = {med:.2f} "
              f"(range {lo:.2f}-{hi:.2f}, {REPEATS} repeats)")
    one_off = lambda: twolayer.xmtmv25_eta_max(loss, W1, W2, c=0.5, d=1.01)  # noqa: E731
    med, lo, hi = median_ratio(one_off, floor)
    print(f"step rules: one xmtmv25_eta_max = {med * steps:.1f} floor steps "
          f"(range {lo * steps:.1f}-{hi * steps:.1f}, {REPEATS} repeats)")


def reproduction_batch() -> None:
    rng = np.random.default_rng(3)
    B, n, m, h, steps = 30, 10, 10, 1000, 50
    X = np.stack([np.linalg.qr(rng.standard_normal((n, n)))[0] for _ in range(B)])
    W1, W2 = rng.standard_normal((B, n, h)), rng.standard_normal((B, h, m))
    losses_ = [SquaredLoss(X[b], X[b] @ W1[b] @ W2[b] + rng.standard_normal((n, m))) for b in range(B)]
    batch = twolayer.SquaredBatch.from_losses(losses_)
    eta0 = [twolayer.xmtmv25_eta_max(lo, W1[b], W2[b], 0.5, 1.01).eta_max for b, lo in enumerate(losses_)]

    def loop():
        return [gd.run(twolayer.objective(lo), (W1[b], W2[b]),
                       twolayer.XMTMV25Step(lo, W1[b], W2[b], eta0[b], "rho", 0.5, 1.01), max_iter=steps, tol=0.0)
                for b, lo in enumerate(losses_)]

    def rates(A, Bm):
        return [twolayer.xmtmv25_eta_max(lo, A[b], Bm[b], 0.5, 1.01).constants(eta0[b] * (1 - 1e-9))
                for b, lo in enumerate(losses_)]

    def batched_full():
        return gd.run_batch(batch, (W1, W2), twolayer.BatchXMTMV25Step(batch, rates(W1, W2)), max_iter=steps, tol=0.0)

    def batched_span():
        A, Bm = twolayer.span_coordinates(W1, W2)
        return gd.run_batch(batch, (A, Bm), twolayer.BatchXMTMV25Step(batch, rates(A, Bm)), max_iter=steps, tol=0.0)

    loop(), batched_full(), batched_span()
    for name, fn in (("run_batch at full width", batched_full), ("run_batch in span coordinates (chapter 5c)", batched_span)):
        ratios = [seconds(loop) / seconds(fn) for _ in range(REPEATS)]
        print(f"reproduction, {B} draws n=m={n}, h={h}, eq. (19) rho, {steps} steps: loop of gd.run / {name} = "
              f"{statistics.median(ratios):.1f}x (range {min(ratios):.1f}-{max(ratios):.1f}, {REPEATS} repeats; "
              "one-off eta_max included in both)")


def certified_spectra() -> None:
    n = m = N = 20
    h, steps = 1000, 300
    rng = np.random.default_rng(0)
    loss_a = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    start_a = (rng.standard_normal((n, h)) / np.sqrt(h), rng.standard_normal((h, m)) / np.sqrt(h))
    rng = np.random.default_rng(2)
    X = np.linalg.qr(rng.standard_normal((n, n)))[0]
    start_b = (rng.standard_normal((n, h)), rng.standard_normal((h, m)))
    loss_b = SquaredLoss(X, X @ start_b[0] @ start_b[1] + rng.standard_normal((n, m)))
    for label, loss, (W1, W2), eq19 in (("engine setting (1.)", loss_a, start_a, False),
                                        ("Fig. 2 setting (3.) at n = m = 20", loss_b, start_b, True)):
        objective = twolayer.objective(loss)
        eta = 0.5 * twolayer.adaptive_step(loss, W1, W2)
        rules = {
            "constant step": lambda: eta,
            "adaptive step, exact": lambda: twolayer.AdaptiveStep(objective),
            "adaptive step, weyl": lambda: twolayer.AdaptiveStep(objective, spectra="weyl"),
        }
        if eq19:
            eta0 = twolayer.xmtmv25_eta_max(loss, W1, W2, c=0.5, d=1.01).eta_max
            eta = eta0
            rules["eq. (19) rho, exact"] = lambda: twolayer.XMTMV25Step(loss, W1, W2, eta0, h="rho", d=1.01)
            rules["eq. (19) rho, weyl"] = lambda: twolayer.XMTMV25Step(loss, W1, W2, eta0, h="rho", d=1.01,
                                                                       spectra="weyl")
        floor = lambda: floor_two_layer(loss.X, loss.Y, W1, W2, eta, steps)  # noqa: E731
        for name, make in rules.items():
            med, lo, hi = median_ratio(lambda: gd.run(objective, (W1, W2), make(), max_iter=steps, tol=0.0), floor)
            print(f"certified spectra, {label}, h={h}, {name}: time per step / constant-step floor = {med:.2f} "
                  f"(range {lo:.2f}-{hi:.2f}, {REPEATS} repeats; target <= 1.5)")


if __name__ == "__main__":
    import sys

    sections = {"engine": engine_overhead, "batching": batching, "rules": step_rules,
                "reproduction": reproduction_batch, "spectra": certified_spectra}
    for key in sys.argv[1:] or list(sections):
        sections[key]()
