"""Chapters 5-6: the rate bound prod_t q_t (L_0 - l*) lies above the measured gap on every run.

q_t = 1 - 2 mu_loc,t eta_t + mu_loc,t K_loc,t(eta_t) eta_t^2 with the local constants of the
iterate t and the step actually taken; the theorem needs eta_t K_loc,t(eta_t) < 2.
"""

import numpy as np
import pytest

from lplbook import data, gd, losses, twolayer


def bound_and_gaps(loss, W1, W2, steps=150):
    obj = twolayer.objective(loss)
    trace = gd.run(obj, (W1, W2), twolayer.AdaptiveStep(obj), max_iter=steps, keep_path=True,
                   f_star=loss.min_value, tol=1e-13 * (twolayer.loss(loss, W1, W2) - loss.min_value))
    factors = []
    for t, eta in enumerate(trace.steps):
        c = twolayer.local_constants(loss, trace.path[0][t], trace.path[1][t], eta)
        assert eta * c.K_loc == pytest.approx(1.0, rel=1e-9)  # the adaptive step, well below 2
        factors.append(1 - 2 * c.mu_loc * eta + c.mu_loc * c.K_loc * eta**2)
    gaps = trace.gaps(loss.min_value)
    bound = gaps[0] * np.concatenate([[1.0], np.cumprod(factors)])
    return gaps, bound


def problems():
    rng = np.random.default_rng(21)
    X, y = data.breast_cancer()
    return [
        losses.SquaredLoss(rng.standard_normal((5, 8)), rng.standard_normal((5, 3))),
        losses.SquaredLoss(rng.standard_normal((9, 4)), rng.standard_normal((9, 3))),  # l* > 0
        losses.LogCoshLoss(rng.standard_normal((12, 4)), rng.standard_normal((12, 2)), 2.0),
        losses.LogisticRidgeLoss(X[:100, :8], y[:100], 0.05),
    ]


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("sigma", [0.3, 1.0, 3.0])
def test_measured_gap_never_exceeds_the_rate_bound(index, sigma):
    loss = problems()[index]
    rng = np.random.default_rng(index)
    n, m = loss.shape
    h = 12
    W1 = sigma * rng.standard_normal((n, h)) / np.sqrt(h)
    W2 = rng.standard_normal((h, m)) / np.sqrt(h) / sigma
    gaps, bound = bound_and_gaps(loss, W1, W2)
    assert np.all(gaps <= bound * (1 + 1e-9) + 1e-12 * gaps[0])
    assert gaps[-1] < gaps[0]  # and the runs make progress
