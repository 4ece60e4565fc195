"""The Binder copies of the chapters, opened in the pinned JupyterLab by a real browser.

Binder's ``postBuild`` converts the chapters with ``tools/plain_notebooks.py`` and the rocket button
opens them in JupyterLab (the version pinned in ``requirements.txt``). This module converts the
chapters the same way (the ``binder_copy`` fixture of ``conftest.py`` runs the tool), starts that
JupyterLab on 127.0.0.1 with a random port, no token, no news or update check and no extension
manager, with JupyterLab's *default* notebook settings (the ones a Binder reader gets), and opens
chapters in headless Debian chromium through Playwright. For each chapter it waits until every
markdown cell of the file is rendered and MathJax has finished, then asserts on what a reader sees:

* no MyST source is left in the text (``{glue``, ``{prf:``, ``{eq}``, ``{cite``, ``{doc}``,
  ``{ref}``, ``:label:``, a directive fence) and no raw TeX (``$``, ``\\(``, ``\\[``, ``\\begin{``,
  ``\\tag{``) outside code; no MathJax error node and no undefined macro;
* every ``\\tag{N}`` of the file is drawn as an equation number;
* theorem-like blocks are block quotes headed by their number; solutions are ``<details>``, closed,
  with their markdown rendered;
* every ``<a id="…">`` anchor of the file is in the page (JupyterLab's sanitizer keeps it as
  ``data-jupyter-id``) and every in-notebook link ``#…`` has such a target;
* the console shows no error and no "Unsatisfied version" / "No satisfying version" of a shared
  module (the pins of JupyterLab and of the widget packages agree), the server log none either, and
  nothing is requested from outside 127.0.0.1.

It runs chapter 11's cells in the kernel and checks that its three ipywidgets sliders render and that
moving one redraws the figure. A small hand-made notebook pins down the JupyterLab behaviours the
converter relies on (anchors, ``\\tag``, markdown inside ``<details>``, display math in block
quotes) and shows that the checks above catch raw MyST and a TeX error.

Screenshots go to ``test-artifacts/screenshots/binder-<chapter>.png``. Like the site's browser test,
it needs Debian's chromium and is skipped without it, unless ``LPLBOOK_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import nbformat
import pytest
from test_site_in_browser import ARTIFACTS, _require_browser

CHAPTERS = ("ch03_local_pl", "ch05_rate")  # many theorem blocks, equations, solutions and links
RAW_MYST = ("{glue", "{prf:", "{eq}", "{cite", "{doc}", "{ref}", "{numref}", ":label:", "```{", ":::{")
RAW_TEX = ("$", "\\(", "\\[", "\\begin{", "\\tag{")
SHARED_MODULE_WARNINGS = ("Unsatisfied version", "No satisfying version")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
THEOREM_HEAD = re.compile(r"^(Theorem|Lemma|Proposition|Corollary|Definition|Remark|Example|Assumption|Exercise) \d+")
# JupyterLab's defaults, except what would reach the network: news, update checks, the PyPI manager
LAB_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}


# --- the server ---------------------------------------------------------------------------------
def _wait_for_server(runtime: pathlib.Path, server: subprocess.Popen, log: pathlib.Path, timeout=60) -> str:
    """The URL of the server once it answers (its port is random: read from its runtime file)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        for info in runtime.glob("jpserver-*.json"):
            with contextlib.suppress(ValueError, OSError):
                url = json.loads(info.read_text())["url"].rstrip("/")
                with urllib.request.urlopen(url + "/api/status", timeout=2):
                    return url
        time.sleep(0.2)
    pytest.fail("JupyterLab did not start:\n" + log.read_text()[-3000:])


