"""Notebook hygiene: what nbval checks must be there to check.

nbval compares stored outputs with fresh ones, so a cell without stored outputs is
never compared and an unexecuted notebook passes vacuously. These tests make sure
every chapter in `_toc.yml` was executed top to bottom with no error or warning,
that every number the prose states is glued, and that no cell opts out of nbval
without a reason.
"""

import copy
import re

import nbformat
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
    assert len(exercises) >= 3, f"{path.name} has {len(exercises)} exercises, needs at least 3"
    assert exercises <= solutions, f"exercises without a hidden (dropdown) solution: {exercises - solutions}"
    hidden_checks = [c for c in nb.cells if c.cell_type == "code"
                     and "hide-cell" in c.metadata.get("tags", []) and "assert" in c.source]
    assert hidden_checks, f"{path.name} has no computational exercise checked by a hidden cell"


# --- a course text: objectives, exercises by kind, every reference cited ---------------------------
_ADMONITION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{admonition\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)
_EXERCISE_TITLE = re.compile(r"^(?:`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>[^\n]*)\n:label:[ \t]*(?P<label>\S+)", re.M)
EXERCISE_KINDS = ("Proof: ", "Computation: ", "Exploration: ")
_NOTATION_LINK = re.compile(r"\{doc\}`(?:[^`<]*<)?/?(?:book/)?notation>?`")


def admonitions(markdown: str) -> dict[str, str]:
    """``title -> body`` of the ``{admonition}`` blocks of a markdown text (options stripped)."""
    found = {}
    for match in _ADMONITION.finditer(markdown):
        body = "\n".join(line for line in match["body"].splitlines() if not re.match(r"^:[\w-]+:", line))
        found[match["title"].strip()] = body
    return found


def objectives_problems(nb) -> list[str]:
    """What is wrong with the chapter's opening: right after its first markdown cell, one markdown cell
    with "What you will learn" (3 to 5 top-level items) and "What you need" (linking the notation page)."""
    cells = nb.cells
    first = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"), None)
    if first is None or first + 1 >= len(cells) or cells[first + 1].cell_type != "markdown":
        return ["no markdown cell right after the first markdown cell"]
    found = admonitions(cells[first + 1].source)
    problems = []
    learn, need = found.get("What you will learn"), found.get("What you need")
    if learn is None:
        problems.append("no 'What you will learn' admonition")
    else:
        items = len(re.findall(r"^[-*] \S", learn, re.M))
        if not 3 <= items <= 5:
            problems.append(f"'What you will learn' has {items} items, needs 3 to 5")
    if need is None:
        problems.append("no 'What you need' admonition")
    elif not _NOTATION_LINK.search(need):
        problems.append("'What you need' does not link the notation page ({doc}`notation`)")
    return problems


def exercise_problems(nb) -> list[str]:
    """At least three exercises, each title starting with its kind."""
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    titles = {m["label"]: m["title"].strip() for m in _EXERCISE_TITLE.finditer(markdown)}
    problems = [f"exercise {label} is titled {title!r}: start with one of {EXERCISE_KINDS}"
                for label, title in titles.items() if not title.startswith(EXERCISE_KINDS)]
    if len(titles) < 3:
        problems.append(f"{len(titles)} exercises, needs at least 3")
    return problems


_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")


def cited_keys(text: str) -> set[str]:
    """The keys of every ``{cite}``/``{cite:t}``/``{cite:p}`` in a text (``{pre}KEY{post}`` items)."""
    keys = set()
    for content in _CITE.findall(text):
        for item in content.split(","):
            keys.add(re.sub(r"\{[^{}]*\}", "", item).strip())
    return keys - {""}


def bibliography_keys() -> list[str]:
    import pybtex.database

    return list(pybtex.database.parse_file(ROOT / "book" / "references.bib").entries)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_opens_with_what_you_will_learn_and_what_you_need(path):
    problems = objectives_problems(read(path))
    assert problems == [], f"{path.name}: {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_at_least_three_exercises_each_titled_by_its_kind(path):
    problems = exercise_problems(read(path))
    assert problems == [], f"{path.name}: {problems}"


def test_every_bibliography_entry_is_cited_in_the_book():
    """Each entry of references.bib is cited by a chapter or the introduction (the references page
    lists them; it does not count)."""
    text = (ROOT / "book" / "intro.md").read_text()
    for path in NOTEBOOKS:
        text += "\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")
    cited = cited_keys(text)
    keys = bibliography_keys()
    assert len(keys) >= 20
    assert sorted(set(keys) - cited) == [], "entries of book/references.bib that nothing cites"
    assert sorted(cited - set(keys)) == [], "citations of keys that are not in book/references.bib"


def test_the_course_checks_catch_a_chapter_that_breaks_them():
    """The three checks above, on synthetic chapters: a good one passes, each defect is named."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    learn = "```{admonition} What you will learn\n:class: tip\n- derive a\n- compute b\n- decide c\n```"
    need = ("```{admonition} What you need\n:class: note\n- {doc}`Chapter 1 <ch01_pl_descent>`\n"
            "- The symbols are listed on the {doc}`notation page <notation>`.\n```")
    exercises = "\n\n".join(f"```{{exercise}} {kind}title {i}\n:label: ex-{i}\n\nText.\n```"
                             for i, kind in enumerate(EXERCISE_KINDS))
    good = nbformat.v4.new_notebook(cells=[code("# Colab set-up"), md("# Title\n\nIntro."),
                                           md(learn + "\n\n" + need), md(exercises)])
    assert objectives_problems(good) == [] and exercise_problems(good) == []

    bad = copy.deepcopy(good)
    no_link = need.replace("notation page <notation>", "x <ch02>")
    bad.cells[2].source = learn.replace("- decide c\n", "") + "\n\n" + no_link
    assert objectives_problems(bad) == ["'What you will learn' has 2 items, needs 3 to 5",
                                        "'What you need' does not link the notation page ({doc}`notation`)"]
    bad.cells.insert(2, md("Another cell first."))
    assert objectives_problems(bad) == ["no 'What you will learn' admonition", "no 'What you need' admonition"]
    bad.cells[4].source = exercises.replace("Proof: ", "").rsplit("\n\n```{exercise}", 1)[0]
    assert exercise_problems(bad) == ["exercise ex-0 is titled 'title 0': start with one of "
                                      f"{EXERCISE_KINDS}", "2 exercises, needs at least 3"]
    assert cited_keys("{cite:t}`XMTMV25{Thm 3.1}` and {cite:p}`{see}MTVM21,XMTMV23` {cite}`Cha22`") == {
        "XMTMV25", "MTVM21", "XMTMV23", "Cha22"}


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
