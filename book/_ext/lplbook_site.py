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
"""

from __future__ import annotations

import re

# "chapter 3", "Chapter 3", "chapters 5 and 7", "chapters 8–9", "chapters 1, 3 and 5"
_CHAPTER_MENTION = re.compile(
    r"(?<![\w`<])([Cc]hapters?)(\s+)(\d+(?:\s*(?:,\s*and|,|and|–|-)\s*\d+)*)(?!\d)"
)
_NUMBER = re.compile(r"\d+")


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


def setup(app):
    app.connect("config-inited", _default_colour_mode)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
