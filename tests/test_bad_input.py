"""Issue 15: every kind of bad input the issue lists, parametrized over the functions that share it.

The kinds, in the issue's order: complex arrays; overflow leaks (divergence is a status, no
warning whatever the step size); batches; gd.run; objects of the wrong kind; unchecked values;
crashes deep inside. Then: every public function on a diverging or overflowing input under
``warnings.simplefilter("error")``, and which integer and boolean arrays are accepted.
"""

import re
import warnings

import numpy as np
import pytest
from battery import (
    BATCH, LOSS, NET, PHASE, PHI, SPECS, THETA, THETA_ZERO_FIRST, W10, W20, WS, X0, Y0, _axes, bad_values, call,
)

from lplbook import _validate, criterion, deeplinear, explore, gd, losses, networks, plotting, rates, twolayer


def raises_named(name, call_, *, kind=(ValueError, TypeError)):
    """``call_()`` raises ``kind`` with a message that names ``name`` as a word."""
    with pytest.raises(kind) as info:
        call_()
    assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", str(info.value)), str(info.value)
    return info.value


# ---------------------------------------------------------------------------
# 1. complex arrays are rejected, never cast
# ---------------------------------------------------------------------------
COMPLEX_ARRAY_CASES = sorted(
    (name, param) for name, (_, make_kwargs) in SPECS.items() for param, value in make_kwargs().items()
    if isinstance(value, np.ndarray) and value.dtype.kind == "f"
)


@pytest.mark.parametrize("name,param", COMPLEX_ARRAY_CASES)
def test_complex_arrays_are_rejected_not_cast(name, param):
    make_fn, make_kwargs = SPECS[name]
    kwargs = make_kwargs()
    kwargs[param] = kwargs[param] + 0j  # even with a zero imaginary part: no silent cast
    _, exc, caught, _ = call(name, make_fn(), kwargs, param)
    assert caught == []  # no ComplexWarning
    assert isinstance(exc, ValueError) and "complex" in str(exc) and param in str(exc), exc


@pytest.mark.parametrize("value", [1j, np.complex128(0.5 + 0j), np.array(0.1 + 0j)])
@pytest.mark.parametrize("call_", [
    lambda v: gd.run(LOSS, np.zeros((3, 2)), v),
    lambda v: twolayer.local_smoothness(LOSS, W10, W20, v),
    lambda v: rates.descent_factor(0.5, 2.0, v),
    lambda v: criterion.criterion_holds(v, 1.0, 1.0),
])
def test_complex_numbers_are_rejected(call_, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="real"):
            call_(value)


# ---------------------------------------------------------------------------
# 2. overflow leaks: divergence is a status, with no warning, whatever the step
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eta", [1.0, 1e10, 1e100, 1e200, 1e300, np.finfo(float).max])
def test_run_setting_diverges_quietly(eta):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = explore.run_setting(PHASE, eta, 1.0, max_iter=50)
    assert run.status == "diverged"


@pytest.mark.parametrize("fn", [twolayer.local_constants, twolayer.local_smoothness])
@pytest.mark.parametrize("eta", [1e160, 1e200, 1e300])
def test_local_smoothness_at_a_huge_step_is_inf_without_warning(fn, eta):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(LOSS, W10, W20, eta)
    K_loc = out.K_loc if isinstance(out, twolayer.LocalConstants) else out
    assert K_loc == np.inf


def _objectives():
    obj2 = twolayer.objective(LOSS)
    return [
        ("SquaredLoss", LOSS, np.zeros((3, 2))),
        ("twolayer", obj2, (W10.copy(), W20.copy())),
        ("deeplinear", deeplinear.objective(PHI), tuple(W.copy() for W in WS)),
        ("network", NET, THETA.copy()),
        ("callable", lambda x: (float(x @ x), 2 * x), np.ones(3)),
    ]


@pytest.mark.parametrize("k", range(5))
@pytest.mark.parametrize("eta", [10.0, 1e50, 1e150, 1e300, np.finfo(float).max])
def test_gd_run_diverges_quietly_whatever_the_step(k, eta):
    _, objective, x0 = _objectives()[k]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace = gd.run(objective, x0, eta, max_iter=200)
        trace.gaps(0.0), trace.factors(0.0)
    assert trace.status == "diverged"
    assert np.all(~np.isnan(trace.losses))


