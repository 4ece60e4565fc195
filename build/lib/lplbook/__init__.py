"""lplbook: the helper package of the course text *Why gradient descent converges
linearly on overparametrized models*.

Modules are named for mathematical objects: :mod:`~lplbook.losses`,
:mod:`~lplbook.rates`, :mod:`~lplbook.twolayer`, :mod:`~lplbook.deeplinear`, :mod:`~lplbook.gd`,
:mod:`~lplbook.symbolic`, :mod:`~lplbook.plotting`, :mod:`~lplbook.glue` and
:mod:`~lplbook.explore`.

Every public function checks its input at the boundary: bad input raises a ``ValueError``
that names the argument, says what was expected and shows what was received (an object of
the wrong kind, such as a loss that is not a loss, raises an error that is both a
``TypeError`` and a ``ValueError``). Arrays may be float, integer or boolean (converted to
float); complex arrays, strings and ``None`` are rejected, never cast. Gradient descent that
blows up ends with the status ``"diverged"``, without warnings.
"""

from . import criterion, data, deeplinear, explore, gd, glue, losses, networks, plotting, rates, symbolic, twolayer

__version__ = "0.1.0"

__all__ = [
    "criterion", "data", "deeplinear", "explore", "gd", "glue", "losses", "networks", "plotting", "rates", "symbolic", "twolayer", "__version__",
]
