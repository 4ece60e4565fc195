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
    # a tiny end-to-end matrix for a row target: the sign and size survive (no cancellation)
    phi = np.array([[3.0, 4.0]])
    tiny = 1e-15 * np.array([[1.0, 1.0]])
    expected = (2 * 7e-15 - 2e-30) / (5.0 + np.linalg.norm(tiny - phi))
    assert deeplinear.deficiency_margin(tiny, phi) == pytest.approx(expected, rel=1e-12)
    assert deeplinear.deficiency_margin(-tiny, phi) < 0


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


@pytest.mark.parametrize("depth", [2, 3, 4, 5])
def test_grads_match_finite_differences(depth):
    from helpers import finite_difference_grad

    rng = np.random.default_rng(depth)
    d = [3] + [int(w) for w in rng.integers(2, 6, size=depth - 1)] + [2]
    Ws = deeplinear.gaussian_init(d, 0.7, rng)
    Phi = rng.standard_normal((2, 3))
    G = deeplinear.grads(Ws, Phi)
    for j in range(depth):
        def f(Wj, j=j):
            return deeplinear.loss([*Ws[:j], Wj, *Ws[j + 1:]], Phi)

        np.testing.assert_allclose(G[j], finite_difference_grad(f, Ws[j]), rtol=1e-5, atol=1e-7)
    value, G_obj = deeplinear.objective(Phi)(tuple(Ws))
    assert value == pytest.approx(deeplinear.loss(Ws, Phi))
    for a, b in zip(G, G_obj):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    f_b, G_b = deeplinear.BatchObjective(Phi).value_and_grad(tuple(W[None] for W in Ws), np.arange(1))
    assert f_b[0] == pytest.approx(value)
    for a, b in zip(G, G_b):
        np.testing.assert_allclose(a, b[0], rtol=1e-12)


def test_two_layer_special_case_matches_twolayer():
    from lplbook.losses import SquaredLoss

    rng = np.random.default_rng(9)
    W1, W2 = rng.standard_normal((3, 6)), rng.standard_normal((6, 4))
    Phi = rng.standard_normal((3, 4))
    loss = SquaredLoss(np.eye(3), Phi)  # l(W) = |Phi - W|^2 / 2
    G1, G2 = twolayer.grads(loss, W1, W2)
    grad_first, grad_second = deeplinear.grads([W2, W1], Phi)
    np.testing.assert_allclose(grad_first, G2, rtol=1e-12)
    np.testing.assert_allclose(grad_second, G1, rtol=1e-12)
    assert deeplinear.loss([W2, W1], Phi) == pytest.approx(twolayer.loss(loss, W1, W2))


@pytest.mark.parametrize("d", [[4, 7, 7, 2], [2, 5, 3], [3, 3, 3, 3, 3, 3], [1, 32, 32, 32, 1]])
@pytest.mark.parametrize("mix", [False, True])
def test_balanced_init_reproduces_A_and_is_balanced(d, mix):
    rng = np.random.default_rng(len(d))
    A = rng.standard_normal((d[-1], d[0]))
    Ws = deeplinear.balanced_init(A, d, rng, mix=mix)
    assert deeplinear.widths(Ws) == d
    np.testing.assert_allclose(deeplinear.end_to_end(Ws), A, atol=1e-12 * np.abs(A).max())
    assert deeplinear.balancedness(Ws) <= 1e-12 * max(1.0, np.linalg.norm(A))


def test_whitening_turns_regression_into_the_whitened_loss():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 4)) @ rng.standard_normal((4, 4))
    y = rng.standard_normal(40)
    Xw, Phi, c = deeplinear.whiten(X, y)
    np.testing.assert_allclose(Xw.T @ Xw / 40, np.eye(4), atol=1e-10)
    for _ in range(5):
        W = rng.standard_normal((1, 4))
        direct = 0.5 * np.sum((Xw @ W.T - y[:, None]) ** 2) / 40
        assert direct == pytest.approx(deeplinear.loss([W], Phi) + c)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: deeplinear.grads([np.ones((1, 3)), np.ones((2, 1))], np.ones((2, 3))), "width d_1 must be >= min"),
        (lambda: deeplinear.loss([np.ones((2, 3))], np.ones((3, 2))), r"Phi must have shape \(d_N, d_0\)"),
        (lambda: deeplinear.balanced_init(np.ones((2, 3)), [3, 1, 2], np.random.default_rng(0)), "hidden widths"),
        (lambda: deeplinear.balanced_init(np.ones((2, 3)), [3, 4, 2], None), "rng must be a numpy.random.Generator"),
        (lambda: deeplinear.gaussian_init([3, 4, 2], -1.0, np.random.default_rng(0)), "std must be > 0"),
        (lambda: deeplinear.whiten(np.ones((5, 2)), np.ones(5)), "linearly independent columns"),
    ],
)
def test_more_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
