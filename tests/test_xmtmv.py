"""The constants and step rules of [XMTMV25] and [XMTMV23] in lplbook.twolayer (chapters 3–5)."""

import math

import numpy as np
import pytest

from lplbook import gd, losses, twolayer


def orthogonal_problem(rng, n=4, m=3, h=40, scale=1.0, noise=0.1):
    """The paper's setting in small: X square orthogonal, Gaussian factors, Y = X W1 W2 + noise."""
    X = np.linalg.qr(rng.standard_normal((n, n)))[0]
    W1, W2 = scale * rng.standard_normal((n, h)), scale * rng.standard_normal((h, m))
    Y = X @ W1 @ W2 + noise * rng.standard_normal((n, m))
    return losses.SquaredLoss(X, Y), W1, W2


def direct_init(loss, W1, W2):
    """Table 2 of XMTMV25 from full decompositions (independent of the package's shortcuts)."""
    n, h, m = W1.shape[0], W1.shape[1], W2.shape[1]
    D = W1.T @ W1 - W2 @ W2.T
    dec = np.sort(np.linalg.eigvalsh(D))[::-1]  # decreasing
    lam_k = lambda k: dec[k - 1] if k <= h else 0.0  # noqa: E731
    lam_k_minus = lambda k: -dec[::-1][k - 1] if k <= h else 0.0  # noqa: E731
    lp, lm = max(dec[0], 0.0), max(-dec[-1], 0.0)
    Dl = max(lam_k(n), 0.0) + max(lam_k_minus(m), 0.0)
    Dp, Dm = lp - max(lam_k(n), 0.0), lm - max(lam_k_minus(m), 0.0)
    W_star = np.linalg.solve(loss.X.T @ loss.X, loss.X.T @ loss.Y)
    s = np.linalg.svd(W_star, compute_uv=False)
    dist = np.linalg.norm(W1 @ W2 - W_star)
    b1 = max(0.0, s[-1] - math.sqrt(loss.K / loss.mu) * dist)
    b2 = s[0] + math.sqrt(loss.K / loss.mu) * dist
    a1 = 0.5 * (-Dp - Dm + math.sqrt((Dp + Dl) ** 2 + 4 * b1**2) + math.sqrt((Dm + Dl) ** 2 + 4 * b1**2))
    a2 = 0.5 * (lp + math.sqrt(lp**2 + 4 * b2**2)) + 0.5 * (lm + math.sqrt(lm**2 + 4 * b2**2))
    return dict(lam_plus=lp, lam_minus=lm, Delta=Dl, Delta_plus=Dp, Delta_minus=Dm, beta1=b1, beta2=b2,
                alpha1=a1, alpha2=a2)


def test_table_2_in_the_scalar_case_by_hand():
    # l(w) = (3 - w)^2 / 2, W1 = [[2]], W2 = [[1]]: D = 3, W* = 3, W(0) = 2, K = mu = 1
    loss = losses.SquaredLoss([[1.0]], [[3.0]])
    init = twolayer.xmtmv25_init(loss, [[2.0]], [[1.0]])
    assert (init.lam_plus, init.lam_minus, init.Delta, init.Delta_plus, init.Delta_minus) == (3, 0, 3, 0, 0)
    assert init.beta1 == pytest.approx(2.0) and init.beta2 == pytest.approx(4.0)
    assert init.alpha1 == pytest.approx(5.0)  # sqrt(3^2 + 4 * 2^2); here lambda_min(T_0) = 2^2 + 1^2 = 5 exactly
    assert init.alpha2 == pytest.approx(0.5 * (3 + math.sqrt(73)) + 4.0)
    assert init.gap0 == pytest.approx(0.5) and init.dist0 == pytest.approx(1.0)


