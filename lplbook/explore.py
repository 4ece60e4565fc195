r"""One point of chapter 10's phase map at a time: runs, plots and a widget (chapter 11).

Chapter 10 mapped, for one two-layer squared-loss problem, where gradient descent with a constant
step :math:`\eta` converges over a grid of initialization scales :math:`\omega`. This module runs
*one* setting :math:`(\eta, \omega, h)` of that map and records what the theory of chapters 3 to 5
says along the run:

- the loss gap :math:`L_t - \ell^*` at every iterate;
- the product :math:`\eta K_{\rm loc,t}(\eta)` of the step with the local smoothness constant of
  chapter 3, whose value decides the guarantees: :math:`\eta K_{\rm loc,t}(\eta) < 2` at every step
  gives the product bound of chapter 5, and :math:`\eta K_{\rm loc,t}(\eta) \le 1` at every step is
  the certificate (condition (i) of chapter 10's map, checked along the whole run);
- the adaptive step :math:`\eta_{\rm ad}` and the naive step :math:`2/(K\lambda_{\max}(\mathcal T_0))`
  at the start, the two step conditions of chapter 10.

:func:`explorer` wires :func:`run_setting` and :func:`plot_run` to three sliders (chapter 11).

Chapter 5's interactive section uses the same problem with a start of scale :math:`\omega` and
imbalance ratio :math:`\xi` (:func:`imbalanced_start`): :func:`compare_steps` runs the adaptive step
and a constant step side by side, :func:`plot_comparison` draws them, and :func:`step_explorer` puts
three sliders on top.
"""

from __future__ import annotations

import io
import numbers
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import _validate, gd, losses, plotting, twolayer

#: Ranges of the explorer's sliders: the step and scale ranges of chapter 10's map.
ETA_RANGE = (1e-4, 1.0)
SCALE_RANGE = (0.1, 10.0)


# ---------------------------------------------------------------------------
# the problem of chapter 10's map
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PhaseMapProblem:
    r"""The two-layer squared-loss problem of chapter 10's phase map, before scaling.

    The loss is :math:`\ell(W) = \tfrac12\|Y - XW\|_F^2` with :math:`Y = X\Theta` (so
    :math:`\ell^* = 0`), and the start at scale :math:`\omega` is
    :math:`(W_1, W_2) = (\omega U_0, \omega V_0)` (:meth:`start`).

    Attributes
    ----------
    loss : lplbook.losses.SquaredLoss
        :math:`\ell`, with its constants :math:`\mu` and :math:`K`.
    U0 : ndarray, shape (n, h)
        Gaussian, entries of variance :math:`1/h`.
    V0 : ndarray, shape (h, m)
        Gaussian, entries of variance :math:`1/h`.
    """

    loss: losses.SquaredLoss
    U0: np.ndarray
    V0: np.ndarray

    def __post_init__(self):
        # checked, not converted: phase_map_problem builds valid problems
        loss = _validate.instance("loss", self.loss, losses.SquaredLoss, "a losses.SquaredLoss")
        n, m = loss.shape
        U0 = _validate.matrix("U0", self.U0)
        _validate.shape("U0", U0, (n, None))
        V0 = _validate.matrix("V0", self.V0)
        _validate.shape("V0", V0, (U0.shape[1], m))
        _width(U0.shape[1], n, m)

    @property
    def h(self) -> int:
        """The width :math:`h`."""
        return int(self.U0.shape[1])

    def start(self, scale) -> tuple[np.ndarray, np.ndarray]:
        r"""The start :math:`(\omega U_0, \omega V_0)` at the scale :math:`\omega` = ``scale`` > 0."""
        scale = _validate.positive("scale", scale)
        return scale * self.U0, scale * self.V0


def phase_map_problem(rng, h: int = 20, *, N: int = 4, n: int = 4, m: int = 4) -> PhaseMapProblem:
    r"""Build the problem of chapter 10's phase map (used again in chapter 11).

    Draws, in this order, a Gaussian :math:`X \in \mathbb{R}^{N\times n}`, a Gaussian
    :math:`\Theta \in \mathbb{R}^{n\times m}` (targets :math:`Y = X\Theta`), and Gaussian
    :math:`U_0 \in \mathbb{R}^{n\times h}`, :math:`V_0 \in \mathbb{R}^{h\times m}` with entries of
    variance :math:`1/h`. With ``np.random.default_rng(seed)`` for chapter 10's seed and the
    default sizes this is exactly chapter 10's problem. :math:`X` and :math:`Y` come first, so a
    fresh generator with the same seed gives the same data at every width :math:`h`.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random number.
    h : int
        Width, :math:`h \ge \min(n, m)`.
    N, n, m : int
        Number of samples, input and output dimensions (:math:`N \le n` keeps :math:`\ell^* = 0`
        for a Gaussian :math:`X`).

    Returns
    -------
    PhaseMapProblem

    Raises
    ------
    ValueError
        If ``rng`` is not a generator, a size is not an integer >= 1, or ``h < min(n, m)``.
    """
    _validate.generator("rng", rng)
    N, n, m = (_validate.positive_int(name, v) for name, v in (("N", N), ("n", n), ("m", m)))
    h = _width(h, n, m)
    X = rng.standard_normal((N, n))
    loss = losses.SquaredLoss(X, X @ rng.standard_normal((n, m)))
    U0 = rng.standard_normal((n, h)) / np.sqrt(h)
    V0 = rng.standard_normal((h, m)) / np.sqrt(h)
    return PhaseMapProblem(loss=loss, U0=U0, V0=V0)


