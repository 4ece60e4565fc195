r"""One gradient-descent engine for every model of the book.

Gradient descent :math:`x_{t+1} = x_t - \eta_t \nabla f(x_t)` is introduced in
chapter 1 (*PL, the Descent Lemma and linear convergence*) and used in every later
chapter. :func:`run` takes an *objective* — a callable ``x -> (f(x), ∇f(x))`` or an
object with a ``value_and_grad`` method such as :class:`lplbook.losses.SquaredLoss` —
a starting point (an array, or a tuple of arrays such as the factors
:math:`(W_1, W_2)` of a network) and a step policy, and returns a :class:`Trace`.

Every run ends with exactly one ``status``:

``"converged"``
    the optimality gap :math:`f(x_t) - f^*` fell to ``tol`` (when ``f_star`` is
    given) or the gradient norm fell to ``gtol`` (when ``gtol`` is given);
``"max_iter"``
    ``max_iter`` steps were taken without converging;
``"diverged"``
    the loss or an iterate became non-finite, or the loss exceeded
    ``divergence_factor`` times its initial scale. No overflow warning is emitted:
    divergence is a status, not a cascade of warnings.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _validate

STATUSES = ("converged", "max_iter", "diverged")


# ---------------------------------------------------------------------------
# step policies
# ---------------------------------------------------------------------------
class StepPolicy:
    r"""Base class of step policies: ``policy(t, x, f, g)`` returns :math:`\eta_t > 0`.

    A policy sees the iteration counter ``t``, the iterate ``x``, the loss ``f`` and
    the gradient ``g`` at ``x``, so that adaptive rules (chapter 5) can use local
    constants of the current weights.
    """

    def __call__(self, t: int, x, f: float, g) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(StepPolicy):
    r"""The constant step :math:`\eta_t = \eta` (chapter 1)."""

    eta: float

    def __post_init__(self):
        object.__setattr__(self, "eta", _validate.positive("eta", self.eta))

    def __call__(self, t, x, f, g):
        return self.eta


@dataclass(frozen=True)
class Schedule(StepPolicy):
    r"""A step that depends on the iteration only, :math:`\eta_t = \text{eta\_of\_t}(t)` (chapter 5).

    Parameters
    ----------
    eta_of_t : callable
        Function of the iteration counter ``t = 0, 1, ...`` returning :math:`\eta_t > 0`.
    """

    eta_of_t: Callable[[int], float]

    def __post_init__(self):
        if not callable(self.eta_of_t):
            raise ValueError(f"eta_of_t must be callable, got {self.eta_of_t!r}")

    def __call__(self, t, x, f, g):
        return self.eta_of_t(t)


@dataclass(frozen=True)
class InverseTime(StepPolicy):
    r"""The decaying step :math:`\eta_t = \eta_0/(t + 1)` (chapter 5).

    Steps that decay like :math:`1/t` are what analyses that keep the factors balanced
    by hand require [DHL18]; their sum diverges, so gradient descent still converges, but
    only sublinearly.
    """

    eta0: float

    def __post_init__(self):
        object.__setattr__(self, "eta0", _validate.positive("eta0", self.eta0))

    def __call__(self, t, x, f, g):
        return self.eta0 / (t + 1)


def as_policy(step) -> StepPolicy:
    """Turn ``step`` into a :class:`StepPolicy` (the step rules of chapters 1 and 5).

    A real number is a :class:`Constant` step, a :class:`StepPolicy` is used as it is,
    and any other callable is a :class:`Schedule` of the iteration counter.
    """
    if isinstance(step, StepPolicy):
        return step
    if callable(step):
        return Schedule(step)
    if isinstance(step, (numbers.Real, np.floating, np.integer)) and not isinstance(step, bool):
        return Constant(_validate.positive("step", step))
    raise ValueError(f"step must be a real number > 0, a StepPolicy or a callable of t, "
                     f"got {_validate.describe(step)}")


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Trace:
    r"""What a gradient-descent run recorded (every experiment from chapter 1 on).

    Attributes
    ----------
    x : ndarray or tuple of ndarray
        The last iterate.
    losses : ndarray, shape (n_iter + 1,)
        :math:`f(x_0), f(x_1), \dots`; the initial loss first.
    steps : ndarray, shape (n_iter,)
        The step :math:`\eta_t` taken from :math:`x_t` to :math:`x_{t+1}`.
    status : str
        ``"converged"``, ``"max_iter"`` or ``"diverged"``.
    message : str
        A sentence saying why the run ended.
    path : ndarray or tuple of ndarray or None
        The iterates stacked along a new first axis, when ``keep_path=True``.
    records : dict of str to ndarray
        Quantities returned by ``record(x, f, g)`` at every iterate.
    """

    x: Any
    losses: np.ndarray
    steps: np.ndarray
    status: str
    message: str
    path: Any = None
    records: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_iter(self) -> int:
        """Number of gradient steps taken."""
        return int(self.steps.size)

    def gaps(self, f_star: float) -> np.ndarray:
        r"""Optimality gaps :math:`f(x_t) - f^*`."""
        f_star = _validate.real_number("f_star", f_star)
        with np.errstate(over="ignore"):
            return self.losses - f_star

    def factors(self, f_star: float) -> np.ndarray:
        r"""Measured per-step factors :math:`(f(x_{t+1}) - f^*)/(f(x_t) - f^*)`."""
        return step_factors(self.losses, f_star)


def step_factors(losses, f_star: float) -> np.ndarray:
    r"""Per-step contraction factors :math:`(f_{t+1} - f^*)/(f_t - f^*)` (chapter 1).

    Steps that start from a zero gap have no factor and are dropped.

    Raises
    ------
    ValueError
        If ``losses`` is not a real 1-d array with at least two entries, has a NaN, or
        an ``inf`` anywhere but last (a diverged run of :func:`run` records its overflowed
        loss as a last ``inf``; its factor is ``inf``), or ``f_star`` is not a finite number.
    """
    losses = _validate.loss_history("losses", losses, inf_last_only=True)
    if losses.size < 2:
        raise ValueError(f"losses must be 1-dimensional with >= 2 entries, got shape {losses.shape}")
    f_star = _validate.real_number("f_star", f_star)
    with np.errstate(over="ignore"):
        gaps = losses - f_star
        keep = gaps[:-1] != 0
        return gaps[1:][keep] / gaps[:-1][keep]


# ---------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------
def _check_divergence_factor(value) -> float:
    value = _validate.positive("divergence_factor", value)
    if value < 1:
        raise ValueError(f"divergence_factor must be >= 1 (below 1 a run could be 'diverged' at its own "
                         f"start), got {value!r}")
    return value


def _check_flag(name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {_validate.describe(value)}")
    return bool(value)


def _evaluate(value_and_grad, *args):
    """The first evaluation of the objective: it must return a pair (f, grad)."""
    out = value_and_grad(*args)
    if not isinstance(out, tuple) or len(out) != 2:
        raise ValueError(f"objective must return a pair (f, grad), got {_validate.describe(out)}")
    return out


def _as_objective(objective, x0) -> Callable:
    check_start = getattr(objective, "check_start", None)
    if callable(check_start):  # an objective of lplbook: check x0 against it once
        check_start(x0)
    if hasattr(objective, "value_and_grad"):
        method = objective.value_and_grad
        if "check" not in inspect.signature(method).parameters:
            return method
        # a loss of lplbook.losses: validate x0 once, then skip the checks in the loop
        method(x0, check=True)
        return lambda x: method(x, check=False)
    if callable(objective):
        return objective
    raise ValueError(
        "objective must be a callable x -> (f, grad) or have a value_and_grad method, "
        f"got {type(objective).__name__}"
    )


def _is_factors(x0) -> bool:
    """A tuple is a tuple of factors; so is a list of NumPy arrays (a list of numbers is an array)."""
    return isinstance(x0, tuple) or (isinstance(x0, list) and len(x0) > 0
                                     and all(isinstance(xi, np.ndarray) for xi in x0))


def _copy_start(x0):
    if _is_factors(x0):
        if len(x0) == 0:
            raise ValueError("x0 must not be an empty tuple")
        return tuple(_validate.finite_array(f"x0[{i}]", xi, allow_empty=False).copy()
                     for i, xi in enumerate(x0))
    return _validate.finite_array("x0", x0, allow_empty=False).copy()


def _check_loss_value(f):
    """The objective's loss at x0 as a float: a real number, else ValueError naming ``objective``."""
    if isinstance(f, np.ndarray) and f.ndim == 0 and f.dtype.kind in "biuf":
        return float(f)
    if isinstance(f, bool) or not isinstance(f, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"objective must return a real number as its loss, got {_validate.describe(f)}")
    return float(f)