@pytest.mark.parametrize("eta", [10.0, 1e150, 1e300])
def test_gd_run_batch_diverges_quietly(eta):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traces = gd.run_batch(BATCH, (np.stack([W10, W10]), np.stack([W20, W20])), eta, max_iter=100)
        batch_dl = gd.run_batch(deeplinear.BatchObjective(PHI), tuple(np.stack([W, W]) for W in WS),
                                np.array([eta, 1e-3]), max_iter=100)
    assert [t.status for t in traces] == ["diverged", "diverged"]
    assert batch_dl[0].status == "diverged" and batch_dl[1].status != "diverged"


# ---------------------------------------------------------------------------
# 3. batches are checked in gd.run_batch
# ---------------------------------------------------------------------------
def _stack(B):
    return (np.stack([W10] * B), np.stack([W20] * B))


@pytest.mark.parametrize("kwargs,name", [
    (dict(x0=_stack(3)), "x0"),  # another batch size than the objective's
    (dict(x0=_stack(1)), "x0"),
    (dict(x0=(np.stack([W10] * 2), np.stack([W20] * 3))), "x0"),
    (dict(x0=(np.empty((0, 3, 6)), np.empty((0, 6, 2)))), "x0"),  # an empty batch
    (dict(step=gd.PerRunConstant(np.array([0.1, 0.1, 0.1]))), "step"),  # steps for 3 runs, 2 runs
    (dict(step=gd.PerRunConstant(np.array([0.1]))), "step"),
    (dict(step=np.array([0.1, 0.1, 0.1])), "step"),
    (dict(tol=np.array([1e-9, 1e-9, 1e-9])), "tol"),  # one per run, of the wrong length
    (dict(f_star=np.zeros(3)), "f_star"),
    (dict(f_star=np.zeros((2, 2))), "f_star"),
    (dict(divergence_factor=0.5), "divergence_factor"),
])
def test_run_batch_checks_its_batch(kwargs, name):
    args = dict(objective=BATCH, x0=_stack(2), step=1e-3, max_iter=5)
    args.update(kwargs)
    raises_named(name, lambda: gd.run_batch(**args))


@pytest.mark.parametrize("grad", [
    lambda x: (np.zeros((2, 1)),),  # a gradient of the wrong shape would broadcast into x
    lambda x: x,  # the iterate itself
    lambda x: (x[0][:, :1],),
    lambda x: [np.zeros_like(x[0])],  # a list, not a tuple
    lambda x: (x[0] + 0j,),
])
def test_run_batch_checks_the_gradient_once(grad):
    raises_named("objective", lambda: gd.run_batch(lambda x, idx: (np.zeros(len(idx)), grad(x)),
                                                  (np.ones((2, 3)),), 0.1, max_iter=3))


def test_run_batch_checks_the_losses():
    raises_named("objective", lambda: gd.run_batch(lambda x, idx: (np.zeros((len(idx), 1)), x * 1.0),
                                                  np.ones((2, 3)), 0.1, max_iter=3))
    raises_named("losses", lambda: gd.run_batch(lambda x, idx: (np.zeros(len(idx)) + 1j, x * 1.0),
                                               np.ones((2, 3)), 0.1, max_iter=3))


def test_batch_objectives_check_x0_against_their_problems():
    raises_named("x0", lambda: gd.run_batch(deeplinear.BatchObjective(np.stack([PHI] * 3)),
                                           tuple(np.stack([W, W]) for W in WS), 1e-3, max_iter=3))
    raises_named("x0", lambda: gd.run_batch(deeplinear.BatchObjective(PHI[:2]),
                                           tuple(np.stack([W, W]) for W in WS), 1e-3, max_iter=3))
    narrow = (np.ones((2, 3, 1)), np.ones((2, 1, 2)))
    raises_named("h", lambda: gd.run_batch(BATCH, narrow, 1e-3, max_iter=3))