def _width(h, n, m, name: str = "h") -> int:
    if isinstance(h, bool) or not isinstance(h, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= min(n, m) = {min(n, m)}, got {h!r}")
    if h < min(n, m):
        raise ValueError(f"{name} must be >= min(n, m) = {min(n, m)}, got {h!r}")
    return int(h)


# ---------------------------------------------------------------------------
# one run
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ExploreRun:
    r"""One constant-step run of the phase-map problem and what chapters 3 to 5 say along it (chapter 11).

    Attributes
    ----------
    eta, scale : float
        The step :math:`\eta` and the initialization scale :math:`\omega`.
    h : int
        The width.
    status, message : str
        How the run ended (``"converged"``, ``"max_iter"`` or ``"diverged"``; see
        :func:`lplbook.gd.run`) and why.
    n_iter : int
        Steps taken.
    gaps : ndarray, shape (n_iter + 1,)
        :math:`L_t - \ell^*`, the initial gap first (``inf`` if the last loss overflowed).
    tol : float
        The target gap: the run converges once :math:`L_t - \ell^* \le` ``tol``.
    eta_K_loc : ndarray
        :math:`\eta K_{\rm loc,t}(\eta)` at every iterate before divergence (``n_iter + 1`` entries,
        or ``n_iter`` for a diverged run).
    mu_loc : ndarray
        :math:`\mu_{\rm loc,t} = \mu\lambda_{\min}(\mathcal T_t)` at the same iterates.
    factors : ndarray or None
        The per-step factors :math:`q_t = 1 - 2\mu_{\rm loc,t}\eta + \mu_{\rm loc,t}K_{\rm loc,t}(\eta)\eta^2`
        of chapter 5, when :math:`\eta K_{\rm loc,t}(\eta) < 2` held at every step taken (then the
        gap after :math:`T` steps is at most :math:`\prod_{t<T}q_t` times the initial gap); else ``None``.
    certified : bool
        :math:`\eta K_{\rm loc,t}(\eta) \le 1` at every step taken.
    eta_adaptive : float
        The adaptive step :math:`\eta_{\rm ad}` at the start:
        :math:`\eta_{\rm ad}K_{\rm loc,0}(\eta_{\rm ad}) = 1`.
    eta_naive : float
        The naive step :math:`2/(K\lambda_{\max}(\mathcal T_0))` at the start.
    """

    eta: float
    scale: float
    h: int
    status: str
    message: str
    n_iter: int
    gaps: np.ndarray
    tol: float
    eta_K_loc: np.ndarray
    mu_loc: np.ndarray
    factors: np.ndarray | None
    certified: bool
    eta_adaptive: float
    eta_naive: float

    @property
    def step_ratio(self) -> float:
        r""":math:`\eta/\eta_{\rm ad}`; at most 1 exactly when :math:`\eta K_{\rm loc,0}(\eta) \le 1`."""
        return self.eta / self.eta_adaptive

    @property
    def bound(self) -> np.ndarray | None:
        r"""The product bound :math:`(L_0 - \ell^*)\prod_{s<t}q_s`, ``None`` where it does not apply."""
        if self.factors is None:
            return None
        return self.gaps[0] * np.concatenate([[1.0], np.cumprod(self.factors)])


def run_setting(problem: PhaseMapProblem, eta, scale, *, rtol: float = 1e-6,
                max_iter: int = 10_000) -> ExploreRun:
    r"""Run gradient descent with a constant step :math:`\eta` from :math:`(\omega U_0, \omega V_0)` (chapter 11).

    The run is chapter 10's: it converges once the gap is at most ``rtol`` times the initial gap,
    stops as ``"max_iter"`` after ``max_iter`` steps, and is ``"diverged"`` (without overflow
    warnings) once the loss grows past :func:`lplbook.gd.run`'s threshold. At every iterate it
    records :math:`\eta K_{\rm loc,t}(\eta)` and :math:`\mu_{\rm loc,t}` with
    :func:`lplbook.twolayer.local_constants` (the constants of chapter 3).

    Parameters
    ----------
    problem : PhaseMapProblem
        From :func:`phase_map_problem`; it fixes :math:`\ell` and the width :math:`h`.
    eta : float
        Constant step, > 0.
    scale : float
        Initialization scale :math:`\omega > 0`.
    rtol : float
        Target gap relative to the initial gap, in (0, 1].
    max_iter : int
        Cap on the number of steps.

    Returns
    -------
    ExploreRun

    Raises
    ------
    ValueError
        If ``problem`` is not a :class:`PhaseMapProblem`, or ``eta`` or ``scale`` is not a
        finite number > 0, ``rtol`` is not in (0, 1], or ``max_iter`` is not an integer >= 1.
    """
    if not isinstance(problem, PhaseMapProblem):
        raise ValueError(f"problem must be an explore.PhaseMapProblem, got {type(problem).__name__}")
    eta = _validate.positive("eta", eta)
    scale = _validate.positive("scale", scale)
    rtol = _rtol(rtol)
    max_iter = _validate.positive_int("max_iter", max_iter)
    loss = problem.loss
    start = problem.start(scale)
    try:
        eta_adaptive = twolayer.adaptive_step(loss, *start)
        eta_naive = 2.0 / (loss.K * twolayer.T_extremes(*start)[1])
        tol = rtol * (twolayer.loss(loss, *start) - loss.min_value)
    except ValueError as exc:
        if "too large" not in str(exc):
            raise
        raise ValueError(f"scale must keep the start finite, got scale = {scale!r}: {exc}") from exc

    def record(x, f, g):
        local = twolayer.local_constants(loss, *x, eta)
        return {"eta_K_loc": eta * local.K_loc, "mu_loc": local.mu_loc}

    trace = gd.run(twolayer.objective(loss), start, eta, max_iter=max_iter, f_star=loss.min_value,
                   tol=tol, record=record)
    eta_K_loc = np.asarray(trace.records["eta_K_loc"])
    mu_loc = np.asarray(trace.records["mu_loc"])
    taken = eta_K_loc[: trace.n_iter]  # the products at the iterates a step was taken from
    factors = None
    if np.all(taken < 2):
        mu_taken = mu_loc[: trace.n_iter]
        factors = 1.0 - 2.0 * mu_taken * eta + mu_taken * taken * eta
    return ExploreRun(
        eta=eta, scale=scale, h=problem.h, status=trace.status, message=trace.message,
        n_iter=trace.n_iter, gaps=trace.gaps(loss.min_value), tol=tol, eta_K_loc=eta_K_loc,
        mu_loc=mu_loc, factors=factors, certified=bool(np.all(taken <= 1)),
        eta_adaptive=eta_adaptive, eta_naive=eta_naive,
    )


# ---------------------------------------------------------------------------
# the picture
# ---------------------------------------------------------------------------


def _log_slider(widgets, value, bounds, description):
    """A logarithmic slider over ``bounds`` (the sliders of chapters 1, 5 and 11)."""
    return widgets.FloatLogSlider(value=value, base=10, min=np.log10(bounds[0]), max=np.log10(bounds[1]),
                                  step=0.02, description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"})

def _axes_pair(axes):
    """The two Axes of a figure drawn by this module's plotting functions, checked."""
    try:
        first, second = axes
        _validate.axes("axes[0]", first)
        _validate.axes("axes[1]", second)
    except (TypeError, ValueError) as exc:
        raise _validate.WrongKind(f"axes must be a pair of matplotlib Axes, got {_validate.describe(axes)}") from exc
    return first, second

def plot_run(axes, run: ExploreRun):
    r"""Draw one :class:`ExploreRun` on a pair of axes (the figures of chapter 11).

    Left: the gap :math:`L_t - \ell^*` on a log scale, the target gap, and the product bound of
    chapter 5 when :math:`\eta K_{\rm loc,t}(\eta) < 2` held at every step. Right:
    :math:`\eta K_{\rm loc,t}(\eta)` along the run, with reference lines at 1 (the certificate) and
    2 (beyond it the local Descent Lemma promises no decrease), on a linear scale from 0, or on a
    log scale when the values span more than a factor 30.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    run : ExploreRun

    Returns
    -------
    tuple of two Axes
    """
    if not isinstance(run, ExploreRun):
        raise ValueError(f"run must be an explore.ExploreRun, got {type(run).__name__}")
    ax_gap, ax_prod = _axes_pair(axes)
    finite = run.gaps[np.isfinite(run.gaps)]
    plotting.gap_curve(ax_gap, finite, 0.0, color="C0", label="measured gap")
    if run.factors is not None and run.gaps[0] > 0:
        kind = r"$\eta K_{\mathrm{loc}} \leq 1$" if run.certified else r"$\eta K_{\mathrm{loc}} < 2$"
        plotting.bound_curve(ax_gap, run.gaps[0], run.factors, color="C1",
                             label=f"bound of chapter 5 ({kind} held)")
    ax_gap.axhline(run.tol, color="0.5", linestyle=":", label="target gap")
    ax_gap.set_ylabel(r"loss gap $L_t - \ell^*$")
    ending = {"converged": f"converged in {run.n_iter} steps",
              "max_iter": f"stopped at the cap ({run.n_iter})",
              "diverged": f"diverged at step {run.n_iter}"}.get(run.status, run.status)
    ax_gap.set_title(rf"$\eta$ = {run.eta:.3g}, $\omega$ = {run.scale:.3g}, $h$ = {run.h}: {ending}")
    ax_gap.legend(loc="best")

    t = np.arange(run.eta_K_loc.size)
    ax_prod.plot(t, run.eta_K_loc, color="C2", label=r"$\eta K_{\mathrm{loc},t}(\eta)$")
    top = max(float(np.max(run.eta_K_loc, initial=0.0)), 2.0)
    if top / float(np.min(run.eta_K_loc, initial=top)) > 30:  # a wide range (divergence, tiny starts)
        ax_prod.set_yscale("log")
    else:
        ax_prod.set_ylim(0.0, 1.1 * top)
    ax_prod.axhline(1.0, color="k", linestyle="-", linewidth=1, label="1: certified")
    ax_prod.axhline(2.0, color="C3", linestyle="--", linewidth=1, label="2: no guaranteed descent")
    ax_prod.set_xlabel("iteration $t$")
    ax_prod.set_ylabel(r"$\eta K_{\mathrm{loc},t}(\eta)$")
    verdict = "certified all along" if run.certified else "not certified"
    ax_prod.set_title(rf"$\eta/\eta_{{\mathrm{{ad}}}}$ = {run.step_ratio:.3g} at the start; {verdict}")
    ax_prod.legend(loc="best")
    for ax in (ax_gap, ax_prod):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax_gap, ax_prod


# ---------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------
def explorer(seed: int, *, eta: float = 0.007, scale: float = 1.0, h: int = 20, N: int = 4, n: int = 4,
             m: int = 4, h_max: int = 200, rtol: float = 1e-6, max_iter: int = 10_000):
    r"""Sliders for :math:`\eta`, :math:`\omega` and :math:`h` that re-run one setting and redraw it (chapter 11).

    Each change of a slider builds the problem of :func:`phase_map_problem` from
    ``np.random.default_rng(seed)`` at the chosen width (the same :math:`X`, :math:`Y` at every
    width), runs :func:`run_setting` and draws it with :func:`plot_run`. Needs ipywidgets.

    Parameters
    ----------
    seed : int
        Seed of the problem (chapter 10's map uses its chapter seed plus 6).
    eta, scale, h : float, float, int
        Initial slider values; :math:`\eta` in ``ETA_RANGE``, :math:`\omega` in ``SCALE_RANGE``,
        :math:`\min(n, m) \le h \le` ``h_max``.
    N, n, m : int
        Sizes of the problem, as in :func:`phase_map_problem`.
    h_max : int
        Largest width on the slider.
    rtol, max_iter
        As in :func:`run_setting`.

    Returns
    -------
    ipywidgets.VBox
        The sliders above the plot (an ``ipywidgets.Image`` of the two panels). Its attribute
        ``latest_run`` is the :class:`ExploreRun` drawn last, and ``controls`` maps ``"eta"``,
        ``"scale"`` and ``"h"`` to the sliders.

    Raises
    ------
    ImportError
        If ipywidgets is not installed.
    ValueError
        On a seed that is not an integer >= 0 or an initial value outside its slider's range.
    """
    try:
        import ipywidgets as widgets
    except ImportError as exc:
        raise ImportError("explore.explorer needs ipywidgets; install it with `pip install ipywidgets` "
                          "(it is in the book's requirements.txt)") from exc
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    N, n, m = (_validate.positive_int(name, v) for name, v in (("N", N), ("n", n), ("m", m)))
    h = _width(h, n, m)
    h_max = _width(h_max, n, m, "h_max")
    if h > h_max:
        raise ValueError(f"h must be <= h_max = {h_max}, got {h!r}")
    eta = _in_range("eta", eta, ETA_RANGE)
    scale = _in_range("scale", scale, SCALE_RANGE)
    rtol = _rtol(rtol)
    max_iter = _validate.positive_int("max_iter", max_iter)

    def log_slider(value, bounds, description):
        return _log_slider(widgets, value, bounds, description)

    controls = {
        "eta": log_slider(eta, ETA_RANGE, "step size η"),
        "scale": log_slider(scale, SCALE_RANGE, "initialization scale ω"),
        "h": widgets.IntSlider(value=h, min=min(n, m), max=h_max, description="width h",
                               continuous_update=False, style={"description_width": "initial"}),
    }
    # the figure is drawn into an Image widget: it updates in place, and nothing is printed into the
    # Output widget of interactive_output (which a notebook executor without widget state cannot hold)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    sliders = widgets.HBox(list(controls.values()))
    box = widgets.VBox([sliders, image])
    box.controls = controls
    box.latest_run = None
    problems: dict[int, PhaseMapProblem] = {}

    def draw(eta, scale, h):
        if h not in problems:
            problems[h] = phase_map_problem(np.random.default_rng(seed), h, N=N, n=n, m=m)
        run = run_setting(problems[h], eta, scale, rtol=rtol, max_iter=max_iter)
        box.latest_run = run
        image.value = _png(run)

    box.children = (sliders, image, widgets.interactive_output(draw, controls))
    return box


def _png(data, plot=None) -> bytes:
    """The two panels of ``plot(axes, data)`` (default :func:`plot_run`) as PNG bytes, drawn outside pyplot's
    figure registry (the sliders of chapters 1, 5 and 11)."""
    plotting.use_style()
    fig = Figure(figsize=(11.0, 4.0), layout="constrained")
    (plot_run if plot is None else plot)(fig.subplots(1, 2), data)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _rtol(rtol) -> float:
    rtol = _validate.positive("rtol", rtol)
    if rtol > 1:
        raise ValueError(f"rtol must be in (0, 1] (a target gap at most the initial gap), got {rtol!r}")
    return rtol


def _in_range(name, value, bounds) -> float:
    value = _validate.positive(name, value)
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{name} must be in [{bounds[0]:g}, {bounds[1]:g}] (the slider's range), "
                         f"got {value!r}")
    return value


# ---------------------------------------------------------------------------
# chapter 5: the adaptive step against a constant step, by scale and imbalance
# ---------------------------------------------------------------------------
#: Ranges of the sliders of :func:`step_explorer`: the scale :math:`\omega`, the imbalance ratio
#: :math:`\xi` and the constant step as a fraction of :math:`2/(K\lambda_{\max}(\mathcal T_0))`.
OMEGA_RANGE = (0.1, 3.0)
XI_RANGE = (0.1, 10.0)
FRACTION_RANGE = (0.05, 1.5)


@dataclass(frozen=True, eq=False)
class StepComparison:
    r"""The adaptive step and a constant step from one start :math:`(\omega\xi U_0, \omega V_0/\xi)` (chapter 5).

    Attributes
    ----------
    omega, xi : float
        The scale :math:`\omega` and the imbalance ratio :math:`\xi` of the start.
    fraction : float
        The constant step as a fraction of :math:`2/(K\lambda_{\max}(\mathcal T_0))`.
    adaptive_gaps : ndarray, shape (T + 1,)
        :math:`L_t - \ell^*` along the run with the adaptive step :math:`\eta_tK_{\rm loc,t}(\eta_t) = 1`.
    adaptive_steps : ndarray, shape (T,)
        The adaptive steps :math:`\eta_t`.
    adaptive_factors : ndarray, shape (T,)
        The factors :math:`q_t = 1 - \mu_{\rm loc,t}\eta_t` of chapter 5 along that run.
    eta_constant : float
        The constant step, ``fraction`` times :math:`2/(K\lambda_{\max}(\mathcal T_0))`.
    constant_status : str
        How the constant-step run ended (``"max_iter"``, ``"converged"`` or ``"diverged"``).
    constant_gaps : ndarray
        :math:`L_t - \ell^*` along the constant-step run (shorter if it stopped early).
    constant_edge : ndarray
        :math:`2/(K\lambda_{\max}(\mathcal T_t))` at the iterates of the constant-step run before it
        stopped: the step beyond which even the frozen curvature promises no descent.
    """

    omega: float
    xi: float
    fraction: float
    adaptive_gaps: np.ndarray
    adaptive_steps: np.ndarray
    adaptive_factors: np.ndarray
    eta_constant: float
    constant_status: str
    constant_gaps: np.ndarray
    constant_edge: np.ndarray

    @property
    def adaptive_bound(self) -> np.ndarray:
        r"""The product bound :math:`(L_0 - \ell^*)\prod_{s<t}q_s` of chapter 5 for the adaptive run."""
        return self.adaptive_gaps[0] * np.concatenate([[1.0], np.cumprod(self.adaptive_factors)])


def imbalanced_start(problem: PhaseMapProblem, omega, xi) -> tuple[np.ndarray, np.ndarray]:
    r"""The start :math:`(W_1, W_2) = (\omega\xi U_0, \omega V_0/\xi)` (chapter 5).

    The product :math:`W_1W_2 = \omega^2U_0V_0` does not depend on :math:`\xi`; the imbalance
    :math:`D = \omega^2(\xi^2U_0^\top U_0 - V_0V_0^\top/\xi^2)` does.

    Parameters
    ----------
    problem : PhaseMapProblem
        Fixes :math:`\ell`, :math:`U_0` and :math:`V_0`.
    omega : float
        The scale :math:`\omega > 0`.
    xi : float
        The imbalance ratio :math:`\xi > 0` (:math:`\xi = 1` scales both layers alike).

    Returns
    -------
    tuple of two ndarray

    Raises
    ------
    ValueError
        If ``problem`` is not a :class:`PhaseMapProblem` or ``omega`` or ``xi`` is not a finite number > 0.
    """
    if not isinstance(problem, PhaseMapProblem):
        raise ValueError(f"problem must be an explore.PhaseMapProblem, got {type(problem).__name__}")
    omega = _validate.positive("omega", omega)
    xi = _validate.positive("xi", xi)
    W1, W2 = (omega * xi) * problem.U0, (omega / xi) * problem.V0
    if not (np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))):
        raise ValueError(f"omega and xi must keep the start finite, got omega = {omega!r}, xi = {xi!r}")
    return W1, W2


