"""Tests of the helpers that chapter 5's interactive figure uses (issue 16)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lplbook import explore, twolayer  # noqa: E402


@pytest.fixture(scope="module")
def problem():
    return explore.phase_map_problem(np.random.default_rng(3), 12, N=3, n=5, m=3)


def test_imbalanced_start_keeps_the_product(problem):
    W1, W2 = explore.imbalanced_start(problem, 0.7, 4.0)
    V1, V2 = explore.imbalanced_start(problem, 0.7, 1.0)
    assert np.allclose(W1 @ W2, V1 @ V2)
    assert np.allclose(W1, 0.7 * 4.0 * problem.U0) and np.allclose(W2, 0.7 / 4.0 * problem.V0)


def test_compare_steps_bound_holds_and_steps_are_adaptive(problem):
    c = explore.compare_steps(problem, 1.0, 3.0, fraction=0.5, T=60)
    assert c.adaptive_gaps.size == 61 and c.adaptive_steps.size == 60
    assert np.all(c.adaptive_gaps <= c.adaptive_bound * (1 + 1e-9))
    assert np.all((0 <= c.adaptive_factors) & (c.adaptive_factors < 1))
    start = explore.imbalanced_start(problem, 1.0, 3.0)
    assert c.adaptive_steps[0] == pytest.approx(twolayer.adaptive_step(problem.loss, *start), rel=1e-9)
    assert c.eta_constant == pytest.approx(1.0 / (problem.loss.K * twolayer.T_extremes(*start)[1]))
    assert c.constant_edge[0] == pytest.approx(2.0 * c.eta_constant)
    assert c.constant_status == "max_iter"


def test_a_small_start_makes_the_frozen_step_diverge(problem):
    c = explore.compare_steps(problem, 0.1, 1.0, fraction=0.5, T=300)
    assert c.constant_status == "diverged"
    assert np.min(c.constant_edge) < c.eta_constant  # the run crossed 2/(K lambda_max(T_t))


def test_plot_comparison_draws_both_panels(problem):
    c = explore.compare_steps(problem, 1.0, 1.0, T=10)
    fig = plt.figure()
    left, right = explore.plot_comparison(fig.subplots(1, 2), c)
    assert len(left.lines) == 3 and len(right.lines) == 3
    plt.close(fig)


def test_step_explorer_draws_the_start(problem):
    pytest.importorskip("ipywidgets")
    box = explore.step_explorer(problem, omega=1.0, xi=2.0, fraction=0.5, T=10)
    assert box.latest.xi == 2.0 and box.latest.adaptive_steps.size == 10
    with pytest.raises(ValueError, match="xi"):
        explore.step_explorer(problem, xi=100.0)


@pytest.mark.parametrize("kwargs, name", [(dict(omega=0.0), "omega"), (dict(xi=-1.0), "xi"),
                                          (dict(xi=np.nan), "xi"), (dict(fraction=0), "fraction"),
                                          (dict(T=0), "T")])
def test_bad_arguments_are_named(problem, kwargs, name):
    args = dict(omega=1.0, xi=1.0) | kwargs
    with pytest.raises(ValueError, match=name):
        explore.compare_steps(problem, **args)