@pytest.mark.parametrize("n,m,h", [(4, 3, 40), (3, 5, 4), (2, 2, 2), (5, 1, 9)])
def test_table_2_matches_full_decompositions(n, m, h):
    rng = np.random.default_rng(100 * n + 10 * m + h)
    for _ in range(5):
        X = rng.standard_normal((n + 2, n))  # full column rank: strongly convex
        loss = losses.SquaredLoss(X, rng.standard_normal((n + 2, m)))
        W1, W2 = rng.standard_normal((n, h)) * rng.uniform(0.2, 3), rng.standard_normal((h, m)) * rng.uniform(0.2, 3)
        init = twolayer.xmtmv25_init(loss, W1, W2)
        for key, value in direct_init(loss, W1, W2).items():
            assert getattr(init, key) == pytest.approx(value, rel=1e-9, abs=1e-9 * init.alpha2), key
        # alpha1 and alpha2 bound the spectrum of T at the start (Lemma 3.1 at t = 0 with eta0 -> 0)
        T_min, T_max = twolayer.T_extremes(W1, W2)
        assert init.alpha1 <= T_min * (1 + 1e-9) and T_max <= init.alpha2 * (1 + 1e-9)


def test_K_t_matches_eq_12_from_full_decompositions_and_satisfies_eq_9():
    rng = np.random.default_rng(7)
    violations = checked = 0
    for _ in range(300):
        n, m = (int(k) for k in rng.integers(1, 5, size=2))
        h = int(rng.integers(min(n, m), 9))
        X = rng.standard_normal((n + int(rng.integers(0, 4)), n))
        loss = losses.SquaredLoss(X, rng.standard_normal((X.shape[0], m)))
        W1, W2 = rng.standard_normal((n, h)) * rng.uniform(0.1, 2), rng.standard_normal((h, m)) * rng.uniform(0.1, 2)
        W = W1 @ W2
        gap = loss.value(W) - loss.min_value
        T_max = np.linalg.eigvalsh(np.kron(np.eye(m), W1 @ W1.T) + np.kron(W2.T @ W2, np.eye(n)))[-1]
        s_max = np.linalg.svd(W, compute_uv=False)[0]
        eta = float(rng.uniform(0.01, 1.0)) / (loss.K * T_max)
        K, r = loss.K, math.sqrt(2 * loss.K * gap)
        expected = K * T_max + r + 6 * K**2 * s_max * gap * eta**2 + 3 * K * T_max * r * eta
        K_t = twolayer.xmtmv25_smoothness(loss, W1, W2, eta)
        assert K_t == pytest.approx(expected, rel=1e-10)
        if eta * K_t < 2:  # eq. (9): L(t+1) <= L(t) - (eta - K_t eta^2 / 2) ||grad L||^2
            G1, G2 = twolayer.grads(loss, W1, W2)
            g2 = np.sum(G1**2) + np.sum(G2**2)
            after = twolayer.loss(loss, W1 - eta * G1, W2 - eta * G2)
            checked += 1
            violations += after - loss.min_value > gap - (eta - K_t * eta**2 / 2) * g2 + 1e-10 * (gap + 1e-12)
    assert checked >= 250 and violations == 0


def test_eta_max_solves_eqs_101_and_102():
    rng = np.random.default_rng(3)
    loss, W1, W2 = orthogonal_problem(rng)
    for c, d in [(0.5, 2.0), (0.5, 1.01), (0.3, 1.5)]:
        em = twolayer.xmtmv25_eta_max(loss, W1, W2, c=c, d=d)
        init = em.init
        K, L0 = init.K, init.gap0

        def K_bar_0(eta):
            return (math.sqrt(2 * K * L0) + 6 * K**2 * init.beta2 * L0 * eta**2
                    + K * math.exp(eta**c) * init.alpha2 * (1 + 3 * math.sqrt(2 * K * L0) * eta))

        def eq102(eta):  # right side minus left side
            mu_bar = init.mu * (init.alpha1 + 2 * init.alpha2 * (1 - math.exp(eta**c)))
            rho_bar = 1 - 2 * mu_bar * eta + mu_bar * K_bar_0(eta) * eta**2
            return (1 - math.exp(-eta**c)) * (1 - (1 + eta**d) * rho_bar) - 4 * K * L0 * eta**2

        assert em.eta1 * K_bar_0(em.eta1) == pytest.approx(1.0, rel=1e-12)
        assert 0 < em.eta2 < math.inf
        assert abs(eq102(em.eta2)) <= 1e-9 * 4 * K * L0 * em.eta2**2
        assert eq102(0.999 * em.eta2) > 0 > eq102(1.001 * em.eta2)
        assert all(eq102(e) > 0 for e in np.geomspace(1e-6 * em.eta2, 0.999 * em.eta2, 200))  # the smallest root
        assert em.eta3 == pytest.approx(math.log(1 + init.alpha1 / (2 * init.alpha2)) ** (1 / c))
        assert em.eta_max == min(em.eta1, em.eta2, em.eta3)
        rate = em.constants(em.eta_max)
        assert 0 < rate.mu_bar and 0 < rate.rho_bar < 1 and rate.Delta == pytest.approx((1 + em.eta_max**d) * rate.rho_bar)
        K_bars = rate.K_bar(np.arange(30))
        assert np.all(np.diff(K_bars) <= 0)  # K_bar_t decreases ...
        assert K_bars[-1] >= K * math.exp(em.eta_max**c) * init.alpha2  # ... to K e^{eta0^c} alpha2
        assert rate.bound(3) == pytest.approx(L0 * rate.rho_bar**3)