def compare_steps(problem: PhaseMapProblem, omega, xi, *, fraction: float = 0.5,
                  T: int = 200) -> StepComparison:
    r"""Run the adaptive step and a constant step for ``T`` steps from :func:`imbalanced_start` (chapter 5).

    The adaptive run uses :class:`lplbook.twolayer.AdaptiveStep` and records
    :math:`\mu_{\rm loc,t} = \mu\lambda_{\min}(\mathcal T_t)`, so that its factors
    :math:`q_t = 1 - \mu_{\rm loc,t}\eta_t` (chapter 5's adaptive corollary) and the product bound
    are available. The constant run takes :math:`\eta = ` ``fraction`` :math:`\cdot\,2/(K\lambda_{\max}(\mathcal T_0))`
    (``fraction = 0.5`` is the frozen step :math:`1/(K\lambda_{\max}(\mathcal T_0))`) and records
    :math:`2/(K\lambda_{\max}(\mathcal T_t))`; it may diverge, which is reported as its status.

    Parameters
    ----------
    problem : PhaseMapProblem
    omega, xi : float
        Scale and imbalance ratio of the start, > 0.
    fraction : float
        The constant step as a fraction of :math:`2/(K\lambda_{\max}(\mathcal T_0))`, > 0.
    T : int
        Number of steps of each run, >= 1.

    Returns
    -------
    StepComparison

    Raises
    ------
    ValueError
        On a problem that is not a :class:`PhaseMapProblem`, a non-positive or non-finite
        ``omega``, ``xi`` or ``fraction``, or ``T`` not an integer >= 1.
    """
    start = imbalanced_start(problem, omega, xi)
    fraction = _validate.positive("fraction", fraction)
    T = _validate.positive_int("T", T)
    loss = problem.loss
    K = loss.K
    objective = twolayer.objective(loss)
    adaptive = gd.run(objective, start, twolayer.AdaptiveStep(objective), max_iter=T, tol=0.0,
                      record=lambda x, f, g: {"T_min": twolayer.T_extremes(*x)[0]})
    mu_loc = loss.mu * np.asarray(adaptive.records["T_min"])[: adaptive.n_iter]
    eta_constant = fraction * 2.0 / (K * twolayer.T_extremes(*start)[1])
    constant = gd.run(twolayer.objective(loss), start, eta_constant, max_iter=T, tol=0.0,
                      record=lambda x, f, g: {"edge": 2.0 / (K * twolayer.T_extremes(*x)[1])})
    return StepComparison(
        omega=float(omega), xi=float(xi), fraction=fraction,
        adaptive_gaps=adaptive.gaps(loss.min_value), adaptive_steps=adaptive.steps,
        adaptive_factors=1.0 - mu_loc * adaptive.steps, eta_constant=float(eta_constant),
        constant_status=constant.status, constant_gaps=constant.gaps(loss.min_value),
        constant_edge=np.asarray(constant.records["edge"]),
    )


