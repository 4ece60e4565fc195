"""Stated numbers: every number the book's prose states is computed, rounded and glued.

``stated(name, value, digits)`` rounds ``value`` to a plain Python number (never a
NumPy scalar, whose ``np.float64(...)`` text breaks the book build), glues it with
MyST-NB under ``name`` so that the prose shows it with ``{glue:text}`name```, and
returns it. ``stated_all({name: value or (value, digits), ...})`` does the same for several
numbers in one call, so that the bookkeeping of a chapter sits in a few hidden glue cells
instead of spreading through the cells a reader follows. Where MyST-NB is not installed (Colab), it displays ``name = value``
instead, so a notebook runs everywhere. nbval compares the glued text of every
stated number, so a changed number fails the tests.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _validate

try:  # MyST-NB is there when the book is built or tested, not in Colab
    from myst_nb import glue as _myst_glue
except ImportError:  # pragma: no cover - exercised by the fallback test
    _myst_glue = None


def rounded(value, digits: int | None = 4):
    """Round ``value`` to ``digits`` significant digits as a plain Python number (chapter 1 on).

    Integers (Python or NumPy) stay ``int`` and are not rounded; booleans stay
    ``bool``. ``digits=None`` keeps a float as it is (converted to ``float``).

    Raises
    ------
    ValueError
        If ``value`` is not a real number, is not finite, or ``digits`` < 1.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    real = _validate.real_number("value", value)
    if digits is None:
        return real
    digits = _validate.positive_int("digits", digits)
    if real == 0:
        return 0.0
    out = float(f"{real:.{digits}g}")
    return 0.0 if out == 0 else out  # no "-0.0"


def stated(name: str, value, digits: int | None = 4):
    """Round ``value`` (see :func:`rounded`), glue it as ``name`` and return it (chapter 1 on).

    Parameters
    ----------
    name : str
        Glue key used in the prose as ``{glue:text}`name```.
    value : int, float or bool
        The computed number.
    digits : int or None
        Significant digits kept; pick the precision that is stable across
        machines and BLAS kernels.

    Returns
    -------
    int, float or bool
        The rounded plain Python number that was glued.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier-like string, got {name!r}")
    number = rounded(value, digits)
    if _myst_glue is not None:
        _myst_glue(name, number, display=False)
    else:
        _plain_display(name, number)
    return number


def stated_all(values, digits: int | None = 4) -> dict:
    """State several numbers in one call: round, glue and return each of them (chapter 1 on).

    Parameters
    ----------
    values : mapping
        Maps each glue name to the computed number, or to a pair ``(number, digits)`` that
        overrides ``digits`` for that name. Names are glued in the mapping's order.
    digits : int or None
        Significant digits kept for the names that do not give their own (see :func:`rounded`).

    Returns
    -------
    dict
        The glued names mapped to the rounded plain Python numbers.

    Raises
    ------
    ValueError
        If ``values`` is not a non-empty mapping, a name is not identifier-like, or a value
        (or its ``digits``) is not accepted by :func:`rounded`; nothing is glued then.

    Examples
    --------
    >>> out = stated_all({"ch1_eta": (0.123456, 2), "ch1_steps": 40})  # doctest: +SKIP
    """
    if not hasattr(values, "items") or not values:
        raise ValueError(f"values must be a non-empty mapping of glue names to numbers, got {values!r}")
    rounded_values = {}
    for name, entry in values.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"values: every name must be an identifier-like string, got {name!r}")
        value, own_digits = entry if isinstance(entry, tuple) and len(entry) == 2 else (entry, digits)
        try:
            rounded_values[name] = rounded(value, own_digits)
        except ValueError as err:
            raise ValueError(f"values[{name!r}]: {err}") from None
    for name, number in rounded_values.items():
        if _myst_glue is not None:
            _myst_glue(name, number, display=False)
        else:
            _plain_display(name, number)
    return rounded_values


def _plain_display(name: str, number) -> None:
    try:
        from IPython.display import display

        display(f"{name} = {number}")
    except ImportError:  # pragma: no cover - plain Python
        print(f"{name} = {number}")


__all__ = ["rounded", "stated", "stated_all"]

