"""lplbook.networks and lplbook.criterion (chapters 8-9)."""

import numpy as np
import pytest

from lplbook import criterion, gd, networks


def make_net(widths, act, seed=0, n=5):
    rng = np.random.default_rng(seed)
    return networks.Network(widths, rng.standard_normal((n, widths[0])), rng.standard_normal(n), act)


@pytest.mark.parametrize("act", ["tanh", "softplus"])
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
def test_gradients_match_finite_differences(act, depth):
    widths = (6,) + (5,) * depth
    net = make_net(widths, act, seed=depth)
    rng = np.random.default_rng(depth + 10)
    theta = networks.xavier_init(net, rng)
    f, g = net.value_and_grad(theta)
    fd = np.empty(net.size)
    for i in range(net.size):
        e = np.zeros(net.size)
        e[i] = 1e-6
        fd[i] = (net.value(theta + e) - net.value(theta - e)) / 2e-6
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)
    assert f == pytest.approx(0.5 * np.sum((net.outputs(theta) - net.y) ** 2))


def test_positive_init_structure():
    net = make_net((6, 7, 5, 4), "tanh")
    theta = networks.positive_init(net, 25.0, np.random.default_rng(1))
    Ws = net.unflatten(theta)
    assert np.all(Ws[0] == 0)
    assert all(np.all(W > 0) for W in Ws[1:])
    assert Ws[-1].shape == (1, 4)
    assert Ws[-1].min() >= 25.0 * 0.5 / 4 and Ws[-1].max() <= 25.0 * 1.5 / 4
    np.testing.assert_array_equal(net.flatten(Ws), theta)


def test_standard_inits_have_their_variances():
    net = make_net((200, 300, 300), "tanh", n=3)
    rng = np.random.default_rng(2)
    Wx = net.unflatten(networks.xavier_init(net, rng))
    Wh = net.unflatten(networks.he_init(net, rng))
    assert np.var(Wx[1]) == pytest.approx(2 / 600, rel=0.05)
    assert np.var(Wh[0]) == pytest.approx(2 / 200, rel=0.05)


def test_gradient_descent_on_a_network_converges_from_a_positive_start():
    net = make_net((8, 16, 16), "tanh", n=5)
    theta = networks.positive_init(net, 10.0, np.random.default_rng(3))
    trace = gd.run(net, theta, 1e-3, f_star=0.0, tol=1e-10, max_iter=20_000)
    assert trace.status == "converged"


def test_criterion_against_brute_force_in_one_dimension():
    # f(x) = x^2 (1 + x^2)/2 on B(x0, r): |f'|^2 / f = 2 (1 + 2x^2)^2 / (1 + x^2), min over the ball
    def objective(x):
        x = np.asarray(x, dtype=float)
        return float(0.5 * x[0] ** 2 * (1 + x[0] ** 2)), np.array([x[0] * (1 + 2 * x[0] ** 2)])

    x0, r = np.array([1.5]), 1.0
    grid = np.linspace(x0[0] - r, x0[0] + r, 200_001)
    grid = grid[grid != 0]
    ratio = 2 * (1 + 2 * grid**2) ** 2 / (1 + grid**2)
    alpha_brute = ratio.min()
    est = criterion.alpha_sampled(objective, x0, r, np.random.default_rng(4), 4000)
    assert est >= alpha_brute - 1e-9  # sampling gives an upper estimate of the infimum
    assert est == pytest.approx(alpha_brute, rel=1e-3)
    f0 = objective(x0)[0]
    assert criterion.criterion_holds(f0, r, alpha_brute) == (4 * f0 < r * r * alpha_brute)
    assert not criterion.criterion_holds(f0, 0.5, alpha_brute)
    assert criterion.flow_path_bound(f0, alpha_brute) == pytest.approx(2 * np.sqrt(f0 / alpha_brute))


def test_first_layer_bound_is_below_the_true_ratio():
    for act in ("tanh", "softplus"):
        for widths in [(8, 6), (8, 6, 4), (8, 5, 5, 3)]:
            net = make_net(widths, act, n=5)
            theta = networks.positive_init(net, 10.0, np.random.default_rng(5))
            f, g = net.value_and_grad(theta)
            bound = criterion.alpha_first_layer(net, theta)
            assert 0 < bound <= g @ g / f * (1 + 1e-12)
            # the first-layer block of the gradient attains it up to the lambda_min(XX^T) step
            G1 = net.unflatten(g)[0]
            assert bound <= np.sum(G1**2) / f * (1 + 1e-12)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: networks.Network((3,), np.ones((2, 3)), np.ones(2)), "at least one hidden width"),
        (lambda: networks.Network((3, 4), np.ones((2, 2)), np.ones(2)), "X must have d_0 = 3 columns"),
        (lambda: networks.Network((3, 4), np.ones((2, 3)), np.ones(3)), "y must have one target per row"),
        (lambda: networks.Network((3, 4), np.ones((2, 3)), np.ones(2), "relu"), "act must be one of"),
        (lambda: make_net((3, 4), "tanh").unflatten(np.ones(3)), r"theta must have shape \(16,\)"),
        (lambda: networks.positive_init(make_net((3, 4), "tanh"), -1.0, np.random.default_rng(0)),
         "output_scale must be > 0"),
        (lambda: criterion.alpha_first_layer(make_net((3, 4), "tanh"), np.ones(16)), "zero first layer"),
        (lambda: criterion.gd_max_step(1.0, 1.5), r"eps must be in \(0, 1\)"),
        (lambda: criterion.pl_ratio(-1.0, 1.0), "f must be nonnegative"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_gd_criterion_helpers():
    assert criterion.gd_max_step(4.0, 0.5) == pytest.approx(0.25)
    assert criterion.gd_path_bound(1.0, 4.0, 0.5) == pytest.approx(2.0)
    assert criterion.gd_criterion_holds(1.0, 1.1, 4.0, 0.999) and not criterion.gd_criterion_holds(1.0, 1.1, 4.0, 0.5)
