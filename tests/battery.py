"""A battery of bad inputs over every public function, class and method of lplbook (issue 15).

``SPECS`` holds, for every public callable that takes arguments, a valid call: a function that
returns the callable (a method bound to a fresh object where needed) and one that returns fresh
valid keyword arguments. :func:`bad_values` derives the bad inputs of each kind from a valid
value; :func:`classify` runs one call with one argument replaced and says what happened.

Used by ``tests/test_bad_input_battery.py`` (the counts) and ``tests/test_bad_input.py``.
"""

from __future__ import annotations

import inspect
import re
import warnings
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

import lplbook  # noqa: E402
from lplbook import (  # noqa: E402
    criterion, data, deeplinear, explore, gd, glue, losses, networks, plotting, rates, symbolic, twolayer,
)

MODULES = (losses, gd, twolayer, deeplinear, networks, criterion, rates, symbolic, plotting, data, glue, explore)
KINDS = ("complex", "nan", "inf", "shape", "type", "none", "empty", "negative")


# ---------------------------------------------------------------------------
# a small problem of every kind
# ---------------------------------------------------------------------------
def _problem():
    rng = np.random.default_rng(0)
    n, m, h = 3, 2, 6
    X = np.linalg.qr(rng.standard_normal((n, n)))[0]
    W1, W2 = rng.standard_normal((n, h)), rng.standard_normal((h, m))
    Y = X @ W1 @ W2 + 0.1 * rng.standard_normal((n, m))
    return X, Y, W1, W2


X0, Y0, W10, W20 = _problem()
LOSS = losses.SquaredLoss(X0, Y0)  # X orthogonal: full row and column rank (XMTMV25 and XMTMV23)
LOGCOSH = losses.LogCoshLoss(X0, Y0, 0.5)
LOGISTIC = losses.LogisticRidgeLoss(X0, np.array([1.0, -1.0, 1.0]), 0.1)
BATCH = twolayer.SquaredBatch.from_losses([LOSS, LOSS])
ETA_MAX25 = twolayer.xmtmv25_eta_max(LOSS, W10, W20)
ETA_MAX23 = twolayer.xmtmv23_eta_max(LOSS, W10, W20)
RATE25 = ETA_MAX25.constants(ETA_MAX25.eta_max / 2)
PHI = np.array([[1.0, 0.2], [0.1, 0.8], [0.3, -0.2]])  # (d_N, d_0) = (3, 2)
WS = [np.random.default_rng(1).standard_normal((4, 2)), np.random.default_rng(2).standard_normal((3, 4))]
NET = networks.Network([2, 3], np.array([[1.0, 0.5], [-0.3, 0.2], [0.4, -1.0]]), np.array([0.2, -0.1, 0.3]))
THETA = networks.xavier_init(NET, np.random.default_rng(3))
THETA_ZERO_FIRST = networks.positive_init(NET, 2.0, np.random.default_rng(4))
PHASE = explore.phase_map_problem(np.random.default_rng(5), 4)
TRACE = gd.run(LOSS, np.zeros((3, 2)), 0.1, max_iter=5)
a, b = sp.symbols("a b")


def _inits():
    return {"Xavier": lambda rng: networks.xavier_init(NET, rng), "He": lambda rng: networks.he_init(NET, rng)}


COMPARISON = networks.compare_initializations(NET, _inits(), exponents=[-1, 0], tuning_seeds=[1], eval_seeds=[0],
                                              targets=[0.5], tune_cap=3, cap=3)
TINY_SWEEP = dict(n=3, widths=(2,), scales=(1.0,), act="tanh", exponents=(0,), tuning_seeds=(1,), eval_seeds=(0,),
                  targets=(0.5,), tune_cap=2, cap=2)
SWEEP = networks.init_sweep(networks.SweepSettings(**TINY_SWEEP), inputs=["Gaussian"], widths=[2])


def _tmp_json():
    import tempfile

    return tempfile.NamedTemporaryFile(suffix=".json", delete=False).name


def _saved_json():
    path = _tmp_json()
    networks.save_init_sweep(SWEEP, networks.SweepSettings(**TINY_SWEEP), path)
    return path


def _run():
    return explore.run_setting(PHASE, 0.01, 1.0, max_iter=5)


EXPLORE_RUN = _run()
COMPARISON_5 = explore.compare_steps(PHASE, 1.0, 2.0, T=3)
PL_DESCENT_RUN = explore.pl_descent_run(10.0, 1.0, steps=5)


def _axes(k=1):
    plt.close("all")  # one call's axes at a time: the battery builds thousands of calls
    fig = plt.figure()
    axes = fig.subplots(1, k)
    return axes


def W():
    return np.zeros((3, 2))


def w1():
    return W10.copy()


def w2():
    return W20.copy()


def stacked():
    return (np.stack([W10, W10]), np.stack([W20, W20]))


# ---------------------------------------------------------------------------
# one valid call per public callable: name -> (callable factory, kwargs factory)
# ---------------------------------------------------------------------------
def fac(obj):
    return lambda: obj


