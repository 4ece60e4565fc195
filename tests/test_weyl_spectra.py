"""spectra="weyl" of twolayer.AdaptiveStep and twolayer.XMTMV25Step (chapter 5, issue 13).

The bounds carried by Weyl's inequality must be certified at every step (upper bounds above the exact
extremes, lower bounds below), the step must never exceed the exact rule's step at the same iterate and must
keep eta K_loc(eta) <= theta with the exact K_loc, and a run must keep the book's descent guarantee.
"""

import math

import numpy as np
import pytest

from lplbook import gd, twolayer
from lplbook.losses import SquaredLoss

EPS = np.finfo(float).eps

# (seed, N, n, h, m, scale): square and rectangular, n != m (one eigenproblem per matrix), h < n
ADAPTIVE_CASES = [(0, 6, 4, 8, 3, 1.0), (1, 5, 5, 20, 5, 0.3), (2, 8, 3, 40, 6, 1.0), (3, 7, 6, 4, 2, 0.7),
                  (4, 10, 10, 200, 10, 0.1)]


def adaptive_problem(seed, N, n, h, m, scale):
    rng = np.random.default_rng(seed)
    X = np.linalg.qr(rng.standard_normal((N, N)))[0][:, :n] + 0.3 * rng.standard_normal((N, n))
    loss = SquaredLoss(X, rng.standard_normal((N, m)))
    return loss, scale * rng.standard_normal((n, h)) / math.sqrt(h), scale * rng.standard_normal((h, m))


def xmtmv25_problem(seed, n=4, h=60, m=3):
    """[XMTMV25]'s Fig. 2 setting, small: X orthogonal, N(0, 1) factors (alpha1 > 0)."""
    rng = np.random.default_rng(seed)
    X = np.linalg.qr(rng.standard_normal((n, n)))[0]
    W1, W2 = rng.standard_normal((n, h)), rng.standard_normal((h, m))
    return SquaredLoss(X, X @ W1 @ W2 + rng.standard_normal((n, m))), W1, W2


class Watch(gd.StepPolicy):
    """Runs ``policy``, then calls ``check(t, x, f, g, eta, policy)`` at the same iterate."""

    def __init__(self, policy, check):
        self.policy, self.check, self.calls = policy, check, 0

    def __call__(self, t, x, f, g):
        eta = self.policy(t, x, f, g)
        self.check(t, x, f, g, eta, self.policy)
        self.calls += 1
        return eta


@pytest.mark.parametrize("case", ADAPTIVE_CASES)
def test_adaptive_bounds_are_certified_and_the_step_is_never_larger(case):
    loss, W1, W2 = adaptive_problem(*case)
    objective = twolayer.objective(loss)
    policy = twolayer.AdaptiveStep(objective, spectra="weyl", spectra_refresh=25, spectra_growth=0.2)
    carried = []

    def check(t, x, f, g, eta, policy):
        A, B = x
        lam1, lam2 = twolayer.gram_eigenvalues(A, B)
        state = policy._weyl
        grad_l = loss.grad(A @ B)
        # (1) upper bounds on sigma_max(W1)^2, sigma_max(W2)^2 and ||grad l||_2
        assert state["r1"] ** 2 >= lam1[-1]
        assert state["r2"] ** 2 >= lam2[-1]
        assert state["a"] >= np.linalg.norm(grad_l, 2)
        carried.append(state["t_exact"] != t)
        # (2) never larger than the exact adaptive step, and eta K_loc(eta) <= theta with the exact K_loc
        assert eta <= twolayer.adaptive_step(loss, A, B, theta=policy.theta)
        assert eta * twolayer.local_smoothness(loss, A, B, eta) <= policy.theta

    trace = gd.run(objective, (W1, W2), Watch(policy, check), max_iter=150, tol=0.0)
    assert trace.status in ("max_iter", "converged")
    assert sum(carried) > len(carried) // 2, "most steps must use the carried bounds"
    assert policy.exact_solves < len(carried)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xmtmv25_bounds_are_certified_and_the_step_is_never_larger(seed):
    loss, W1, W2 = xmtmv25_problem(seed)
    eta_max = twolayer.xmtmv25_eta_max(loss, W1, W2, c=0.5, d=1.01).eta_max
    weyl = twolayer.XMTMV25Step(loss, W1, W2, eta_max, d=1.01, spectra="weyl", spectra_refresh=20)
    exact = twolayer.XMTMV25Step(loss, W1, W2, eta_max, d=1.01)
    below_cap = []

    def check(t, x, f, g, eta, policy):
        A, B = x
        lam1, lam2 = twolayer.gram_eigenvalues(A, B)
        state = policy._weyl
        # (1) upper bounds on the largest, lower bounds on the smallest singular values
        assert state["r1"] ** 2 >= lam1[-1] and state["r2"] ** 2 >= lam2[-1]
        assert state["l1"] ** 2 <= lam1[0] and state["l2"] ** 2 <= lam2[0]
        assert state["w"] >= np.linalg.norm(A @ B, 2)
        # (2) never larger than the exact rule's step; eta K_t(eta) <= 1 with the exact K_t (eq. 12)
        eta_exact = exact(t, x, f, g)
        assert eta <= eta_exact
        below_cap.append(eta < (1 + eta_max ** 1.01) ** (t / 2) * eta_max * (1 - 1e-12))  # 1/K_t binds
        assert eta * twolayer.xmtmv25_smoothness(loss, A, B, eta) <= 1.0
        # the logged factor rho stays a bound: never below the exact rule's rho at the same eta
        mu_t = loss.mu * (lam1[0] + lam2[0])
        rho = 1 - 2 * mu_t * eta + mu_t * twolayer.xmtmv25_smoothness(loss, A, B, eta) * eta * eta
        assert policy.factors[-1] >= rho * (1 - 1e-12)

    trace = gd.run(twolayer.objective(loss), (W1, W2), Watch(weyl, check), max_iter=120, tol=0.0)
    assert trace.status == "max_iter"
    assert sum(below_cap) >= 10, "the bounds must matter: 1/K_t, not the cap, must set some steps"
    assert weyl.eigenproblems < exact.eigenproblems
    gaps = trace.losses - loss.min_value
    above_rounding = gaps > 1e-14 * gaps[0]  # the loss reaches its rounding floor within these steps
    assert above_rounding.sum() > 10
    assert np.all((gaps <= weyl.bound() * (1 + 1e-9))[above_rounding])  # eq. (20) with the logged factors