def _check_gradient(g, x) -> None:
    """Once, at x0: the gradient has the structure, shapes and real dtype of x and is not x itself."""
    what = "objective must return a gradient with the structure of x0"
    if isinstance(x, tuple):
        if not isinstance(g, tuple) or len(g) != len(x):
            raise ValueError(f"{what} (a tuple of {len(x)} arrays), got {_validate.describe(g)}")
        pairs = [(f"[{i}]", gi, xi) for i, (gi, xi) in enumerate(zip(g, x))]
    else:
        pairs = [("", g, x)]
    for label, gi, xi in pairs:
        # a NumPy or Python scalar is the gradient of a 0-d x
        arr = gi if isinstance(gi, np.ndarray) else (
            np.asarray(gi) if isinstance(gi, (numbers.Number, np.generic)) else None)
        if arr is None or arr.dtype.kind not in "biuf" or arr.shape != xi.shape:
            got = (f"dtype {arr.dtype}, shape {arr.shape}" if arr is not None else _validate.describe(gi))
            raise ValueError(f"{what}: gradient{label} must be a real array of shape {xi.shape}, got {got}")
        if isinstance(gi, np.ndarray) and np.shares_memory(gi, xi):
            raise ValueError(f"{what}: gradient{label} must be a new array, not x{label} itself or a view "
                             f"of it (the step would overwrite it)")


