"""Local Sphinx extension of the book (loaded through ``sphinx: local_extensions`` in _config.yml).

Three small things the stock Jupyter Book 1 stack does not do:

1. **Chapter links in the API reference.** Every ``lplbook`` docstring names the chapter that
   derives its quantity in plain text ("(chapter 3)", "chapters 5 and 7"), so that ``help()`` in a
   terminal reads naturally. While autodoc renders the API page, each chapter number becomes a link
   to that chapter's page, found in the table of contents by its ``chNN_`` file name (the first such
   page, so "chapter 7" is the theory notebook of chapter 7).
2. **No duplicated inline scripts.** With Sphinx 7.4 an extension that adds an inline script after
   the HTML builder started (sphinx-thebe, sphinx-togglebutton) gets it twice on every page; the
   second ``const THEBE_JS_URL`` is a JavaScript error in the browser. Identical scripts are dropped.
3. **A defined colour mode.** pydata-sphinx-theme logs a console error ("Got invalid theme mode")
   on a reader's first visit unless ``html_context['default_mode']`` is set; we set it to ``auto`` (follow the
   reader's system setting), which is what the theme falls back to anyway.
4. **Colab opens the Colab copy.** Colab renders MyST as raw source, so the workflow publishes
   plain-Jupyter copies of the chapters (``tools/plain_notebooks.py --target colab``) to the branch
   ``COLAB_BRANCH`` of the same repository; the Colab launch button of every chapter is pointed at
   that branch. The repository itself still comes from ``_config.yml``'s ``repository`` block, so a
   fork changes nothing here. (Binder keeps its URL: its ``postBuild`` converts the chapters in place.)
"""

from __future__ import annotations

import re

# "chapter 3", "Chapter 3", "chapters 5 and 7", "chapters 8–9", "chapters 1, 3 and 5"
_CHAPTER_MENTION = re.compile(
    r"(?<![\w`<])([Cc]hapters?)(\s+)(\d+(?:\s*(?:,\s*and|,|and|–|-)\s*\d+)*)(?!\d)"
)
_NUMBER = re.compile(r"\d+")
COLAB_BRANCH = "colab"  # the same as tools/plain_notebooks.py and .github/workflows/book.yml (tested)


def chapter_pages(docnames) -> dict[int, str]:
    """Map a chapter number to its page: the first document named ``chNN_*`` in sorted order."""
    pages: dict[int, str] = {}
    for docname in sorted(docnames):
        match = re.match(r"(?:.*/)?ch(\d\d)_", docname)
        if match:
            pages.setdefault(int(match.group(1)), docname)
    return pages


def link_chapters(line: str, pages: dict[int, str]) -> str:
    """Turn every chapter number mentioned in ``line`` into a ``:doc:`` link to its page."""

    def link_numbers(match: re.Match) -> str:
        word, space, numbers = match.groups()

        def link(number: re.Match) -> str:
            page = pages.get(int(number.group()))
            return f":doc:`{number.group()} </{page}>`" if page else number.group()

        return word + space + _NUMBER.sub(link, numbers)

    return _CHAPTER_MENTION.sub(link_numbers, line)


def _process_docstring(app, what, name, obj, options, lines):
    pages = chapter_pages(app.env.found_docs)
    lines[:] = [link_chapters(line, pages) for line in lines]


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (str(script.filename or ""), tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _default_colour_mode(app, config):
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")  # pydata-sphinx-theme reads it from html_context
    config.html_context = context


def _colab_button_to_colab_copy(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "Colab":
                button["url"] = re.sub(r"/blob/[^/]+/", f"/blob/{COLAB_BRANCH}/", button["url"], count=1)


def setup(app):
    app.connect("config-inited", _default_colour_mode)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("html-page-context", _drop_duplicate_scripts)
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", _colab_button_to_colab_copy, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