def plot_comparison(axes, comparison: StepComparison):
    r"""Draw a :class:`StepComparison` on a pair of axes (chapter 5's interactive figure).

    Left: the gaps of the adaptive and the constant run on a log scale, and the adaptive run's
    product bound. Right: the adaptive steps :math:`\eta_t`, the constant step, and
    :math:`2/(K\lambda_{\max}(\mathcal T_t))` along the constant run.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    comparison : StepComparison

    Returns
    -------
    tuple of two Axes
    """
    if not isinstance(comparison, StepComparison):
        raise ValueError(f"comparison must be an explore.StepComparison, got {type(comparison).__name__}")
    ax_gap, ax_step = _axes_pair(axes)
    c = comparison
    tiny = np.finfo(float).tiny
    t = np.arange(c.adaptive_gaps.size)
    ax_gap.semilogy(t, np.maximum(c.adaptive_gaps, tiny), color="C0", lw=2.0, label="adaptive step: measured")
    ax_gap.semilogy(t, np.maximum(c.adaptive_bound, tiny), color="C0", ls="--", label=r"adaptive step: bound $\prod q_s$")
    finite = c.constant_gaps[np.isfinite(c.constant_gaps)]
    ax_gap.semilogy(np.arange(finite.size), np.maximum(finite, tiny), color="C3",
                    label=f"constant step ({c.constant_status})")
    ax_gap.set_xlabel("iteration $t$")
    ax_gap.set_ylabel(r"gap $L_t - \ell^*$")
    ax_gap.set_title(rf"$\omega$ = {c.omega:.3g}, $\xi$ = {c.xi:.3g}")
    ax_gap.legend(loc="best", fontsize=8)

    ax_step.semilogy(np.arange(c.adaptive_steps.size), c.adaptive_steps, color="C0", label=r"adaptive $\eta_t$")
    ax_step.axhline(c.eta_constant, color="C3", label=r"constant $\eta$")
    ax_step.semilogy(np.arange(c.constant_edge.size), c.constant_edge, color="0.4", ls=":",
                     label=r"$2/(K\lambda_{\max}(\mathcal{T}_t))$ on the constant run")
    ax_step.set_xlabel("iteration $t$")
    ax_step.set_ylabel("step")
    ax_step.set_title(rf"constant $\eta$ = {c.fraction:.3g} $\times\, 2/(K\lambda_{{\max}}(\mathcal{{T}}_0))$")
    ax_step.legend(loc="best", fontsize=8)
    for ax in (ax_gap, ax_step):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax_gap, ax_step