# ---------------------------------------------------------------------------
# 4. gd.run
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("objective,x0,name", [
    (lambda x: (float(x @ x), np.ones((2, 3))), np.ones(3), "objective"),  # broadcast gradient
    (lambda x: (float(x @ x), np.ones(1)), np.ones(3), "objective"),
    (lambda x: (float(x @ x), x), np.ones(3), "objective"),  # returns x itself
    (lambda x: (float(x @ x), x[:]), np.ones(3), "objective"),  # a view of x
    (lambda x: (float(x[0].sum()), x), (np.ones(3),), "objective"),
    (lambda x: (float(x[0].sum()), (np.ones(2),)), (np.ones(3),), "objective"),
    (lambda x: (float(x[0].sum()), [np.ones(3)]), (np.ones(3),), "objective"),
    (lambda x: (1j, 2 * x), np.ones(3), "objective"),
    (lambda x: ("1.0", 2 * x), np.ones(3), "objective"),
    (lambda x: (float(x @ x), 2j * x), np.ones(3), "objective"),
    (lambda x: float(x @ x), np.ones(3), "objective"),  # no gradient at all
])
def test_gd_run_checks_the_objective_once(objective, x0, name):
    raises_named(name, lambda: gd.run(objective, x0, 0.1, max_iter=3))


@pytest.mark.parametrize("factor", [0.0, 0.5, 0.999, -1.0])
def test_divergence_factor_below_one_is_rejected(factor):
    raises_named("divergence_factor", lambda: gd.run(LOSS, np.zeros((3, 2)), 0.1, divergence_factor=factor))


def test_a_list_of_numbers_is_an_array_and_a_list_of_arrays_the_factors():
    f = lambda x: (float(x @ x), 2 * x)  # noqa: E731
    assert np.array_equal(gd.run(f, [1.0, -2.0], 0.25, max_iter=3).x, gd.run(f, np.array([1.0, -2.0]), 0.25,
                                                                            max_iter=3).x)
    layers = [W.copy() for W in WS]
    by_list = gd.run(deeplinear.objective(PHI), layers, 1e-3, max_iter=3)
    by_tuple = gd.run(deeplinear.objective(PHI), tuple(layers), 1e-3, max_iter=3)
    assert all(np.array_equal(a, b) for a, b in zip(by_list.x, by_tuple.x))


@pytest.mark.parametrize("objective,x0", [
    (twolayer.objective(LOSS), (W10, W20[:3])),  # mismatched factor shapes
    (twolayer.objective(LOSS), (W10[:2], W20)),
    (twolayer.objective(LOSS), (np.ones((3, 1)), np.ones((1, 2)))),  # width below min(n, m)
    (twolayer.objective(LOSS), (W10,)),
    (twolayer.objective(LOSS), W10),
    (deeplinear.objective(PHI), (WS[0], WS[1][:, :3])),
    (deeplinear.objective(PHI), (WS[1], WS[0])),
    (NET, np.ones(NET.size + 1)),
])
def test_gd_run_checks_x0_against_the_objective(objective, x0):
    name = "theta" if isinstance(objective, networks.Network) else "x0"  # a network's parameter is theta
    raises_named(name, lambda: gd.run(objective, x0, 1e-3, max_iter=3), kind=ValueError)


@pytest.mark.parametrize("kwargs,name", [
    (dict(keep_path="yes"), "keep_path"),
    (dict(record="f"), "record"),
    (dict(step="0.1"), "step"),
    (dict(x0=[]), "x0"),
    (dict(x0=np.empty((0, 2))), "x0"),
])
def test_gd_run_checks_its_other_arguments(kwargs, name):
    args = dict(objective=LOSS, x0=np.zeros((3, 2)), step=0.1, max_iter=3)
    args.update(kwargs)
    raises_named(name, lambda: gd.run(**args))


# ---------------------------------------------------------------------------
# 5. objects that are not what they should be: a TypeError that is also a ValueError
# ---------------------------------------------------------------------------
NOT_A_LOSS = [None, np.ones((3, 2)), "loss", 3.0, twolayer.objective(LOSS)]


