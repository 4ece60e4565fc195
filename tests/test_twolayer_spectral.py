"""lplbook.twolayer, chapters 3-4: the operator T, local constants, adaptive step, imbalance bounds."""

import numpy as np
import pytest

from lplbook import twolayer
from lplbook.losses import SquaredLoss


def explicit_T(W1, W2):
    """The (nm) x (nm) matrix of T acting on vec(E) (column-major vec)."""
    n, m = W1.shape[0], W2.shape[1]
    return np.kron(np.eye(m), W1 @ W1.T) + np.kron(W2.T @ W2, np.eye(n))


def instance(seed, N=3, n=4, h=6, m=2, scale=1.0, ratio=1.0):
    rng = np.random.default_rng(seed)
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    return loss, scale * ratio * rng.standard_normal((n, h)), scale / ratio * rng.standard_normal((h, m))


@pytest.mark.parametrize("n,h,m", [(2, 3, 2), (4, 4, 3), (3, 10, 1), (1, 5, 4)])
def test_T_matches_the_explicit_kronecker_sum(n, h, m):
    rng = np.random.default_rng(n * 100 + h * 10 + m)
    W1, W2, E = rng.standard_normal((n, h)), rng.standard_normal((h, m)), rng.standard_normal((n, m))
    M = explicit_T(W1, W2)
    np.testing.assert_allclose(twolayer.apply_T(W1, W2, E).ravel(order="F"), M @ E.ravel(order="F"),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(twolayer.T_spectrum(W1, W2), np.linalg.eigvalsh(M), rtol=1e-9, atol=1e-10)
    lo, hi = twolayer.T_extremes(W1, W2)
    assert lo == pytest.approx(np.linalg.eigvalsh(M)[0], abs=1e-10)
    assert hi == pytest.approx(np.linalg.eigvalsh(M)[-1], rel=1e-12)


def test_grad_norm_is_the_quadratic_form_of_T():
    loss, W1, W2 = instance(1)
    G1, G2 = twolayer.grads(loss, W1, W2)
    grad_l = loss.grad(W1 @ W2)
    lhs = np.sum(G1**2) + np.sum(G2**2)
    assert lhs == pytest.approx(np.vdot(grad_l, twolayer.apply_T(W1, W2, grad_l)), rel=1e-12)
    c = twolayer.local_constants(loss, W1, W2, 0.01)
    assert c.grad_sq_norm == pytest.approx(lhs, rel=1e-12)
    assert c.loss == pytest.approx(twolayer.loss(loss, W1, W2))
    assert c.gap == pytest.approx(c.loss - loss.min_value)
    assert c.grad_ell_spectral == pytest.approx(np.linalg.norm(grad_l, 2), rel=1e-10)


def test_local_pl_constant_is_mu_times_smallest_eigenvalue_of_explicit_T():
    loss, W1, W2 = instance(2, N=2, n=3, h=5, m=2)
    expected = loss.mu * np.linalg.eigvalsh(explicit_T(W1, W2))[0]
    assert twolayer.local_pl_constant(loss, W1, W2) == pytest.approx(expected, rel=1e-9)
    assert twolayer.local_constants(loss, W1, W2, 0.1).mu_loc == pytest.approx(expected, rel=1e-9)


def test_local_smoothness_formula_and_limit():
    loss, W1, W2 = instance(3)
    c = twolayer.local_constants(loss, W1, W2, 0.05)
    expected = c.grad_ell_spectral + loss.K * (np.sqrt(c.T_max) + 0.025 * np.sqrt(c.grad_sq_norm)) ** 2
    assert twolayer.local_smoothness(loss, W1, W2, 0.05) == pytest.approx(expected, rel=1e-12)
    # at a zero-loss point with nonzero factors K_loc -> K lambda_max(T) for any eta
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 4))
    W1 = rng.standard_normal((4, 6))
    W2 = rng.standard_normal((6, 2))
    exact = SquaredLoss(X, X @ W1 @ W2)
    c0 = twolayer.local_constants(exact, W1, W2, 1.0)
    assert c0.K_loc == pytest.approx(exact.K * c0.T_max, rel=1e-9)