def step_explorer(problem: PhaseMapProblem, *, omega: float = 1.0, xi: float = 1.0, fraction: float = 0.5,
                  T: int = 200):
    r"""Sliders for :math:`\omega`, :math:`\xi` and the constant step that redraw :func:`plot_comparison` (chapter 5).

    Parameters
    ----------
    problem : PhaseMapProblem
    omega, xi, fraction : float
        Initial slider values, in ``OMEGA_RANGE``, ``XI_RANGE`` and ``FRACTION_RANGE``.
    T : int
        Steps of each run.

    Returns
    -------
    ipywidgets.VBox
        The sliders above the figure; ``latest`` is the :class:`StepComparison` drawn last and
        ``controls`` maps ``"omega"``, ``"xi"`` and ``"fraction"`` to the sliders.

    Raises
    ------
    ImportError
        If ipywidgets is not installed.
    ValueError
        On a problem that is not a :class:`PhaseMapProblem` or an initial value outside its range.
    """
    try:
        import ipywidgets as widgets
    except ImportError as exc:
        raise ImportError("explore.step_explorer needs ipywidgets; install it with `pip install ipywidgets` "
                          "(it is in the book's requirements.txt)") from exc
    if not isinstance(problem, PhaseMapProblem):
        raise ValueError(f"problem must be an explore.PhaseMapProblem, got {type(problem).__name__}")
    omega = _in_range("omega", omega, OMEGA_RANGE)
    xi = _in_range("xi", xi, XI_RANGE)
    fraction = _in_range("fraction", fraction, FRACTION_RANGE)
    T = _validate.positive_int("T", T)

    def log_slider(value, bounds, description):
        return _log_slider(widgets, value, bounds, description)

    controls = {
        "omega": log_slider(omega, OMEGA_RANGE, "scale ω"),
        "xi": log_slider(xi, XI_RANGE, "imbalance ratio ξ"),
        "fraction": log_slider(fraction, FRACTION_RANGE, "constant step / (2/(Kλmax(T₀)))"),
    }
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    sliders = widgets.HBox(list(controls.values()))
    box = widgets.VBox([sliders, image])
    box.controls = controls
    box.latest = None

    def draw(omega, xi, fraction):
        comparison = compare_steps(problem, omega, xi, fraction=fraction, T=T)
        box.latest = comparison
        image.value = _png(comparison, plot_comparison)

    box.children = (sliders, image, widgets.interactive_output(draw, controls))
    return box


