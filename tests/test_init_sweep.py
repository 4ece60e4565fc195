"""Chapter 9's comparison of initializations: the batched network, the tangent kernel, the tuning harness,
and the stored sweep that ``book/ch09_networks_experiments.ipynb`` reads (re-run here in full)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lplbook import data, gd, networks


def small_net(act="tanh", widths=(5, 4, 3), n=4, seed=0):
    rng = np.random.default_rng(seed)
    return networks.Network(widths, rng.standard_normal((n, widths[0])), rng.standard_normal(n), act)


@pytest.mark.parametrize("act", ["tanh", "softplus"])
def test_batch_network_matches_the_single_network(act):
    net = small_net(act)
    rng = np.random.default_rng(1)
    thetas = [networks.xavier_init(net, rng), networks.he_init(net, rng), networks.positive_init(net, 3.0, rng)]
    batch = networks.BatchNetwork(net)
    x = batch.stack(thetas)
    f, g = batch.value_and_grad(x, np.arange(3))
    for b, theta in enumerate(thetas):
        f1, g1 = net.value_and_grad(theta)
        assert np.isclose(f[b], f1, rtol=1e-13, atol=0)
        assert np.allclose(net.flatten([G[b] for G in g]), g1, rtol=1e-12, atol=1e-14)
        assert np.array_equal(batch.unstack(x, b), theta)


def test_batched_runs_follow_single_runs():
    net = small_net()
    batch = networks.BatchNetwork(net)
    thetas = [networks.xavier_init(net, np.random.default_rng(k)) for k in range(3)]
    etas = np.array([0.01, 0.05, 0.1])
    traces = gd.run_batch(batch, batch.stack(thetas), etas, max_iter=40, f_star=0.0, tol=1e-3)
    for theta, eta, trace in zip(thetas, etas, traces):
        single = gd.run(net, theta, eta, max_iter=40, f_star=0.0, tol=1e-3)
        assert single.status == trace.status
        assert np.allclose(single.losses, trace.losses, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("act", ["tanh", "softplus"])
def test_tangent_kernel_is_the_jacobian_gram_matrix(act):
    net = small_net(act)
    theta = networks.he_init(net, np.random.default_rng(2))
    h = 1e-6
    J = np.array([(net.outputs(theta + h * e) - net.outputs(theta - h * e)) / (2 * h) for e in np.eye(net.size)]).T
    K = networks.tangent_kernel(net, theta)
    assert np.allclose(K, K.T, rtol=0, atol=1e-12)
    assert np.linalg.norm(K - J @ J.T) <= 1e-7 * np.linalg.norm(K)


def test_kernel_at_a_zero_first_layer_is_delta_squared_times_the_gram_matrix():
    # the proposition of chapter 9's experiments: K = |delta|^2 X X^T for tanh and W_1 = 0
    for widths in ((5, 4), (5, 4, 3), (5, 4, 3, 6)):
        net = small_net("tanh", widths)
        theta = networks.positive_init(net, 7.0, np.random.default_rng(3))
        Ws = net.unflatten(theta)
        back = Ws[-1].ravel()
        for W in Ws[-2:0:-1]:
            back = W.T @ back  # tanh'(0) = 1 on every layer
        K = networks.tangent_kernel(net, theta)
        assert np.linalg.norm(K - (back @ back) * net.X @ net.X.T) <= 1e-12 * np.linalg.norm(K)


def test_iterations_to():
    assert networks.iterations_to(np.array([4.0, 2.0, 1.0, 0.5]), 1.0) == 2
    assert networks.iterations_to(np.array([4.0, 2.0]), 1.0) == math.inf
    assert networks.iterations_to(np.array([0.5]), 1.0) == 0


def comparison():
    net = small_net()
    inits = {"Xavier": lambda rng: networks.xavier_init(net, rng), "He": lambda rng: networks.he_init(net, rng)}
    return net, networks.compare_initializations(net, inits, exponents=[-2, -1, 0, 1], tuning_seeds=[10, 11],
                                                 eval_seeds=[0, 1, 2], targets=[1e-2, 1e-4], tune_cap=400,
                                                 cap=800)


def test_compare_initializations_tunes_on_its_grid_and_counts_the_evaluation_runs():
    net, c = comparison()
    f_ref = 0.5 * net.y @ net.y
    for name, init in (("Xavier", networks.xavier_init), ("He", networks.he_init)):
        lam = np.linalg.eigvalsh(networks.tangent_kernel(net, init(net, np.random.default_rng(10))))[-1]
        assert np.isclose(c.anchor[name], lam, rtol=1e-12)
        i = c.exponents.index(c.tuned_k[name])
        assert np.isclose(c.step[name], 2.0 ** c.tuned_k[name] / lam, rtol=1e-12)
        key = [(np.median(c.tuning_iterations[name][j]), np.median(c.tuning_final[name][j]))
               for j in range(len(c.exponents))]
        assert key[i] == min(key)
        for seed, row in zip((0, 1, 2), c.iterations[name]):
            trace = gd.run(net, init(net, np.random.default_rng(seed)), c.step[name], max_iter=800, f_star=0.0,
                           tol=1e-4 * f_ref)
            expected = [networks.iterations_to(trace.losses, tau * f_ref) for tau in c.targets]
            assert np.all(np.abs(row - np.array(expected)) <= 1) or np.array_equal(row, expected)


def test_speedup_and_censoring():
    _, c = comparison()
    value, relation = c.speedup("Xavier", baselines=["He"])
    assert relation == "=" and np.isclose(value, c.median_iterations("He") / c.median_iterations("Xavier"))
    missed = networks.InitComparison(**{**c.__dict__, "iterations": {
        "Xavier": np.full((3, 2), math.inf), "He": c.iterations["He"]}})
    assert missed.speedup("Xavier", ["He"]) == (missed.median_iterations("He") / c.cap, "<")
    assert missed.speedup("He", ["Xavier"])[1] == ">"
    both = networks.InitComparison(**{**c.__dict__, "iterations": {
        "Xavier": np.full((3, 2), math.inf), "He": np.full((3, 2), math.inf)}})
    assert both.speedup("Xavier", ["He"])[1] == "?"


def test_to_dict_round_trip_keeps_misses():
    _, c = comparison()
    c = networks.InitComparison(**{**c.__dict__, "iterations": {**c.iterations, "He": np.full((3, 2), math.inf)}})
    back = networks.InitComparison.from_dict(json.loads(json.dumps(c.to_dict())))
    for field in ("tuning_iterations", "tuning_final", "iterations", "f0", "kernel_kappa"):
        for name in c.iterations:
            assert np.array_equal(getattr(back, field)[name], getattr(c, field)[name])
    assert back.tuned_k == c.tuned_k and back.exponents == c.exponents and back.targets == c.targets


def test_conditioning_ladder_climbs():
    kappas = []
    for X in data.conditioning_ladder().values():
        lam = np.linalg.eigvalsh(X @ X.T)
        kappas.append(lam[-1] / lam[0])
    assert np.isclose(kappas[0], 1.0, rtol=1e-10)
    assert all(a < b for a, b in zip(kappas, kappas[1:])) and kappas[-1] > 1e4


def test_the_stored_sweep_is_what_the_code_computes():
    """Re-run the whole sweep of chapter 9's experiments and compare it with the file the chapter reads.

    The tuned steps must be the same; median iterations may differ by a quarter (runs at the edge of
    stability are chaotic, and another BLAS kernel moves them by a few iterations), and a target missed
    in one must be missed in the other.
    """
    settings, stored = networks.load_init_sweep()
    assert settings == networks.SweepSettings()
    fresh = networks.init_sweep(settings)
    assert set(fresh) == set(stored)
    for key, c in fresh.items():
        s = stored[key]
        assert c.tuned_k == s.tuned_k, key
        for name in c.iterations:
            a, b = np.median(c.iterations[name], axis=0), np.median(s.iterations[name], axis=0)
            assert np.array_equal(np.isinf(a), np.isinf(b)), (key, name, a, b)
            fin = np.isfinite(a)
            assert np.all(np.abs(a[fin] - b[fin]) <= 0.25 * np.minimum(a[fin], b[fin])), (key, name, a, b)
            assert np.allclose(c.kernel_kappa[name], s.kernel_kappa[name], rtol=1e-6)
