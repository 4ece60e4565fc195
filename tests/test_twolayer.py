"""lplbook.twolayer: loss, gradients and imbalance of L(W1, W2) = l(W1 W2) (chapter 2)."""

import numpy as np
import pytest
from helpers import finite_difference_grad

from lplbook import twolayer
from lplbook.losses import SquaredLoss


@pytest.mark.parametrize("N,n,h,m", [(3, 4, 5, 2), (2, 2, 2, 3), (1, 1, 1, 1), (5, 3, 8, 3)])
def test_grads_match_finite_differences(N, n, h, m):
    rng = np.random.default_rng(N + 10 * n + 100 * h + 1000 * m)
    loss = SquaredLoss(rng.standard_normal((N, n)), rng.standard_normal((N, m)))
    W1, W2 = rng.standard_normal((n, h)), rng.standard_normal((h, m))
    G1, G2 = twolayer.grads(loss, W1, W2)
    np.testing.assert_allclose(G1, finite_difference_grad(lambda A: twolayer.loss(loss, A, W2), W1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(G2, finite_difference_grad(lambda B: twolayer.loss(loss, W1, B), W2), rtol=1e-5, atol=1e-6)
    value, (H1, H2) = twolayer.objective(loss)((W1, W2))
    assert value == pytest.approx(loss.value(W1 @ W2))
    np.testing.assert_allclose(H1, G1)
    np.testing.assert_allclose(H2, G2)


def test_scalar_factorization_closed_forms():
    # L(a, b) = (ab - y)^2 / 2: grads ((ab - y) b, (ab - y) a), d = a^2 - b^2
    y, a, b = 2.0, 1.5, -0.5
    loss = SquaredLoss([[1.0]], [[y]])
    A, B = np.array([[a]]), np.array([[b]])
    assert twolayer.loss(loss, A, B) == pytest.approx(0.5 * (a * b - y) ** 2)
    G1, G2 = twolayer.grads(loss, A, B)
    assert G1[0, 0] == pytest.approx((a * b - y) * b)
    assert G2[0, 0] == pytest.approx((a * b - y) * a)
    assert twolayer.imbalance(A, B)[0, 0] == pytest.approx(a * a - b * b)


def test_imbalance_is_conserved_to_second_order_in_eta():
    rng = np.random.default_rng(1)
    loss = SquaredLoss(rng.standard_normal((3, 4)), rng.standard_normal((3, 2)))
    W1, W2 = rng.standard_normal((4, 6)), rng.standard_normal((6, 2))
    D = twolayer.imbalance(W1, W2)
    assert D.shape == (6, 6)
    np.testing.assert_allclose(D, D.T)
    G1, G2 = twolayer.grads(loss, W1, W2)
    drifts = []
    for eta in (1e-2, 1e-3):
        drifts.append(np.linalg.norm(twolayer.imbalance(W1 - eta * G1, W2 - eta * G2) - D))
    assert drifts[0] / drifts[1] == pytest.approx(100.0, rel=1e-6)  # O(eta^2)


@pytest.mark.parametrize(
    "W1,W2,match",
    [
        (np.ones((3, 1)), np.ones((1, 2)), "width h must be >= min"),
        (np.ones((4, 3)), np.ones((3, 2)), r"W1 must have shape \(3, any\)"),
        (np.ones((3, 3)), np.ones((2, 2)), r"W2 must have shape \(3, 2\)"),
        (np.ones(3), np.ones((3, 2)), "W1 must be 2-dimensional"),
        (np.full((3, 3), np.inf), np.ones((3, 2)), "W1 must have finite entries"),
    ],
)
def test_bad_factors_raise_value_error(W1, W2, match):
    loss = SquaredLoss(np.ones((2, 3)) + np.eye(2, 3), np.ones((2, 2)))
    with pytest.raises(ValueError, match=match):
        twolayer.grads(loss, W1, W2)
    with pytest.raises(ValueError, match=match):
        twolayer.loss(loss, W1, W2)


def test_imbalance_shape_mismatch():
    with pytest.raises(ValueError, match="W2 must have W1's width"):
        twolayer.imbalance(np.ones((2, 3)), np.ones((2, 2)))
