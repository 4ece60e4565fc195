"""The helpers of chapter 5c: GD in span coordinates and the batched rules of [XMTMV25] and [XMTMV23]."""

import numpy as np
import pytest

from lplbook import gd, losses, twolayer


def _problems(B=4, n=3, m=3, h=12, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(B):
        X = np.linalg.qr(rng.standard_normal((n, n)))[0]
        W1, W2 = rng.standard_normal((n, h)), rng.standard_normal((h, m))
        out.append((losses.SquaredLoss(X, X @ W1 @ W2 + 0.5 * rng.standard_normal((n, m))), W1, W2))
    return out


def test_span_coordinates_give_the_same_run_and_constants():
    ell, W1, W2 = _problems(1, h=40)[0]
    A, B = twolayer.span_coordinates(W1, W2)
    assert A.shape == (3, 6) and B.shape == (6, 3)
    np.testing.assert_allclose(A @ B, W1 @ W2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(A @ A.T, W1 @ W1.T, rtol=1e-12)
    np.testing.assert_allclose(B.T @ B, W2.T @ W2, rtol=1e-12)
    full, red = twolayer.xmtmv25_init(ell, W1, W2), twolayer.xmtmv25_init(ell, A, B)
    for name in ("alpha1", "alpha2", "beta1", "beta2", "Delta", "lam_plus", "lam_minus"):
        assert getattr(red, name) == pytest.approx(getattr(full, name), rel=1e-10)
    eta = 0.5 * twolayer.initial_curvature_step(ell, W1, W2)
    t_full = gd.run(twolayer.objective(ell), (W1, W2), eta, max_iter=30, tol=0.0)
    t_red = gd.run(twolayer.objective(ell), (A, B), eta, max_iter=30, tol=0.0)
    np.testing.assert_allclose(t_red.losses, t_full.losses, rtol=1e-9, atol=1e-13)


def test_span_coordinates_stacked_and_narrow():
    probs = _problems(3, h=20)
    W1s, W2s = np.stack([p[1] for p in probs]), np.stack([p[2] for p in probs])
    A, B = twolayer.span_coordinates(W1s, W2s)
    np.testing.assert_allclose(A @ B, W1s @ W2s, rtol=1e-12, atol=1e-12)
    A2, B2 = twolayer.span_coordinates(W1s[0][:, :5], W2s[0][:5])  # h <= n + m: unchanged copies
    np.testing.assert_array_equal(A2, W1s[0][:, :5])


def test_span_coordinates_bad_input():
    with pytest.raises(ValueError, match="W2"):
        twolayer.span_coordinates(np.ones((3, 5)), np.ones((4, 2)))


def _batched_vs_single(make_single, make_batch, steps=25):
    probs = _problems()
    batch = twolayer.SquaredBatch.from_losses([p[0] for p in probs])
    x0 = (np.stack([p[1] for p in probs]), np.stack([p[2] for p in probs]))
    pol = make_batch(batch, probs)
    trs = gd.run_batch(batch, x0, pol, max_iter=steps, tol=0.0)
    singles = []
    for k, (ell, W1, W2) in enumerate(probs):
        sp = make_single(ell, W1, W2)
        tr = gd.run(twolayer.objective(ell), (W1, W2), sp, max_iter=steps, tol=0.0)
        np.testing.assert_allclose(trs[k].steps, tr.steps, rtol=1e-8)
        np.testing.assert_allclose(trs[k].losses, tr.losses, rtol=1e-8, atol=1e-12)
        singles.append(sp)
    return pol, singles


@pytest.mark.parametrize("h", ["rho", "rho_bar"])
def test_batch_xmtmv25_step_matches_the_single_rule(h):
    def eta0(ell, W1, W2):
        return twolayer.xmtmv25_eta_max(ell, W1, W2, 0.5, 1.01).eta_max

    pol, singles = _batched_vs_single(
        lambda ell, W1, W2: twolayer.XMTMV25Step(ell, W1, W2, eta0(ell, W1, W2), h, 0.5, 1.01),
        lambda batch, probs: twolayer.BatchXMTMV25Step(
            batch, [twolayer.xmtmv25_eta_max(*p, 0.5, 1.01).constants(eta0(*p)) for p in probs], h))
    for b, sp in enumerate(singles):
        np.testing.assert_allclose(pol.bound()[b], sp.bound(), rtol=1e-8)
        assert pol.eigenproblems[b] == sp.eigenproblems


@pytest.mark.parametrize("adaptive", [True, False])
def test_batch_xmtmv23_step_matches_the_single_rule(adaptive):
    pol, singles = _batched_vs_single(
        lambda ell, W1, W2: twolayer.XMTMV23Step(ell, W1, W2, adaptive),
        lambda batch, probs: twolayer.BatchXMTMV23Step(batch, [twolayer.xmtmv23_eta_max(*p) for p in probs],
                                                       adaptive))
    for b, sp in enumerate(singles):
        np.testing.assert_allclose(pol.bound()[b], sp.bound(), rtol=1e-8)


@pytest.mark.parametrize("rule", ["printed", "armijo"])
def test_batch_backtracking_matches_the_single_rule(rule):
    pol, singles = _batched_vs_single(
        lambda ell, W1, W2: twolayer.Backtracking(ell, 1.0, rule=rule, max_trials=20),
        lambda batch, probs: twolayer.BatchBacktracking(batch, 1.0, rule=rule, max_trials=20), steps=8)
    for b, sp in enumerate(singles):
        assert pol.trials[b] == sp.trials
        assert pol.failures[b] == sp.failures
        assert pol.loss_evaluations()[b] == sp.loss_evaluations


def test_batched_rules_reject_bad_input():
    probs = _problems(2)
    batch = twolayer.SquaredBatch.from_losses([p[0] for p in probs])
    with pytest.raises(ValueError, match="rates"):
        twolayer.BatchXMTMV25Step(batch, [1.0, 2.0])
    em = twolayer.xmtmv25_eta_max(*probs[0])
    with pytest.raises(ValueError, match="rates"):
        twolayer.BatchXMTMV25Step(batch, [em.constants(em.eta_max)])
    with pytest.raises(ValueError, match="h must"):
        twolayer.BatchXMTMV25Step(batch, [em.constants(em.eta_max)] * 2, h="sigma")
    with pytest.raises(ValueError, match="batch"):
        twolayer.BatchXMTMV23Step(probs[0][0], [])
    with pytest.raises(ValueError, match="tau"):
        twolayer.BatchBacktracking(batch, 1.0, tau=2.0)
