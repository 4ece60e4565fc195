"""Chapter 6's non-quadratic losses: gradients, PL and smoothness constants, minimum values."""

import numpy as np
import pytest
from helpers import finite_difference_grad

from lplbook import data, losses, twolayer


@pytest.fixture(scope="module")
def logcosh_losses():
    rng = np.random.default_rng(0)
    return [
        losses.LogCoshLoss(rng.standard_normal((8, 3)), 2 * rng.standard_normal((8, 2)), 2.0),  # l* > 0
        losses.LogCoshLoss(rng.standard_normal((3, 5)), rng.standard_normal((3, 2)), 0.5),  # l* = 0
    ]


@pytest.fixture(scope="module")
def logistic():
    X, y = data.breast_cancer()
    return losses.LogisticRidgeLoss(X[:120], y[:120], 0.05)


def test_logcosh_gradient_and_constants(logcosh_losses):
    rng = np.random.default_rng(1)
    for loss in logcosh_losses:
        W = rng.standard_normal(loss.shape)
        np.testing.assert_allclose(loss.grad(W), finite_difference_grad(loss.value, W), rtol=1e-6, atol=1e-6)
        sigma = np.linalg.svd(loss.X, compute_uv=False)
        assert loss.K == pytest.approx((1 + loss.beta) * sigma[0] ** 2)
        assert loss.mu == pytest.approx(sigma[sigma > 1e-10][-1] ** 2)
        violations = 0
        for _ in range(300):
            W = loss.minimizer + 10 ** rng.uniform(-3, 1) * rng.standard_normal(loss.shape)
            f, g = loss.value_and_grad(W)
            violations += 0.5 * np.sum(g**2) < loss.mu * (f - loss.min_value) * (1 - 1e-9)
            V = W + rng.standard_normal(loss.shape)
            violations += loss.value(V) > f + np.sum(g * (V - W)) + loss.K / 2 * np.sum((V - W) ** 2) + 1e-9
        assert violations == 0


def test_logcosh_min_value(logcosh_losses):
    wide = logcosh_losses[1]
    assert wide.min_value == 0.0
    tall = logcosh_losses[0]
    assert tall.min_value > 0
    assert np.abs(tall.grad(tall.minimizer)).max() < 1e-10
    assert tall.value(tall.minimizer) == pytest.approx(tall.min_value, rel=1e-12)
    rng = np.random.default_rng(2)
    for _ in range(50):
        assert tall.value(tall.minimizer + 0.01 * rng.standard_normal(tall.shape)) >= tall.min_value


def test_logcosh_is_least_squares_at_beta_zero():
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    W = rng.standard_normal((3, 2))
    assert losses.LogCoshLoss(X, Y, 0.0).value(W) == pytest.approx(losses.SquaredLoss(X, Y).value(W))
    assert losses.LogCoshLoss(X, Y, 0.0).min_value == pytest.approx(losses.SquaredLoss(X, Y).min_value)


def test_logistic_gradient_constants_and_minimum(logistic):
    rng = np.random.default_rng(4)
    W = 0.3 * rng.standard_normal(logistic.shape)
    np.testing.assert_allclose(logistic.grad(W), finite_difference_grad(logistic.value, W), rtol=1e-5, atol=1e-8)
    assert logistic.mu == 0.05
    N = logistic.X.shape[0]
    assert logistic.K == pytest.approx(0.05 + np.linalg.norm(logistic.X, 2) ** 2 / (4 * N))
    assert np.abs(logistic.grad(logistic.minimizer)).max() < 1e-10
    violations = 0
    for _ in range(300):
        W = logistic.minimizer + 10 ** rng.uniform(-3, 1) * rng.standard_normal(logistic.shape)
        f, g = logistic.value_and_grad(W)
        violations += 0.5 * np.sum(g**2) < logistic.mu * (f - logistic.min_value) * (1 - 1e-9)
    assert violations == 0


def test_logistic_is_stable_for_huge_margins(logistic):
    W = 1e4 * logistic.minimizer
    f, g = logistic.value_and_grad(W)
    assert np.isfinite(f) and np.all(np.isfinite(g))


def test_general_losses_work_with_two_layer_networks(logcosh_losses, logistic):
    rng = np.random.default_rng(5)
    for loss in [*logcosh_losses, logistic]:
        n, m = loss.shape
        W1, W2 = rng.standard_normal((n, 6)) / 3, rng.standard_normal((6, m)) / 3
        G1, G2 = twolayer.grads(loss, W1, W2)
        np.testing.assert_allclose(G1, finite_difference_grad(lambda A: twolayer.loss(loss, A, W2), W1),
                                   rtol=1e-5, atol=1e-7)
        eta = twolayer.adaptive_step(loss, W1, W2)
        assert eta * twolayer.local_smoothness(loss, W1, W2, eta) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: losses.LogCoshLoss(np.eye(2), np.ones((2, 1)), -1.0), "beta must be >= 0"),
        (lambda: losses.LogCoshLoss(np.eye(2), np.ones((3, 1)), 1.0), "Y must have as many rows"),
        (lambda: losses.LogisticRidgeLoss(np.eye(2), [1.0, 0.0], 0.1), r"labels in \{-1, \+1\}"),
        (lambda: losses.LogisticRidgeLoss(np.eye(2), [1.0, -1.0], 0.0), "lam must be > 0"),
        (lambda: losses.LogisticRidgeLoss(np.eye(2), [1.0, -1.0, 1.0], 0.1), "y must have one label per row"),
        (lambda: data.gaussian_regression(3, 2, 1, 42), "rng must be a numpy.random.Generator"),
    ],
)
def test_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bundled_data_sets():
    X, y = data.breast_cancer()
    assert X.shape == (569, 30) and set(np.unique(y)) == {-1.0, 1.0}
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    Xd, yd = data.diabetes()
    assert Xd.shape == (442, 10) and abs(yd.mean()) < 1e-9
