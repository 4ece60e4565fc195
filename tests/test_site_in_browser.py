"""The built site, loaded page by page in a real browser (headless Debian chromium).

The ``built_site`` fixture (``tests/conftest.py``) builds the book into a temporary folder;
this module serves that folder on localhost and opens every HTML page in headless chromium
through Playwright. On every page it asserts that

* the math is typeset: MathJax has finished, every ``.math`` element holds MathJax output,
  no MathJax error node is left and no raw TeX delimiter (``$$``, ``\\(``, ``\\[``) is left
  in the text outside code;
* no MyST source is left in the text (a table row split off its table, an unrendered role);
* every image loads (``naturalWidth > 0``);
* the console shows no error and the page throws no exception;
* the page asks for nothing outside localhost (the site is self-contained: MathJax is
  served from ``_static``; launch buttons only *link* to Binder and Colab).

Across pages it asserts that every internal link resolves: the file exists and, when the
link has a fragment, the target page has an element with that id. It also opens an
exercise's hidden solution and checks it becomes visible, and saves screenshots of two
pages to ``test-artifacts/screenshots/`` (uploaded as artifacts by the GitHub workflow).

The test runs when Debian's chromium is installed (``.ci/run`` installs it). Without it the
test is skipped, unless ``LPLBOOK_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the
skip into a failure so that CI cannot pass without the browser.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import re
import shutil
import threading
import urllib.parse

import pytest
from notebook_tools import ROOT, toc_notebooks

ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [  # as used on this workplace's machines: no sandbox as root, no background network
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOT_PAGES = ("book/intro.html", "book/ch03_local_pl.html")


def _chromium() -> str | None:
    return os.environ.get("LPLBOOK_CHROMIUM") or shutil.which("chromium")


def _require_browser():
    path = _chromium()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("LPLBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(message + ", but LPLBOOK_REQUIRE_BROWSER=1")
        pytest.skip(message)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _serve(folder: pathlib.Path):
    """Serve ``folder`` on an ephemeral localhost port; return (base URL, server)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@pytest.fixture(scope="module")
def site_url(built_site):
    result, html = built_site
    assert result.returncode == 0, "the book did not build; see test_book_build.py"
    base, server = _serve(html)
    yield base, html
    server.shutdown()
    server.server_close()




def _pages(html: pathlib.Path) -> list[str]:
    """Every HTML page of the site (top level and the book), as paths relative to its root."""
    pages = sorted(p.relative_to(html).as_posix() for p in html.glob("*.html"))
    pages += sorted(p.relative_to(html).as_posix() for p in (html / "book").glob("*.html"))
    return pages


_PAGE_REPORT = """() => {
    const maths = Array.from(document.querySelectorAll('.math'));
    const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
    const text = (() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('pre, code, script, style, textarea, mjx-container').forEach(e => e.remove());
        return body.innerText;
    })();
    const raw = ['$$', '\\\\(', '\\\\[', '\\\\begin{'].filter(d => text.includes(d));
    // MyST source that did not render: a table row split off its table, a role or directive
    const markup = Array.from(document.querySelectorAll('article p, article li, article td'))
        .map(e => { const c = e.cloneNode(true); c.querySelectorAll('code, pre, mjx-container').forEach(x => x.remove()); return c.textContent; })
        .filter(t => /^\\s*\\|.*\\|\\s*$/m.test(t) || /\\{(glue|ref|eq|numref|prf:ref|cite)[^}]*\\}`|```\\{|^:label:/m.test(t))
        .map(t => t.slice(0, 80));
    return {
        markup: markup,
        maths: maths.length,
        typeset: document.querySelectorAll('mjx-container').length,
        untypeset: untypeset,
        merrors: document.querySelectorAll('mjx-merror').length,
        // MathJax's noundefined extension draws an unknown macro's name as red text
        undefined: Array.from(document.querySelectorAll('mjx-container mjx-mtext[style*="color: red"]'))
                        .map(e => e.closest('mjx-container').getAttribute('aria-label') || 'unknown macro'),
        raw: raw,
        images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
        links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
        ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    };
}"""


