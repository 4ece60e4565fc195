"""lplbook.losses: values, gradients and constants of the squared loss (chapter 1)."""

import numpy as np
import pytest
from helpers import finite_difference_grad

from lplbook.losses import SquaredLoss


@pytest.mark.parametrize("N,n,m", [(3, 5, 2), (6, 4, 3), (1, 1, 1), (4, 4, 4)])
def test_grad_matches_finite_differences(N, n, m):
    rng = np.random.default_rng(N * 100 + n * 10 + m)
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    W = rng.standard_normal((n, m))
    G_fd = finite_difference_grad(loss.value, W)
    np.testing.assert_allclose(loss.grad(W), G_fd, rtol=1e-6, atol=1e-6)
    value, grad = loss.value_and_grad(W)
    assert value == pytest.approx(loss.value(W), rel=1e-14)
    np.testing.assert_allclose(grad, loss.grad(W), rtol=1e-14)


def test_value_is_half_squared_residual():
    X = np.array([[1.0, 2.0], [0.0, 1.0]])
    Y = np.array([[1.0], [2.0]])
    W = np.array([[0.5], [-1.0]])
    # Y - XW = [1 - (0.5 - 2), 2 - (-1)] = [2.5, 3]
    assert SquaredLoss(X, Y).value(W) == pytest.approx(0.5 * (2.5**2 + 3**2))


@pytest.mark.parametrize("N,n", [(3, 7), (7, 3), (5, 5)])
def test_mu_and_K_are_extreme_nonzero_eigenvalues_of_the_gram_matrix(N, n):
    rng = np.random.default_rng(N + 17 * n)
    X = rng.standard_normal((N, n))
    loss = SquaredLoss(X, rng.standard_normal((N, 2)))
    eig = np.linalg.eigvalsh(X.T @ X)
    nonzero = eig[eig > 1e-10 * eig[-1]]
    assert loss.K == pytest.approx(eig[-1], rel=1e-10)
    assert loss.mu == pytest.approx(nonzero[0], rel=1e-8)
    assert loss.rank == min(N, n)
    assert loss.kappa == pytest.approx(loss.K / loss.mu)


def test_mu_ignores_zero_singular_values_of_rank_deficient_data():
    rng = np.random.default_rng(3)
    B = rng.standard_normal((6, 2))
    X = np.hstack([B, B @ rng.standard_normal((2, 3))])  # rank 2, 5 columns
    loss = SquaredLoss(X, rng.standard_normal((6, 1)))
    eig = np.linalg.eigvalsh(X.T @ X)
    assert loss.rank == 2
    assert loss.mu == pytest.approx(eig[-2], rel=1e-8)
    assert loss.mu > 1e-3


def test_min_value_is_zero_with_full_row_rank_and_the_lstsq_residual_otherwise():
    rng = np.random.default_rng(4)
    wide = SquaredLoss(rng.standard_normal((3, 6)), rng.standard_normal((3, 2)))
    assert wide.min_value == 0.0
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    tall = SquaredLoss(X, Y)
    W_star = np.linalg.solve(X.T @ X, X.T @ Y)
    assert tall.min_value == pytest.approx(tall.value(W_star), rel=1e-10)
    assert tall.min_value > 0
    # and no point does better
    for _ in range(20):
        assert tall.value(W_star + 0.1 * rng.standard_normal(W_star.shape)) > tall.min_value


def test_pl_inequality_holds_with_mu_on_random_points():
    rng = np.random.default_rng(5)
    violations = 0
    for trial in range(200):
        N, n, m = rng.integers(1, 7, size=3)
        loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
        W = rng.standard_normal((n, m)) * 10.0 ** rng.uniform(-2, 2)
        gap = loss.value(W) - loss.min_value
        if gap > 1e-9:
            violations += 0.5 * np.sum(loss.grad(W) ** 2) < loss.mu * gap * (1 - 1e-9)
    assert violations == 0


def test_the_data_are_copied_and_read_only():
    X = np.eye(2)
    loss = SquaredLoss(X, np.ones((2, 1)))
    X[0, 0] = 5.0
    assert loss.X[0, 0] == 1.0
    with pytest.raises(ValueError):
        loss.X[0, 0] = 3.0


@pytest.mark.parametrize(
    "X,Y,match",
    [
        (np.ones(3), np.ones((3, 1)), "X must be 2-dimensional"),
        (np.ones((3, 2)), np.ones(3), "Y must be 2-dimensional"),
        (np.ones((3, 2)), np.ones((4, 1)), "Y must have as many rows as X"),
        (np.array([[1.0, np.nan]]), np.ones((1, 1)), "X must have finite entries"),
        (np.ones((1, 2)), np.array([[np.inf]]), "Y must have finite entries"),
        (np.zeros((2, 2)), np.ones((2, 1)), "X must not be the zero matrix"),
        (np.ones((0, 2)), np.ones((0, 1)), "X must not be empty"),
        ("abc", np.ones((1, 1)), "X must be a real array"),
    ],
)
def test_bad_data_raise_value_error_naming_the_argument(X, Y, match):
    with pytest.raises(ValueError, match=match):
        SquaredLoss(X, Y)


@pytest.mark.parametrize(
    "W,match",
    [
        (np.ones((3, 1)), r"W must have shape \(2, 1\)"),
        (np.ones(2), "W must be 2-dimensional"),
        (np.array([[np.nan], [1.0]]), "W must have finite entries"),
    ],
)
def test_bad_weights_raise_value_error(W, match):
    loss = SquaredLoss(np.eye(2), np.ones((2, 1)))
    for method in (loss.value, loss.grad, loss.value_and_grad, loss.residual):
        with pytest.raises(ValueError, match=match):
            method(W)