@pytest.mark.parametrize("h_rule", ["rho", "rho_bar"])
def test_eq_19_steps_obey_eq_15_and_the_bounds_hold(h_rule):
    rng = np.random.default_rng(11)
    loss, W1, W2 = orthogonal_problem(rng, n=5, m=4, h=60)
    em = twolayer.xmtmv25_eta_max(loss, W1, W2, c=0.5, d=2.0)
    policy = twolayer.XMTMV25Step(loss, W1, W2, em.eta_max, h=h_rule)
    trace = gd.run(twolayer.objective(loss), (W1, W2), policy, max_iter=40)
    eta0 = em.eta_max
    # replay the run to evaluate K_t at each iterate and step
    x = (W1.copy(), W2.copy())
    floor = (1e3 * np.finfo(float).eps * np.linalg.norm(loss.Y)) ** 2
    bound20 = policy.bound()
    bound17 = policy.rate.bound(np.arange(trace.losses.size))
    for t, eta in enumerate(trace.steps):
        cap = (1 + eta0**2) ** (t / 2) * eta0
        assert eta0 * (1 - 1e-12) <= eta <= cap * (1 + 1e-12)
        if h_rule == "rho":
            assert eta * twolayer.xmtmv25_smoothness(loss, *x, eta) <= 1 + 1e-9
        else:
            assert eta == pytest.approx(min(cap, 1 / policy.rate.K_bar(t)))
        G1, G2 = twolayer.grads(loss, *x)
        x = (x[0] - eta * G1, x[1] - eta * G2)
    gaps = trace.losses - loss.min_value
    above = bound20 > floor
    assert above.sum() >= 5
    assert np.all(gaps[above] <= bound20[above] * (1 + 1e-9))
    assert np.all(gaps[bound17 > floor] <= bound17[bound17 > floor] * (1 + 1e-9))
    assert np.all(np.asarray(policy.factors) < 1)
    assert policy.eigenproblems == (3 * trace.n_iter if h_rule == "rho" else 0)


