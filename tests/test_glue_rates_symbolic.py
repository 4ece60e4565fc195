"""lplbook.glue, lplbook.rates and lplbook.symbolic (chapter 1 helpers)."""

import numpy as np
import pytest
import sympy as sp

from lplbook import glue, rates, symbolic


# --- glue ------------------------------------------------------------------
def test_rounded_gives_plain_python_numbers():
    x = glue.rounded(np.float64(0.123456789), 4)
    assert type(x) is float and x == 0.1235
    assert type(glue.rounded(np.int64(12345), 2)) is int
    assert glue.rounded(np.int64(12345), 2) == 12345
    assert glue.rounded(np.bool_(True)) is True
    assert glue.rounded(123456.0, 3) == 123000.0
    assert glue.rounded(-1e-20, 3) == -1e-20
    assert glue.rounded(2.0 / 3.0, None) == 2.0 / 3.0
    assert repr(glue.rounded(-0.0, 3)) == "0.0"


@pytest.mark.parametrize(
    "value,digits,match",
    [(float("nan"), 3, "value must be a finite"), ("1.0", 3, "value must be a real number"),
     (1.5, 0, "digits must be an integer >= 1")],
)
def test_rounded_rejects_bad_input(value, digits, match):
    with pytest.raises(ValueError, match=match):
        glue.rounded(value, digits)


def test_stated_glues_with_myst_nb(monkeypatch):
    calls = []
    monkeypatch.setattr(glue, "_myst_glue", lambda name, v, display: calls.append((name, v, display)))
    assert glue.stated("ch_x", np.float64(3.14159), 3) == 3.14
    assert calls == [("ch_x", 3.14, False)]


def test_stated_falls_back_without_myst_nb(monkeypatch, capsys):
    monkeypatch.setattr(glue, "_myst_glue", None)
    assert glue.stated("ch_y", 2.71828, 2) == 2.7
    assert "ch_y = 2.7" in capsys.readouterr().out


def test_stated_all_glues_each_name_with_its_own_digits(monkeypatch):
    calls = []
    monkeypatch.setattr(glue, "_myst_glue", lambda name, v, display: calls.append((name, v, display)))
    out = glue.stated_all({"ch_a": (np.float64(3.14159), 2), "ch_b": 2.71828, "ch_n": np.int64(7)}, digits=3)
    assert out == {"ch_a": 3.1, "ch_b": 2.72, "ch_n": 7}
    assert type(out["ch_n"]) is int
    assert calls == [("ch_a", 3.1, False), ("ch_b", 2.72, False), ("ch_n", 7, False)]


def test_stated_all_checks_everything_before_gluing(monkeypatch):
    calls = []
    monkeypatch.setattr(glue, "_myst_glue", lambda name, v, display: calls.append(name))
    with pytest.raises(ValueError, match=r"values\['ch_bad'\]"):
        glue.stated_all({"ch_ok": 1.0, "ch_bad": float("nan")})
    with pytest.raises(ValueError, match="identifier"):
        glue.stated_all({"ch_ok": 1.0, "not a name": 2.0})
    with pytest.raises(ValueError, match="non-empty mapping"):
        glue.stated_all({})
    assert calls == []


def test_stated_all_falls_back_without_myst_nb(monkeypatch, capsys):
    monkeypatch.setattr(glue, "_myst_glue", None)
    glue.stated_all({"ch_y": (2.71828, 2), "ch_z": 1})
    out = capsys.readouterr().out
    assert "ch_y = 2.7" in out and "ch_z = 1" in out


def test_stated_rejects_bad_names():
    with pytest.raises(ValueError, match="name must be"):
        glue.stated("not a name", 1.0)


# --- rates -----------------------------------------------------------------
def test_descent_factor_minimum_and_admissible_interval():
    mu, K = 0.3, 2.0
    assert rates.descent_factor(mu, K, 1 / K) == pytest.approx(1 - mu / K)
    etas = np.linspace(0.01, 3.0, 300) / K
    q = rates.descent_factor(mu, K, etas)
    assert np.all(q[etas < 2 / K - 1e-9] < 1)
    assert np.all(q[etas > 2 / K + 1e-9] > 1)
    assert q.min() >= 1 - mu / K - 1e-12