def _all_finite(x) -> bool:
    if isinstance(x, tuple):
        return all(np.all(np.isfinite(xi)) for xi in x)
    return bool(np.all(np.isfinite(x)))


def _grad_norm(g) -> float:
    if isinstance(g, tuple):
        return float(np.sqrt(sum(np.sum(np.square(gi)) for gi in g)))
    return float(np.sqrt(np.sum(np.square(g))))


def _step_in_place(x, eta, g):
    if isinstance(x, tuple):
        if not isinstance(g, tuple) or len(g) != len(x):
            raise ValueError("objective must return a gradient with the structure of x0 (a tuple)")
        for xi, gi in zip(x, g):
            xi -= eta * gi
    else:
        x -= eta * g


def _snapshot(x):
    return tuple(xi.copy() for xi in x) if isinstance(x, tuple) else x.copy()


def _stack(snapshots):
    if isinstance(snapshots[0], tuple):
        return tuple(np.stack(parts) for parts in zip(*snapshots))
    return np.stack(snapshots)


def run(
    objective,
    x0,
    step,
    *,
    max_iter: int = 10_000,
    f_star: float | None = None,
    tol: float = 1e-12,
    gtol: float | None = None,
    divergence_factor: float = 1e8,
    keep_path: bool = False,
    record: Callable[[Any, float, Any], Mapping[str, float]] | None = None,
) -> Trace:
    r"""Run gradient descent :math:`x_{t+1} = x_t - \eta_t\nabla f(x_t)` (chapter 1).

    Parameters
    ----------
    objective : callable or object with ``value_and_grad``
        ``objective(x)`` returns ``(f(x), ∇f(x))``, the gradient with the structure of
        ``x`` (an array, or a tuple of arrays).
    x0 : array_like or tuple of array_like
        Starting point; it is copied, never modified.
    step : float, StepPolicy or callable
        A number is a constant step :math:`\eta`; a callable of ``t`` is a schedule;
        a :class:`StepPolicy` sees ``(t, x, f, g)``.
    max_iter : int
        Largest number of steps.
    f_star : float, optional
        The optimal value :math:`f^*`; with it the run converges once
        :math:`f(x_t) - f^* \le` ``tol``.
    tol : float
        Tolerance on the optimality gap (used only when ``f_star`` is given).
    gtol : float, optional
        The run also converges once :math:`\|\nabla f(x_t)\| \le` ``gtol``.
    divergence_factor : float
        The run is ``"diverged"`` once :math:`f(x_t)` exceeds
        ``divergence_factor * max(|f(x_0)|, 1)``, or once a loss or an iterate is
        non-finite.
    keep_path : bool
        Store every iterate in ``Trace.path``.
    record : callable, optional
        ``record(x, f, g)`` returns a mapping of names to numbers, stored at every
        iterate in ``Trace.records``.

    Returns
    -------
    Trace
        Losses (initial first), steps taken, status and message, and optionally the
        path and the records.

    Raises
    ------
    ValueError
        On a non-finite, complex or empty ``x0``, a step that is not > 0, a non-positive
        ``max_iter``, a negative ``tol`` or ``gtol``, ``divergence_factor < 1``, a non-finite
        initial loss, an ``x0`` that does not fit an objective of lplbook (checked once, with
        its ``check_start``), a first gradient without the structure, shapes and real dtype of
        ``x0`` or that is ``x0`` itself (checked once; the loop does not re-check), or a step
        policy that returns a step that is not a finite number > 0.

    Notes
    -----
    A tuple ``x0``, or a list of NumPy arrays, is a tuple of factors; any other ``x0`` (a list
    of numbers included) is one array. Integer and boolean arrays are converted to float.
    """
    policy = as_policy(step)
    max_iter = _validate.positive_int("max_iter", max_iter)
    tol = _validate.nonnegative("tol", tol)
    if f_star is not None:
        f_star = _validate.real_number("f_star", f_star)
    if gtol is not None:
        gtol = _validate.nonnegative("gtol", gtol)
    divergence_factor = _check_divergence_factor(divergence_factor)
    keep_path = _check_flag("keep_path", keep_path)
    if record is not None:
        _validate.function("record", record, "a callable (x, f, g) -> mapping of names to numbers, or None")

    x = _copy_start(x0)
    value_and_grad = _as_objective(objective, x)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        f, g = _evaluate(value_and_grad, x)
    f = _check_loss_value(f)
    if not np.isfinite(f):
        raise ValueError(f"x0 must have a finite loss, got f(x0) = {f}")
    _check_gradient(g, x)
    threshold = divergence_factor * max(abs(f), 1.0)

    losses = np.empty(max_iter + 1)
    steps = np.empty(max_iter)
    losses[0] = f
    snapshots = [_snapshot(x)] if keep_path else None
    recorded: dict[str, list] = {}

    def remember(x, f, g):
        if record is not None:
            for key, val in record(x, f, g).items():
                recorded.setdefault(key, []).append(float(val))

    def converged(f, g) -> str | None:
        if f_star is not None and f - f_star <= tol:
            return f"converged: f - f* = {f - f_star:.3g} <= tol = {tol:.3g}"
        if gtol is not None and _grad_norm(g) <= gtol:
            return f"converged: gradient norm {_grad_norm(g):.3g} <= gtol = {gtol:.3g}"
        return None

    status, message, t = "max_iter", "", 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        remember(x, f, g)
        done = converged(f, g)
        if done:
            status, message = "converged", done
        while not done and t < max_iter:
            eta = policy(t, x, f, g)
            try:  # free unless it raises: a complex or non-numeric step from a user's policy
                eta_f = float(eta) if np.isscalar(eta) and not isinstance(eta, str) else np.nan
            except (TypeError, ValueError):
                eta_f = np.nan
            if not (np.isfinite(eta_f) and eta_f > 0):
                raise ValueError(f"step must give eta_t > 0, got eta_{t} = {eta!r}")
            _step_in_place(x, eta_f, g)
            steps[t] = eta_f
            t += 1
            f, g = value_and_grad(x)
            f = float(f)
            losses[t] = f if np.isfinite(f) else np.inf
            if keep_path:
                snapshots.append(_snapshot(x))
            if not np.isfinite(f) or f > threshold:
                status = "diverged"
                message = f"diverged: f = {f:.3g} exceeds {threshold:.3g} at step {t}"
                break
            remember(x, f, g)
            done = converged(f, g)
            if done:
                status, message = "converged", done
    if status != "diverged" and not _all_finite(x):  # a finite loss at a non-finite iterate
        status, message = "diverged", f"diverged: the iterate is non-finite after step {t}"
    if status == "max_iter":
        message = f"max_iter = {max_iter} steps taken without converging"

    return Trace(
        x=x,
        losses=losses[: t + 1].copy(),
        steps=steps[:t].copy(),
        status=status,
        message=message,
        path=_stack(snapshots) if keep_path else None,
        records={k: np.asarray(v) for k, v in recorded.items()},
    )