@pytest.mark.parametrize("theta", [0.05, 0.5, 1.0, 2.0])
def test_adaptive_step_solves_the_cubic(theta):
    for seed in range(5):
        loss, W1, W2 = instance(seed, scale=10.0 ** (seed - 2))
        eta = twolayer.adaptive_step(loss, W1, W2, theta)
        assert eta > 0
        assert eta * twolayer.local_smoothness(loss, W1, W2, eta) == pytest.approx(theta, rel=1e-12)


def test_adaptive_step_errors():
    loss, W1, W2 = instance(0)
    with pytest.raises(ValueError, match="theta must be > 0"):
        twolayer.adaptive_step(loss, W1, W2, 0.0)
    at_zero = SquaredLoss(np.eye(2), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="must not both vanish"):
        twolayer.adaptive_step(at_zero, np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="eta must be > 0"):
        twolayer.local_smoothness(loss, W1, W2, -1.0)
    with pytest.raises(ValueError, match=r"E must have shape \(4, 2\)"):
        twolayer.apply_T(W1, W2, np.ones((2, 4)))
    with pytest.raises(ValueError, match="width h must be >= min"):
        twolayer.gram_eigenvalues(np.ones((3, 1)), np.ones((1, 2)))


@pytest.mark.parametrize("n,h,m", [(3, 4, 2), (3, 5, 2), (2, 40, 3), (5, 200, 4), (1, 1, 1)])
def test_imbalance_spectrum_matches_the_h_by_h_matrix(n, h, m):
    rng = np.random.default_rng(h)
    W1, W2 = 3 * rng.standard_normal((n, h)), rng.standard_normal((h, m)) / 2
    D = twolayer.imbalance(W1, W2)
    expected = np.linalg.eigvalsh(D)
    got = twolayer.imbalance_spectrum(W1, W2)
    assert got.shape == (h,)
    np.testing.assert_allclose(got, expected, atol=1e-10 * np.abs(expected).max())


def test_gram_lower_bounds_are_tight_in_the_extreme_cases():
    rng = np.random.default_rng(7)
    # balanced: W1 = U S^(1/2) Q, W2 = Q^T S^(1/2) V^T -> D = 0 and lambda_min(W2^T W2) = sigma_min(W)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    Q, _ = np.linalg.qr(rng.standard_normal((8, 3)))
    S = np.diag([4.0, 2.0, 0.5])
    W1, W2 = U @ np.sqrt(S) @ Q.T, Q @ np.sqrt(S) @ V.T
    assert np.abs(twolayer.imbalance(W1, W2)).max() < 1e-12
    b = twolayer.gram_lower_bounds(W1, W2)
    lam1, lam2 = twolayer.gram_eigenvalues(W1, W2)
    assert b.W1 == pytest.approx(lam1[0], rel=1e-8)
    assert b.W2 == pytest.approx(lam2[0], rel=1e-8)
    assert b.imbalance_only == pytest.approx(0.0, abs=1e-12)
    # W1 = 0: the imbalance is -W2 W2^T and the bound on lambda_min(W2^T W2) is exact
    W2 = rng.standard_normal((8, 3))
    b = twolayer.gram_lower_bounds(np.zeros((3, 8)), W2)
    assert b.W2 == pytest.approx(np.linalg.eigvalsh(W2.T @ W2)[0], rel=1e-8)
    assert b.W1 == pytest.approx(0.0, abs=1e-12)


def test_gram_lower_bounds_hold_and_combine_their_special_cases():
    rng = np.random.default_rng(8)
    for trial in range(300):
        n, m = rng.integers(1, 5, size=2)
        h = int(rng.integers(min(n, m), 20))
        W1 = 10 ** rng.uniform(-2, 2) * rng.standard_normal((n, h))
        W2 = 10 ** rng.uniform(-2, 2) * rng.standard_normal((h, m))
        b = twolayer.gram_lower_bounds(W1, W2)
        lam1, lam2 = twolayer.gram_eigenvalues(W1, W2)
        tol = 1e-9 * (1 + lam1[-1] + lam2[-1])
        assert b.W1 <= lam1[0] + tol and b.W2 <= lam2[0] + tol
        assert b.T_min >= max(b.imbalance_only, b.margin_only) - tol
        assert min(b.W1, b.W2) >= 0
