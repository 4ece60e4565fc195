"""The Binder and Colab copies of the chapters (``tools/plain_notebooks.py``) read like the site.

The converter runs exactly as the README and Binder's ``postBuild`` run it
(``python tools/plain_notebooks.py --out DIR``); the Colab copy reuses the numbering of the
``-W -n`` build of ``built_site``. The tests check, chapter by chapter, that

* no MyST construct is left in any markdown cell (roles, directives, targets, ``:label:``);
* every number the chapter glues reaches the text, with the digits the site shows;
* theorem, lemma, …, exercise and equation numbers and the text of every cross-reference and
  citation are the ones the built site shows for the same anchors;
* code cells are unchanged, the Colab set-up cell is only in the Colab copy, hidden cells are
  collapsed, and a converted chapter passes nbval against its stored outputs in a fresh kernel.
"""

from __future__ import annotations

import html as html_lib
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest
from notebook_tools import ROOT, plain_notebooks, read, toc_notebooks

RAW_MYST = re.compile(
    r"\{glue|\{prf:|\{eq\}|\{cite|\{doc\}|\{ref\}|\{numref\}|^\([\w-]+\)=\s*$|^\s*(?:`{3,}|:{3,})\{|:label:",
    re.M,
)
NB_LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]*)\)")
_AUTHORS = r"[^\W\d_][\w'-]*(?: and [^\W\d_][\w'-]*| \*et al\.\*)?"
_YEAR = r"\[\d{4}\]\(#bib-[^)]+\)"
CITATION = re.compile(  # [Xu *et al.*, [2025](#bib-XMTMV25), Thm 3.2] or Xu *et al.* [[2025](#bib-XMTMV25)]
    rf"\[{_AUTHORS}, {_YEAR}[^\[\]]*?(?:, {_AUTHORS}, {_YEAR}[^\[\]]*?)*\]|{_AUTHORS} \[{_YEAR}[^\[\]]*\]"
)


@pytest.fixture(scope="session")
def colab_copy(tmp_path_factory, built_site):
    _, html = built_site
    out = tmp_path_factory.mktemp("colab")
    plain_notebooks.convert_book(out, "colab", ROOT, doctrees=html.parent / ".doctrees")
    return out


def _markdown(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]


def _site_text(fragment: str) -> str:
    """Visible text of an HTML fragment, with <em> as markdown emphasis (as the copies write it)."""
    fragment = re.sub(r"</?em>", "*", fragment)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _md_text(markdown: str) -> str:
    """Visible text of converted markdown: links replaced by their text."""
    return re.sub(r"\s+", " ", NB_LINK.sub(r"\1", markdown)).strip()


CHAPTERS = toc_notebooks()


def test_every_chapter_is_written_for_both_targets(binder_copy, colab_copy):
    for path in CHAPTERS:
        assert (binder_copy / path.name).exists() and (colab_copy / path.name).exists()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_is_left_and_every_glued_number_is_in_the_text(path, binder_copy, colab_copy):
    source = read(path)
    glued = plain_notebooks.glued_values(source)
    for copy_dir in (binder_copy, colab_copy):
        converted = read(copy_dir / path.name)
        for i, text in enumerate(_markdown(converted)):
            found = RAW_MYST.findall(text)
            assert not found, f"{copy_dir.name}/{path.name}, markdown cell {i}: raw MyST {found}"
            assert not re.search(r"\\R(?![A-Za-z])", text), f"{path.name}, markdown cell {i}: the site macro \\R"
        # markdown cells correspond one to one (the copy adds a references cell at the end)
        pairs = zip(_markdown(source), _markdown(converted))
        for i, (before, after) in enumerate(pairs):
            for key, fmt in re.findall(r"\{glue(?::text)?\}`([^`:]+):?([^`]*)`", before):
                from myst_nb.core.variables import format_plain_text

                value = format_plain_text(glued[key], fmt)
                assert value in after, f"{path.name}, markdown cell {i}: {key} = {value} is missing"


