"""lplbook.explore: one setting of chapter 10's phase map, its plot and the explorer widget (chapter 11)."""

import inspect
import re
import sys
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from notebook_tools import ROOT, read

from lplbook import explore, gd, losses, twolayer

CH10_SEED = 20250910 + 6  # chapter 10's map draws its problem from default_rng(SEED + 6)


@pytest.fixture(scope="module")
def problem():
    return explore.phase_map_problem(np.random.default_rng(CH10_SEED))


def _chapter10_inline(h=20):
    """The construction chapter 10 describes, written out independently of lplbook.explore."""
    N_P, n_P, m_P, h_P = 4, 4, 4, h
    rng = np.random.default_rng(CH10_SEED)
    X_P = rng.standard_normal((N_P, n_P))
    ell_P = losses.SquaredLoss(X_P, X_P @ rng.standard_normal((n_P, m_P)))
    U0 = rng.standard_normal((n_P, h_P)) / np.sqrt(h_P)
    V0 = rng.standard_normal((h_P, m_P)) / np.sqrt(h_P)
    return ell_P, U0, V0


# ---------------------------------------------------------------------------
# the problem
# ---------------------------------------------------------------------------
def test_problem_is_chapter_10s(problem):
    ell, U0, V0 = _chapter10_inline()
    np.testing.assert_array_equal(problem.loss.X, ell.X)
    np.testing.assert_array_equal(problem.loss.Y, ell.Y)
    np.testing.assert_array_equal(problem.U0, U0)
    np.testing.assert_array_equal(problem.V0, V0)
    assert problem.h == 20 and problem.loss.min_value == 0
    sigma = 0.7
    W1, W2 = problem.start(sigma)  # chapter 10: W1 = sigma U0, W2 = sigma V0
    np.testing.assert_array_equal(W1, sigma * U0)
    np.testing.assert_array_equal(W2, sigma * V0)


def test_problem_matches_the_numbers_chapter_10_states(problem):
    glued = {}
    for cell in read(ROOT / "book" / "ch10_synthesis.ipynb").cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued[name] = out["data"]["application/papermill.record/text/plain"]
    n, m = problem.loss.shape
    assert (problem.loss.X.shape[0], n, m, problem.h) == tuple(
        int(glued[f"ch10_p_{k}"]) for k in ("N", "n", "m", "h"))
    assert f"{problem.loss.mu:.3g}" == glued["ch10_p_mu"]
    assert f"{problem.loss.K:.3g}" == glued["ch10_p_K"]


def test_other_widths_keep_the_data_and_draw_their_own_factors():
    for h in (4, 7, 50):
        p = explore.phase_map_problem(np.random.default_rng(CH10_SEED), h)
        ell, U0, V0 = _chapter10_inline(h)
        np.testing.assert_array_equal(p.loss.X, ell.X)
        np.testing.assert_array_equal(p.loss.Y, ell.Y)
        np.testing.assert_array_equal(p.U0, U0)
        np.testing.assert_array_equal(p.V0, V0)
        assert p.U0.shape == (4, h) and p.V0.shape == (h, 4) and p.h == h


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eta", [0, -0.1, np.nan, np.inf, "0.1", None])
def test_bad_eta_is_named(problem, eta):
    with pytest.raises(ValueError, match=r"^eta must be .*got"):
        explore.run_setting(problem, eta, 1.0)


@pytest.mark.parametrize("scale", [0.0, -2.0, np.nan, -np.inf, [1.0]])
def test_bad_scale_is_named(problem, scale):
    with pytest.raises(ValueError, match=r"^scale must be .*got"):
        explore.run_setting(problem, 0.01, scale)
    with pytest.raises(ValueError, match=r"^scale must be"):
        problem.start(scale)


@pytest.mark.parametrize("h", [3, 0, -5, 2.5, 20.0, True])
def test_bad_width_is_named(h):
    with pytest.raises(ValueError, match=rf"^h must be .*got {re.escape(repr(h))}$"):
        explore.phase_map_problem(np.random.default_rng(0), h)


def test_width_below_min_n_m_names_the_bound():
    with pytest.raises(ValueError, match=r"h must be >= min\(n, m\) = 2, got 1"):
        explore.phase_map_problem(np.random.default_rng(0), 1, N=2, n=3, m=2)
    explore.phase_map_problem(np.random.default_rng(0), 2, N=2, n=3, m=2)  # h = min(n, m) is allowed