# ---------------------------------------------------------------------------
# batched runs
# ---------------------------------------------------------------------------
class BatchStepPolicy:
    r"""Base class of batched step policies (chapters 5, 7 and 10): ``policy(t, x, f, g, idx)``
    returns one :math:`\eta_t > 0` per active run (an array of ``len(idx)`` steps).

    ``x``, ``f`` and ``g`` hold the active runs only, stacked along the first axis, and
    ``idx`` are their positions in the batch.
    """

    def __call__(self, t: int, x, f, g, idx) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class PerRunConstant(BatchStepPolicy):
    r"""A constant step per run, :math:`\eta^{(b)}_t = \eta^{(b)}` (the step grids of chapters 7 and 10)."""

    etas: np.ndarray

    def __post_init__(self):
        etas = _validate.finite_array("etas", self.etas)
        if etas.ndim != 1 or etas.size == 0 or np.any(etas <= 0):
            raise ValueError(f"etas must be a 1-d array of steps > 0, got {self.etas!r}")
        object.__setattr__(self, "etas", etas)

    def __call__(self, t, x, f, g, idx):
        return self.etas[idx]


@dataclass(frozen=True, eq=False)
class _BroadcastSingle(BatchStepPolicy):
    """A single-run policy that depends on ``t`` only, broadcast to every active run."""

    policy: StepPolicy

    def __call__(self, t, x, f, g, idx):
        eta = self.policy(t, None, None, None)
        eta = np.asarray(eta, dtype=float)
        return np.broadcast_to(eta, (idx.size,)) if eta.ndim == 0 else eta[idx]