def _site_links(page: str) -> dict[str, set[str]]:
    """anchor -> the texts of the site's internal links to it on one page."""
    links: dict[str, set[str]] = {}
    for href, inner in re.findall(r'<a class="reference internal" href="([^"]*#[^"]+)"[^>]*>(.*?)</a>', page, re.S):
        links.setdefault(href.split("#", 1)[1], set()).add(_site_text(inner))
    return links


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_references_read_as_on_the_site(path, binder_copy, built_site):
    """Every link of the copy to an equation, a numbered block or an exercise has the site's text."""
    _, html = built_site
    page = (html / "book" / f"{path.stem}.html").read_text()
    site = _site_links(page)
    converted = read(binder_copy / path.name)
    checked = 0
    for text in _markdown(converted):
        for label, target in NB_LINK.findall(text):
            if "#" not in target or target.startswith("#bib-") or target.startswith("http"):
                continue
            anchor = target.split("#", 1)[1]
            if re.fullmatch(r"\(\d+\)|(Theorem|Lemma|Proposition|Corollary|Definition|Remark|Exercise) \d+", label):
                assert anchor in site, f"{path.name}: the site has no link to #{anchor}"
                assert label in site[anchor], f"{path.name}: {label!r} for #{anchor}, the site shows {site[anchor]}"
                checked += 1
    assert checked > 0 or path.stem in ("ch11_explore",), f"{path.name}: no numbered reference was checked"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_block_and_equation_numbers_are_the_sites(path, binder_copy, built_site):
    _, html = built_site
    page = (html / "book" / f"{path.stem}.html").read_text()
    converted = "\n".join(_markdown(read(binder_copy / path.name)))
    blocks = re.findall(r'<a id="([^"]+)"></a>\s*\n\s*\n> \*\*(\w+(?: \d+)?)\*\*', converted)
    for anchor, head in blocks:
        match = re.search(rf'id="{re.escape(anchor)}".*?<span class="caption-number">([^<]*)</span>', page, re.S)
        assert match, f"{path.name}: no numbered block #{anchor} on the site"
        assert match[1].strip() == head, f"{path.name}: #{anchor} is {head!r} here, {match[1].strip()!r} on the site"
    equations = re.findall(r'<a id="(equation-[^"]+)"></a>\s*\n>?\s*\n(?:> )?\s*\$\$.*?\\tag\{(\d+)\}', converted, re.S)
    for anchor, number in equations:
        match = re.search(rf'<span class="eqno">\(({number})\)<a class="headerlink" href="#{re.escape(anchor)}"', page)
        assert match, f"{path.name}: equation #{anchor} is ({number}) here, not on the site"
    source = "\n".join(_markdown(read(path)))
    assert len(blocks) == len(re.findall(r"\{(?:prf:(?!proof)\w+|exercise)\}[^\n]*\n:label:", source))
    assert len(equations) == len(re.findall(r"\$\$\s*\([^()\s]+\)\s*$", source, re.M))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_citations_read_as_on_the_site(path, binder_copy, built_site):
    _, html = built_site
    page = (html / "book" / f"{path.stem}.html").read_text()
    site = sorted(_site_text(c) for c in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', page, re.S))
    converted = read(binder_copy / path.name)
    ours = [_md_text(m.group(0)) for text in _markdown(converted) for m in CITATION.finditer(text)]
    assert sorted(ours) == site
    if site:
        references = _markdown(converted)[-1]
        assert references.startswith("## References")
        for key in set(re.findall(r"#bib-([\w-]+)", "\n".join(_markdown(converted)))):
            assert f'<a id="bib-{key}"></a>' in references


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_kept_and_hidden_cells_collapsed(path, binder_copy, colab_copy):
    source = [c for c in read(path).cells if c.cell_type == "code"]
    colab_cell = [c for c in source if c.source.startswith(plain_notebooks.COLAB_MARKER)]
    assert len(colab_cell) == 1
    for copy_dir, expected in ((binder_copy, [c for c in source if c not in colab_cell]), (colab_copy, source)):
        code = [c for c in read(copy_dir / path.name).cells if c.cell_type == "code"]
        assert [c.source for c in code] == [c.source for c in expected]
        assert [c.outputs for c in code] == [c.outputs for c in expected]
        for before, after in zip(expected, code):
            hidden = any(t in before.metadata.get("tags", []) for t in ("hide-cell", "hide-input"))
            assert after.metadata.get("jupyter", {}).get("source_hidden", False) == hidden
            if copy_dir == colab_copy:
                assert (after.metadata.get("cellView") == "form") == hidden


def test_solutions_are_folded(binder_copy):
    for path in CHAPTERS:
        text = "\n".join(_markdown(read(binder_copy / path.name)))
        solutions = sum(c.source.count("{solution}") for c in read(path).cells if c.cell_type == "markdown")
        assert text.count("<details>") == solutions and text.count("</details>") == solutions
        assert "<details open" not in text
        assert text.count("*Proof") == text.count("∎")


def test_colab_copies_link_to_colab_copies_and_binder_copies_to_notebooks(binder_copy, colab_copy):
    owner, name, _ = plain_notebooks.repository(ROOT)
    colab = f"https://colab.research.google.com/github/{owner}/{name}/blob/{plain_notebooks.COLAB_BRANCH}/book/"
    binder_text = "\n".join(_markdown(read(binder_copy / "ch05_rate.ipynb")))
    colab_text = "\n".join(_markdown(read(colab_copy / "ch05_rate.ipynb")))
    assert "](ch03_local_pl.ipynb#" in binder_text and colab not in binder_text
    assert f"]({colab}ch03_local_pl.ipynb#" in colab_text and "](ch03_local_pl.ipynb" not in colab_text


def test_the_colab_branch_is_the_one_the_workflow_publishes():
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert f"COLAB_BRANCH: {plain_notebooks.COLAB_BRANCH}" in workflow
    assert "tools/plain_notebooks.py --out" in workflow and "--target colab" in workflow
    extension = (ROOT / "book" / "_ext" / "lplbook_site.py").read_text()
    assert f'COLAB_BRANCH = "{plain_notebooks.COLAB_BRANCH}"' in extension


def test_binder_post_build_converts_in_place():
    post_build = (ROOT / "postBuild").read_text()
    assert post_build.startswith("#!/bin/bash") and "set -e" in post_build
    assert "python tools/plain_notebooks.py --out book" in post_build
    assert os.access(ROOT / "postBuild", os.X_OK)


def test_unknown_myst_fails_loudly():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("A {foo}`bar` role")])
    index = plain_notebooks.SiteIndex(fignumbers={}, math={}, labels={}, titles={})
    with pytest.raises(plain_notebooks.ConversionError, match="unknown role"):
        plain_notebooks.convert(nb, "book/x", index, plain_notebooks.Bibliography(ROOT))
    nb.cells[0].source = "```{warning}\ntext\n```"
    with pytest.raises(plain_notebooks.ConversionError, match="unknown directive"):
        plain_notebooks.convert(nb, "book/x", index, plain_notebooks.Bibliography(ROOT))
    nb.cells[0].source = "{glue:text}`ch_missing`"
    with pytest.raises(plain_notebooks.ConversionError, match="never glued"):
        plain_notebooks.convert(nb, "book/x", index, plain_notebooks.Bibliography(ROOT))