def test_other_bad_arguments_are_named(problem):
    with pytest.raises(ValueError, match="^rng must be a numpy.random.Generator, got int"):
        explore.phase_map_problem(CH10_SEED)
    with pytest.raises(ValueError, match="^n must be an integer >= 1"):
        explore.phase_map_problem(np.random.default_rng(0), n=0)
    with pytest.raises(ValueError, match="^problem must be an explore.PhaseMapProblem"):
        explore.run_setting(problem.loss, 0.01, 1.0)
    with pytest.raises(ValueError, match="^rtol must be > 0"):
        explore.run_setting(problem, 0.01, 1.0, rtol=0)
    with pytest.raises(ValueError, match="^max_iter must be an integer >= 1"):
        explore.run_setting(problem, 0.01, 1.0, max_iter=0)


# ---------------------------------------------------------------------------
# runs
# ---------------------------------------------------------------------------
def test_a_run_records_the_local_constants_of_chapter_3(problem):
    eta, sigma = 0.007, 1.0
    run = explore.run_setting(problem, eta, sigma)
    start = problem.start(sigma)
    assert (run.eta, run.scale, run.h) == (eta, sigma, 20)
    assert run.eta_adaptive == twolayer.adaptive_step(problem.loss, *start)
    assert run.eta_naive == pytest.approx(2 / (problem.loss.K * twolayer.T_extremes(*start)[1]), rel=1e-14)
    assert run.eta_K_loc[0] == pytest.approx(eta * twolayer.local_smoothness(problem.loss, *start, eta), rel=1e-14)
    assert run.mu_loc[0] == pytest.approx(twolayer.local_pl_constant(problem.loss, *start), rel=1e-12)
    assert run.eta_K_loc.size == run.mu_loc.size == run.gaps.size == run.n_iter + 1
    # the same run as gd.run with chapter 10's stopping rule
    trace = gd.run(twolayer.objective(problem.loss), start, eta, max_iter=10_000, f_star=0.0,
                   tol=1e-6 * run.gaps[0])
    np.testing.assert_array_equal(run.gaps, trace.losses)
    assert run.status == trace.status == "converged" and run.gaps[-1] <= run.tol
    assert run.tol == pytest.approx(1e-6 * run.gaps[0], rel=1e-15)


def test_certified_run_lies_under_its_bound(problem):
    run = explore.run_setting(problem, 0.007, 1.0)
    assert run.status == "converged" and run.certified and run.step_ratio < 1
    assert np.all(run.eta_K_loc <= 1)
    q = 1 - 2 * run.mu_loc[:-1] * run.eta + run.mu_loc[:-1] * (run.eta_K_loc[:-1] / run.eta) * run.eta ** 2
    np.testing.assert_allclose(run.factors, q, rtol=1e-14)
    assert np.all((0 <= run.factors) & (run.factors < 1))
    assert run.bound.shape == run.gaps.shape and run.bound[0] == run.gaps[0]
    assert np.all(run.gaps <= run.bound * (1 + 1e-10))


def test_between_one_and_two_the_bound_applies_without_the_certificate(problem):
    sigma = 2.0
    eta = 1.5 * twolayer.adaptive_step(problem.loss, *problem.start(sigma))
    run = explore.run_setting(problem, eta, sigma)
    assert 1 < run.eta_K_loc.max() < 2 and not run.certified and run.factors is not None
    assert run.status == "converged" and np.all(run.gaps <= run.bound * (1 + 1e-10))


def test_converging_outside_the_certificate(problem):
    run = explore.run_setting(problem, 0.03, 1.0)
    assert run.status == "converged" and not run.certified
    assert run.factors is None and run.bound is None and run.eta_K_loc.max() >= 2


def test_a_diverging_setting_is_a_status_not_warnings(problem):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = explore.run_setting(problem, 0.1, 1.0)
        fig = Figure()
        explore.plot_run(fig.subplots(1, 2), run)
        fig.savefig(__import__("io").BytesIO(), format="png")
    assert caught == []
    assert run.status == "diverged" and "diverged" in run.message
    assert not run.certified and run.factors is None
    assert run.eta_K_loc.size == run.n_iter and np.all(np.isfinite(run.eta_K_loc))
    assert run.gaps.size == run.n_iter + 1 and run.gaps[-1] > 1e8 * run.gaps[0]


def test_a_tiny_step_stops_at_the_cap(problem):
    run = explore.run_setting(problem, 1e-4, 1.0, max_iter=50)
    assert run.status == "max_iter" and run.n_iter == 50 and run.certified


