"""lplbook: the helper package of the course text *Why gradient descent converges
linearly on overparametrized models*.

Modules are named for mathematical objects: :mod:`~lplbook.losses`,
:mod:`~lplbook.rates`, :mod:`~lplbook.twolayer`, :mod:`~lplbook.deeplinear`, :mod:`~lplbook.gd`,
:mod:`~lplbook.symbolic`, :mod:`~lplbook.plotting`, :mod:`~lplbook.glue` and
:mod:`~lplbook.explore`.
"""

from . import criterion, data, deeplinear, explore, gd, glue, losses, networks, plotting, rates, symbolic, twolayer

__version__ = "0.1.0"

__all__ = [
    "criterion", "data", "deeplinear", "explore", "gd", "glue", "losses", "networks", "plotting", "rates", "symbolic", "twolayer", "__version__",
]