class PerRunPolicies(BatchStepPolicy):
    r"""One single-run :class:`StepPolicy` per run of a batch (chapter 5).

    Policies that look at the iterate — an adaptive step, the rules of [XMTMV25] and
    [XMTMV23], backtracking — are written for one run; this batch policy gives run ``b``
    its own ``policies[b]`` and calls it on that run's slice of the stacked iterate, loss
    and gradient. The engine loop is shared; each policy does the work it does in
    :func:`run`, and keeps its own records (for instance the factors of its bound).

    Parameters
    ----------
    policies : sequence of StepPolicy
        One policy per run, in batch order; a policy object is used by one run only.
    """

    def __init__(self, policies):
        policies = tuple(policies) if isinstance(policies, (list, tuple)) else None
        if not policies or not all(isinstance(p, StepPolicy) for p in policies):
            raise ValueError("policies must be a non-empty list or tuple of StepPolicy objects, one per run")
        if len({id(p) for p in policies}) != len(policies):
            raise ValueError("policies must be distinct objects: a policy keeps the state of one run")
        self.policies = policies

    def __call__(self, t, x, f, g, idx):
        def run_slice(parts, k):
            return tuple(p[k] for p in parts) if isinstance(parts, tuple) else parts[k]

        return np.array([float(self.policies[b](t, run_slice(x, k), float(f[k]), run_slice(g, k)))
                         for k, b in enumerate(idx)])