# ---------------------------------------------------------------------------
# chapter 1: gradient descent on a PL least-squares problem, against the PL bound
# ---------------------------------------------------------------------------
#: Ranges of chapter 1's sliders: the condition number :math:`\kappa` and the step :math:`\eta K`.
KAPPA_RANGE = (1.0, 1000.0)
ETA_K_RANGE = (0.05, 2.5)


@dataclass(frozen=True, eq=False)
class PLDescentRun:
    r"""Gradient descent on chapter 1's rank-deficient least-squares problem at one setting (chapter 1).

    The loss is :math:`\ell(w) = \tfrac12\|Xw\|^2` with :math:`X = \operatorname{diag}(1, \kappa^{-1/2}, 0)`:
    it is :math:`\mu`-PL with :math:`\mu = 1/\kappa`, :math:`K`-smooth with :math:`K = 1`, has
    :math:`\ell^* = 0` on the line of minimizers :math:`w_1 = w_2 = 0`, and is not strongly convex.
    The start is :math:`w_0 = (1, 1, 1)`.

    Attributes
    ----------
    kappa, eta_K : float
        The condition number :math:`\kappa = K/\mu` and the step :math:`\eta K`.
    status : str
        How the run ended (see :func:`lplbook.gd.run`).
    gaps : ndarray
        :math:`\ell(w_t) - \ell^*`, the initial gap first (``inf`` if the last loss overflowed).
    q : float
        The PL factor :math:`q(\eta) = 1 - 2\mu\eta + \mu K\eta^2` of chapter 1's theorem.
    exact : float
        The exact worst-case factor :math:`\max\bigl((1 - \eta\mu)^2, (1 - \eta K)^2\bigr)` of this quadratic.
    """

    kappa: float
    eta_K: float
    status: str
    gaps: np.ndarray
    q: float
    exact: float

    @property
    def bound(self) -> np.ndarray | None:
        r"""The PL bound :math:`q(\eta)^t(\ell(w_0) - \ell^*)`, ``None`` when :math:`\eta K \ge 2` (no guarantee)."""
        if self.eta_K >= 2:
            return None
        return self.gaps[0] * self.q ** np.arange(self.gaps.size)