NBVAL_CHAPTER = "ch05_rate.ipynb"  # the chapter with the most glued numbers, references and blocks


def test_a_converted_chapter_passes_nbval_in_a_fresh_kernel(binder_copy, tmp_path):
    """nbval against the converted copy: same outputs as the original, top to bottom."""
    copy = tmp_path / NBVAL_CHAPTER
    copy.write_bytes((binder_copy / NBVAL_CHAPTER).read_bytes())
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), str(copy)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert re.search(r"\d+ passed", done.stdout)


def test_an_admonition_becomes_a_block_quote_with_a_bold_title():
    """``{admonition}`` (a chapter's "What you will learn" / "What you need") in both targets."""
    source = ("```{admonition} What you will learn\n:class: tip\n- derive the bound $x \\in \\R$\n"
              "- compute {glue:text}`ch1_x`\n```\n\n"
              "```{admonition} What you need\n:class: note\n"
              "- The symbols are listed on the {doc}`notation page <notation>`.\n```")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_markdown_cell(source)])
    index = plain_notebooks.SiteIndex(fignumbers={}, math={}, labels={}, titles={"book/notation": "Notation"})
    bib = plain_notebooks.Bibliography(ROOT)
    for target in ("binder", "colab"):
        glue = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
            "display_data", data={"application/papermill.record/text/plain": "3"},
            metadata={"scrapbook": {"name": "ch1_x", "mime_prefix": "application/papermill.record/"}})])
        nb.cells.append(glue)
        converted = plain_notebooks.convert(nb, "book/ch01_x", index, bib, target=target).cells[1].source
        nb.cells.pop()
        assert not RAW_MYST.findall(converted) and ":class:" not in converted and "admonition" not in converted
        lines = converted.splitlines()
        assert lines[0] == "> **What you will learn**"
        assert "> - derive the bound $x \\in \\mathbb{R}$" in lines and "> - compute 3" in lines
        assert "> **What you need**" in lines
        notation = f"{plain_notebooks.site_url(ROOT)}book/notation.html"
        assert f"> - The symbols are listed on the [notation page]({notation})." in lines
