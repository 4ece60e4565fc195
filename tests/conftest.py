"""Fixtures shared by the book tests."""

import os
import pathlib
import subprocess
import sys

import pytest
from notebook_tools import ROOT


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Build the book once per test session with ``-W -n --keep-going`` into a temporary folder.

    Returns the finished process (its log is checked by ``test_book_build.py``) and the path of
    the HTML site.
    """
    out = tmp_path_factory.mktemp("book")
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)],
        capture_output=True, text=True, timeout=600, check=False, env={**os.environ, "PYTHONWARNINGS": ""},
    )
    return result, out / "_build" / "html"


@pytest.fixture(scope="session")
def binder_copy(tmp_path_factory):
    """The Binder copies of the chapters, made exactly as README and postBuild make them."""
    out = tmp_path_factory.mktemp("binder")
    done = subprocess.run([sys.executable, "tools/plain_notebooks.py", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through Playwright (skipped, or failed under LPLBOOK_REQUIRE_BROWSER=1,
    without it); shared by the browser tests of the site and of the Binder copies."""
    from test_site_in_browser import CHROMIUM_FLAGS, _require_browser

    executable = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