@pytest.mark.parametrize(
    "mu,K,eta,match",
    [(0.0, 1.0, 0.1, "mu must be > 0"), (1.0, -1.0, 0.1, "K must be > 0"),
     (2.0, 1.0, 0.1, "mu must be <= K"), (0.5, 1.0, -0.1, "eta must be > 0"),
     (0.5, 1.0, [0.1, np.nan], "eta must have finite entries")],
)
def test_descent_factor_rejects_bad_input(mu, K, eta, match):
    with pytest.raises(ValueError, match=match):
        rates.descent_factor(mu, K, eta)


def test_pl_ratio():
    f = np.array([2.0, 1.0, 0.0])
    g2 = np.array([4.0, 1.0, 0.0])
    r = rates.pl_ratio(f, g2, 0.0)
    np.testing.assert_allclose(r[:2], [1.0, 0.5])
    assert np.isnan(r[2])
    assert rates.pl_ratio(3.0, 2.0, 1.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="grad_sq_norm must have the shape of f"):
        rates.pl_ratio(f, g2[:2])


# --- symbolic --------------------------------------------------------------
def test_is_identity_can_fail():
    x, y = sp.symbols("x y")
    assert symbolic.is_identity((x + y) ** 2, x**2 + 2 * x * y + y**2)
    assert not symbolic.is_identity((x + y) ** 2, x**2 + y**2)
    A, B = sp.symbols("A B", commutative=False)
    assert not symbolic.is_identity((A + B) ** 2, A**2 + 2 * A * B + B**2)
    assert symbolic.is_identity((A + B) ** 2, A**2 + A * B + B * A + B**2)


def test_gd_step_on_the_scalar_factorization_gives_the_imbalance_update():
    a, b, y, eta = sp.symbols("a b y eta", real=True)
    L = (a * b - y) ** 2 / 2
    d_plus = symbolic.after_step(a**2 - b**2, L, [a, b], eta)
    r = a * b - y
    assert symbolic.is_identity(d_plus, (1 - eta**2 * r**2) * (a**2 - b**2))
    assert symbolic.gradient(L, [a, b]) == [b * (a * b - y), a * (a * b - y)]
    with pytest.raises(ValueError, match="variables must not be empty"):
        symbolic.gradient(L, [])


def test_is_identity_on_matrix_symbols_and_explicit_matrices():
    n, h, m = 3, 4, 2
    W1, W2 = sp.MatrixSymbol("W1", n, h), sp.MatrixSymbol("W2", h, m)
    E = sp.MatrixSymbol("E", n, m)
    eta = sp.Symbol("eta")
    G1, G2 = E * W2.T, W1.T * E
    product = (W1 - eta * G1) * (W2 - eta * G2)
    T = W1 * W1.T * E + E * W2.T * W2
    assert symbolic.is_identity(product, W1 * W2 - eta * T + eta**2 * G1 * G2)
    assert not symbolic.is_identity(product, W1 * W2 - eta * T - eta**2 * G1 * G2)
    a = sp.Symbol("a")
    assert symbolic.is_identity(sp.Matrix([[a + a, 0]]), sp.Matrix([[2 * a, 0]]))
    assert not symbolic.is_identity(sp.Matrix([[a, 0]]), sp.Matrix([[0, a]]))


def test_bound_curve_with_a_constant_factor():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lplbook import plotting

    fig, ax = plt.subplots()
    line = plotting.bound_curve(ax, 2.0, 0.5, n_steps=4)
    np.testing.assert_allclose(line.get_ydata(), [2.0, 1.0, 0.5, 0.25, 0.125])
    line = plotting.bound_curve(ax, 2.0, [0.5, 0.1])
    np.testing.assert_allclose(line.get_ydata(), [2.0, 1.0, 0.1])
    with pytest.raises(ValueError, match="n_steps must be given"):
        plotting.bound_curve(ax, 2.0, 0.5)
    plt.close(fig)