@pytest.mark.parametrize("bad", NOT_A_LOSS, ids=["None", "array", "str", "float", "Objective"])
@pytest.mark.parametrize("call_", [
    lambda bad: twolayer.loss(bad, W10, W20),
    lambda bad: twolayer.grads(bad, W10, W20),
    lambda bad: twolayer.local_constants(bad, W10, W20, 0.1),
    lambda bad: twolayer.local_pl_constant(bad, W10, W20),
    lambda bad: twolayer.local_smoothness(bad, W10, W20, 0.1),
    lambda bad: twolayer.adaptive_step(bad, W10, W20),
    lambda bad: twolayer.initial_curvature_step(bad, W10, W20),
    lambda bad: twolayer.Objective(bad),
    lambda bad: twolayer.objective(bad),
    lambda bad: twolayer.xmtmv25_init(bad, W10, W20),
    lambda bad: twolayer.xmtmv23_init(bad, W10, W20),
    lambda bad: twolayer.Backtracking(bad, 1.0),
])
def test_a_loss_that_is_not_a_loss(call_, bad):
    exc = raises_named("loss", lambda: call_(bad), kind=TypeError)
    assert isinstance(exc, ValueError)  # WrongKind is both
    assert not str(exc).startswith("W1")  # the loss is blamed, not W1


@pytest.mark.parametrize("bad", [None, np.ones((3, 2)), "loss"])
def test_adaptive_step_source(bad):
    raises_named("source", lambda: twolayer.AdaptiveStep(bad))


@pytest.mark.parametrize("bad", [None, "net", np.ones(3), LOSS])
@pytest.mark.parametrize("call_", [
    lambda bad: networks.positive_init(bad, 2.0, np.random.default_rng(0)),
    lambda bad: networks.xavier_init(bad, np.random.default_rng(0)),
    lambda bad: networks.he_init(bad, np.random.default_rng(0)),
    lambda bad: criterion.alpha_first_layer(bad, THETA_ZERO_FIRST),
])
def test_a_net_that_is_not_a_network(call_, bad):
    exc = raises_named("net", lambda: call_(bad), kind=TypeError)
    assert isinstance(exc, ValueError)


@pytest.mark.parametrize("bad", [None, "ax", np.ones(3), object()])
@pytest.mark.parametrize("call_", [
    lambda bad: plotting.gap_curve(bad, np.array([2.0, 1.0])),
    lambda bad: plotting.bound_curve(bad, 1.0, np.array([0.5, 0.5])),
])
def test_ax_that_is_not_an_axes(call_, bad):
    raises_named("ax", lambda: call_(bad), kind=TypeError)


@pytest.mark.parametrize("bad", [None, 0, "rng", np.random.RandomState(0)])
@pytest.mark.parametrize("call_", [
    lambda bad: networks.xavier_init(NET, bad),
    lambda bad: deeplinear.gaussian_init([2, 3], 0.1, bad),
    lambda bad: deeplinear.balanced_init(PHI, [2, 4, 3], bad),
    lambda bad: criterion.alpha_sampled(NET, THETA, 0.1, bad),
    lambda bad: explore.phase_map_problem(bad),
])
def test_rng_that_is_not_a_generator(call_, bad):
    raises_named("rng", lambda: call_(bad))


def test_plot_run_axes():
    raises_named("axes", lambda: explore.plot_run([None, None], explore.run_setting(PHASE, 0.01, 1.0, max_iter=3)))


# ---------------------------------------------------------------------------
# 6. unchecked values
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("call_,name", [
    (lambda v: gd.step_factors(np.array([v, 2.0, 1.0]), 0.0), "losses"),
    (lambda v: gd.step_factors(np.array([4.0, v, 1.0]), 0.0), "losses"),
    (lambda v: gd.step_factors(np.array([4.0, 2.0, 1.0]), v), "f_star"),
    (lambda v: NET.outputs(np.where(np.arange(NET.size) == 0, v, THETA)), "theta"),
    (lambda v: NET.unflatten(np.where(np.arange(NET.size) == 0, v, THETA)), "theta"),
    (lambda v: NET.outputs(THETA, np.where(np.eye(3, 2) > 0, v, 0.0)), "X"),
    (lambda v: plotting.gap_curve(_axes(), np.array([v, 1.0]) if v != np.inf else np.array([1.0, np.nan])),
     "losses"),
    (lambda v: plotting.bound_curve(_axes(), 1.0, np.array([0.5, v])), "factors"),
    (lambda v: plotting.bound_curve(_axes(), v, np.array([0.5])), "gap0"),
    (lambda v: criterion.alpha_first_layer(NET, np.where(np.arange(NET.size) == NET.size - 1, v,
                                                         THETA_ZERO_FIRST)), "theta"),
])
def test_non_finite_values_are_rejected(call_, name, bad):
    raises_named(name, lambda: call_(bad))


