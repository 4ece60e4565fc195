"""lplbook.gd: the gradient-descent engine, its statuses and its input checks."""

import warnings

import numpy as np
import pytest

from lplbook import gd, twolayer
from lplbook.losses import SquaredLoss


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    return SquaredLoss(rng.standard_normal((4, 6)), rng.standard_normal((4, 2)))


def test_converges_with_step_one_over_K(problem):
    trace = gd.run(problem, np.zeros((6, 2)), 1 / problem.K, f_star=problem.min_value, tol=1e-10)
    assert trace.status == "converged"
    assert "converged" in trace.message
    assert trace.losses[-1] - problem.min_value <= 1e-10
    assert trace.losses[-2] - problem.min_value > 1e-10  # stops at the first iterate below tol
    assert trace.losses[0] == pytest.approx(problem.value(np.zeros((6, 2))))
    assert trace.losses.shape == (trace.n_iter + 1,)
    np.testing.assert_array_equal(trace.steps, np.full(trace.n_iter, 1 / problem.K))
    # the rate theorem of chapter 1: every per-step factor is below 1 - mu/K
    assert np.all(trace.factors(problem.min_value) <= 1 - problem.mu / problem.K + 1e-12)


def test_losses_match_a_hand_written_loop(problem):
    eta = 0.7 / problem.K
    trace = gd.run(problem, np.ones((6, 2)), eta, max_iter=15)
    W = np.ones((6, 2))
    expected = [problem.value(W)]
    for _ in range(15):
        W = W - eta * problem.grad(W)
        expected.append(problem.value(W))
    assert trace.status == "max_iter"
    np.testing.assert_allclose(trace.losses, expected, rtol=1e-12)
    np.testing.assert_allclose(trace.x, W, rtol=1e-12)


def test_x0_is_not_modified(problem):
    W0 = np.ones((6, 2))
    gd.run(problem, W0, 0.5 / problem.K, max_iter=5)
    np.testing.assert_array_equal(W0, np.ones((6, 2)))


def test_max_iter_status(problem):
    trace = gd.run(problem, np.zeros((6, 2)), 0.01 / problem.K, f_star=problem.min_value,
                   max_iter=7)
    assert trace.status == "max_iter"
    assert trace.n_iter == 7
    assert trace.losses.shape == (8,)
    assert "max_iter = 7" in trace.message


def test_diverges_without_any_warning(problem):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trace = gd.run(problem, np.ones((6, 2)), 2.5 / problem.K, f_star=problem.min_value,
                       max_iter=100_000)
    assert caught == []
    assert trace.status == "diverged"
    assert trace.n_iter < 1000
    assert "diverged" in trace.message