@pytest.fixture(scope="module")
def lab(request, tmp_path_factory):
    """The pinned JupyterLab serving the Binder copies (all chapters, so links between them resolve)
    and the probe notebooks; yields (base URL, served folder, server log). Everything it writes
    (settings, workspaces, runtime files, IPython profile) stays in a temporary folder."""
    _require_browser()  # skip (or fail) before converting anything
    binder_copy = request.getfixturevalue("binder_copy")  # conftest.py: tools/plain_notebooks.py --out DIR
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    shutil.copytree(binder_copy, root)
    _write_probes(root)
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("JUPYTER_PORT", None)
    log_path = home / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0",
             "--ServerApp.allow_root=True", "--IdentityProvider.token=", f"--ServerApp.root_dir={root}",
             "--ServerApp.open_browser=False", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            yield _wait_for_server(home / "runtime", server, log_path), root, log_path
        finally:  # SIGTERM to the server's process group; the server shuts its kernels down
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, signal.SIGKILL)
                server.wait()




# --- one notebook in the browser ----------------------------------------------------------------
_REPORT = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return null;
    const cells = [...panel.querySelectorAll('.jp-MarkdownCell')];
    const rendered = cells.map(c => c.querySelector('.jp-RenderedMarkdown')).filter(Boolean);
    const prose = e => { const c = e.cloneNode(true);
        c.querySelectorAll('mjx-container, code, pre, script, style').forEach(n => n.remove()); return c.textContent; };
    const maths = [...panel.querySelectorAll('.jp-RenderedMarkdown mjx-container')];
    return {
        cells: cells.length,
        rendered: rendered.length,
        text: rendered.map(prose).join('\\n'),
        maths: maths.length,
        tagged: maths.filter(m => m.querySelector('mjx-labels, mjx-mlabeledtr')).length,
        merrors: panel.querySelectorAll('mjx-merror, .MathJax_Error').length,
        undefined: maths.filter(m => m.querySelector('mjx-mtext[style*="color: red"], mjx-merror')).length,
        anchors: [...panel.querySelectorAll('.jp-RenderedMarkdown [data-jupyter-id], .jp-RenderedMarkdown [id]')]
            .map(e => e.getAttribute('data-jupyter-id') || e.id),
        ids: [...panel.querySelectorAll('.jp-RenderedMarkdown a[id]')].map(e => e.id),
        local_links: [...panel.querySelectorAll('.jp-RenderedMarkdown a[href^="#"]')]
            .filter(a => !a.classList.contains('jp-InternalAnchorLink')).map(a => a.getAttribute('href').slice(1)),
        file_links: [...panel.querySelectorAll('.jp-RenderedMarkdown a[href*="/files/"]')].map(a => a.href),
        details: [...panel.querySelectorAll('.jp-RenderedMarkdown details')].map(d => ({
            open: d.open, summary: d.querySelector('summary') ? d.querySelector('summary').textContent : '',
            html: d.innerHTML, text: prose(d)})),
        heads: [...panel.querySelectorAll('.jp-RenderedMarkdown blockquote > p:first-child > strong:first-child')]
            .map(s => s.textContent),
        quoted_maths: [...panel.querySelectorAll('.jp-RenderedMarkdown blockquote mjx-container[display="true"]')]
            .map(m => { const a = m.querySelector('mjx-assistive-mml'); return a ? a.textContent : ''; }),
    };
}"""


def _open(browser, lab, name: str, settle_ms=600):
    """Open ``name`` in JupyterLab (a fresh workspace) and wait until every markdown cell of the file
    is rendered and the number of typeset formulas has stopped changing. Returns (page, events)."""
    base, root, _ = lab
    expected = sum(c.cell_type == "markdown" for c in nbformat.read(root / name, as_version=4).cells)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    events = {"console": [], "errors": [], "outside": [], "failed": []}

    def only_localhost(route):
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            events["outside"].append(route.request.url)
            route.abort()

    context.route("**/*", only_localhost)
    page = context.new_page()
    page.on("console", lambda m: events["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("response", lambda r: events["failed"].append((r.status, r.url)) if r.status >= 400 else None)
    page.goto(f"{base}/lab/tree/{urllib.parse.quote(name)}?reset", wait_until="domcontentloaded")
    deadline, last, stable_since = time.monotonic() + 60, None, None
    while time.monotonic() < deadline:
        report = page.evaluate(_REPORT)
        state = report and (report["cells"], report["rendered"], report["maths"])
        if state and state[0] == state[1] == expected and state != last:
            last, stable_since = state, time.monotonic()
        elif state and state == last and time.monotonic() - stable_since > settle_ms / 1000:
            return page, events
        page.wait_for_timeout(150)
    pytest.fail(f"{name}: expected {expected} rendered markdown cells, the page shows {last or report and report['rendered']}")


def _console_problems(events: dict, log: pathlib.Path) -> dict:
    messages = [(kind, text) for kind, text in events["console"]]
    return {
        "console errors": [text for kind, text in messages if kind == "error"] + events["errors"],
        "shared modules": [text for _, text in messages if any(w in text for w in SHARED_MODULE_WARNINGS)]
        + [line for line in log.read_text().splitlines() if any(w in line for w in SHARED_MODULE_WARNINGS)],
        "server errors": [line for line in log.read_text().splitlines() if line.startswith("[E ")],
        "failed requests": events["failed"],
        "outside": events["outside"],
    }


def _markup_left(text: str) -> list[str]:
    return [raw for raw in RAW_MYST + RAW_TEX if raw in text]


# --- the chapters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_binder_copy_reads_like_the_site_in_jupyterlab(chapter, lab, browser):
    _, root, log = lab
    source = "\n\n".join(c.source for c in nbformat.read(root / f"{chapter}.ipynb", as_version=4).cells
                         if c.cell_type == "markdown")
    page, events = _open(browser, lab, f"{chapter}.ipynb")
    report = page.evaluate(_REPORT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first_block = page.locator(".jp-RenderedMarkdown blockquote").first
    first_block.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"binder-{chapter}.png"), full_page=True)
    page.context.close()

    assert _markup_left(report["text"]) == [], f"{chapter}: MyST or TeX source left in the text"
    assert report["maths"] > 50 and report["merrors"] == 0 and report["undefined"] == 0
    assert report["tagged"] == source.count("\\tag{") > 0, "every \\tag{N} is drawn as an equation number"
    heads = [h for h in report["heads"] if THEOREM_HEAD.match(h)]
    assert len(heads) >= 3, f"{chapter}: theorem blocks are block quotes headed by their number, got {report['heads']}"
    assert report["quoted_maths"], f"{chapter}: display math inside a block quote is typeset"
    assert not [m for m in report["quoted_maths"] if m.lstrip("()0123456789").startswith(">")], \
        "a block quote's '>' leaked into its display math"
    solutions = [d for d in report["details"] if d["summary"].startswith("Solution")]
    assert solutions and not any(d["open"] for d in report["details"]), "solutions are folded"
    assert all("<p>" in d["html"] and "**" not in d["text"] for d in solutions), "markdown inside <details> renders"
    anchors = set(ANCHOR.findall(source))
    assert anchors and anchors <= set(report["anchors"]), f"anchors lost: {sorted(anchors - set(report['anchors']))[:5]}"
    dangling = sorted(set(report["local_links"]) - set(report["anchors"]))
    assert report["local_links"] and not dangling, f"{chapter}: in-notebook links with no target: {dangling[:5]}"
    for href in report["file_links"]:  # links to other chapters open a file that is there
        path = urllib.parse.unquote(urllib.parse.urlsplit(href).path.split("/files/", 1)[1])
        assert (root / path).is_file(), href
    assert _console_problems(events, log) == {"console errors": [], "shared modules": [], "server errors": [],
                                              "failed requests": [], "outside": []}


def test_the_explore_sliders_render_and_redraw(lab, browser):
    """Chapter 11 run in the kernel: three sliders, no error output, and moving a slider redraws."""
    page, events = _open(browser, lab, "ch11_explore.ipynb")
    ran = page.evaluate(  # resolves once every cell has run: true when none raised
        """() => Promise.race([window.jupyterapp.commands.execute('notebook:run-all-cells'),
                               new Promise(done => setTimeout(() => done('timeout'), 60000))])""")
    sliders = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .widget-slider")
    sliders.nth(2).wait_for(state="attached", timeout=30_000)
    labels = [re.sub(r"\s+", " ", t).strip() for t in sliders.all_inner_texts()]
    widget = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets.widget-vbox, "
                          ".jp-NotebookPanel:not(.lm-mod-hidden) .jupyter-widgets.widget-container").first
    widget.scroll_into_view_if_needed()
    image = widget.locator("img").first
    before = image.get_attribute("src")
    handle = sliders.first.locator(".noUi-handle, [role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, before]) => el.getAttribute('src') !== before", arg=[image.element_handle(), before],
                           timeout=30_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "binder-ch11_explore.png"), full_page=True)
    stderr = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                          ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    page.context.close()
    assert ran is True, f"running chapter 11 in the kernel: {ran}"
    assert len(labels) == 3 and labels[0].startswith("step size"), labels
    assert stderr == []
    assert _console_problems(events, lab[2]) == {"console errors": [], "shared modules": [], "server errors": [],
                                                 "failed requests": [], "outside": []}


# --- what the converter relies on, and the checks themselves ---------------------------------------
def _write_probes(root: pathlib.Path):
    md = nbformat.v4.new_markdown_cell
    good = [
        md('<a id="probe-top"></a>\n\n# Probe\n\nInline $x^2$, [a link](#probe-eq) and [another](#probe-thm).'),
        md('<a id="probe-eq"></a>\n\n$$ a = b \\tag{3} $$'),
        md('<a id="probe-thm"></a>\n\n> **Theorem 6** (Title)\n>\n> Let $x > 0$.\n>\n> $$ L = \\ell \\tag{21} $$'),
        md("<details>\n<summary><b>Solution to Exercise 5</b></summary>\n\nMarkdown **inside**, math $y$ and\n\n"
           "$$ z = 1 \\tag{7} $$\n\n</details>"),
        md("> **What you will learn**\n>\n> - derive $x$\n> - compute 3"),  # an {admonition}, converted
    ]
    bad = [md("A number that was never glued: {glue:text}`ch1_missing`"), md("$$ \\frac{x} $$")]
    for name, cells in (("probe.ipynb", good), ("broken.ipynb", bad)):
        nbformat.write(nbformat.v4.new_notebook(cells=cells), root / name)


def test_jupyterlab_renders_plain_markdown_as_the_converter_assumes(lab, browser):
    """Anchors survive as data-jupyter-id, \\tag{N} numbers an equation, markdown inside <details>
    (after a blank line) renders, one-line display math in a block quote is typeset, and an admonition's
    block quote shows its bold title."""
    page, _ = _open(browser, lab, "probe.ipynb")
    report = page.evaluate(_REPORT)
    page.context.close()
    assert {"probe-top", "probe-eq", "probe-thm"} <= set(report["anchors"])
    assert report["ids"] == [], "JupyterLab keeps no id attribute in markdown (the sanitizer rewrites it)"
    assert report["tagged"] == 3 and report["merrors"] == 0 and _markup_left(report["text"]) == []
    assert report["heads"] == ["Theorem 6", "What you will learn"] and report["quoted_maths"] == ["(21)L=ℓ"]
    (solution,) = report["details"]
    assert not solution["open"] and "<strong>inside</strong>" in solution["html"]


def test_the_checks_catch_raw_myst_and_tex_errors(lab, browser):
    page, _ = _open(browser, lab, "broken.ipynb")
    report = page.evaluate(_REPORT)
    page.context.close()
    assert _markup_left(report["text"]) == ["{glue"]
    assert report["merrors"] == 1