def test_a_diverged_trace_keeps_its_last_inf():
    trace = gd.run(LOSS, np.zeros((3, 2)), 1e200, max_iter=10)
    assert trace.status == "diverged" and trace.losses[-1] == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trace.factors(0.0)[-1] == np.inf
        plotting.gap_curve(_axes(), trace.losses)


@pytest.mark.parametrize("fn", [criterion.pl_ratio, rates.pl_ratio])
def test_negative_squared_gradient_norms_are_rejected(fn):
    raises_named("grad_sq_norm", lambda: fn(np.array([1.0, 2.0]), np.array([0.5, -3.0])))


@pytest.mark.parametrize("call_,name", [
    (lambda: gd.run(twolayer.objective(LOSS), (np.ones((3, 1)), np.ones((1, 2))), 0.1), "x0"),
    (lambda: deeplinear.gaussian_init([3], 0.1, np.random.default_rng(0)), "widths"),
    (lambda: deeplinear.gaussian_init([], 0.1, np.random.default_rng(0)), "widths"),
    (lambda: deeplinear.BatchObjective(np.empty((0, 2))), "Phi"),
    (lambda: deeplinear.Objective(np.empty((0, 2))), "Phi"),
    (lambda: deeplinear.deficiency_margin(np.empty((0, 2)), np.empty((0, 2))), "W"),
    (lambda: deeplinear.whiten(X0, np.empty(0)), "Y"),
    (lambda: losses.SquaredLoss(X0, np.empty((3, 0))), "Y"),
    (lambda: rates.descent_factor(0.5, 2.0, "0.1"), "eta"),
    (lambda: rates.descent_factor(0.5, 2.0, ["0.1"]), "eta"),
    (lambda: gd.PerRunConstant(["0.1", "0.2"]), "etas"),
    (lambda: gd.PerRunConstant(np.array([])), "etas"),
    (lambda: gd.as_batch_policy(["0.1", "0.2"], 2), "step"),
    (lambda: gd.run(LOSS, np.zeros((3, 2)), "0.1"), "step"),
    (lambda: plotting.new_figure(width=0.0), "width"),
    (lambda: plotting.new_figure(height=-1.0), "height"),
    (lambda: plotting.new_figure(width=np.inf), "width"),
    (lambda: twolayer.SquaredBatch(BATCH.X, BATCH.Y, BATCH.mu[:1], BATCH.K, BATCH.min_value), "mu"),
    (lambda: explore.PhaseMapProblem(PHASE.loss, PHASE.U0[:, :1], PHASE.V0[:1]), "h"),
    (lambda: explore.PhaseMapProblem(PHASE.loss, PHASE.U0, PHASE.V0[:2]), "V0"),
])
def test_unchecked_values_are_checked(call_, name):
    raises_named(name, call_)


# ---------------------------------------------------------------------------
# 7. crashes deep inside become ValueErrors at the boundary
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("call_,name", [
    (lambda: twolayer.initial_curvature_step(LOSS, np.zeros((3, 6)), np.zeros((6, 2))), "W1"),
    (lambda: criterion.alpha_sampled(NET, np.array([]), 0.1, np.random.default_rng(0)), "x0"),
    (lambda: gd.run(twolayer.objective(LOSS), (W10, W20.T), 0.1), "x0"),
    (lambda: gd.run(deeplinear.objective(PHI), (WS[0], WS[0]), 0.1), "x0"),
    (lambda: NET.outputs(THETA, np.ones((3, 5))), "X"),
    (lambda: NET.flatten(None), "Ws"),
    (lambda: deeplinear.end_to_end(None), "Ws"),
    (lambda: networks.Network(None, X0, Y0[:, 0]), "widths"),
    (lambda: twolayer.SquaredBatch.from_losses([LOSS, None]), "losses[1]"),
    (lambda: twolayer.SquaredBatch.from_losses(None), "losses"),
    (lambda: criterion.gd_criterion_holds(0.1, "1", 1.0, 0.5), "r"),
    (lambda: twolayer.XMTMV23EtaMax.factor(twolayer.xmtmv23_eta_max(LOSS, W10, W20), LOSS, 1e300, 0.5), None),
    (lambda: deeplinear.delta_bound(1e300, 2, PHI), "c"),
])
def test_crashes_deep_inside_are_named(call_, name):
    if name is None:  # no crash at all: a huge step gives an infinite factor
        assert call_() == np.inf
        return
    raises_named(name, call_)


