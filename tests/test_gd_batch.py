"""lplbook.gd.run_batch: B stacked two-layer runs equal B single runs (chapter 5)."""

import warnings

import numpy as np
import pytest

from lplbook import gd, twolayer
from lplbook.losses import SquaredLoss


@pytest.fixture(scope="module")
def problems():
    rng = np.random.default_rng(11)
    B, N, n, h, m = 10, 3, 4, 9, 3
    losses = [SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m))) for _ in range(B)]
    scales = 10.0 ** rng.uniform(-1.0, 0.5, size=(B, 1, 1))
    W1 = scales * rng.standard_normal((B, n, h)) / np.sqrt(h)
    W2 = rng.standard_normal((B, h, m)) / np.sqrt(h) / scales
    return losses, twolayer.SquaredBatch.from_losses(losses), W1, W2


def assert_same(batch_trace, single):
    assert batch_trace.status == single.status
    assert batch_trace.n_iter == single.n_iter
    np.testing.assert_allclose(batch_trace.losses, single.losses, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(batch_trace.steps, single.steps, rtol=1e-9)
    for part_b, part_s in zip(batch_trace.x, single.x):
        np.testing.assert_allclose(part_b, part_s, rtol=1e-7, atol=1e-10)


def test_constant_steps_per_run_match_single_runs_including_divergence(problems):
    losses, batch, W1, W2 = problems
    etas = np.array([0.4 / lo.K for lo in losses])
    etas[2] = 40.0  # this run diverges
    traces = gd.run_batch(batch, (W1, W2), etas, f_star=batch.min_value, tol=1e-10, max_iter=1500)
    statuses = set()
    for b, lo in enumerate(losses):
        single = gd.run(twolayer.objective(lo), (W1[b], W2[b]), etas[b], f_star=lo.min_value,
                        tol=1e-10, max_iter=1500)
        assert_same(traces[b], single)
        statuses.add(single.status)
    assert "diverged" in statuses and "converged" in statuses


def test_adaptive_steps_match_single_runs(problems):
    losses, batch, W1, W2 = problems
    traces = gd.run_batch(batch, (W1, W2), twolayer.BatchAdaptiveStep(batch), f_star=batch.min_value,
                          tol=1e-9, max_iter=400)
    for b, lo in enumerate(losses):
        single = gd.run(twolayer.objective(lo), (W1[b], W2[b]), twolayer.AdaptiveStep(lo),
                        f_star=lo.min_value, tol=1e-9, max_iter=400)
        assert_same(traces[b], single)
        # the step taken solves eta * K_loc(eta) = 1 at the first iterate
        eta0 = twolayer.adaptive_step(lo, W1[b], W2[b])
        assert traces[b].steps[0] == pytest.approx(eta0, rel=1e-10)


def test_shared_schedule_and_max_iter(problems):
    losses, batch, W1, W2 = problems
    eta0 = 0.01 / max(lo.K for lo in losses)
    traces = gd.run_batch(batch, (W1, W2), gd.InverseTime(eta0), max_iter=25)
    for b, lo in enumerate(losses):
        single = gd.run(twolayer.objective(lo), (W1[b], W2[b]), gd.InverseTime(eta0), max_iter=25)
        assert_same(traces[b], single)
        assert traces[b].status == "max_iter"
        np.testing.assert_allclose(traces[b].steps, eta0 / np.arange(1, 26))


def test_divergence_in_a_batch_emits_no_warning(problems):
    losses, batch, W1, W2 = problems
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traces = gd.run_batch(batch, (10 * W1, 10 * W2), 1e3, max_iter=10_000)
    assert caught == []
    assert all(t.status == "diverged" for t in traces)


def test_batch_input_errors(problems):
    losses, batch, W1, W2 = problems
    with pytest.raises(ValueError, match="one entry per run"):
        gd.run_batch(batch, (W1, W2), np.ones(3))
    with pytest.raises(ValueError, match="step must give eta_t > 0"):
        gd.run_batch(batch, (W1, W2), lambda t: -1.0)
    with pytest.raises(ValueError, match="common first axis"):
        gd.run_batch(batch, (W1, W2[:3]), 0.1)
    with pytest.raises(ValueError, match="etas must be a 1-d array of steps > 0"):
        gd.PerRunConstant(np.array([0.1, -0.1]))
    with pytest.raises(ValueError, match="single-run StepPolicy"):
        gd.run_batch(batch, (W1, W2), twolayer.AdaptiveStep(losses[0]))
    with pytest.raises(ValueError, match="same X and Y shapes"):
        twolayer.SquaredBatch.from_losses([losses[0], SquaredLoss(np.eye(2), np.eye(2))])
    with pytest.raises(ValueError, match="eta0 must be > 0"):
        gd.InverseTime(0.0)


def test_single_adaptive_policy_and_initial_curvature_step():
    rng = np.random.default_rng(5)
    lo = SquaredLoss(rng.standard_normal((3, 4)), rng.standard_normal((3, 2)))
    W1, W2 = rng.standard_normal((4, 6)), rng.standard_normal((6, 2))
    trace = gd.run(twolayer.objective(lo), (W1, W2), twolayer.AdaptiveStep(lo), max_iter=30)
    x = (W1.copy(), W2.copy())
    for t in range(30):
        eta = twolayer.adaptive_step(lo, *x)
        assert trace.steps[t] == pytest.approx(eta, rel=1e-10)
        G1, G2 = twolayer.grads(lo, *x)
        x = (x[0] - eta * G1, x[1] - eta * G2)
    assert twolayer.initial_curvature_step(lo, W1, W2) == pytest.approx(
        1 / (lo.K * twolayer.T_extremes(W1, W2)[1]))


def test_adaptive_policy_does_not_trust_a_stale_objective_cache():
    rng = np.random.default_rng(6)
    lo = SquaredLoss(rng.standard_normal((3, 4)), rng.standard_normal((3, 2)))
    W1, W2 = rng.standard_normal((4, 6)), rng.standard_normal((6, 2))
    obj = twolayer.objective(lo)
    policy = twolayer.AdaptiveStep(obj)
    obj((W1, W2))
    G1, G2 = twolayer.grads(lo, W1, W2)
    assert policy(0, (W1, W2), None, (G1, G2)) == pytest.approx(twolayer.adaptive_step(lo, W1, W2), rel=1e-12)
    W1 -= 0.01 * G1  # moved in place, objective not re-evaluated: the cache is stale
    G1, G2 = twolayer.grads(lo, W1, W2)
    assert policy(5, (W1, W2), None, (G1, G2)) == pytest.approx(twolayer.adaptive_step(lo, W1, W2), rel=1e-12)


def test_per_run_tolerances(problems):
    losses, batch, W1, W2 = problems
    etas = np.array([0.3 / lo.K for lo in losses])
    tols = np.geomspace(1e-3, 1e-9, len(losses))
    traces = gd.run_batch(batch, (W1, W2), etas, f_star=batch.min_value, tol=tols, max_iter=3000)
    for b, lo in enumerate(losses):
        single = gd.run(twolayer.objective(lo), (W1[b], W2[b]), etas[b], f_star=lo.min_value,
                        tol=tols[b], max_iter=3000)
        assert_same(traces[b], single)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        gd.run_batch(batch, (W1, W2), etas, f_star=batch.min_value, tol=-tols)


def test_policy_sources_are_validated():
    with pytest.raises(ValueError, match="source must be a twolayer.Objective or a loss"):
        twolayer.AdaptiveStep(42)
    with pytest.raises(ValueError, match="batch must be a twolayer.SquaredBatch"):
        twolayer.BatchAdaptiveStep(object())
    with pytest.raises(ValueError, match="W1 and W2 must not both vanish"):
        lo = SquaredLoss(np.eye(2), np.zeros((2, 2)))
        obj = twolayer.objective(lo)
        gd.run(obj, (np.zeros((2, 3)), np.zeros((3, 2))), twolayer.AdaptiveStep(obj), max_iter=2)
