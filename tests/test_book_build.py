"""The book builds with Jupyter Book 1 in nitpicky, warnings-as-errors mode.

The build (the ``built_site`` fixture of ``tests/conftest.py``) goes to a temporary directory,
so a developer's `_build/` is untouched; ``test_site_in_browser.py`` loads the same build.
"""

import re

from notebook_tools import ROOT, plain_notebooks, toc_notebooks

COLAB_BRANCH = plain_notebooks.COLAB_BRANCH


def test_build_succeeds_with_zero_warnings(built_site):
    result, html = built_site
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    warnings = [line for line in log.splitlines() if re.search(r"\bWARNING\b", line)
                and "Kernel is running over TCP" not in line]
    assert warnings == [], "\n".join(warnings)
    assert (html / "index.html").exists()


def test_jupyter_book_is_version_1():
    import jupyter_book

    assert jupyter_book.__version__.startswith("1."), jupyter_book.__version__


def test_intro_links_to_every_chapter_and_chapters_render_glue(built_site):
    _, html = built_site
    index = (html / "index.html").read_text()
    intro = (html / "book" / "intro.html").read_text()
    for path in toc_notebooks():
        page = html / "book" / f"{path.stem}.html"
        assert page.exists(), page
        assert f"{path.stem}.html" in intro or f"{path.stem}.html" in index
        text = page.read_text()
        assert "papermill" not in text  # every glue was replaced by its value
        assert "Theorem" in text or "Lemma" in text or "Proposition" in text
    assert "References" in (html / "book" / "references.html").read_text()


def test_launch_buttons_point_at_main_and_colab_at_its_copy(built_site):
    _, html = built_site
    owner, name, branch = plain_notebooks.repository(ROOT)
    for path in toc_notebooks():
        text = (html / "book" / f"{path.stem}.html").read_text()
        # Colab opens the plain copy the workflow publishes (tools/plain_notebooks.py --target colab)
        colab = f"colab.research.google.com/github/{owner}/{name}/blob"
        assert f"{colab}/{COLAB_BRANCH}/book/{path.name}" in text
        assert f"{colab}/{branch}/" not in text
        assert f"/main?urlpath=lab/tree/book/{path.name}" in text  # Binder, JupyterLab


def test_api_page_documents_every_public_function_and_class(built_site):
    _, html = built_site
    page = (html / "book" / "api.html").read_text()
    missing = [name for name, _ in _public_objects() if f'id="{name}"' not in page]
    assert missing == [], f"not in the API reference: {missing}"
    assert "api.html" in (html / "book" / "intro.html").read_text()


def _public_objects():
    """(qualified name, object) for every public function and class of the package's modules."""
    import inspect

    import lplbook

    for name in lplbook.__all__:
        module = getattr(lplbook, name, None)
        if not inspect.ismodule(module):
            continue
        for attr, obj in vars(module).items():
            public = not attr.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            if public and getattr(obj, "__module__", None) == module.__name__:
                yield f"{module.__name__}.{attr}", obj


def test_every_api_entry_links_to_the_chapter_that_derives_it(built_site):
    """Each entry's own description (its ``<dd>``, not a neighbour's) links to a chapter page."""
    from bs4 import BeautifulSoup

    _, html = built_site
    soup = BeautifulSoup((html / "book" / "api.html").read_text(), "html.parser")
    chapters = {f"{path.stem}.html" for path in toc_notebooks() if path.stem.startswith("ch")}
    unlinked = []
    for qualified, obj in _public_objects():
        signature = soup.find("dt", id=qualified)
        assert signature is not None, qualified
        description = signature.find_next_sibling("dd")
        for nested in description.find_all("dl", class_="py"):  # methods and attributes
            nested.decompose()
        targets = {a["href"].split("#")[0] for a in description.find_all("a", href=True)}
        if not targets & chapters:
            unlinked.append(qualified)
    assert unlinked == [], f"API entries without a link to their chapter: {unlinked}"


def test_chapter_links_in_docstrings_resolve_to_the_right_page():
    import importlib.util

    from notebook_tools import ROOT

    spec = importlib.util.spec_from_file_location("lplbook_site", ROOT / "book/_ext/lplbook_site.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    docs = ["book/intro", "book/ch03_local_pl", "book/ch07_deep_linear",
            "book/ch07_deep_linear_experiments", "book/ch05_rate"]
    pages = site.chapter_pages(docs)
    assert pages == {3: "book/ch03_local_pl", 5: "book/ch05_rate", 7: "book/ch07_deep_linear"}
    assert site.link_chapters("derived in chapter 3.", pages) == (
        "derived in chapter :doc:`3 </book/ch03_local_pl>`.")
    assert site.link_chapters("(chapters 5 and 7)", pages) == (
        "(chapters :doc:`5 </book/ch05_rate>` and :doc:`7 </book/ch07_deep_linear>`)")
    assert site.link_chapters("Chapter 9 is not built", pages) == "Chapter 9 is not built"
    assert site.link_chapters("see :doc:`chapter 3 <x>`", pages) == "see :doc:`chapter 3 <x>`"