def crawl_pages(browser, base: str, names, screenshots=()) -> dict:
    """Open each page of ``names`` (paths under ``base``) in one browser tab.

    Returns the per-page reports of ``_PAGE_REPORT``, the redirect of ``index.html``, console
    messages, uncaught page errors, HTTP responses with status >= 400 and requests for anything
    outside localhost (which are blocked, so the crawl never needs the network).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside = []

    def only_localhost(route):
        if urllib.parse.urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_localhost)
    page = context.new_page()
    console, errors, failed = [], [], []
    page.on("console", lambda m: console.append((m.type, m.text, page.url)))
    page.on("pageerror", lambda e: errors.append((str(e), page.url)))
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    reports, redirects = {}, {}
    for name in names:
        if name == "index.html":  # a bare redirect to the intro (Jupyter Book's root page)
            with page.expect_navigation(url=base + "book/intro.html", wait_until="load"):
                page.goto(base + name)
            redirects[name] = page.url
            continue
        page.goto(base + name, wait_until="load")
        if page.locator("script[src*='mathjax']").count():  # Sphinx adds MathJax to pages with math
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=30_000)
            page.evaluate("() => MathJax.startup.promise")
        reports[name] = page.evaluate(_PAGE_REPORT)
        if name in screenshots:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / (pathlib.Path(name).stem + ".png")))
    return {"base": base, "reports": reports, "redirects": redirects, "console": console,
            "errors": errors, "failed": failed, "outside": outside, "page": page, "context": context}


def math_problems(reports: dict) -> dict:
    """Pages with math left untypeset, TeX errors, unknown macros, or raw TeX delimiters in the text."""
    problems = {}
    for name, report in reports.items():
        if report["untypeset"] or report["merrors"] or report["undefined"] or report["raw"]:
            problems[name] = {k: report[k] for k in ("untypeset", "merrors", "undefined", "raw")}
    return problems


def unrendered_markup(reports: dict) -> dict:
    """Pages whose text shows MyST source: pipe-table rows, ``{role}`...` `` or directive fences."""
    return {name: r["markup"] for name, r in reports.items() if r["markup"]}


def broken_images(reports: dict) -> dict:
    broken = {name: [i["src"] for i in r["images"] if not i["ok"]] for name, r in reports.items()}
    return {name: srcs for name, srcs in broken.items() if srcs}


def broken_links(reports: dict, base: str, html: pathlib.Path) -> tuple[list[str], int]:
    """Internal links whose file is missing, or whose fragment names no element of the target page.

    Fragments are checked on pages that were crawled (their ids are known); links to other
    files (notebook sources, downloads) are checked for existence. Returns (broken, checked).
    """
    ids = {name: set(r["ids"]) for name, r in reports.items()}
    root = urllib.parse.urlsplit(base).path
    broken, checked = [], 0
    for name, report in reports.items():
        for href in report["links"]:
            if not href.startswith(base):
                continue
            url = urllib.parse.urlsplit(href)
            target = urllib.parse.unquote(url.path[len(root):])
            if target == "" or target.endswith("/"):
                target += "index.html"
            checked += 1
            if not (html / target).is_file():
                broken.append(f"{name} -> {href} (no file {target})")
            elif url.fragment and target in ids and urllib.parse.unquote(url.fragment) not in ids[target]:
                broken.append(f"{name} -> {href} (no element with id {url.fragment!r})")
    return broken, checked


def console_errors(crawled: dict) -> list:
    return [entry for entry in crawled["console"] if entry[0] == "error"] + crawled["errors"]


@pytest.fixture(scope="module")
def crawl(site_url, browser):
    """Visit every page of the built site once."""
    base, html = site_url
    crawled = crawl_pages(browser, base, _pages(html), screenshots=SCREENSHOT_PAGES)
    crawled["html"] = html
    yield crawled
    crawled["context"].close()


def test_every_page_was_loaded(crawl):
    names = set(crawl["reports"])
    assert crawl["redirects"] == {"index.html": crawl["base"] + "book/intro.html"}
    assert "book/intro.html" in names and "book/api.html" in names
    for path in toc_notebooks():
        assert f"book/{path.stem}.html" in names


def test_math_is_typeset_on_every_page(crawl):
    assert math_problems(crawl["reports"]) == {}
    for path in toc_notebooks():  # every chapter has math, so a typeset chapter shows MathJax output
        report = crawl["reports"][f"book/{path.stem}.html"]
        assert report["maths"] > 0 and report["typeset"] >= report["maths"], path.stem


def test_no_myst_source_is_left_in_the_text(crawl):
    assert unrendered_markup(crawl["reports"]) == {}


def test_every_image_loads(crawl):
    assert broken_images(crawl["reports"]) == {}
    chapters_with_figures = [p for p in toc_notebooks()
                             if crawl["reports"][f"book/{p.stem}.html"]["images"]]
    assert len(chapters_with_figures) == len(toc_notebooks()), "a chapter page shows no figure"


def test_every_internal_link_resolves(crawl):
    broken, checked = broken_links(crawl["reports"], crawl["base"], crawl["html"])
    assert broken == []
    assert checked > 100, f"only {checked} internal links found: the crawl saw too little"


def test_console_shows_no_errors_and_nothing_is_fetched_from_outside(crawl):
    assert console_errors(crawl) == []
    assert crawl["failed"] == []
    assert crawl["outside"] == [], "the site must not need the network to render"


def test_screenshots_are_saved(crawl):
    for name in SCREENSHOT_PAGES:
        shot = ARTIFACTS / (pathlib.Path(name).stem + ".png")
        assert shot.is_file() and shot.stat().st_size > 10_000, shot


def test_an_exercise_solution_is_hidden_until_opened(crawl):
    page = crawl["page"]
    page.goto(crawl["base"] + "book/ch03_local_pl.html", wait_until="load")
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section").first
    assert not body.is_visible(), "the solution is shown before the reader asks for it"
    solution.locator("button.toggle-button").first.click()
    body.wait_for(state="visible", timeout=5_000)
    assert body.is_visible()


_BROKEN_PAGE = """
<p id="here">A page with every defect the checks above look for.</p>
<span class="math notranslate nohighlight">\\(\\undefinedmacro{x}\\)</span>
<span class="math notranslate nohighlight">\\(\\frac{x}\\)</span>
<img src="../_images/no-such-figure.png" alt="missing">
<a href="no-such-page.html">a dead link</a>
<a href="intro.html#no-such-anchor">a dead anchor</a>
<a href="#here">a good anchor</a>
<p>| [5. A table row](ch05_rate.html) | split off its table by a blank line |</p>
<p>A number that was never glued: {glue:text}`ch1_missing`</p>
<img src="https://example.org/figure.png" alt="from outside">
<script>console.error("an error in the console");</script>
"""


_UNTYPESET_PAGE = """
<p>Inline math: <span class="math notranslate nohighlight">\\(x^2\\)</span></p>
<p>Display math outside a math element: $$y^2$$ and \\[z^2\\]</p>
"""


def test_the_checks_catch_a_broken_page(built_site, browser, tmp_path):
    """The same crawl and checks, on a copy of the site with two deliberately broken pages:
    one with every defect above, one whose MathJax script is missing (so TeX stays raw)."""
    _, html = built_site
    site = tmp_path / "html"
    shutil.copytree(html, site)
    intro = (site / "book" / "intro.html").read_text()
    head = intro[:intro.index("<main")] + '<main id="main-content"><article>'
    (site / "book" / "broken.html").write_text(head + _BROKEN_PAGE + "</article></main></body></html>")
    mathjax = re.search(r'<script[^>]*src="[^"]*mathjax[^"]*"[^>]*></script>', head).group()
    (site / "book" / "untypeset.html").write_text(
        head.replace(mathjax, "") + _UNTYPESET_PAGE + "</article></main></body></html>")
    base, server = _serve(site)
    try:
        crawled = crawl_pages(browser, base, ["book/intro.html", "book/broken.html", "book/untypeset.html"])
        reports = crawled["reports"]
        problems = math_problems(reports)
        assert sorted(problems) == ["book/broken.html", "book/untypeset.html"]
        assert problems["book/broken.html"]["merrors"] == 1
        assert len(problems["book/broken.html"]["undefined"]) == 1
        assert len(problems["book/untypeset.html"]["untypeset"]) == 1
        assert set(problems["book/untypeset.html"]["raw"]) == {"$$", "\\(", "\\["}
        assert list(broken_images(reports)) == ["book/broken.html"]
        assert len(unrendered_markup(reports).get("book/broken.html", [])) == 2
        dead, _ = broken_links(reports, base, site)
        assert len(dead) == 2 and "no-such-page.html" in dead[0] and "no-such-anchor" in dead[1]
        assert any("an error in the console" in entry[1] for entry in console_errors(crawled))
        assert set(crawled["outside"]) == {"https://example.org/figure.png"}
        crawled["context"].close()
    finally:
        server.shutdown()
        server.server_close()