def test_fast_blow_up_to_overflow_is_diverged_without_warnings():
    # the scalar factorization explodes super-exponentially at a large step
    loss = SquaredLoss([[1.0]], [[1.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trace = gd.run(twolayer.objective(loss), (np.array([[1e3]]), np.array([[1e3]])), 10.0,
                       divergence_factor=1e300)
    assert caught == []
    assert trace.status == "diverged"
    assert not np.isfinite(trace.losses[-1])


def test_schedule_and_callable_steps(problem):
    etas = lambda t: 0.5 / problem.K / (t + 1)
    a = gd.run(problem, np.zeros((6, 2)), etas, max_iter=10)
    b = gd.run(problem, np.zeros((6, 2)), gd.Schedule(etas), max_iter=10)
    np.testing.assert_allclose(a.steps, [etas(t) for t in range(10)])
    np.testing.assert_array_equal(a.losses, b.losses)


def test_step_policy_sees_the_state(problem):
    seen = []

    class Recorder(gd.StepPolicy):
        def __call__(self, t, x, f, g):
            seen.append((t, f, float(np.sum(g * g))))
            return 1 / problem.K

    trace = gd.run(problem, np.zeros((6, 2)), Recorder(), max_iter=3)
    assert [s[0] for s in seen] == [0, 1, 2]
    np.testing.assert_allclose([s[1] for s in seen], trace.losses[:3])


def test_gradient_tolerance_and_records():
    f = lambda x: (float(x @ x), 2 * x)
    trace = gd.run(f, np.array([1.0, -2.0]), 0.25, gtol=1e-6, keep_path=True,
                   record=lambda x, f, g: {"norm_g": np.linalg.norm(g)})
    assert trace.status == "converged"
    assert trace.records["norm_g"][-1] <= 1e-6
    assert trace.records["norm_g"].shape == trace.losses.shape
    assert trace.path.shape == (trace.n_iter + 1, 2)
    np.testing.assert_allclose(trace.path[1], [0.5, -1.0])


def test_tuple_parameters_two_layer():
    loss = SquaredLoss([[1.0]], [[2.0]])
    a0, b0 = np.array([[1.5]]), np.array([[0.5]])
    trace = gd.run(twolayer.objective(loss), (a0, b0), 0.1, f_star=0.0, keep_path=True)
    assert trace.status == "converged"
    W1, W2 = trace.x
    assert (W1 @ W2)[0, 0] == pytest.approx(2.0, abs=1e-5)
    assert trace.path[0].shape == (trace.n_iter + 1, 1, 1)
    assert a0[0, 0] == 1.5


def test_step_factors():
    np.testing.assert_allclose(gd.step_factors([8.0, 4.0, 1.0], 0.0), [0.5, 0.25])
    np.testing.assert_allclose(gd.step_factors([3.0, 2.0, 1.0, 1.0], 1.0), [0.5, 0.0])
    with pytest.raises(ValueError, match="losses must be 1-dimensional"):
        gd.step_factors([1.0], 0.0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(step=0.0), "step must be > 0"),
        (dict(step=-0.1), "step must be > 0, got -0.1"),
        (dict(step=float("nan")), "step must be a finite real number"),
        (dict(step="big"), "step must be a real number > 0"),
        (dict(step=lambda t: -1.0), "step must give eta_t > 0"),
        (dict(step=lambda t: float("inf")), "step must give eta_t > 0"),
        (dict(step=0.1, max_iter=0), "max_iter must be an integer >= 1"),
        (dict(step=0.1, max_iter=2.5), "max_iter must be an integer >= 1"),
        (dict(step=0.1, tol=-1.0), "tol must be >= 0"),
        (dict(step=0.1, gtol=-1.0), "gtol must be >= 0"),
        (dict(step=0.1, f_star=float("nan")), "f_star must be a finite real number"),
        (dict(step=0.1, divergence_factor=0.0), "divergence_factor must be > 0"),
    ],
)
def test_bad_arguments_raise_value_error(problem, kwargs, match):
    with pytest.raises(ValueError, match=match):
        gd.run(problem, np.zeros((6, 2)), **kwargs)


def test_bad_start_and_objective(problem):
    with pytest.raises(ValueError, match="x0 must have finite entries"):
        gd.run(problem, np.full((6, 2), np.nan), 0.1)
    with pytest.raises(ValueError, match="W must have shape"):
        gd.run(problem, np.zeros((5, 2)), 0.1)
    with pytest.raises(ValueError, match="objective must be a callable"):
        gd.run(42, np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="x0 must not be an empty tuple"):
        gd.run(lambda x: (0.0, x), (), 0.1)
    with pytest.raises(ValueError, match="x0 must have a finite loss"):
        gd.run(lambda x: (np.inf, x), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="gradient with the structure of x0"):
        gd.run(lambda x: (1.0, np.zeros(2)), (np.zeros(2), np.zeros(2)), 0.1)
    with pytest.raises(ValueError, match="eta_of_t must be callable"):
        gd.Schedule(3.0)
    with pytest.raises(ValueError, match="eta must be > 0, got -1"):
        gd.Constant(-1)