def test_xmtmv23_constants_step_rules_and_bound():
    rng = np.random.default_rng(5)
    n = m = 4
    X = rng.standard_normal((n, n))
    Y = X @ rng.standard_normal((n, m))
    loss = losses.SquaredLoss(X, Y)
    W1, W2 = 0.5 * rng.standard_normal((n, 80)), 0.5 * rng.standard_normal((80, m))
    init = twolayer.xmtmv23_init(loss, W1, W2)
    E0 = Y - X @ W1 @ W2
    sx = np.linalg.svd(X, compute_uv=False)
    assert init.p1 == pytest.approx(max(np.linalg.svd(Y, compute_uv=False)[-1] - np.linalg.norm(E0), 0) / sx[0])
    assert init.p2 == pytest.approx((np.linalg.norm(Y) + np.linalg.norm(E0)) / sx[-1])
    table = direct_init(loss, W1, W2)
    Dp, Dm, Dl, p1 = table["Delta_plus"], table["Delta_minus"], table["Delta"], init.p1
    assert init.alpha0 == pytest.approx(0.5 * (-Dp + math.sqrt((Dp + Dl) ** 2 + 4 * p1**2))
                                        + 0.5 * (-Dm + math.sqrt((Dm + Dl) ** 2 + 4 * p1**2)))
    if init.alpha0 <= 0:
        pytest.skip("this draw has alpha0 = 0")
    em = twolayer.xmtmv23_eta_max(loss, W1, W2)
    a = twolayer._xmtmv23_a(loss, init, 0.5, 1.5, init.gap0)
    for eta, extra in [(em.eta1, 4 * 1.5 * init.gap0 * loss.K / 0.5),
                       (em.eta2, 8 * 1.5 * init.beta0 * init.gap0 * loss.K / (0.5 * init.alpha0))]:
        residual = a[3] * eta**3 + a[2] * eta**2 + (a[1] + extra) * eta - a[0]
        assert abs(residual) <= 1e-12 * a[0]
    for adaptive in (True, False):
        policy = twolayer.XMTMV23Step(loss, W1, W2, adaptive=adaptive)
        trace = gd.run(twolayer.objective(loss), (W1, W2), policy, max_iter=60)
        assert trace.status != "diverged"
        assert np.all(trace.steps <= em.eta_max * (1 + 1e-12))
        if not adaptive:
            assert np.all(trace.steps == em.eta_max)
        else:  # Claim 3.1: each step minimizes f(., t) over (0, eta_max]: f' = 0 there unless capped
            for t, eta in enumerate(trace.steps):
                a1, a2, a3, a4 = twolayer._xmtmv23_a(loss, init, 0.5, 1.5, trace.losses[t])
                if eta < em.eta_max:
                    assert abs(-a1 + 2 * a2 * eta + 3 * a3 * eta**2 + 4 * a4 * eta**3) <= 1e-9 * a1
        bound = policy.bound()
        assert np.all(trace.losses <= bound * (1 + 1e-9))
        assert policy.factors[0] == pytest.approx(em.factor(loss, trace.steps[0], init.gap0))


def test_backtracking_as_printed_and_armijo():
    rng = np.random.default_rng(2)
    loss, W1, W2 = orthogonal_problem(rng, n=4, m=3, h=200, noise=1.0)
    armijo = twolayer.Backtracking(loss, 1.0, rule="armijo")
    trace = gd.run(twolayer.objective(loss), (W1, W2), armijo, max_iter=60)
    assert trace.losses[-1] < 1e-2 * trace.losses[0] and armijo.failures == 0
    assert np.all(np.diff(trace.losses) < 0)
    assert len(armijo.trials) == trace.n_iter and armijo.loss_evaluations == sum(armijo.trials)
    for t, eta in enumerate(trace.steps[:10]):  # every accepted step passed Armijo's test, and the one before did not
        x = _replay(loss, W1, W2, trace.steps[:t])
        G1, G2 = twolayer.grads(loss, *x)
        g2 = np.sum(G1**2) + np.sum(G2**2)
        assert trace.losses[t + 1] <= trace.losses[t] - 0.9 * eta * g2
        if eta < 1.0:
            larger = eta / 0.1
            assert not twolayer.loss(loss, x[0] - larger * G1, x[1] - larger * G2) <= trace.losses[t] - 0.9 * larger * g2
    # as printed: L+ <= L - gamma ||grad L||^2 is impossible once ||grad L||^2 > L / gamma (here mu_loc is large)
    printed = twolayer.Backtracking(loss, 1.0, rule="printed", max_trials=20)
    G1, G2 = twolayer.grads(loss, W1, W2)
    assert 0.9 * (np.sum(G1**2) + np.sum(G2**2)) > twolayer.loss(loss, W1, W2) - loss.min_value
    trace = gd.run(twolayer.objective(loss), (W1, W2), printed, max_iter=5)
    assert printed.failures == 5 and printed.trials == [20] * 5
    assert np.all(trace.steps == pytest.approx(0.1**19))


