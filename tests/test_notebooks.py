"""Notebook hygiene: what nbval checks must be there to check.

nbval compares stored outputs with fresh ones, so a cell without stored outputs is
never compared and an unexecuted notebook passes vacuously. These tests make sure
every chapter in `_toc.yml` was executed top to bottom with no error or warning,
that every number the prose states is glued, and that no cell opts out of nbval
without a reason.
"""

import re

import pytest
from notebook_tools import NBVAL_MARKERS, ROOT, glued_names, read, toc_notebooks, used_glue_names

NOTEBOOKS = toc_notebooks()
IDS = [p.name for p in NOTEBOOKS]


def test_the_toc_has_the_chapters():
    assert len(NOTEBOOKS) >= 2
    for path in NOTEBOOKS:
        assert path.parent == ROOT / "book"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_ran_in_order_with_outputs(path):
    nb = read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, "a chapter without code cells has nothing for nbval to check"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"cells not executed in order: {counts}"
    with_output = sum(bool(c.outputs) for c in code)
    assert with_output >= len(code) // 2, "most code cells must have stored outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_error_warning_or_stderr_output(path):
    for i, cell in enumerate(read(path).cells):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell {i} raised {out.get('ename')}"
            if out.output_type == "stream":
                assert out.name == "stdout", f"cell {i} wrote to {out.name}: {out.text[:200]!r}"
                text = out.text
            else:
                text = str(out.get("data", {}).get("text/plain", ""))
            assert "Warning" not in text and "warn(" not in text, f"cell {i} warns: {text[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_glue_name_in_prose_is_glued_once(path):
    nb = read(path)
    glued = glued_names(nb)
    used = used_glue_names(nb)
    assert used, "a chapter states no computed number"
    missing = used - set(glued)
    assert not missing, f"used in prose but never glued: {sorted(missing)}"
    duplicated = sorted({n for n in glued if glued.count(n) > 1})
    assert not duplicated, f"glued more than once: {duplicated}"
    prefix = path.stem.split("_")[0]  # ch01 -> glue names start with ch1_
    expected = "ch" + str(int(prefix[2:])) + "_"
    assert all(n.startswith(expected) for n in glued), f"glue names must start with {expected}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_cell_opts_out_of_nbval_without_a_reason(path):
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        marked = tags & set(NBVAL_MARKERS) or re.search(r"#\s*NBVAL_", cell.source)
        if marked:
            assert re.search(r"#\s*volatile:\s*\S+", cell.source), (
                f"cell {i} is excluded from nbval without a '# volatile: <why>' comment"
            )


_HIDDEN = {"hide-cell", "hide-input", "remove-cell"}
_STATED = re.compile(r"\bstated(?:_all)?\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_bookkeeping_lives_in_hidden_glue_cells(path):
    """A visible code cell does one thing; stating numbers goes to glue cells the reader can skip.

    Cells shown on the site and expanded in Binder state at most two numbers; longer bookkeeping sits
    in cells tagged ``hide-cell`` (folded on the site, collapsed in the Binder and Colab copies) that
    open with a ``# Glue:`` comment saying what they state.
    """
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "code":
            continue
        calls = len(_STATED.findall(cell.source))
        entries = len(re.findall(r"^\s*f?\"ch\w*\"\s*:", cell.source, re.M))  # names in a stated_all dict
        if set(cell.metadata.get("tags", [])) & _HIDDEN:
            if "stated_all(" in cell.source:
                assert cell.source.startswith("# Glue:"), f"{path.name}, glue cell {i} must open with '# Glue: ...'"
            continue
        assert max(calls, entries) <= 2, (
            f"{path.name}, code cell {i} is visible and states {max(calls, entries)} numbers: use a glue cell"
        )


_MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`]*`|\(\w[\w-]*\)=|\[[^\]]*\]\([^)]*\)",
                           re.DOTALL)
_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_prose_types_no_decimal_numbers(path):
    """Computed numbers reach the prose through glue; a typed decimal is suspect."""
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type == "markdown":
            prose = _MATH_OR_CODE.sub(" ", cell.source)
            found = _DECIMAL.findall(prose)
            assert not found, f"markdown cell {i} types the numbers {found}; glue them"


_EXERCISE = re.compile(r"```\{exercise\}[^\n]*\n:label: ([\w-]+)")
_SOLUTION = re.compile(r"```\{solution\} ([\w-]+)\n:class: dropdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_with_hidden_solutions_and_a_checked_computation(path):
    nb = read(path)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises = set(_EXERCISE.findall(markdown))
    solutions = set(_SOLUTION.findall(markdown))
    assert len(exercises) >= 2, f"{path.name} has {len(exercises)} exercises, needs at least 2"
    assert exercises <= solutions, f"exercises without a hidden (dropdown) solution: {exercises - solutions}"
    hidden_checks = [c for c in nb.cells if c.cell_type == "code"
                     and "hide-cell" in c.metadata.get("tags", []) and "assert" in c.source]
    assert hidden_checks, f"{path.name} has no computational exercise checked by a hidden cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_cell_is_the_colab_setup_for_the_configured_repository(path):
    """The first cell installs lplbook in Colab from `_config.yml`'s repository and branch."""
    from notebook_tools import refresh

    first = read(path).cells[0]
    assert first.cell_type == "code"
    assert first.source == refresh.colab_setup_source(ROOT), (
        "the Colab cell does not match _config.yml's repository; run `python tools/refresh.py`")
    assert first.metadata.get("tags") == ["remove-cell"]
    assert first.outputs == []  # outside Colab it does nothing and prints nothing


def _run_colab_cell(monkeypatch, in_colab: bool):
    import subprocess
    import sys
    import types

    from notebook_tools import refresh

    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    if in_colab:
        google = types.ModuleType("google")
        google.__path__ = []
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.setitem(sys.modules, "google.colab", None)  # import raises ImportError
    exec(refresh.colab_setup_source(ROOT), {})
    return calls


def test_colab_cell_installs_the_package_only_in_colab(monkeypatch):
    from notebook_tools import refresh

    url, branch = refresh.repository(ROOT)
    assert url.startswith("https://github.com/") and branch == "main"
    assert _run_colab_cell(monkeypatch, in_colab=False) == []
    (args, kwargs), = _run_colab_cell(monkeypatch, in_colab=True)
    command = args[0]
    assert command[1:4] == ["-m", "pip", "install"]
    assert command[-1] == f"lplbook @ git+{url}@{branch}"
    assert kwargs == {"check": True}
