"""lplbook.deeplinear: end-to-end matrix, balancedness, margin and the theorem's bounds."""

import numpy as np
import pytest

from lplbook import deeplinear, twolayer


def test_end_to_end_and_two_layer_correspondence():
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((3, 5)), rng.standard_normal((5, 2))
    # two-layer W1 W2 is the depth-2 network with layers [W2, W1]
    np.testing.assert_allclose(deeplinear.end_to_end([W2, W1]), W1 @ W2)
    D = twolayer.imbalance(W1, W2)  # W1^T W1 - W2 W2^T = W_2^T W_2 - W_1 W_1^T in layer notation
    assert deeplinear.balancedness([W2, W1]) == pytest.approx(np.linalg.norm(D))
    Ws = [rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.standard_normal((2, 6))]
    np.testing.assert_allclose(deeplinear.end_to_end(Ws), Ws[2] @ Ws[1] @ Ws[0])


def test_deficiency_margin():
    Phi = np.diag([3.0, 2.0])
    assert deeplinear.deficiency_margin(Phi, Phi) == pytest.approx(2.0)
    W = Phi + np.array([[0.0, 0.5], [0.0, 0.0]])
    assert deeplinear.deficiency_margin(W, Phi) == pytest.approx(1.5)
    assert deeplinear.deficiency_margin(np.zeros((2, 2)), Phi) < 0


def test_bounds_are_positive_and_monotone():
    Phi = np.diag([3.0, 2.0])
    for N in (2, 3, 5):
        cs = np.array([0.1, 0.5, 1.0, 2.0])
        etas = [deeplinear.step_bound(c, N, Phi) for c in cs]
        deltas = [deeplinear.delta_bound(c, N, Phi) for c in cs]
        assert all(e > 0 for e in etas) and np.all(np.diff(etas) > 0)
        assert all(d > 0 for d in deltas) and np.all(np.diff(deltas) > 0)
        # a larger target makes every bound smaller
        assert deeplinear.step_bound(1.0, N, 2 * Phi) < deeplinear.step_bound(1.0, N, Phi)
        T = [deeplinear.iteration_bound(c, N, Phi, etas[0], 10.0, 1e-5) for c in cs]
        assert np.all(np.diff(T) < 0)
    # N = 2: c^3 / (6144 * 8 * |Phi|_F^4)
    assert deeplinear.step_bound(1.0, 2, Phi) == pytest.approx(1 / (49152 * 13.0**2))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: deeplinear.step_bound(0.0, 2, np.eye(2)), "c must be > 0"),
        (lambda: deeplinear.step_bound(1.0, 1, np.eye(2)), "N must be an integer >= 2"),
        (lambda: deeplinear.delta_bound(1.0, 2, np.zeros((2, 2))), "Phi must not be the zero matrix"),
        (lambda: deeplinear.end_to_end([np.ones((2, 3)), np.ones((2, 3))]), r"Ws\[1\] must have 2 columns"),
        (lambda: deeplinear.end_to_end([]), "Ws must be a non-empty sequence"),
        (lambda: deeplinear.deficiency_margin(np.ones((2, 3)), np.eye(2)), r"W must have shape \(2, 2\)"),
        (lambda: deeplinear.iteration_bound(1.0, 2, np.eye(2), 0.1, 1.0, 0.0), "eps must be > 0"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