def _replay(loss, W1, W2, steps):
    x = (W1.copy(), W2.copy())
    for eta in steps:
        G1, G2 = twolayer.grads(loss, *x)
        x = (x[0] - eta * G1, x[1] - eta * G2)
    return x


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------
def test_the_papers_constants_reject_losses_without_a_unique_minimizer():
    rng = np.random.default_rng(0)
    under = losses.SquaredLoss(rng.standard_normal((3, 5)), rng.standard_normal((3, 2)))  # N < n
    W1, W2 = rng.standard_normal((5, 6)), rng.standard_normal((6, 2))
    for call in (lambda: twolayer.xmtmv25_init(under, W1, W2),
                 lambda: twolayer.xmtmv25_smoothness(under, W1, W2, 0.1),
                 lambda: twolayer.xmtmv25_eta_max(under, W1, W2),
                 lambda: twolayer.XMTMV25Step(under, W1, W2, 1e-3)):
        with pytest.raises(ValueError, match="loss must be strongly convex.*full column rank"):
            call()

    class Flat:  # an object with the loss interface and mu = 0
        mu, K, min_value, shape = 0.0, 1.0, 0.0, (5, 2)

        def value_and_grad(self, W):
            return 0.0, np.zeros_like(W)

    with pytest.raises(ValueError, match="loss must be mu-strongly convex"):
        twolayer.xmtmv25_init(Flat(), W1, W2)
    with pytest.raises(ValueError, match="loss must be a loss of lplbook.losses"):
        twolayer.xmtmv25_init(None, W1, W2)
    logcosh = losses.LogCoshLoss(rng.standard_normal((3, 5)), rng.standard_normal((3, 2)), beta=1.0)
    with pytest.raises(ValueError, match="loss must be strongly convex"):
        twolayer.xmtmv25_smoothness(logcosh, W1, W2, 0.1)
    over = losses.SquaredLoss(rng.standard_normal((8, 5)), rng.standard_normal((8, 2)))  # N > n: not XMTMV23's
    with pytest.raises(ValueError, match="loss must have X of full row rank"):
        twolayer.xmtmv23_init(over, W1, W2)
    with pytest.raises(ValueError, match="loss must be a losses.SquaredLoss"):
        twolayer.xmtmv23_eta_max(logcosh, W1, W2)


def test_the_papers_constants_reject_bad_arguments():
    rng = np.random.default_rng(1)
    loss, W1, W2 = orthogonal_problem(rng)
    for kwargs, name in [({"c": 0.0}, "c"), ({"c": 1.0}, "c"), ({"c": np.nan}, "c"), ({"d": 1.0}, "d"),
                         ({"d": "2"}, "d")]:
        with pytest.raises(ValueError, match=f"^{name} must"):
            twolayer.xmtmv25_eta_max(loss, W1, W2, **kwargs)
    em = twolayer.xmtmv25_eta_max(loss, W1, W2)
    for eta0 in (0.0, -1e-3, 2 * em.eta_max, math.inf):
        with pytest.raises(ValueError, match="^eta0 must"):
            em.constants(eta0)
        with pytest.raises(ValueError, match="^eta0 must"):
            twolayer.XMTMV25Step(loss, W1, W2, eta0)
    with pytest.raises(ValueError, match="^eta must be > 0"):
        twolayer.xmtmv25_smoothness(loss, W1, W2, 0.0)
    bad = W1.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="^W1 must have finite entries"):
        twolayer.xmtmv25_init(loss, bad, W2)
    with pytest.raises(ValueError, match="^W2 must have shape"):
        twolayer.xmtmv25_smoothness(loss, W1, W2[:, :2], 0.1)
    with pytest.raises(ValueError, match="^h must be 'rho' or 'rho_bar'"):
        twolayer.XMTMV25Step(loss, W1, W2, em.eta_max, h="rhobar")
    with pytest.raises(ValueError, match="^t must be >= 0"):
        em.constants(em.eta_max).K_bar(-1)
    # zero factors: beta1 = 0 and no imbalance, so alpha1 = 0 and Theorem 3.2 does not apply
    zeros1, zeros2 = np.zeros_like(W1), np.zeros_like(W2)
    assert twolayer.xmtmv25_init(loss, zeros1, zeros2).alpha1 == 0
    with pytest.raises(ValueError, match="alpha1 > 0"):
        twolayer.xmtmv25_eta_max(loss, zeros1, zeros2)
    # a policy must be run from the initialization it was built from
    policy = twolayer.XMTMV25Step(loss, W1, W2, em.eta_max)
    with pytest.raises(ValueError, match="x0 of gd.run must be the initialization"):
        gd.run(twolayer.objective(loss), (W1 + 1.0, W2), policy, max_iter=2)
    for kwargs, name in [({"c1": 1.0}, "c1"), ({"c1": 0}, "c1"), ({"c2": 1.0}, "c2")]:
        with pytest.raises(ValueError, match=f"^{name} must"):
            twolayer.xmtmv23_eta_max(loss, W1, W2, **kwargs)
    with pytest.raises(ValueError, match="^adaptive must be True or False"):
        twolayer.XMTMV23Step(loss, W1, W2, adaptive="yes")
    for kwargs, name in [({"eta_bt": 0.0}, "eta_bt"), ({"eta_bt": 1.0, "tau": 1.0}, "tau"),
                         ({"eta_bt": 1.0, "gamma": 0.0}, "gamma"), ({"eta_bt": 1.0, "rule": "wolfe"}, "rule"),
                         ({"eta_bt": 1.0, "max_trials": 0}, "max_trials")]:
        with pytest.raises(ValueError, match=f"^{name} must"):
            twolayer.Backtracking(loss, **kwargs)
    with pytest.raises(ValueError, match="^loss must be a loss"):
        twolayer.Backtracking("not a loss", 1.0)