def pl_descent_run(kappa, eta_K, *, steps: int = 100) -> PLDescentRun:
    r"""Run gradient descent with the constant step :math:`\eta = \eta K / K` on chapter 1's problem (chapter 1).

    Parameters
    ----------
    kappa : float
        Condition number :math:`\kappa` in ``KAPPA_RANGE``.
    eta_K : float
        Dimensionless step :math:`\eta K` in ``ETA_K_RANGE``.
    steps : int
        Largest number of steps; the run also stops once the gap is :math:`10^{-12}` times the initial one.

    Returns
    -------
    PLDescentRun
    """
    kappa = _in_range("kappa", kappa, KAPPA_RANGE)
    eta_K = _in_range("eta_K", eta_K, ETA_K_RANGE)
    steps = _validate.positive_int("steps", steps)
    X = np.diag([1.0, 1.0 / np.sqrt(kappa), 0.0])
    loss = losses.SquaredLoss(X, np.zeros((3, 1)))
    w0 = np.ones((3, 1))
    gap0 = loss.value(w0) - loss.min_value
    trace = gd.run(loss, w0, eta_K / loss.K, f_star=loss.min_value, tol=1e-12 * gap0, max_iter=steps)
    mu, K = 1.0 / kappa, 1.0
    eta = eta_K / K
    return PLDescentRun(kappa=kappa, eta_K=eta_K, status=trace.status, gaps=trace.losses - loss.min_value,
                        q=float(1 - 2 * mu * eta + mu * K * eta**2),
                        exact=float(max((1 - eta * mu) ** 2, (1 - eta * K) ** 2)))


