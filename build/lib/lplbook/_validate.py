"""Input checks shared by the public functions of :mod:`lplbook`.

Every public function validates its arguments here, so that bad input raises a
:class:`ValueError` that names the argument and states what was expected and what
was received (``"eta must be > 0, got -0.1"``). An object of the wrong kind (a loss
that is not a loss, an ``rng`` that is not a generator, ``ax`` that is not a matplotlib
Axes) raises :class:`WrongKind`, which is both a :class:`TypeError` and a
:class:`ValueError`.

What the array checks accept
----------------------------
Real arrays: float arrays of any precision, and integer and boolean arrays (converted to
``float``; ``True`` is 1.0), also as nested lists, and object arrays whose entries are all
real numbers (e.g. SymPy numbers). Complex arrays are rejected, never cast (a cast would
drop the imaginary part); so are strings, ``None`` and other objects. Scalars
(:func:`real_number`) accept Python and NumPy real numbers and 0-d real arrays, never
``bool``.
"""

from __future__ import annotations

import contextlib
import numbers

import numpy as np


class WrongKind(TypeError, ValueError):
    """An argument that is an object of the wrong kind (both a ``TypeError`` and a ``ValueError``)."""


def describe(value) -> str:
    """A short description of a received value for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if value is None or isinstance(value, (bool, numbers.Number, str)):
        return repr(value) if not isinstance(value, str) or len(value) < 40 else "a string"
    return f"an object of type {type(value).__name__}"


def real_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a float array, rejecting complex, string and object input.

    Integer and boolean arrays are converted to float; see the module docstring.
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a real array, got {describe(value)} ({exc})") from exc
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got a complex array (dtype {arr.dtype}, shape {arr.shape}); "
                         f"complex input is rejected, not cast")
    if kind == "O":
        flat = arr.ravel()
        if not all(isinstance(v, numbers.Real) for v in flat):
            bad = next(v for v in flat if not isinstance(v, numbers.Real))
            raise ValueError(f"{name} must be a real array, got an entry {describe(bad)}")
        return arr.astype(float)
    if kind not in "biuf":
        raise ValueError(f"{name} must be a real array, got {describe(value)}")
    return arr.astype(float, copy=False)


def matrix(name: str, value, *, ndim: int = 2) -> np.ndarray:
    """Return ``value`` as a finite float array with ``ndim`` dimensions.

    Raises
    ------
    ValueError
        If ``value`` is not real, has the wrong number of dimensions, is empty, or has a
        non-finite entry; the message names ``name``.
    """
    arr = real_array(name, value)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries only, got {_count_nonfinite(arr)} non-finite")
    return arr


def finite_array(name: str, value, *, allow_empty: bool = True) -> np.ndarray:
    """Return ``value`` as a finite float array of any shape (0-d allowed)."""
    arr = real_array(name, value)
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries only, got {_count_nonfinite(arr)} non-finite")
    return arr


def loss_history(name: str, value, *, inf_last_only: bool = False) -> np.ndarray:
    """Return ``value`` as a 1-d float array of losses: no NaN, no ``-inf``, not empty.

    ``+inf`` is allowed: :func:`lplbook.gd.run` records an overflowed loss as ``inf`` (the
    last entry of a diverged trace); with ``inf_last_only`` only the last entry may be ``inf``.
    """
    arr = real_array(name, value)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    bad = np.isnan(arr) | (arr == -np.inf)
    if inf_last_only:
        bad[:-1] |= np.isinf(arr[:-1])
    if bad.any():
        where = "a NaN or -inf entry" if not inf_last_only else "a NaN, or an inf before the last entry"
        raise ValueError(f"{name} must have finite entries (+inf allowed only as a diverged run's last "
                         f"loss), got {where} at position {int(np.flatnonzero(bad)[0])}")
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
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = real_array(name, value)[()]
    elif isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {describe(value)}")
    real = float(value)
    if np.isnan(real) or (np.isinf(real) and not allow_inf):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return real


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int after checking that it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= 1, got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def instance(name: str, value, cls, what: str):
    """Return ``value`` if it is an instance of ``cls``, else raise :class:`WrongKind` naming ``what``."""
    if not isinstance(value, cls):
        raise WrongKind(f"{name} must be {what}, got {describe(value)}")
    return value


def generator(name: str, value) -> np.random.Generator:
    """Return ``value`` if it is a ``numpy.random.Generator``."""
    if not isinstance(value, np.random.Generator):
        raise WrongKind(f"{name} must be a numpy.random.Generator, got {type(value).__name__}")
    return value


def function(name: str, value, what: str = "a callable"):
    """Return ``value`` if it is callable."""
    if not callable(value):
        raise WrongKind(f"{name} must be {what}, got {describe(value)}")
    return value


def axes(name: str, value):
    """Return ``value`` if it is a matplotlib ``Axes``."""
    from matplotlib.axes import Axes

    if not isinstance(value, Axes):
        raise WrongKind(f"{name} must be a matplotlib Axes, got {describe(value)}")
    return value


def loss_object(name: str, value, needed=("value_and_grad", "mu", "K", "min_value", "shape")):
    """Return ``value`` if it has the interface of a loss of :mod:`lplbook.losses`."""
    missing = [a for a in needed if not hasattr(value, a)]
    if missing or isinstance(value, (np.ndarray, numbers.Number, str)) or value is None:
        got = f"{type(value).__name__} without {', '.join(missing)}" if missing else describe(value)
        raise WrongKind(f"{name} must be a loss of lplbook.losses (with {', '.join(needed)}), got {got}")
    return value


def _count_nonfinite(arr: np.ndarray) -> int:
    return int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))


class overflow_guard(contextlib.ContextDecorator):
    """Turn a floating-point overflow on finite but huge input into a ``ValueError`` naming the inputs.

    Used as a decorator (or ``with`` block) on public functions that are not called inside the
    loop of :func:`lplbook.gd.run`: their body runs under ``np.errstate(over="raise",
    invalid="raise")``, and an overflow (NumPy's or Python's ``OverflowError``) raises
    ``ValueError("the inputs (W1, W2) are too large ...")`` instead of a ``RuntimeWarning`` and an
    ``inf``/``nan`` result. Nested ``np.errstate`` blocks inside the body keep their own settings;
    nothing changes for input that does not overflow.
    """

    def __init__(self, *names: str):
        self.names = ", ".join(names)
        self._states: list = []

    def __enter__(self):
        state = np.errstate(over="raise", invalid="raise")
        state.__enter__()
        self._states.append(state)
        return self

    def __exit__(self, kind, exc, tb):
        self._states.pop().__exit__(kind, exc, tb)
        if kind is not None and issubclass(kind, (FloatingPointError, OverflowError)):
            raise ValueError(f"the inputs ({self.names}) are too large: computing with them overflows "
                             f"float64 ({exc})") from exc
        return False