SPECS = {
    # losses
    "losses.SquaredLoss": (fac(losses.SquaredLoss), lambda: dict(X=X0.copy(), Y=Y0.copy())),
    "losses.SquaredLoss.residual": (lambda: LOSS.residual, lambda: dict(W=W())),
    "losses.SquaredLoss.value": (lambda: LOSS.value, lambda: dict(W=W())),
    "losses.SquaredLoss.grad": (lambda: LOSS.grad, lambda: dict(W=W())),
    "losses.SquaredLoss.value_and_grad": (lambda: LOSS.value_and_grad, lambda: dict(W=W())),
    "losses.LogCoshLoss": (fac(losses.LogCoshLoss), lambda: dict(X=X0.copy(), Y=Y0.copy(), beta=0.5)),
    "losses.LogCoshLoss.value_and_grad": (lambda: LOGCOSH.value_and_grad, lambda: dict(W=W())),
    "losses.LogCoshLoss.value": (lambda: LOGCOSH.value, lambda: dict(W=W())),
    "losses.LogCoshLoss.grad": (lambda: LOGCOSH.grad, lambda: dict(W=W())),
    "losses.LogisticRidgeLoss": (fac(losses.LogisticRidgeLoss),
                                 lambda: dict(X=X0.copy(), y=np.array([1.0, -1.0, 1.0]), lam=0.1)),
    "losses.LogisticRidgeLoss.value_and_grad": (lambda: LOGISTIC.value_and_grad,
                                                lambda: dict(W=np.zeros((3, 1)))),
    "losses.LogisticRidgeLoss.value": (lambda: LOGISTIC.value, lambda: dict(W=np.zeros((3, 1)))),
    "losses.LogisticRidgeLoss.grad": (lambda: LOGISTIC.grad, lambda: dict(W=np.zeros((3, 1)))),
    "losses.unique_minimizer": (fac(losses.unique_minimizer), lambda: dict(loss=LOSS)),
    # gd
    "gd.Constant": (fac(gd.Constant), lambda: dict(eta=0.1)),
    "gd.Schedule": (fac(gd.Schedule), lambda: dict(eta_of_t=lambda t: 0.1)),
    "gd.InverseTime": (fac(gd.InverseTime), lambda: dict(eta0=0.1)),
    "gd.as_policy": (fac(gd.as_policy), lambda: dict(step=0.1)),
    "gd.Trace.gaps": (lambda: TRACE.gaps, lambda: dict(f_star=0.0)),
    "gd.Trace.factors": (lambda: TRACE.factors, lambda: dict(f_star=0.0)),
    "gd.step_factors": (fac(gd.step_factors), lambda: dict(losses=np.array([4.0, 2.0, 1.0]), f_star=0.0)),
    "gd.run": (fac(gd.run), lambda: dict(
        objective=LOSS, x0=W(), step=0.1, max_iter=20, f_star=LOSS.min_value, tol=1e-12, gtol=1e-12,
        divergence_factor=1e8, keep_path=False, record=lambda x, f, g: {"f": f})),
    "gd.run[factors]": (fac(gd.run), lambda: dict(objective=twolayer.objective(LOSS), x0=(w1(), w2()),
                                                 step=0.001, max_iter=20)),
    "gd.PerRunConstant": (fac(gd.PerRunConstant), lambda: dict(etas=np.array([0.1, 0.2]))),
    "gd.PerRunPolicies": (fac(gd.PerRunPolicies), lambda: dict(policies=[gd.Constant(0.1), gd.Constant(0.2)])),
    "gd.as_batch_policy": (fac(gd.as_batch_policy), lambda: dict(step=0.1, batch_size=2)),
    "gd.run_batch": (fac(gd.run_batch), lambda: dict(
        objective=BATCH, x0=stacked(), step=0.001, max_iter=20, f_star=np.full(2, LOSS.min_value),
        tol=1e-12, gtol=1e-12, divergence_factor=1e8)),
    # twolayer
    "twolayer.loss": (fac(twolayer.loss), lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.grads": (fac(twolayer.grads), lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.imbalance": (fac(twolayer.imbalance), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.Objective": (fac(twolayer.Objective), lambda: dict(loss=LOSS)),
    "twolayer.Objective.check_start": (lambda: twolayer.Objective(LOSS).check_start,
                                       lambda: dict(x0=(w1(), w2()))),
    "twolayer.objective": (fac(twolayer.objective), lambda: dict(loss=LOSS)),
    "twolayer.apply_T": (fac(twolayer.apply_T), lambda: dict(W1=w1(), W2=w2(), E=np.ones((3, 2)))),
    "twolayer.gram_eigenvalues": (fac(twolayer.gram_eigenvalues), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.T_spectrum": (fac(twolayer.T_spectrum), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.T_extremes": (fac(twolayer.T_extremes), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.local_constants": (fac(twolayer.local_constants),
                                 lambda: dict(loss=LOSS, W1=w1(), W2=w2(), eta=0.01)),
    "twolayer.local_pl_constant": (fac(twolayer.local_pl_constant), lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.local_smoothness": (fac(twolayer.local_smoothness),
                                  lambda: dict(loss=LOSS, W1=w1(), W2=w2(), eta=0.01)),
    "twolayer.adaptive_step": (fac(twolayer.adaptive_step), lambda: dict(loss=LOSS, W1=w1(), W2=w2(), theta=1.0)),
    "twolayer.initial_curvature_step": (fac(twolayer.initial_curvature_step),
                                        lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.AdaptiveStep": (fac(twolayer.AdaptiveStep), lambda: dict(
        source=LOSS, theta=1.0, refresh=50, spectra="weyl", spectra_refresh=50, spectra_growth=0.2)),
    "twolayer.SquaredBatch": (fac(twolayer.SquaredBatch), lambda: dict(
        X=BATCH.X.copy(), Y=BATCH.Y.copy(), mu=BATCH.mu.copy(), K=BATCH.K.copy(), min_value=BATCH.min_value.copy())),
    "twolayer.SquaredBatch.from_losses": (fac(twolayer.SquaredBatch.from_losses),
                                          lambda: dict(losses=[LOSS, LOSS])),
    "twolayer.SquaredBatch.check_start": (lambda: BATCH.check_start, lambda: dict(x0=stacked())),
    "twolayer.BatchAdaptiveStep": (fac(twolayer.BatchAdaptiveStep), lambda: dict(batch=BATCH, theta=1.0)),
    "twolayer.imbalance_spectrum": (fac(twolayer.imbalance_spectrum), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.gram_lower_bounds": (fac(twolayer.gram_lower_bounds), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.xmtmv25_init": (fac(twolayer.xmtmv25_init), lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.xmtmv25_smoothness": (fac(twolayer.xmtmv25_smoothness),
                                    lambda: dict(loss=LOSS, W1=w1(), W2=w2(), eta=0.01)),
    "twolayer.XMTMV25Rate.K_bar": (lambda: RATE25.K_bar, lambda: dict(t=np.array([0.0, 3.0]))),
    "twolayer.XMTMV25Rate.bound": (lambda: RATE25.bound, lambda: dict(t=np.array([0.0, 3.0]))),
    "twolayer.XMTMV25EtaMax.constants": (lambda: ETA_MAX25.constants, lambda: dict(eta0=ETA_MAX25.eta_max / 2)),
    "twolayer.xmtmv25_eta_max": (fac(twolayer.xmtmv25_eta_max),
                                 lambda: dict(loss=LOSS, W1=w1(), W2=w2(), c=0.5, d=2.0)),
    "twolayer.XMTMV25Step": (fac(twolayer.XMTMV25Step), lambda: dict(
        loss=LOSS, W1=w1(), W2=w2(), eta0=ETA_MAX25.eta_max / 2, h="rho", c=0.5, d=2.0, spectra="weyl",
        spectra_refresh=50, spectra_growth=0.2)),
    "twolayer.xmtmv23_init": (fac(twolayer.xmtmv23_init), lambda: dict(loss=LOSS, W1=w1(), W2=w2())),
    "twolayer.XMTMV23EtaMax.factor": (lambda: ETA_MAX23.factor, lambda: dict(loss=LOSS, eta=0.001, gap=0.5)),
    "twolayer.xmtmv23_eta_max": (fac(twolayer.xmtmv23_eta_max),
                                 lambda: dict(loss=LOSS, W1=w1(), W2=w2(), c1=0.5, c2=1.5)),
    "twolayer.XMTMV23Step": (fac(twolayer.XMTMV23Step), lambda: dict(
        loss=LOSS, W1=w1(), W2=w2(), adaptive=True, c1=0.5, c2=1.5)),
    "twolayer.Backtracking": (fac(twolayer.Backtracking), lambda: dict(
        loss=LOSS, eta_bt=1.0, tau=0.1, gamma=0.9, rule="printed", max_trials=60)),
    "twolayer.span_coordinates": (fac(twolayer.span_coordinates), lambda: dict(W1=w1(), W2=w2())),
    "twolayer.BatchXMTMV25Step": (fac(twolayer.BatchXMTMV25Step), lambda: dict(
        batch=BATCH, rates=[RATE25, ETA_MAX25.constants(ETA_MAX25.eta_max / 3)], h="rho")),
    "twolayer.BatchXMTMV23Step": (fac(twolayer.BatchXMTMV23Step), lambda: dict(
        batch=BATCH, eta_maxes=[ETA_MAX23, twolayer.xmtmv23_eta_max(LOSS, W10, W20, 0.4, 1.6)], adaptive=True)),
    "twolayer.BatchBacktracking": (fac(twolayer.BatchBacktracking), lambda: dict(
        batch=BATCH, eta_bt=1.0, tau=0.1, gamma=0.9, rule="armijo", max_trials=60)),
    # deeplinear
    "deeplinear.end_to_end": (fac(deeplinear.end_to_end), lambda: dict(Ws=[W.copy() for W in WS])),
    "deeplinear.balancedness": (fac(deeplinear.balancedness), lambda: dict(Ws=[W.copy() for W in WS])),
    "deeplinear.deficiency_margin": (fac(deeplinear.deficiency_margin), lambda: dict(W=0.1 * PHI, Phi=PHI.copy())),
    "deeplinear.delta_bound": (fac(deeplinear.delta_bound), lambda: dict(c=0.1, N=2, Phi=PHI.copy())),
    "deeplinear.step_bound": (fac(deeplinear.step_bound), lambda: dict(c=0.1, N=2, Phi=PHI.copy())),
    "deeplinear.iteration_bound": (fac(deeplinear.iteration_bound), lambda: dict(
        c=0.1, N=2, Phi=PHI.copy(), eta=1e-3, loss0=1.0, eps=1e-6)),
    "deeplinear.widths": (fac(deeplinear.widths), lambda: dict(Ws=[W.copy() for W in WS])),
    "deeplinear.loss": (fac(deeplinear.loss), lambda: dict(Ws=[W.copy() for W in WS], Phi=PHI.copy())),
    "deeplinear.grads": (fac(deeplinear.grads), lambda: dict(Ws=[W.copy() for W in WS], Phi=PHI.copy())),
    "deeplinear.Objective": (fac(deeplinear.Objective), lambda: dict(Phi=PHI.copy())),
    "deeplinear.Objective.check_start": (lambda: deeplinear.Objective(PHI).check_start,
                                         lambda: dict(x0=tuple(W.copy() for W in WS))),
    "deeplinear.objective": (fac(deeplinear.objective), lambda: dict(Phi=PHI.copy())),
    "deeplinear.BatchObjective": (fac(deeplinear.BatchObjective), lambda: dict(Phi=PHI.copy())),
    "deeplinear.BatchObjective.check_start": (lambda: deeplinear.BatchObjective(PHI).check_start,
                                              lambda: dict(x0=tuple(np.stack([W, W]) for W in WS))),
    "deeplinear.balanced_init": (fac(deeplinear.balanced_init), lambda: dict(
        A=PHI.copy(), widths=[2, 4, 3], rng=np.random.default_rng(0), mix=True)),
    "deeplinear.gaussian_init": (fac(deeplinear.gaussian_init), lambda: dict(
        widths=[2, 4, 3], std=0.1, rng=np.random.default_rng(0))),
    "deeplinear.whiten": (fac(deeplinear.whiten), lambda: dict(X=X0.copy(), Y=Y0.copy())),
    # networks
    "networks.activation": (fac(networks.activation), lambda: dict(name="tanh")),
    "networks.Network": (fac(networks.Network), lambda: dict(
        widths=[2, 3], X=NET.X.copy(), y=NET.y.copy(), act="tanh")),
    "networks.Network.flatten": (lambda: NET.flatten, lambda: dict(Ws=[W.copy() for W in NET.unflatten(THETA)])),
    "networks.Network.unflatten": (lambda: NET.unflatten, lambda: dict(theta=THETA.copy())),
    "networks.Network.outputs": (lambda: NET.outputs, lambda: dict(theta=THETA.copy(), X=NET.X.copy())),
    "networks.Network.value_and_grad": (lambda: NET.value_and_grad, lambda: dict(theta=THETA.copy())),
    "networks.Network.value": (lambda: NET.value, lambda: dict(theta=THETA.copy())),
    "networks.Network.grad": (lambda: NET.grad, lambda: dict(theta=THETA.copy())),
    "networks.positive_init": (fac(networks.positive_init), lambda: dict(
        net=NET, output_scale=2.0, rng=np.random.default_rng(0), low=0.5, high=1.5)),
    "networks.xavier_init": (fac(networks.xavier_init), lambda: dict(net=NET, rng=np.random.default_rng(0))),
    "networks.he_init": (fac(networks.he_init), lambda: dict(net=NET, rng=np.random.default_rng(0))),
    "networks.tangent_kernel": (fac(networks.tangent_kernel), lambda: dict(net=NET, theta=THETA.copy())),
    "networks.BatchNetwork": (fac(networks.BatchNetwork), lambda: dict(net=NET)),
    "networks.BatchNetwork.stack": (lambda: networks.BatchNetwork(NET).stack,
                                    lambda: dict(thetas=[THETA.copy(), THETA_ZERO_FIRST.copy()])),
    "networks.BatchNetwork.unstack": (lambda: networks.BatchNetwork(NET).unstack,
                                      lambda: dict(x=networks.BatchNetwork(NET).stack([THETA, THETA]), b=1)),
    "networks.BatchNetwork.check_start": (lambda: networks.BatchNetwork(NET).check_start,
                                          lambda: dict(x0=networks.BatchNetwork(NET).stack([THETA, THETA]))),
    "networks.iterations_to": (fac(networks.iterations_to), lambda: dict(losses=np.array([3.0, 2.0, 1.0]), level=1.5)),
    "networks.compare_initializations": (fac(networks.compare_initializations), lambda: dict(
        net=NET, inits=_inits(), exponents=[-1, 0], tuning_seeds=[1], eval_seeds=[0], targets=[0.5], tune_cap=3,
        cap=3)),
    "networks.InitComparison.median_iterations": (lambda: COMPARISON.median_iterations,
                                                  lambda: dict(name="Xavier", target_index=0)),
    "networks.InitComparison.tuned_choice": (lambda: COMPARISON.tuned_choice, lambda: dict(names=["Xavier", "He"])),
    "networks.InitComparison.speedup": (lambda: COMPARISON.speedup, lambda: dict(
        name="Xavier", baselines=["He"], target_index=0)),
    "networks.InitComparison.from_dict": (fac(networks.InitComparison.from_dict),
                                          lambda: dict(d=COMPARISON.to_dict())),
    "networks.SweepSettings": (fac(networks.SweepSettings), lambda: dict(**TINY_SWEEP)),
    "networks.sweep_initializations": (fac(networks.sweep_initializations), lambda: dict(net=NET, scales=[1.0, 4.0])),
    "networks.init_sweep": (fac(networks.init_sweep), lambda: dict(
        settings=networks.SweepSettings(**TINY_SWEEP), inputs=["Gaussian"], widths=[2])),
    "networks.save_init_sweep": (fac(networks.save_init_sweep), lambda: dict(
        results=dict(SWEEP), settings=networks.SweepSettings(**TINY_SWEEP), path=_tmp_json())),
    "networks.load_init_sweep": (fac(networks.load_init_sweep), lambda: dict(path=_saved_json())),
    "data.conditioning_ladder": (fac(data.conditioning_ladder), lambda: dict(n=3, gaussian_dim=5, seed=1)),
    # criterion
    "criterion.pl_ratio": (fac(criterion.pl_ratio), lambda: dict(f=np.array([1.0, 2.0]),
                                                               grad_sq_norm=np.array([0.5, 3.0]))),
    "criterion.alpha_sampled": (fac(criterion.alpha_sampled), lambda: dict(
        objective=NET, x0=THETA.copy(), r=0.1, rng=np.random.default_rng(0), n_samples=5)),
    "criterion.criterion_holds": (fac(criterion.criterion_holds), lambda: dict(f0=0.1, r=1.0, alpha=2.0)),
    "criterion.flow_path_bound": (fac(criterion.flow_path_bound), lambda: dict(f0=0.1, alpha=2.0)),
    "criterion.gd_max_step": (fac(criterion.gd_max_step), lambda: dict(M=4.0, eps=0.5)),
    "criterion.gd_path_bound": (fac(criterion.gd_path_bound), lambda: dict(f0=0.1, alpha=2.0, eps=0.5)),
    "criterion.gd_criterion_holds": (fac(criterion.gd_criterion_holds),
                                     lambda: dict(f0=0.1, r=1.0, alpha=2.0, eps=0.5)),
    "criterion.alpha_first_layer": (fac(criterion.alpha_first_layer),
                                    lambda: dict(net=NET, theta=THETA_ZERO_FIRST.copy())),
    # rates
    "rates.descent_factor": (fac(rates.descent_factor), lambda: dict(mu=0.5, K=2.0, eta=0.1)),
    "rates.pl_ratio": (fac(rates.pl_ratio), lambda: dict(f=np.array([1.0, 2.0]), grad_sq_norm=np.array([0.5, 3.0]),
                                                         f_star=0.0)),
    # symbolic
    "symbolic.is_identity": (fac(symbolic.is_identity), lambda: dict(lhs=(a + b) ** 2, rhs=a**2 + 2 * a * b + b**2)),
    "symbolic.gradient": (fac(symbolic.gradient), lambda: dict(f=a**2 * b, variables=[a, b])),
    "symbolic.gd_step": (fac(symbolic.gd_step), lambda: dict(f=a**2 * b, variables=[a, b], eta=sp.Symbol("eta"))),
    "symbolic.after_step": (fac(symbolic.after_step), lambda: dict(
        expr=a - b, f=a**2 * b, variables=[a, b], eta=sp.Symbol("eta"))),
    # plotting
    "plotting.gap_curve": (fac(plotting.gap_curve), lambda: dict(ax=_axes(), losses=np.array([4.0, 2.0, 1.0]),
                                                               f_star=0.0)),
    "plotting.bound_curve": (fac(plotting.bound_curve), lambda: dict(ax=_axes(), gap0=4.0, factors=0.5, n_steps=3)),
    "plotting.new_figure": (fac(plotting.new_figure), lambda: dict(ncols=1, nrows=1, width=3.0, height=2.0)),
    # data
    "data.gaussian_regression": (fac(data.gaussian_regression), lambda: dict(
        N=4, n=3, m=2, rng=np.random.default_rng(0), noise=0.1)),
    # glue
    "glue.rounded": (fac(glue.rounded), lambda: dict(value=1.23456, digits=3)),
    "glue.stated": (fac(glue.stated), lambda: dict(name="battery_number", value=1.23456, digits=3)),
    "glue.stated_all": (fac(glue.stated_all), lambda: dict(values={"battery_a": 1.23456, "battery_b": 2}, digits=3)),
    # explore
    "explore.PhaseMapProblem": (fac(explore.PhaseMapProblem), lambda: dict(
        loss=PHASE.loss, U0=PHASE.U0.copy(), V0=PHASE.V0.copy())),
    "explore.PhaseMapProblem.start": (lambda: PHASE.start, lambda: dict(scale=1.0)),
    "explore.phase_map_problem": (fac(explore.phase_map_problem), lambda: dict(
        rng=np.random.default_rng(0), h=4, N=4, n=4, m=4)),
    "explore.run_setting": (fac(explore.run_setting), lambda: dict(
        problem=PHASE, eta=0.01, scale=1.0, rtol=1e-6, max_iter=5)),
    "explore.plot_run": (fac(explore.plot_run), lambda: dict(axes=_axes(2), run=EXPLORE_RUN)),
    "explore.explorer": (fac(explore.explorer), lambda: dict(
        seed=1, eta=0.01, scale=1.0, h=4, N=4, n=4, m=4, h_max=8, rtol=1e-3, max_iter=5)),
    "explore.imbalanced_start": (fac(explore.imbalanced_start), lambda: dict(problem=PHASE, omega=1.0, xi=2.0)),
    "explore.compare_steps": (fac(explore.compare_steps), lambda: dict(
        problem=PHASE, omega=1.0, xi=2.0, fraction=0.5, T=3)),
    "explore.plot_comparison": (fac(explore.plot_comparison), lambda: dict(axes=_axes(2), comparison=COMPARISON_5)),
    "explore.step_explorer": (fac(explore.step_explorer), lambda: dict(
        problem=PHASE, omega=1.0, xi=2.0, fraction=0.5, T=3)),
    "explore.pl_descent_run": (fac(explore.pl_descent_run), lambda: dict(kappa=10.0, eta_K=1.0, steps=5)),
    "explore.plot_pl_descent": (fac(explore.plot_pl_descent), lambda: dict(axes=_axes(2), run=PL_DESCENT_RUN)),
    "explore.pl_descent_explorer": (fac(explore.pl_descent_explorer), lambda: dict(kappa=10.0, eta_K=1.0, steps=5)),
}

#: Public callables that are not an input boundary, with the reason.
NOT_A_BOUNDARY = {
    "gd.StepPolicy": "abstract base class without arguments",
    "gd.BatchStepPolicy": "abstract base class without arguments",
    "gd.Trace": "result record that gd.run builds",
    "explore.PLDescentRun": "result record that explore.pl_descent_run builds",
    "twolayer.LocalConstants": "result record that local_constants builds",
    "twolayer.GramLowerBounds": "result record that gram_lower_bounds builds",
    "twolayer.XMTMV25Init": "result record that xmtmv25_init builds",
    "twolayer.XMTMV25Rate": "result record that XMTMV25EtaMax.constants builds",
    "twolayer.XMTMV25EtaMax": "result record that xmtmv25_eta_max builds",
    "twolayer.XMTMV23Init": "result record that xmtmv23_init builds",
    "twolayer.XMTMV23EtaMax": "result record that xmtmv23_eta_max builds",
    "explore.ExploreRun": "result record that run_setting builds",
    "explore.StepComparison": "result record that compare_steps builds",
    "twolayer.SquaredBatch.rows": "engine callback of run_batch (unchecked for speed; checked once by check_start)",
    "twolayer.SquaredBatch.value_and_grad": "engine callback of run_batch (unchecked for speed; checked once by "
                                            "check_start)",
    "deeplinear.BatchObjective.value_and_grad": "engine callback of run_batch (unchecked for speed; checked once "
                                                "by check_start)",
    "plotting.use_style": "takes no arguments",
    "twolayer.XMTMV25Step.bound": "takes no arguments (the bound of the steps taken)",
    "twolayer.XMTMV23Step.bound": "takes no arguments (the bound of the steps taken)",
    "twolayer.BatchXMTMV25Step.bound": "takes no arguments (the bound of the steps taken)",
    "twolayer.BatchXMTMV23Step.bound": "takes no arguments (the bound of the steps taken)",
    "twolayer.BatchBacktracking.loss_evaluations": "takes no arguments (the evaluations spent)",
    "data.breast_cancer": "takes no arguments",
    "data.diabetes": "takes no arguments",
    "networks.InitComparison": "result record that compare_initializations builds",
    "networks.InitComparison.to_dict": "takes no arguments",
    "networks.BatchNetwork.value_and_grad": "engine callback of run_batch (unchecked for speed; checked once by "
                                            "check_start)",
}

#: (callable, argument) -> {kind: reason}: bad-looking inputs that the callable legitimately accepts.
ACCEPTED = {}


def accept(names, params, kinds, reason):
    for name in names:
        for param in params:
            for kind in kinds:
                ACCEPTED.setdefault((name, param), {})[kind] = reason


# --- None means "not given" -------------------------------------------------------------
accept(["gd.run"], ["f_star", "gtol", "record"], ["none"], "None is the documented default: not given")
accept(["gd.run_batch"], ["f_star", "gtol"], ["none"], "None is the documented default: not given")
accept(["networks.Network.outputs"], ["X"], ["none"], "None is the documented default: the training inputs")
accept(["networks.init_sweep"], ["inputs", "widths"], ["none"], "None is the documented default: all of them")
accept(["networks.load_init_sweep"], ["path"], ["none"], "None is the documented default: the file shipped with lplbook")
accept(["networks.iterations_to"], ["losses", "level"], ["negative"], "losses and levels of any sign compare as given")
accept(["networks.compare_initializations"], ["exponents"], ["negative"], "negative exponents are smaller steps 2^k")
accept(["networks.InitComparison.median_iterations", "networks.InitComparison.speedup"], ["target_index"],
       ["negative"], "a negative index counts from the last target (documented)")
accept(["glue.rounded", "glue.stated", "glue.stated_all"], ["digits"], ["none"], "None keeps the float as it is (documented)")
# --- numbers that may be negative ---------------------------------------------------------
accept(["gd.run", "gd.Trace.gaps", "gd.Trace.factors", "gd.step_factors", "plotting.gap_curve",
        "rates.pl_ratio"], ["f_star"], ["negative"], "an optimal value may be negative")
accept(["gd.step_factors", "plotting.gap_curve"], ["losses"], ["negative"], "losses may be negative")
accept(["rates.pl_ratio"], ["f"], ["negative"], "values may be negative (the PL ratio is nan where f <= f*)")
accept(["glue.rounded", "glue.stated"], ["value"], ["negative"], "any real number can be stated")
accept(["plotting.bound_curve"], ["factors"], ["negative"], "a factor bound may be negative (then it is not drawn)")
# --- arrays where a number is expected, by design ---------------------------------------------
accept(["rates.descent_factor"], ["eta"], ["shape"], "eta may be an array of steps (documented)")
accept(["twolayer.XMTMV25Rate.K_bar", "twolayer.XMTMV25Rate.bound"], ["t"], ["shape"],
       "t may be any array of iterations (documented)")
accept(["plotting.bound_curve"], ["factors"], ["shape"], "factors may be one number or one per step (documented)")
accept(["criterion.alpha_sampled"], ["x0"], ["shape"], "x0 is flattened (documented: any shape)")
accept(["losses.LogisticRidgeLoss"], ["y"], ["shape"], "y of shape (N,) or (N, 1) (documented)")
accept(["networks.Network"], ["y"], ["shape"], "a column (n, 1) of targets is read as the n targets")
accept(["deeplinear.BatchObjective"], ["Phi"], ["shape"], "a 3-d Phi is one target per run (documented)")
accept(["twolayer.XMTMV25Rate.K_bar", "twolayer.XMTMV25Rate.bound"], ["t"], ["empty"],
       "an empty array of iterations gives an empty array")
accept(["plotting.bound_curve"], ["factors"], ["empty"], "no factors (a run of no steps) draw the bound at t = 0")
accept(["rates.descent_factor"], ["eta"], ["empty"], "an empty array of steps gives an empty array of factors")
accept(["plotting.gap_curve"], ["losses"], ["inf"],
       "+inf is the overflowed loss of a diverged run (gd.run records it); it is left out of the curve")
# --- SymPy input: symbolic numbers, complex ones included, are legitimate expressions ------------
accept(["symbolic.is_identity"], ["lhs", "rhs"], ["complex"], "SymPy numbers, complex ones included, are expressions")
for _name, _params in (("symbolic.gradient", ["f"]), ("symbolic.gd_step", ["f", "eta"]),
                       ("symbolic.after_step", ["expr", "f", "eta"])):
    accept([_name], _params, ["complex"], "SymPy numbers, complex ones included, are expressions")


@dataclass
class Outcome:
    name: str
    param: str
    kind: str
    result: str  # "rejected", "accepted", "silent", "unrelated", "warned", "mutated"
    detail: str = ""


# ---------------------------------------------------------------------------
# bad values of each kind, derived from a valid value
# ---------------------------------------------------------------------------
def bad_values(value) -> dict:
    """Bad inputs of each kind for an argument whose valid value is ``value`` (kinds that do not apply are left out)."""
    if isinstance(value, bool):
        return dict(type="yes", none=None, shape=np.array([True, False, True]))
    if isinstance(value, (int, np.integer)):
        return dict(complex=complex(value, 1.0), nan=float("nan"), inf=float("inf"), shape=np.full(3, value),
                    type="3", none=None, empty=np.array([]), negative=-abs(int(value)) - 1)
    if isinstance(value, float):
        return dict(complex=complex(value, 1.0), nan=float("nan"), inf=float("inf"), shape=np.full(3, value),
                    type="0.1", none=None, empty=np.array([]), negative=-abs(value) - 1.0)
    if isinstance(value, str):
        return dict(type=3.0, none=None, empty="", shape=np.array([value, value]))
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        out = dict(complex=value + 1j, type="abc", none=None, empty=np.empty((0,) * max(value.ndim, 1)),
                   shape=value[..., None])
        if value.size:
            for kind, bad in (("nan", np.nan), ("inf", np.inf)):
                arr = value.astype(float).copy()
                arr.flat[0] = bad
                out[kind] = arr
            if value.ndim == 1 and np.all(value > 0):  # steps: one of them negative
                arr = value.astype(float).copy()
                arr.flat[0] = -1.0
                out["negative"] = arr
        return out
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, np.ndarray) for v in value):
        def with_first(first):
            return type(value)([first, *value[1:]])

        first = value[0]
        nan_first, inf_first = first.astype(float).copy(), first.astype(float).copy()
        nan_first.flat[0], inf_first.flat[0] = np.nan, np.inf
        return dict(complex=with_first(first + 1j), nan=with_first(nan_first), inf=with_first(inf_first),
                    shape=with_first(first[..., None]), type="abc", none=None, empty=type(value)())
    if isinstance(value, list) and value and all(isinstance(v, (int, np.integer)) for v in value):
        return dict(complex=[complex(v, 1.0) for v in value], nan=[float("nan")] + value[1:],
                    inf=[float("inf")] + value[1:], shape=[value], type="abc", none=None, empty=[],
                    negative=[-1] + value[1:])
    if isinstance(value, list):  # sequences of objects (losses, SymPy symbols)
        return dict(type="abc", none=None, empty=[], shape=[value])
    if isinstance(value, sp.Basic):  # SymPy expressions: a complex number is one too
        return dict(complex=1 + 2j, type="abc", none=None, shape=np.zeros(3))
    # objects: losses, generators, networks, axes, problems, callables
    return dict(type="abc", none=None, shape=np.zeros(3))


def _fingerprint(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return [_fingerprint(v) for v in value]
    return None


def _same(before, value) -> bool:
    if isinstance(before, np.ndarray):
        return (isinstance(value, np.ndarray) and before.shape == value.shape and before.dtype == value.dtype
                and bool(np.all((before == value) | (np.isnan(before) & np.isnan(value))
                                if before.dtype.kind in "fc" else before == value)))
    if isinstance(before, list):
        return isinstance(value, (tuple, list)) and len(before) == len(value) and all(
            _same(b, v) for b, v in zip(before, value))
    return True


def call(name, fn, kwargs, param):
    """Run ``fn(**kwargs)``; return (result, exception, warnings, mutated) — one call of the battery."""
    prints = {k: _fingerprint(v) for k, v in kwargs.items()}
    exc = result = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fn(**kwargs)
        except Exception as e:  # noqa: BLE001 - the battery classifies every exception
            exc = e
    plt.close("all")
    mutated = [k for k, v in kwargs.items() if not _same(prints[k], v)]
    return result, exc, list(caught), mutated


def classify(name, param, kind, bad) -> Outcome:
    make_fn, make_kwargs = SPECS[name]
    fn, kwargs = make_fn(), make_kwargs()
    kwargs[param] = bad
    _, exc, caught, mutated = call(name, fn, kwargs, param)
    if caught:
        return Outcome(name, param, kind, "warned", "; ".join(str(w.message)[:100] for w in caught))
    if mutated:
        return Outcome(name, param, kind, "mutated", ", ".join(mutated))
    accepted = ACCEPTED.get((name, param), {})
    if exc is None:
        if kind in accepted:
            return Outcome(name, param, kind, "accepted", accepted[kind])
        return Outcome(name, param, kind, "silent")
    if isinstance(exc, (ValueError, TypeError)) and _names(exc, param):
        return Outcome(name, param, kind, "rejected", str(exc)[:120])
    return Outcome(name, param, kind, "unrelated", f"{type(exc).__name__}: {str(exc)[:160]}")


#: arguments whose errors are reported under another name (the name the callable gives it)
ALIASES = {"x0": ("x0", "W", "theta", "objective"), "losses": ("losses",), "source": ("source",),
           "axes": ("axes",), "Ws": ("Ws",), "objective": ("objective",)}


def _names(exc, param) -> bool:
    """The message names the argument: as a word (``f`` in "f must be", not in "finite")."""
    text = str(exc)
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(alias)}(?![A-Za-z0-9_])", text)
               for alias in ALIASES.get(param, (param,)))