@pytest.mark.parametrize("case", ADAPTIVE_CASES[:4])
def test_weyl_run_converges_with_the_descent_guarantee_at_every_step(case):
    loss, W1, W2 = adaptive_problem(*case)
    objective = twolayer.objective(loss)
    policy = twolayer.AdaptiveStep(objective, spectra="weyl", spectra_refresh=10)
    gap0 = twolayer.loss(loss, W1, W2) - loss.min_value
    tol = 1e-7 * gap0
    trace = gd.run(objective, (W1, W2), policy, max_iter=20_000, f_star=loss.min_value, tol=tol,
                   keep_path=True)
    assert trace.status == "converged", trace.message
    gaps = trace.losses - loss.min_value
    scale = max(1.0, abs(loss.min_value))
    for t, eta in enumerate(trace.steps):
        A, B = trace.path[0][t], trace.path[1][t]
        c = twolayer.local_constants(loss, A, B, eta)
        q = 1 - 2 * c.mu_loc * eta + c.mu_loc * c.K_loc * eta * eta  # q_t of chapter 5, exact
        assert q < 1
        assert gaps[t + 1] <= q * gaps[t] + 64 * EPS * scale, f"step {t}"


def test_weyl_steps_stay_close_to_the_exact_ones():
    loss, W1, W2 = adaptive_problem(*ADAPTIVE_CASES[4])
    objective = twolayer.objective(loss)
    exact = gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective), max_iter=200, tol=0.0)
    weyl = gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective, spectra="weyl"), max_iter=200, tol=0.0)
    ratio = weyl.steps / exact.steps
    assert ratio.mean() > 0.8


def test_default_is_exact_and_bit_for_bit_unchanged():
    loss, W1, W2 = adaptive_problem(*ADAPTIVE_CASES[0])
    objective = twolayer.objective(loss)
    a = gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective), max_iter=80, tol=0.0)
    b = gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective, spectra="exact"), max_iter=80, tol=0.0)
    assert twolayer.AdaptiveStep(objective).spectra == "exact"
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.losses, b.losses)


@pytest.mark.parametrize("make", [
    lambda loss, W1, W2, **kw: twolayer.AdaptiveStep(loss, **kw),
    lambda loss, W1, W2, **kw: twolayer.XMTMV25Step(
        loss, W1, W2, twolayer.xmtmv25_eta_max(loss, W1, W2).eta_max / 2, **kw),
])
@pytest.mark.parametrize("kw,name", [
    (dict(spectra="weil"), "spectra"), (dict(spectra=None), "spectra"), (dict(spectra=1), "spectra"),
    (dict(spectra="weyl", spectra_refresh=0), "spectra_refresh"),
    (dict(spectra="weyl", spectra_refresh=-3), "spectra_refresh"),
    (dict(spectra="weyl", spectra_refresh=2.5), "spectra_refresh"),
    (dict(spectra="weyl", spectra_growth=0.0), "spectra_growth"),
    (dict(spectra="weyl", spectra_growth=-0.1), "spectra_growth"),
    (dict(spectra="weyl", spectra_growth=float("nan")), "spectra_growth"),
])
def test_bad_input_raises_naming_the_argument(make, kw, name):
    loss, W1, W2 = xmtmv25_problem(0)
    with pytest.raises(ValueError, match=name):
        make(loss, W1, W2, **kw)


def test_weyl_with_a_loss_as_source_and_a_reused_policy():
    loss, W1, W2 = adaptive_problem(*ADAPTIVE_CASES[0])
    objective = twolayer.objective(loss)
    a = gd.run(objective, (W1, W2), twolayer.AdaptiveStep(objective, spectra="weyl"), max_iter=60, tol=0.0)
    policy = twolayer.AdaptiveStep(loss, spectra="weyl")  # recomputes grad l itself
    b = gd.run(objective, (W1, W2), policy, max_iter=60, tol=0.0)
    np.testing.assert_allclose(b.steps, a.steps, rtol=1e-12)
    solves = policy.exact_solves
    c = gd.run(objective, (W1, W2), policy, max_iter=60, tol=0.0)  # t restarts at 0: solved afresh
    assert policy.exact_solves == 2 * solves
    np.testing.assert_array_equal(c.steps, b.steps)
