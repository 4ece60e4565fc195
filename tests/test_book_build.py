"""The book builds with Jupyter Book 1 in nitpicky, warnings-as-errors mode.

The build goes to a temporary directory, so a developer's `_build/` is untouched.
"""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from notebook_tools import ROOT, toc_notebooks


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONWARNINGS": ""},
    )
    return result, out / "_build" / "html"


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


def test_launch_buttons_point_at_main(built_site):
    _, html = built_site
    for path in toc_notebooks():
        text = (html / "book" / f"{path.stem}.html").read_text()
        assert f"blob/main/book/{path.name}" in text  # Colab
        assert f"/main?urlpath=lab/tree/book/{path.name}" in text  # Binder, JupyterLab


def test_api_page_documents_every_public_function_and_class(built_site):
    import inspect

    import lplbook

    _, html = built_site
    page = (html / "book" / "api.html").read_text()
    missing = []
    for name in lplbook.__all__:
        module = getattr(lplbook, name, None)
        if not inspect.ismodule(module):
            continue
        for attr, obj in vars(module).items():
            public = not attr.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            if public and getattr(obj, "__module__", None) == module.__name__:
                if f'id="{module.__name__}.{attr}"' not in page:
                    missing.append(f"{module.__name__}.{attr}")
    assert missing == [], f"not in the API reference: {missing}"
    assert "api.html" in (html / "book" / "intro.html").read_text()
