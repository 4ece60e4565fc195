"""Input checks shared by the public functions of :mod:`lplbook`.

Every public function validates its arguments here, so that bad input raises a
:class:`ValueError` that names the argument and states what was expected and what
was received (``"eta must be > 0, got -0.1"``).
"""

from __future__ import annotations

import numbers

import numpy as np


def matrix(name: str, value, *, ndim: int = 2) -> np.ndarray:
    """Return ``value`` as a finite float array with ``ndim`` dimensions.

    Raises
    ------
    ValueError
        If ``value`` has the wrong number of dimensions, is empty, or has a
        non-finite entry; the message names ``name``.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real array, got {type(value).__name__}") from exc
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries only, got {_count_nonfinite(arr)} non-finite")
    return arr


def finite_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a finite float array of any shape (0-d allowed)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real array, got {type(value).__name__}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries only, got {_count_nonfinite(arr)} non-finite")
    return arr


def shape(name: str, arr: np.ndarray, expected: tuple) -> None:
    """Check ``arr.shape == expected``; ``None`` in ``expected`` matches any size."""
    ok = arr.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, arr.shape))
    if not ok:
        shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {shown}, got {arr.shape}")


def positive(name: str, value, *, allow_inf: bool = False) -> float:
    """Return ``value`` as a float after checking that it is a real number > 0."""
    real = real_number(name, value, allow_inf=allow_inf)
    if not real > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return real


def nonnegative(name: str, value) -> float:
    """Return ``value`` as a float after checking that it is a finite real number >= 0."""
    real = real_number(name, value)
    if not real >= 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return real


def real_number(name: str, value, *, allow_inf: bool = False) -> float:
    """Return ``value`` as a float after checking that it is a real (finite) number."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        if not (isinstance(value, np.ndarray) and value.ndim == 0):
            raise ValueError(f"{name} must be a real number, got {value!r}")
    real = float(value)
    if np.isnan(real) or (np.isinf(real) and not allow_inf):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return real


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int after checking that it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _count_nonfinite(arr: np.ndarray) -> int:
    return int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
