"""The instructors' build of the site without solutions (``tools/build_without_solutions.py``).

The tool is run as the README and the course page document it, with ``--strict`` (the
``-W -n`` of the main build), into a temporary folder; its chapter pages are compared with the full
site of the ``built_site`` fixture: every exercise is still there, numbered alike, while no solution
block, no solution text and no solution check cell is left.
"""

from __future__ import annotations

import html as html_lib
import importlib.util
import re
import subprocess
import sys

import nbformat
import pytest
from notebook_tools import ROOT, read, toc_notebooks

_spec = importlib.util.spec_from_file_location("build_without_solutions", ROOT / "tools" / "build_without_solutions.py")
nosol = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nosol)

CHAPTERS = toc_notebooks()


@pytest.fixture(scope="module")
def site_without_solutions(tmp_path_factory):
    out = tmp_path_factory.mktemp("nosol") / "html"
    done = subprocess.run([sys.executable, "tools/build_without_solutions.py", "--strict", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert (out / "index.html").exists()
    return out


def _blocks(page: str, kind: str) -> list[str]:
    """The visible text of every sphinx-exercise block of ``kind`` (exercise or solution) on a page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    blocks = [div for div in soup.find_all("div", class_=kind) if "admonition" in div.get("class", [])]
    if kind == "solution":  # "Solution to Exercise 3 (its title)": the title is the exercise's
        for div in blocks:
            for title in div.find_all(class_="admonition-title"):
                title.decompose()
    return [" ".join(div.get_text(" ").split()) for div in blocks]


def _hidden_cells(page: str) -> int:
    return len(re.findall(r'class="cell [^"]*\btag_hide-cell\b', page))


def _snippets(text: str, n: int = 3, width: int = 40) -> list[str]:
    """A few long runs of plain words from a solution's text (what a reader would recognise)."""
    runs = [r.strip() for r in re.split(r"[^A-Za-z ,;'-]+", text) if len(r.strip()) >= width]
    return [r[:width] for r in runs[:n]]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_stay_and_solutions_go(path, site_without_solutions, built_site):
    _, full_html = built_site
    full = (full_html / "book" / f"{path.stem}.html").read_text()
    bare = (site_without_solutions / "book" / f"{path.stem}.html").read_text()
    exercises = _blocks(full, "exercise")
    assert exercises, f"{path.name}: the full site shows no exercise"
    assert _blocks(bare, "exercise") == exercises, "the exercises (and their numbers) are the full site's"
    solutions = _blocks(full, "solution")
    assert solutions, f"{path.name}: the full site shows no solution"
    assert _blocks(bare, "solution") == [] and 'class="solution' not in bare
    assert any(_snippets(solution) for solution in solutions), f"{path.name}: no solution text to look for"
    bare_text = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", bare)).split())
    for solution in solutions:
        for snippet in _snippets(solution):
            assert snippet not in bare_text, f"{path.name}: solution text {snippet!r} is on the page"
    removed = len(nosol.solution_cells(read(path)))
    assert _hidden_cells(full) - _hidden_cells(bare) == removed, "the solutions' check cells are gone, nothing else"


def test_the_sources_are_untouched(site_without_solutions):
    assert "hide_solutions" not in (ROOT / "_config.yml").read_text()


def test_solution_cells_are_the_hidden_cells_after_a_solution():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    hidden = {"tags": ["hide-cell"]}
    nb = nbformat.v4.new_notebook(cells=[
        md("# Title"), code("x = 1", metadata=hidden),                       # 1: not a solution
        md("```{exercise} Computation: x\n:label: e\n```\n\n```{solution} e\n:class: dropdown\nSee below.\n```"),
        code("assert x == 1", metadata=hidden),                               # 3: the check cell
        code("visible = 2"),                                                  # 4: not hidden
        code("# Glue: more\n", metadata=hidden),                             # 5: still the solution's
        md("## Summary"), code("y = 2", metadata=hidden),                    # 7: after the next markdown
    ])
    assert nosol.solution_cells(nb) == [3, 5]