def as_batch_policy(step, batch_size: int) -> BatchStepPolicy:
    """Turn ``step`` into a :class:`BatchStepPolicy` for a batch of ``batch_size`` runs (chapter 5).

    A number is the same constant step for every run; a 1-d array of ``batch_size``
    numbers gives each run its own constant; a :class:`Constant` or :class:`Schedule`
    (or a callable of ``t`` returning a number or one number per run) is a schedule
    shared by the runs; a list or tuple of ``batch_size`` single-run :class:`StepPolicy`
    objects gives each run its own policy (:class:`PerRunPolicies`); a
    :class:`BatchStepPolicy` is used as it is.
    """
    batch_size = _validate.positive_int("batch_size", batch_size)
    if isinstance(step, PerRunConstant):
        if step.etas.shape != (batch_size,):
            raise ValueError(f"step must have one step per run ({batch_size}), got {step.etas.size} steps")
        return step
    if isinstance(step, (list, tuple)) and step and all(isinstance(p, StepPolicy) for p in step):
        if len(step) != batch_size:
            raise ValueError(f"step must have one policy per run ({batch_size}), got {len(step)}")
        return PerRunPolicies(step)
    if isinstance(step, PerRunPolicies) and len(step.policies) != batch_size:
        raise ValueError(f"step must have one policy per run ({batch_size}), got {len(step.policies)}")
    if isinstance(step, BatchStepPolicy):
        return step
    if isinstance(step, (Constant, Schedule, InverseTime)):
        return _BroadcastSingle(step)
    if isinstance(step, StepPolicy):
        raise ValueError("step must be a BatchStepPolicy for batched runs, got a single-run StepPolicy")
    if callable(step):
        return _BroadcastSingle(Schedule(step))
    if isinstance(step, np.ndarray) or isinstance(step, (list, tuple)):
        etas = _validate.real_array("step", step)
        if etas.shape != (batch_size,):
            raise ValueError(f"step must have one entry per run ({batch_size}), got shape {etas.shape}")
        return PerRunConstant(etas)
    return _BroadcastSingle(as_policy(step))


def _batch_size(x) -> int:
    parts = x if isinstance(x, tuple) else (x,)
    sizes = {p.shape[0] if p.ndim else -1 for p in parts}
    if len(sizes) != 1 or -1 in sizes:
        raise ValueError(f"x0 must stack the runs along a common first axis, got shapes "
                         f"{[p.shape for p in parts]}")
    return sizes.pop()


def _per_run(name, value, B) -> np.ndarray:
    """A number or one number per run, as B floats."""
    arr = _validate.finite_array(name, value)
    if arr.shape not in ((), (B,)):
        raise ValueError(f"{name} must be a number or an array of one number per run, shape ({B},), "
                         f"got shape {arr.shape}")
    return np.broadcast_to(arr, (B,)).astype(float)


def _take(x, keep):
    return tuple(p[keep] for p in x) if isinstance(x, tuple) else x[keep]


def _batch_grad_norms(g) -> np.ndarray:
    parts = g if isinstance(g, tuple) else (g,)
    return np.sqrt(sum(np.sum(p.reshape(p.shape[0], -1) ** 2, axis=1) for p in parts))


