"""Issue 15: a battery of bad inputs over every public function, class and method of lplbook.

Each public callable (enumerated with :mod:`inspect`) gets a valid call from ``battery.SPECS``;
each of its arguments is then replaced, one at a time, by a bad input of every kind that applies
(complex, NaN, inf, wrong shape, wrong type, None, empty, negative). Every call must raise a
``ValueError`` or ``TypeError`` whose message names the argument, or be an input the callable
legitimately accepts, listed with its reason in ``battery.ACCEPTED``. No call may return
silently, raise an unrelated exception, warn, or modify its inputs.
"""

import collections

import numpy as np
import pytest
from battery import ACCEPTED, KINDS, NOT_A_BOUNDARY, SPECS, call, cases, classify, parameters, public_callables

#: Parameters the battery leaves alone, with the reason.
UNTESTED = {
    "check": "the engine's switch (gd.run passes check=False inside its loop); not data",
    "kwargs": "passed on to matplotlib unchanged",
    "_cache": "a private field",
}
#: Specs that cover one path of a callable whose other arguments another spec covers.
PARTIAL = {"gd.run[factors]": "the tuple-of-factors path; gd.run's spec covers the other arguments"}

CASES = cases()


def _base(name):
    return name.split("[")[0]


def test_every_public_callable_has_a_valid_call_or_a_reason():
    names = public_callables()
    assert len(names) >= 110
    missing = [n for n in names if n not in SPECS and n not in NOT_A_BOUNDARY]
    assert missing == []
    stale = [n for n in list(SPECS) + list(NOT_A_BOUNDARY) if _base(n) not in names]
    assert stale == []
    assert all(reason for reason in NOT_A_BOUNDARY.values())


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_argument_is_exercised(name):
    given = set(SPECS[name][1]())
    missing = [p for p in parameters(_base(name)) if p not in given and p not in UNTESTED]
    assert missing == [] or name in PARTIAL


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_valid_call_succeeds_quietly(name):
    make_fn, make_kwargs = SPECS[name]
    _, exc, caught, mutated = call(name, make_fn(), make_kwargs(), None)
    assert exc is None and caught == [] and mutated == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_bad_inputs_are_rejected_by_name(name):
    outcomes = [classify(*case) for case in CASES if case[0] == name]
    bad = [o for o in outcomes if o.result not in ("rejected", "accepted")]
    assert bad == []


def test_battery_totals():
    outcomes = [classify(*case) for case in CASES]
    totals = collections.Counter(o.result for o in outcomes)
    print(f"\nbattery: {len(outcomes)} calls over {len(SPECS)} callables: {dict(totals)}")
    for kind in ("silent", "unrelated", "warned", "mutated"):
        assert totals[kind] == 0, kind
    assert totals["rejected"] >= 1800
    assert {o.kind for o in outcomes} == set(KINDS)
    # every allowance is used, and says why
    used = {(o.name, o.param, o.kind) for o in outcomes if o.result == "accepted"}
    listed = {(n, p, k) for (n, p), kinds in ACCEPTED.items() for k in kinds}
    assert listed == used
    assert all(reason for kinds in ACCEPTED.values() for reason in kinds.values())


def test_inputs_are_never_modified_by_a_valid_call():
    for name, (make_fn, make_kwargs) in SPECS.items():
        kwargs = make_kwargs()
        before = {k: v.copy() for k, v in kwargs.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
        call(name, make_fn(), kwargs, None)
        for k, v in before.items():
            assert np.array_equal(kwargs[k], v), (name, k)