# ---------------------------------------------------------------------------
# 8. every public function on a diverging or overflowing input, warnings as errors
# ---------------------------------------------------------------------------
def _overflowing(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return 1e300
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value * 1e200 + 1e200
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, np.ndarray) for v in value):
        return type(value)(v * 1e200 + 1e200 for v in value)
    return None


OVERFLOW_CASES = sorted(
    (name, param) for name, (_, make_kwargs) in SPECS.items() for param, value in make_kwargs().items()
    if _overflowing(value) is not None
)


@pytest.mark.parametrize("name,param", OVERFLOW_CASES)
def test_no_warning_escapes_on_overflowing_input(name, param):
    make_fn, make_kwargs = SPECS[name]
    kwargs = make_kwargs()
    kwargs[param] = _overflowing(kwargs[param])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = make_fn()(**kwargs)
        except (ValueError, TypeError) as exc:
            assert not isinstance(exc, (FloatingPointError, RuntimeWarning))
            return
    if isinstance(result, gd.Trace | explore.ExploreRun):
        assert result.status in gd.STATUSES
    if isinstance(result, float):
        assert not np.isnan(result)


def test_the_overflow_cases_cover_every_module():
    modules = {name.split(".")[0] for name, _ in OVERFLOW_CASES}
    assert {"losses", "gd", "twolayer", "deeplinear", "networks", "criterion", "rates", "plotting",
            "explore", "glue"} <= modules


# ---------------------------------------------------------------------------
# integer and boolean arrays are accepted, converted to float
# ---------------------------------------------------------------------------
def test_integer_and_boolean_arrays_are_converted():
    X = np.array([[1, 0], [0, 2], [1, 1]])
    Y = np.array([[1], [0], [1]])
    as_int = losses.SquaredLoss(X, Y)
    as_float = losses.SquaredLoss(X.astype(float), Y.astype(float))
    assert as_int.X.dtype == float and as_int.K == as_float.K and as_int.min_value == as_float.min_value
    assert losses.SquaredLoss(X.astype(bool), Y.astype(bool)).X.dtype == float
    assert twolayer.imbalance(np.eye(2, dtype=int), np.eye(2, dtype=bool)).tolist() == [[0, 0], [0, 0]]
    assert _validate.real_array("x", np.array([1.5], dtype=object)).dtype == float


@pytest.mark.parametrize("value", [np.array(["1.0"]), np.array([None]), np.array([1j], dtype=object),
                                   np.array([[1.0], [2.0, 3.0]], dtype=object)])
def test_strings_and_objects_are_not_arrays_of_numbers(value):
    raises_named("x", lambda: _validate.real_array("x", value))


def test_bad_values_cover_every_kind():
    assert set(bad_values(np.ones((2, 2)))) | set(bad_values(1.0)) == {
        "complex", "nan", "inf", "shape", "type", "none", "empty", "negative"}


def test_a_scalar_gradient_of_a_0d_start_is_accepted():
    # chapter 1 runs gd on functions of one real variable: x0 is 0-d, the gradient a NumPy or Python scalar
    for grad in (lambda x: np.float64(2 * x), lambda x: float(2 * x)):
        trace = gd.run(lambda x: (float(x * x), grad(x)), np.array(1.0), 0.25, max_iter=5)
        assert trace.status == "max_iter" and float(trace.x) == 0.5**5


@pytest.mark.parametrize("eta", [1j, "0.1", None, np.nan, -1.0, np.array([0.1, 0.2])])
def test_a_schedule_that_gives_a_bad_step(eta):
    raises_named("step", lambda: gd.run(LOSS, np.zeros((3, 2)), lambda t: eta, max_iter=3), kind=ValueError)