def cases():
    """Every (name, param, kind, bad value) of the battery."""
    out = []
    for name, (_, make_kwargs) in SPECS.items():
        for param, value in make_kwargs().items():
            for kind, bad in bad_values(value).items():
                out.append((name, param, kind, bad))
    return out


def public_callables():
    """Qualified names of every public function, class and method of the package's modules (inspect)."""
    names = []
    for mod in MODULES:
        short = mod.__name__.split(".")[-1]
        for attr, obj in vars(mod).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isfunction(obj):
                names.append(f"{short}.{attr}")
            elif inspect.isclass(obj):
                names.append(f"{short}.{attr}")
                for klass in obj.__mro__:
                    if not klass.__module__.startswith("lplbook"):
                        continue
                    for meth, member in vars(klass).items():
                        if meth.startswith("_") or isinstance(member, property):
                            continue
                        if inspect.isfunction(member) or isinstance(member, (classmethod, staticmethod)):
                            names.append(f"{short}.{attr}.{meth}")
    return sorted(set(names))


def parameters(name) -> list[str]:
    """The parameters of a public callable (self and cls excluded)."""
    obj = lplbook
    for part in name.split(".")[:]:
        obj = getattr(obj, part)
    if inspect.isclass(obj):
        obj = obj.__init__
    return [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]

