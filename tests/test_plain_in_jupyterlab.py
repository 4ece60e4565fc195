"""The Binder copy of the chapters, opened in the pinned JupyterLab by a real browser.

``tools/plain_notebooks.py`` writes the Binder copies (as ``postBuild`` does in the Binder image); this
module starts the JupyterLab of ``requirements.txt`` on localhost (no token, no news or update
checks), opens converted chapters in headless Debian chromium through Playwright and asserts on what
a reader sees:

* no raw MyST role or directive text is left in the rendered markdown (``{glue``, ``{prf:``,
  ``{eq}``, ``{cite``, ``{doc}``, ``{ref}``, ``:label:``, a directive fence);
* the math is typeset (MathJax output present, no MathJax error node, no raw ``$$`` left);
* theorem blocks show their number and solutions are folded (``<details>`` closed);
* the browser console shows no error and no "Unsatisfied version" of a JupyterLab extension
  (the pins of JupyterLab and the widget packages agree).

It saves a screenshot of each chapter to ``test-artifacts/screenshots/binder-<chapter>.png``. Like
the site's browser test it needs Debian's chromium (``.ci/run`` installs it) and is skipped without
it unless ``LPLBOOK_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from notebook_tools import ROOT
from test_site_in_browser import ARTIFACTS, CHROMIUM_FLAGS, _require_browser

CHAPTERS = ("ch05_rate", "ch11_explore")  # the most blocks and references; the widgets
RAW = ("{glue", "{prf:", "{eq}", "{cite", "{doc}", "{ref}", "{numref}", ":label:", "```{")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, binder_copy):
    """The pinned JupyterLab serving the Binder copies; yields its base URL."""
    pytest.importorskip("jupyterlab")
    root = tmp_path_factory.mktemp("lab")
    for name in CHAPTERS:
        (root / f"{name}.ipynb").write_bytes((binder_copy / f"{name}.ipynb").read_bytes())
    settings = root / ".settings"  # render every cell (no windowing), so the whole page can be checked
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)  # no news toast, no fetch
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false"}))
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_CONFIG_DIR": str(root / ".config"),
           "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
           "OPENBLAS_NUM_THREADS": "1"}
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(f"{base}/api", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
        yield base, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_binder_copy_reads_like_the_site_in_jupyterlab(chapter, jupyterlab):
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    base, root = jupyterlab
    console, failures = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: console.append((m.type, m.text)))
        page.on("pageerror", lambda e: failures.append(str(e)))
        page.route(lambda url: not url.startswith(base), lambda route: route.abort())  # nothing from outside
        page.goto(f"{base}/lab/tree/{chapter}.ipynb", wait_until="domcontentloaded", timeout=60_000)
        page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown", state="attached", timeout=60_000)
        # wait until MathJax has typeset every markdown cell that holds math
        page.wait_for_function(
            """() => {
                const cells = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')];
                if (cells.length < 5) return false;
                const pending = cells.filter(c => c.textContent.includes('$') && !c.querySelector('mjx-container'));
                return pending.length === 0 && document.querySelectorAll('mjx-container').length > 20;
            }""",
            timeout=90_000,
        )
        page.wait_for_timeout(1000)
        text = page.evaluate(
            """() => [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(c => {
                const clone = c.cloneNode(true);
                clone.querySelectorAll('mjx-container, code, pre').forEach(n => n.remove());
                return clone.innerText;
            }).join('\\n')"""
        )
        math_errors = page.locator("mjx-merror, .MathJax_Error").count()
        typeset = page.locator(".jp-RenderedMarkdown mjx-container").count()
        details = page.evaluate("() => [...document.querySelectorAll('.jp-RenderedMarkdown details')].map(d => d.open)")
        headed = page.locator(".jp-RenderedMarkdown blockquote strong").all_inner_texts()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"binder-{chapter}.png"), full_page=False)
        browser.close()
    log = (root / "lab.log").read_text()
    for raw in RAW:
        assert raw not in text, f"{chapter}: raw MyST {raw!r} in the rendered notebook"
    assert "$$" not in text and "\\tag{" not in text, f"{chapter}: untypeset display math"
    assert math_errors == 0, f"{chapter}: {math_errors} MathJax errors"
    assert typeset > 20
    assert details and not any(details), f"{chapter}: solutions must be folded, got {details}"
    if chapter != "ch11_explore":
        assert any(h.split()[0] in ("Theorem", "Lemma", "Definition", "Proposition") for h in headed)
    errors = [t for kind, t in console if kind == "error" and "ERR_FAILED" not in t]
    assert not errors, f"{chapter}: console errors {errors[:5]}"
    unsatisfied = [t for _, t in console if "Unsatisfied version" in t] + \
        [line for line in log.splitlines() if "Unsatisfied version" in line]
    assert not unsatisfied, f"{chapter}: {unsatisfied[:3]}"
    assert not failures, f"{chapter}: page errors {failures[:3]}"