def test_unique_minimizer_of_each_loss():
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((7, 2))
    W_star = losses.unique_minimizer(losses.SquaredLoss(X, Y))
    np.testing.assert_allclose(X.T @ (X @ W_star - Y), 0, atol=1e-12)
    lc = losses.LogCoshLoss(X, Y, beta=2.0)
    np.testing.assert_allclose(lc.grad(losses.unique_minimizer(lc)), 0, atol=1e-9)
    lr = losses.LogisticRidgeLoss(X, np.sign(rng.standard_normal(7)) + (rng.standard_normal(7) == 0), lam=0.1)
    np.testing.assert_allclose(lr.grad(losses.unique_minimizer(lr)), 0, atol=1e-9)


def test_the_papers_rules_run_in_a_batch_as_they_run_alone():
    rng = np.random.default_rng(21)
    problems = [orthogonal_problem(rng, n=4, m=4, h=50) for _ in range(3)]
    batch = twolayer.SquaredBatch.from_losses([p[0] for p in problems])
    x0 = (np.stack([p[1] for p in problems]), np.stack([p[2] for p in problems]))

    def make(kind, loss, W1, W2):
        if kind == "x23":
            return twolayer.XMTMV23Step(loss, W1, W2)
        if kind == "bt":
            return twolayer.Backtracking(loss, 1.0, rule="armijo")
        return twolayer.XMTMV25Step(loss, W1, W2, twolayer.xmtmv25_eta_max(loss, W1, W2).eta_max, h=kind)

    for kind in ("rho", "rho_bar", "x23", "bt"):
        policies = [make(kind, *p) for p in problems]
        traces = gd.run_batch(batch, x0, policies, max_iter=25)
        for (loss, W1, W2), tr, pol in zip(problems, traces, policies):
            alone = make(kind, loss, W1, W2)
            single = gd.run(twolayer.objective(loss), (W1, W2), alone, max_iter=25)
            np.testing.assert_allclose(tr.steps, single.steps, rtol=1e-9)
            np.testing.assert_allclose(tr.losses, single.losses, rtol=1e-7, atol=1e-20)
            if kind != "bt":
                np.testing.assert_allclose(pol.factors, alone.factors, rtol=1e-7)


def test_per_run_policies_reject_bad_lists():
    rng = np.random.default_rng(22)
    problems = [orthogonal_problem(rng, n=3, m=3, h=20) for _ in range(2)]
    batch = twolayer.SquaredBatch.from_losses([p[0] for p in problems])
    x0 = (np.stack([p[1] for p in problems]), np.stack([p[2] for p in problems]))
    one = twolayer.XMTMV23Step(*problems[0])
    with pytest.raises(ValueError, match="one policy per run"):
        gd.run_batch(batch, x0, [one], max_iter=2)
    with pytest.raises(ValueError, match="policies must be distinct"):
        gd.PerRunPolicies([one, one])
    with pytest.raises(ValueError, match="policies must be a non-empty list"):
        gd.PerRunPolicies([])
    with pytest.raises(ValueError, match="policies must be a non-empty list"):
        gd.PerRunPolicies([one, 0.1])
