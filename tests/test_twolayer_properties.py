"""Property tests of the inequalities of chapters 3-4 (hypothesis, derandomized for CI).

Each example draws sizes (including h = min(n, m) and h >> n), an overall scale over
four orders of magnitude and an imbalance ratio, builds a two-layer squared-loss problem
from a seeded generator, and checks one inequality the book proves.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lplbook import twolayer
from lplbook.losses import SquaredLoss

SETTINGS = settings(derandomize=True, deadline=None, max_examples=300, database=None)
REL = 1e-10  # relative tolerance for rounding


@st.composite
def problems(draw):
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    N = draw(st.integers(1, 8))
    h = draw(st.one_of(st.just(min(n, m)), st.integers(min(n, m), 12), st.integers(50, 200)))
    log_scale = draw(st.floats(-2.0, 2.0))
    log_ratio = draw(st.floats(-1.5, 1.5))  # W1 ~ s r, W2 ~ s / r: r far from 1 is imbalanced
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    s, r = 10.0**log_scale, 10.0**log_ratio
    W1 = s * r * rng.standard_normal((n, h)) / np.sqrt(h)
    W2 = s / r * rng.standard_normal((h, m)) / np.sqrt(h)
    return loss, W1, W2


@SETTINGS
@given(problems())
def test_local_pl(problem):
    loss, W1, W2 = problem
    c = twolayer.local_constants(loss, W1, W2, 1.0)
    # equality holds when n = m = 1 and X has rank one: compare relative to the sides
    assert 0.5 * c.grad_sq_norm >= c.mu_loc * c.gap * (1 - REL) - REL * c.mu_loc * loss.min_value


@SETTINGS
@given(problems(), st.sampled_from([0.05, 0.25, 0.5, 1.0, 1.5, 2.0]))
def test_local_descent_lemma(problem, theta):
    loss, W1, W2 = problem
    eta = twolayer.adaptive_step(loss, W1, W2, theta)  # eta * K_loc(eta) = theta
    c = twolayer.local_constants(loss, W1, W2, eta)
    G1, G2 = twolayer.grads(loss, W1, W2)
    after = twolayer.loss(loss, W1 - eta * G1, W2 - eta * G2)
    bound = c.loss - eta * c.grad_sq_norm + 0.5 * eta**2 * c.K_loc * c.grad_sq_norm
    assert after <= bound + REL * (c.loss + eta * c.grad_sq_norm)


@SETTINGS
@given(problems(), st.floats(0.01, 2.0))
def test_exact_imbalance_update_and_drift_bound(problem, theta):
    loss, W1, W2 = problem
    eta = twolayer.adaptive_step(loss, W1, W2, theta)
    G1, G2 = twolayer.grads(loss, W1, W2)
    D = twolayer.imbalance(W1, W2)
    D_plus = twolayer.imbalance(W1 - eta * G1, W2 - eta * G2)
    exact = D + eta**2 * (G1.T @ G1 - G2 @ G2.T)
    scale = np.abs(D).max() + eta**2 * (np.sum(G1**2) + np.sum(G2**2)) + 1e-300
    assert np.abs(D_plus - exact).max() <= 1e-9 * scale
    c = twolayer.local_constants(loss, W1, W2, eta)
    drift = np.linalg.norm(D_plus - D)
    assert drift <= eta**2 * c.grad_sq_norm * (1 + 1e-9) + 1e-9 * scale
    grad_l = loss.grad(W1 @ W2)
    assert eta**2 * c.grad_sq_norm <= eta**2 * c.T_max * np.sum(grad_l**2) * (1 + 1e-12)


@SETTINGS
@given(problems())
def test_gram_lower_bounds(problem):
    _, W1, W2 = problem
    b = twolayer.gram_lower_bounds(W1, W2)
    lam1, lam2 = twolayer.gram_eigenvalues(W1, W2)
    tol = 1e-9 * (lam1[-1] + lam2[-1] + 1e-300)
    assert b.W1 <= lam1[0] + tol
    assert b.W2 <= lam2[0] + tol
    assert b.T_min <= twolayer.T_extremes(W1, W2)[0] + 2 * tol