# ---------------------------------------------------------------------------
# the plot
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eta,status", [(0.007, "converged"), (0.1, "diverged")])
def test_plot_run_labels_its_axes_and_names_the_setting(problem, eta, status):
    run = explore.run_setting(problem, eta, 1.0)
    fig = Figure()
    left, right = explore.plot_run(fig.subplots(1, 2), run)
    assert left.get_yscale() == "log"
    assert "iteration" in left.get_xlabel() and "iteration" in right.get_xlabel()
    assert "L_t - \\ell^*" in left.get_ylabel() and "K_{\\mathrm{loc},t}" in right.get_ylabel()
    title = left.get_title()
    assert f"= {eta:.3g}" in title and "\\omega$ = 1" in title and "$h$ = 20" in title and status in title
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert ("bound" in " ".join(legend)) == (run.factors is not None)
    levels = sorted(line.get_ydata()[0] for line in right.get_lines()[1:])
    assert levels == [1.0, 2.0]
    assert right.get_yscale() == ("log" if status == "diverged" else "linear")


def test_plot_run_checks_its_arguments(problem):
    run = explore.run_setting(problem, 0.007, 1.0, max_iter=5)
    with pytest.raises(ValueError, match="^run must be an explore.ExploreRun"):
        explore.plot_run(Figure().subplots(1, 2), "run")
    with pytest.raises(ValueError, match="^axes must be a pair"):
        explore.plot_run(Figure().subplots(1, 3), run)


# ---------------------------------------------------------------------------
# the widget
# ---------------------------------------------------------------------------
def test_explorer_reruns_gradient_descent_when_a_slider_moves():
    w = explore.explorer(CH10_SEED, eta=0.007, scale=1.0, h=20)
    sliders = w.controls
    assert set(sliders) == {"eta", "scale", "h"}
    assert type(sliders["eta"]).__name__ == type(sliders["scale"]).__name__ == "FloatLogSlider"
    assert type(sliders["h"]).__name__ == "IntSlider" and sliders["h"].min == 4
    first = w.latest_run
    assert (first.eta, first.scale, first.h, first.status) == (0.007, 1.0, 20, "converged") and first.certified
    image = w.children[1]
    assert image.value[:8] == b"\x89PNG\r\n\x1a\n"
    png = image.value

    sliders["eta"].value = 0.1
    assert w.latest_run.eta == pytest.approx(0.1) and w.latest_run.status == "diverged"
    assert w.latest_run.scale == 1.0 and w.latest_run.h == 20
    assert image.value != png

    sliders["eta"].value = 0.007
    sliders["scale"].value = 3.0
    assert w.latest_run.scale == pytest.approx(3.0) and w.latest_run.eta == pytest.approx(0.007)
    assert w.latest_run.eta_adaptive < first.eta_adaptive  # a larger start has a smaller adaptive step

    sliders["h"].value = 50
    run = w.latest_run
    p50 = explore.phase_map_problem(np.random.default_rng(CH10_SEED), 50)
    expected = explore.run_setting(p50, run.eta, run.scale)
    assert run.h == 50 and run.eta_naive == expected.eta_naive and run.n_iter == expected.n_iter


def test_explorer_checks_its_arguments():
    with pytest.raises(ValueError, match=r"^eta must be in \[0.0001, 1\].*got 2"):
        explore.explorer(CH10_SEED, eta=2.0)
    with pytest.raises(ValueError, match=r"^scale must be in \[0.1, 10\].*got 0.01"):
        explore.explorer(CH10_SEED, scale=0.01)
    with pytest.raises(ValueError, match=r"^h must be >= min\(n, m\) = 4, got 3"):
        explore.explorer(CH10_SEED, h=3)
    with pytest.raises(ValueError, match=r"^h must be <= h_max = 30, got 40"):
        explore.explorer(CH10_SEED, h=40, h_max=30)
    with pytest.raises(ValueError, match=r"^seed must be an integer >= 0, got -1"):
        explore.explorer(-1)


def test_explorer_without_ipywidgets_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        explore.explorer(CH10_SEED)


# ---------------------------------------------------------------------------
# documentation
# ---------------------------------------------------------------------------
def test_every_public_object_names_its_chapter():
    public = [obj for name, obj in vars(explore).items() if not name.startswith("_")
              and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == explore.__name__]
    assert len(public) >= 5
    for obj in public:
        summary = inspect.getdoc(obj).split("\n\n")[0]
        assert re.search(r"\bchapters? \d+", summary), f"{obj.__name__} names no chapter in its summary"
    assert "chapter 11" in explore.__doc__ and "chapter 10" in explore.__doc__