def plot_pl_descent(axes, run: PLDescentRun):
    r"""Draw one :class:`PLDescentRun` on a pair of axes (chapter 1's figure and widget).

    Left: the measured gap on a log scale, the PL bound :math:`q(\eta)^t` times the initial gap (when
    :math:`\eta K < 2`) and the exact worst case :math:`\max((1 - \eta\mu)^2, (1 - \eta K)^2)^t` times it.
    Right: both factors against :math:`\eta K` for this :math:`\kappa`, with the run's step marked.

    Parameters
    ----------
    axes : sequence of two matplotlib Axes
    run : PLDescentRun

    Returns
    -------
    tuple of two Axes
    """
    if not isinstance(run, PLDescentRun):
        raise ValueError(f"run must be an explore.PLDescentRun, got {type(run).__name__}")
    ax_gap, ax_q = _axes_pair(axes)
    t = np.arange(run.gaps.size)
    shown = np.isfinite(run.gaps) & (run.gaps > 0)
    ax_gap.semilogy(t[shown], run.gaps[shown], color="C0", marker="o", markersize=2, label="measured gap")
    if run.bound is not None and run.q > 0:
        ax_gap.semilogy(t, run.bound, color="C3", linestyle="--", label=r"PL bound $q(\eta)^t$")
    if run.exact > 0:
        ax_gap.semilogy(t, run.gaps[0] * run.exact ** t, color="gray", linestyle=":",
                        label=r"exact worst case $\max((1-\eta\mu)^2, (1-\eta K)^2)^t$")
    ax_gap.set_xlabel("iteration $t$")
    ax_gap.set_ylabel(r"gap $\ell(w_t) - \ell^*$")
    ax_gap.set_title(rf"$\kappa = {run.kappa:.3g}$, $\eta K = {run.eta_K:.3g}$: {run.status}")
    ax_gap.legend(loc="lower left", fontsize="small")
    ax_gap.xaxis.set_major_locator(MaxNLocator(integer=True))
    eta_K = np.linspace(0.0, ETA_K_RANGE[1], 251)
    mu = 1.0 / run.kappa
    ax_q.plot(eta_K, 1 - 2 * mu * eta_K + mu * eta_K**2, color="C3", label=r"PL factor $q(\eta)$")
    ax_q.plot(eta_K, np.maximum((1 - eta_K * mu) ** 2, (1 - eta_K) ** 2), color="gray", linestyle=":",
              label="exact worst-case factor")
    ax_q.axhline(1.0, color="black", linewidth=0.8)
    ax_q.axvline(2.0, color="gray", linestyle="--", linewidth=0.8)
    ax_q.axvline(run.eta_K, color="C0", label=r"this run's $\eta K$")
    ax_q.set_ylim(0.0, 1.5)
    ax_q.set_xlabel(r"step size $\eta K$")
    ax_q.set_ylabel("factor per step")
    ax_q.legend(loc="upper left", fontsize="small")
    return ax_gap, ax_q


def pl_descent_explorer(*, kappa: float = 10.0, eta_K: float = 1.0, steps: int = 100):
    r"""Sliders for :math:`\kappa` and :math:`\eta K` that re-run :func:`pl_descent_run` and redraw it (chapter 1).

    Parameters
    ----------
    kappa, eta_K : float
        Initial slider values, in ``KAPPA_RANGE`` and ``ETA_K_RANGE``.
    steps : int
        As in :func:`pl_descent_run`.

    Returns
    -------
    ipywidgets.VBox
        The sliders above the plot (an ``ipywidgets.Image``). Its attribute ``latest_run`` is the
        :class:`PLDescentRun` drawn last, and ``controls`` maps ``"kappa"`` and ``"eta_K"`` to the sliders.

    Raises
    ------
    ImportError
        If ipywidgets is not installed.
    ValueError
        On an initial value outside its slider's range.
    """
    try:
        import ipywidgets as widgets
    except ImportError as exc:
        raise ImportError("explore.pl_descent_explorer needs ipywidgets; install it with `pip install ipywidgets` "
                          "(it is in the book's requirements.txt)") from exc
    kappa = _in_range("kappa", kappa, KAPPA_RANGE)
    eta_K = _in_range("eta_K", eta_K, ETA_K_RANGE)
    steps = _validate.positive_int("steps", steps)
    style = {"description_width": "initial"}
    controls = {
        "kappa": widgets.FloatLogSlider(value=kappa, base=10, min=np.log10(KAPPA_RANGE[0]),
                                        max=np.log10(KAPPA_RANGE[1]), step=0.02, description="condition number κ",
                                        readout_format=".3g", continuous_update=False, style=style),
        "eta_K": widgets.FloatSlider(value=eta_K, min=ETA_K_RANGE[0], max=ETA_K_RANGE[1], step=0.01,
                                     description="step size ηK", readout_format=".2f", continuous_update=False,
                                     style=style),
    }
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    sliders = widgets.HBox(list(controls.values()))
    box = widgets.VBox([sliders, image])
    box.controls = controls
    box.latest_run = None

    def draw(kappa, eta_K):
        run = pl_descent_run(kappa, eta_K, steps=steps)
        box.latest_run = run
        image.value = _png(run, plot_pl_descent)

    box.children = (sliders, image, widgets.interactive_output(draw, controls))
    return box
