"""Issue 16, chapters 1-4: chapter 1's explorer of gradient descent against the PL bound."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lplbook import explore, losses, rates


@pytest.mark.parametrize("kappa", [1.0, 4.0, 100.0])
@pytest.mark.parametrize("eta_K", [0.3, 1.0, 1.7, 1.99])
def test_measured_gaps_stay_under_the_pl_bound_and_follow_the_exact_factor(kappa, eta_K):
    run = explore.pl_descent_run(kappa, eta_K, steps=60)
    assert run.status in ("converged", "max_iter")
    assert np.isclose(run.q, rates.descent_factor(1 / kappa, 1.0, eta_K), rtol=1e-12)
    assert np.all(run.gaps <= run.bound * (1 + 1e-12) + 1e-300)
    # the quadratic's gap is exactly 1/2 (K (1 - eta K)^(2t) + mu (1 - eta mu)^(2t)) from w0 = (1, 1, 1)
    t = np.arange(run.gaps.size)
    mu = 1 / kappa
    exact = 0.5 * ((1 - eta_K) ** (2 * t) + mu * (1 - eta_K * mu) ** (2 * t))
    np.testing.assert_allclose(run.gaps, exact, rtol=1e-9, atol=1e-300)
    assert np.all(run.gaps <= run.gaps[0] * run.exact ** t * (1 + 1e-9))
    assert run.exact <= run.q + 1e-15


def test_the_problem_is_pl_with_mu_one_over_kappa_and_not_strongly_convex():
    kappa = 25.0
    loss = losses.SquaredLoss(np.diag([1.0, 1.0 / np.sqrt(kappa), 0.0]), np.zeros((3, 1)))
    assert np.isclose(loss.mu, 1 / kappa) and np.isclose(loss.K, 1.0) and loss.rank == 2 and loss.min_value == 0


def test_beyond_two_over_K_the_run_diverges_and_has_no_bound():
    run = explore.pl_descent_run(10.0, 2.3)
    assert run.status == "diverged" and run.bound is None and run.q > 1


def test_plot_and_explorer():
    run = explore.pl_descent_run(10.0, 1.5, steps=20)
    axes = Figure().subplots(1, 2)
    assert explore.plot_pl_descent(axes, run) == tuple(axes)
    box = explore.pl_descent_explorer(kappa=3.0, eta_K=0.5, steps=10)
    assert box.latest_run.kappa == 3.0 and box.latest_run.eta_K == 0.5
    box.controls["eta_K"].value = 2.2
    assert box.latest_run.eta_K == 2.2 and box.latest_run.bound is None


@pytest.mark.parametrize("bad", [dict(kappa=0.5), dict(kappa=2000.0), dict(eta_K=0.0), dict(eta_K=3.0),
                                 dict(kappa=np.nan), dict(steps=0)])
def test_bad_settings_are_rejected_by_name(bad):
    kwargs = dict(kappa=10.0, eta_K=1.0, steps=5) | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        explore.pl_descent_run(**kwargs)