def _batch_finite(x) -> np.ndarray:
    parts = x if isinstance(x, tuple) else (x,)
    ok = np.ones(parts[0].shape[0], dtype=bool)
    for p in parts:
        ok &= np.all(np.isfinite(p.reshape(p.shape[0], -1)), axis=1)
    return ok


def _batch_step_in_place(x, eta, g):
    parts_x = x if isinstance(x, tuple) else (x,)
    parts_g = g if isinstance(g, tuple) else (g,)
    if len(parts_g) != len(parts_x):
        raise ValueError("objective must return a gradient with the structure of x0")
    for xi, gi in zip(parts_x, parts_g):
        # the gradient arrays are the engine's to overwrite: scale them in place
        gi *= eta.reshape((-1,) + (1,) * (xi.ndim - 1))
        xi -= gi


def run_batch(
    objective,
    x0,
    step,
    *,
    max_iter: int = 10_000,
    f_star=None,
    tol: float = 1e-12,
    gtol: float | None = None,
    divergence_factor: float = 1e8,
) -> list[Trace]:
    r"""Run B independent gradient-descent problems as stacked arrays, in one loop (chapter 5).

    Each run follows exactly the rules of :func:`run` — the same steps, stopping test,
    divergence test and statuses — and the result is the list of B traces a loop of
    single runs would return (to rounding: stacked and single matrix products may
    round differently). Finished runs leave the stack, so the loop costs only what
    the active runs need.

    Parameters
    ----------
    objective : callable or object with ``value_and_grad``
        ``objective(x, idx)`` returns ``(f, g)`` for the active runs ``idx`` (positions
        in the batch): ``f`` has shape ``(len(idx),)`` and ``g`` the structure of ``x``,
        as fresh arrays (the engine scales them in place when it takes the step).
    x0 : ndarray or tuple of ndarray
        Starting points stacked along the first axis (B runs); copied.
    step : float, array of B floats, list of B StepPolicy, StepPolicy, callable of t, or BatchStepPolicy
        See :func:`as_batch_policy`.
    max_iter, gtol, divergence_factor
        As in :func:`run`, the same for every run.
    tol : float or array of B floats
        Tolerance on each run's optimality gap (a relative target is ``tol = rtol * gap0``).
    f_star : float or array of B floats, optional
        Optimal values; with them run ``b`` converges once ``f_b - f_star[b] <= tol``.

    Returns
    -------
    list of Trace
        One trace per run, in batch order (``path`` and ``records`` are not kept).

    Raises
    ------
    ValueError
        As :func:`run`, and on an empty batch, an ``x0`` that does not fit the objective's
        batch (its ``check_start``, e.g. another batch size), ``tol``, ``f_star`` or an array
        of steps that is neither one number nor one per run, a :class:`PerRunConstant` with
        another number of steps, or first losses that are not one real number per run.
    """
    max_iter = _validate.positive_int("max_iter", max_iter)
    if gtol is not None:
        gtol = _validate.nonnegative("gtol", gtol)
    divergence_factor = _check_divergence_factor(divergence_factor)
    x = _copy_start(x0)
    B = _batch_size(x)
    tol_arr = _per_run("tol", tol, B)
    if np.any(tol_arr < 0):
        raise ValueError(f"tol must be >= 0, got {tol!r}")
    policy = as_batch_policy(step, B)
    if f_star is not None:
        f_star = _per_run("f_star", f_star, B)
    value_and_grad = objective.value_and_grad if hasattr(objective, "value_and_grad") else objective
    if not callable(value_and_grad):
        raise ValueError(f"objective must be a callable (x, idx) -> (f, grad), got {type(objective).__name__}")
    check_start = getattr(objective, "check_start", None)
    if callable(check_start):  # a batched objective of lplbook: check x0 against it once
        check_start(x)

    ia = np.arange(B)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        fa, ga = _evaluate(value_and_grad, x, ia)
    fa = _validate.real_array("the objective's losses", fa)
    _check_gradient(ga, x)
    if fa.shape != (B,):
        raise ValueError(f"objective must return one loss per run, shape ({B},), got {fa.shape}")
    if not np.all(np.isfinite(fa)):
        raise ValueError(f"x0 must have finite losses, got non-finite f for runs {np.flatnonzero(~np.isfinite(fa))}")
    threshold = divergence_factor * np.maximum(np.abs(fa), 1.0)

    # time-major histories: row t holds every run's loss at step t
    losses = np.empty((max_iter + 1, B))
    steps = np.empty((max_iter, B))
    losses[0] = fa
    n_iter = np.zeros(B, dtype=int)
    status = ["max_iter"] * B
    message = [""] * B
    final = [None] * B
    xa, tha = x, threshold
    t = 0

    def converged(f, g, idx):
        done = np.zeros(idx.size, dtype=bool)
        texts = [""] * idx.size
        if f_star is not None:
            gap = f - f_star[idx]
            tol_k = tol_arr[idx]
            hit = gap <= tol_k
            for k in np.flatnonzero(hit):
                texts[k] = f"converged: f - f* = {gap[k]:.3g} <= tol = {tol_k[k]:.3g}"
            done |= hit
        if gtol is not None:
            norms = _batch_grad_norms(g)
            hit = ~done & (norms <= gtol)
            for k in np.flatnonzero(hit):
                texts[k] = f"converged: gradient norm {norms[k]:.3g} <= gtol = {gtol:.3g}"
            done |= hit
        return done, texts

    def retire(end, kinds, texts):
        nonlocal xa, fa, ga, ia, tha
        for k in np.flatnonzero(end):
            b = ia[k]
            status[b], message[b], n_iter[b] = kinds[k], texts[k], t
            final[b] = tuple(p[k].copy() for p in xa) if isinstance(xa, tuple) else xa[k].copy()
        keep = ~end
        xa, fa, ga, ia, tha = _take(xa, keep), fa[keep], _take(ga, keep), ia[keep], tha[keep]

    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        done, texts = converged(fa, ga, ia)
        if done.any():
            retire(done, ["converged"] * ia.size, texts)
        while ia.size and t < max_iter:
            eta = np.asarray(policy(t, xa, fa, ga, ia), dtype=float)
            if eta.shape != (ia.size,) or not (np.all(eta > 0) and np.all(np.isfinite(eta))):
                raise ValueError(f"step must give eta_t > 0 for every active run, got {eta!r} at t = {t}")
            _batch_step_in_place(xa, eta, ga)
            steps[t, ia] = eta
            t += 1
            fa, ga = value_and_grad(xa, ia)
            fa = np.asarray(fa, dtype=float)
            finite = np.isfinite(fa)
            losses[t, ia] = fa if finite.all() else np.where(finite, fa, np.inf)
            diverged = ~finite | (fa > tha)
            if f_star is None and gtol is None and not diverged.any():
                continue
            done, texts = converged(fa, ga, ia)
            done &= ~diverged
            for k in np.flatnonzero(diverged):
                texts[k] = f"diverged: f = {fa[k]:.3g} exceeds {tha[k]:.3g} at step {t}"
            end = diverged | done
            if end.any():
                retire(end, ["diverged" if d else "converged" for d in diverged], texts)
    if ia.size:
        retire(np.ones(ia.size, dtype=bool), ["max_iter"] * ia.size,
               [f"max_iter = {max_iter} steps taken without converging"] * ia.size)

    traces = []
    for b in range(B):
        xb, sb, mb = final[b], status[b], message[b]
        if sb != "diverged" and not _all_finite(xb):
            sb, mb = "diverged", f"diverged: the iterate is non-finite after step {n_iter[b]}"
        traces.append(Trace(x=xb, losses=losses[: n_iter[b] + 1, b].copy(),
                            steps=steps[: n_iter[b], b].copy(), status=sb, message=mb))
    return traces
