r"""SymPy helpers for the book's derivations.

The derivations themselves live in the chapters; these helpers only remove
boilerplate: the gradient, one symbolic gradient step, and an identity check
that the chapters ``assert``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp


def _expr(name, value):
    """``value`` as a SymPy object (numbers, including complex ones, are SymPy numbers), else ValueError."""
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    try:
        return sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a SymPy expression or number, got {type(value).__name__}") from exc


def _variables(variables) -> list:
    if isinstance(variables, (str, sp.Basic)) or not hasattr(variables, "__iter__"):
        raise ValueError(f"variables must be a sequence of SymPy symbols, got {type(variables).__name__}")
    variables = list(variables)
    if len(variables) == 0:
        raise ValueError("variables must not be empty")
    for k, v in enumerate(variables):
        if not isinstance(v, sp.Basic):
            raise ValueError(f"variables[{k}] must be a SymPy symbol, got {type(v).__name__}")
    return variables


def is_identity(lhs, rhs) -> bool:
    """True when ``lhs - rhs`` simplifies to zero (used as ``assert is_identity(...)``, chapter 1 on).

    Works for scalar expressions (commutative or not), explicit SymPy matrices (entry by
    entry) and ``MatrixSymbol`` expressions (expanded to a canonical sum, which must be the
    zero matrix).
    """
    diff = _expr("lhs", lhs) - _expr("rhs", rhs)
    if isinstance(diff, sp.MatrixBase):  # explicit matrices, entry by entry
        return all(sp.simplify(sp.expand(entry)) == 0 for entry in diff)
    if isinstance(diff, sp.MatrixExpr):  # MatrixSymbol algebra: expand to a canonical sum
        shape = diff.shape
        diff = sp.expand(diff).doit()
        return diff == 0 or bool(getattr(diff, "is_ZeroMatrix", False)) or diff == sp.ZeroMatrix(*shape)
    return sp.simplify(sp.expand(diff)) == 0


def gradient(f, variables: Sequence[sp.Symbol]) -> list:
    r"""The gradient :math:`(\partial f/\partial v)_{v}` as a list (chapters 2, 3 and 8)."""
    f = _expr("f", f)
    return [sp.diff(f, v) for v in _variables(variables)]


def gd_step(f, variables: Sequence[sp.Symbol], eta) -> dict:
    r"""One gradient step :math:`v \mapsto v - \eta\,\partial f/\partial v` as a substitution.

    Returns a mapping ``{v: v - eta * df/dv}`` for use with ``expr.subs(...,
    simultaneous=True)`` (chapter 2 applies it to the imbalance).
    """
    variables = _variables(variables)
    eta = _expr("eta", eta)
    return {v: v - eta * g for v, g in zip(variables, gradient(f, variables))}


def after_step(expr, f, variables: Sequence[sp.Symbol], eta):
    r"""``expr`` evaluated after one gradient step on ``f`` (chapter 2)."""
    return _expr("expr", expr).subs(gd_step(f, variables, eta), simultaneous=True)
