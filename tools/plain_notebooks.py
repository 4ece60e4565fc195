"""Plain-Jupyter copies of the book's chapters, for Binder and Colab.

Usage (from the repository root)::

    python tools/plain_notebooks.py --out DIR                  # the Binder copy
    python tools/plain_notebooks.py --out DIR --target colab   # the Colab copy
    python tools/plain_notebooks.py --out book                 # Binder's postBuild: in place

The chapters are written in MyST for the site: ``{glue:text}`` roles, sphinx-proof and
sphinx-exercise directives, labelled equations, ``{eq}``/``{prf:ref}``/``{ref}``/``{doc}``
cross-references and ``{cite:t}`` citations. Plain JupyterLab and Colab show all of that as
raw source. This tool writes every chapter of ``_toc.yml`` to ``DIR`` with its markdown
turned into plain Jupyter markdown that reads like the site:

* every glued number is replaced by its value, formatted exactly as the site formats it
  (MyST-NB's own ``format_plain_text``), from the outputs stored in the notebook —
  nothing is re-executed;
* theorem-like blocks become block quotes headed by their kind, number and title
  ("**Theorem 6** (A linear rate …)"), proofs end with ∎, exercises are numbered and their
  solutions are folded into ``<details>``; an ``{admonition}`` (such as a chapter's "What you will
  learn") becomes a block quote headed by its bold title (its ``:class:`` only styles the site);
* labelled equations carry ``\\tag{N}``; references to equations, theorems, exercises,
  sections and chapters are written as the site writes them and link to the anchor (in the
  same notebook, in another chapter's notebook, or on the site for pages that are not
  notebooks); citations are author–year as on the site, and each chapter ends with the
  references it cites;
* the site's MathJax macros (``\\R``) are expanded; code cells the site hides are collapsed;
  the Colab set-up cell is kept only in the Colab copy.

Every number (theorems, equations, exercises) comes from the site's own numbering: the tool
runs Sphinx through Jupyter Book 1 with the ``dummy`` builder (no HTML, no execution) and reads
the numbers from the build environment, unless ``--doctrees`` names the ``.doctrees`` folder of
a build of the same sources (the tests reuse their ``-W -n`` build this way).

The site's ``.ipynb`` files stay the single source; the copies are generated, never edited.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import pathlib
import pickle
import re
import subprocess
import sys
import tempfile

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLAB_BRANCH = "colab"  # the branch the workflow publishes the Colab copies to
COLAB_MARKER = "# Colab set-up"
THEOREM_KINDS = ("theorem", "lemma", "proposition", "corollary", "definition", "remark", "example",
                 "conjecture", "criterion", "assumption", "observation", "property", "axiom",
                 "notation", "algorithm")
HIDDEN_TAGS = ("hide-cell", "hide-input", "remove-cell", "remove-input")
QED = "∎"


# --- the site's numbering -----------------------------------------------------------------------
@dataclasses.dataclass
class SiteIndex:
    """What the site numbers and titles, read from a Sphinx build environment of the book."""

    fignumbers: dict  # docname -> {figtype: {node id: (number,)}}
    math: dict  # equation label -> (docname, per-page number)
    labels: dict  # std label -> (docname, anchor, section name)
    titles: dict  # docname -> page title (plain text)

    @classmethod
    def from_doctrees(cls, doctrees: pathlib.Path) -> SiteIndex:
        with open(pathlib.Path(doctrees) / "environment.pickle", "rb") as fh:
            env = pickle.load(fh)
        return cls(
            fignumbers=env.toc_fignumbers,
            math=dict(env.domaindata["math"]["objects"]),
            labels=dict(env.domaindata["std"]["labels"]),
            titles={doc: node.astext() for doc, node in env.titles.items()},
        )

    @classmethod
    def build(cls, root: pathlib.Path = ROOT) -> SiteIndex:
        """Run Sphinx (Jupyter Book 1, ``dummy`` builder) on ``root`` and read its numbering."""
        with tempfile.TemporaryDirectory(prefix="lplbook-plain-") as tmp:
            jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
            command = [str(jupyter_book), "build", str(root), "--builder", "custom",
                       "--custom-builder", "dummy", "--path-output", tmp, "-q"]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            doctrees = pathlib.Path(tmp) / "_build" / ".doctrees"
            if done.returncode != 0 or not (doctrees / "environment.pickle").exists():
                raise RuntimeError("the Sphinx build that numbers the book failed:\n"
                                   + done.stdout[-3000:] + done.stderr[-3000:])
            return cls.from_doctrees(doctrees)

    def number(self, docname: str, figtype: str, node_id: str) -> int:
        try:
            return self.fignumbers[docname][figtype][node_id][-1]
        except KeyError:
            raise KeyError(f"the site gives no number to {figtype} {node_id!r} in {docname}") from None

    def find(self, figtype: str, node_id: str) -> tuple[str, int]:
        """The page and the site's number of a numbered object (a theorem, an exercise, …)."""
        for docname, types in self.fignumbers.items():
            if node_id in types.get(figtype, {}):
                return docname, types[figtype][node_id][-1]
        raise KeyError(f"the site gives no number to {figtype} {node_id!r}")

    def prf_kind(self, label: str) -> tuple[str, str, int]:
        """Kind, page and number of a sphinx-proof label (``ch5-thm-rate`` -> theorem 6)."""
        for docname, types in self.fignumbers.items():
            for kind in THEOREM_KINDS:
                if label in types.get(kind, {}):
                    return kind, docname, types[kind][label][-1]
        raise KeyError(f"the site gives no number to the proof block {label!r}")

    def equation(self, label: str) -> tuple[str, int]:
        docname = self.math[label][0]
        return docname, self.number(docname, "displaymath", equation_id(label))


def equation_id(label: str) -> str:
    """The HTML id Sphinx gives a labelled equation (``ch3-eq-T`` -> ``equation-ch3-eq-t``)."""
    from docutils.nodes import make_id

    return make_id(f"equation-{label}")


# --- the book's configuration ----------------------------------------------------------------------
def toc_notebooks(root: pathlib.Path = ROOT) -> list[pathlib.Path]:
    """The ``.ipynb`` chapters of ``_toc.yml`` in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for entry in toc.get("chapters", [])]
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").exists()]


@functools.lru_cache(maxsize=None)
def repository(root: pathlib.Path = ROOT) -> tuple[str, str, str]:
    """``(owner, name, branch)`` of the repository block of ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text())["repository"]
    owner, name = config["url"].rstrip("/").split("/")[-2:]
    return owner, name, config.get("branch", "main")


@functools.lru_cache(maxsize=None)
def site_url(root: pathlib.Path = ROOT) -> str:
    """The GitHub Pages address the workflow publishes the site to."""
    owner, name, _ = repository(root)
    return f"https://{owner.lower()}.github.io/{name}/"


def colab_url(docname: str, root: pathlib.Path = ROOT) -> str:
    """The Colab address of the published Colab copy of a chapter."""
    owner, name, _ = repository(root)
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{COLAB_BRANCH}/{docname}.ipynb"


@functools.lru_cache(maxsize=None)
def site_macros(root: pathlib.Path = ROOT) -> dict[str, str]:
    """The MathJax macros of ``_config.yml`` (``R -> \\mathbb{R}``)."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    tex = config.get("sphinx", {}).get("config", {}).get("mathjax3_config", {}).get("tex", {})
    return {name: (body if isinstance(body, str) else body[0]) for name, body in tex.get("macros", {}).items()}


# --- citations ----------------------------------------------------------------------------------------
class Bibliography:
    """Author–year citations and reference entries formatted as the site formats them."""

    def __init__(self, root: pathlib.Path = ROOT):
        import pybtex.database
        from pybtex.plugin import find_plugin

        config = yaml.safe_load((root / "_config.yml").read_text())
        self.data = pybtex.database.BibliographyData()
        for path in config.get("bibtex_bibfiles", []):
            for key, entry in pybtex.database.parse_file(root / path).entries.items():
                self.data.add_entry(key, entry)
        self._style = find_plugin("pybtex.style.formatting", "plain")()

    def authors(self, key: str) -> str:
        persons = self.data.entries[key].persons.get("author", [])
        last = [" ".join(p.last_names) for p in persons]
        last = [_latex_to_text(name) for name in last]
        if len(last) == 1:
            return last[0]
        if len(last) == 2:
            return f"{last[0]} and {last[1]}"
        return f"{last[0]} *et al.*"

    def in_order(self, keys: list[str]) -> list[str]:
        """The keys in the bibliography's order (the site sorts the keys of one citation this way)."""
        entries = self._style.sort([self.data.entries[key] for key in keys])
        return [entry.key for entry in entries]

    def year(self, key: str) -> str:
        return self.data.entries[key].fields["year"]

    def entry(self, key: str) -> str:
        formatted = next(iter(self._style.format_entries([self.data.entries[key]])))
        return formatted.text.render_as("markdown").replace("\\", "")


def _latex_to_text(text: str) -> str:
    from pybtex.richtext import Text  # pybtex comes with sphinxcontrib-bibtex

    return Text.from_latex(text).render_as("text")


# --- markdown -----------------------------------------------------------------------------------------
ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<content>[^`]*)`|(?P<ticks>`+)(?P<code>.+?)(?P=ticks)")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^}]+)\}\s*(?P<arg>.*)$")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
MATH_LABEL = re.compile(r"^(?P<body>.*?)\$\$\s*\((?P<label>[^()\s]+)\)\s*$")


class ConversionError(ValueError):
    """A MyST construct the converter does not know: fail loudly rather than leave it raw."""


@dataclasses.dataclass
class Chapter:
    """One notebook being converted, and what its markdown needs to resolve."""

    docname: str
    glue: dict
    index: SiteIndex
    bib: Bibliography
    target: str
    root: pathlib.Path
    headings: dict  # label -> heading text (markdown) of the sections the site's {ref} shows
    exercise_titles: dict  # label -> title of the book's exercises
    cited: list = dataclasses.field(default_factory=list)

    # links -------------------------------------------------------------------------------------
    def link(self, docname: str, anchor: str | None) -> str:
        fragment = f"#{anchor}" if anchor else ""
        if docname == self.docname:
            return fragment or "#"
        page = docname.split("/")[-1]
        if (self.root / f"{docname}.ipynb").exists():
            if self.target == "colab":
                return colab_url(docname, self.root) + fragment
            return f"{page}.ipynb{fragment}"
        return f"{site_url(self.root)}{docname}.html{fragment}"

    # roles -------------------------------------------------------------------------------------
    def role(self, role: str, content: str) -> str:
        if role in ("glue", "glue:text", "glue:any"):
            return self.glue_text(content)
        if role == "eq":
            docname, number = self.index.equation(content)
            return f"[({number})]({self.link(docname, equation_id(content))})"
        text, target = _explicit(content)
        if role == "prf:ref":
            kind, docname, number = self.index.prf_kind(target)
            return f"[{text or f'{kind.capitalize()} {number}'}]({self.link(docname, target)})"
        if role in ("ref", "numref"):
            return self.ref(text, target, numbered=role == "numref")
        if role == "doc":
            docname = _resolve_doc(self.docname, target)
            return f"[{text or self.index.titles[docname]}]({self.link(docname, None)})"
        if role in ("cite", "cite:p", "cite:t"):
            return self.cite(content, textual=role == "cite:t")
        raise ConversionError(f"{self.docname}: unknown role {{{role}}}`{content}`")

    def glue_text(self, content: str) -> str:
        from myst_nb.core.variables import format_plain_text

        key, _, fmt = content.partition(":")
        if key not in self.glue:
            raise ConversionError(f"{self.docname}: {key!r} is used in the text but never glued")
        return format_plain_text(self.glue[key], fmt)

    def ref(self, text: str | None, label: str, numbered: bool) -> str:
        label_key = label.lower()
        if label_key in self.exercise_titles or label in self.exercise_titles:
            docname, number = self.index.find("exercise", label)
            return f"[{text or f'Exercise {number}'}]({self.link(docname, label)})"
        if label_key not in self.index.labels:
            raise ConversionError(f"{self.docname}: the site has no label {label!r}")
        docname, anchor, sectname = self.index.labels[label_key]
        if numbered:
            raise ConversionError(f"{self.docname}: {{numref}} to the section {label!r} is not supported")
        return f"[{text or self.headings.get(label_key, sectname)}]({self.link(docname, anchor)})"

    def cite(self, content: str, textual: bool) -> str:
        parts, items = [], {}
        for item in content.split(","):
            match = re.fullmatch(r"\s*(?:\{(?P<pre>[^}]*)\})?(?P<key>[^{}\s]+)(?:\{(?P<post>[^}]*)\})?\s*", item)
            if not match or match["key"] not in self.bib.data.entries:
                raise ConversionError(f"{self.docname}: cannot resolve the citation {content!r}")
            items[match["key"]] = match
        for key in self.bib.in_order(list(items)):
            match = items[key]
            if key not in self.cited:
                self.cited.append(key)
            year = f"[{self.bib.year(key)}](#bib-{key})"
            post = f", {match['post']}" if match["post"] else ""
            pre = f"{match['pre']} " if match["pre"] else ""
            if textual:
                parts.append(f"{pre}{self.bib.authors(key)} [{year}{post}]")
            else:
                parts.append(f"{pre}{self.bib.authors(key)}, {year}{post}")
        return ", ".join(parts) if textual else "[" + ", ".join(parts) + "]"

    # text --------------------------------------------------------------------------------------
    def inline(self, line: str) -> str:
        def replace(match: re.Match) -> str:
            if match["role"]:
                return self.role(match["role"], match["content"])
            return match.group(0)  # a code span stays as it is

        line = ROLE.sub(replace, line)
        for name, body in site_macros(self.root).items():
            line = re.sub(rf"\\{name}(?![A-Za-z])", lambda _m, b=body: b, line)
        return line

    def blocks(self, lines: list[str]) -> list[str]:
        """Convert a list of markdown lines (a cell, or the body of a directive)."""
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = FENCE.match(line.strip()) if not line.startswith("    ") else None
            if fence:
                char, n = fence["fence"][0], len(fence["fence"])
                end = _closing_fence(lines, i + 1, char, n)
                directive = DIRECTIVE.match(fence["info"].strip())
                if directive:
                    out += self.directive(directive["name"], directive["arg"], lines[i + 1:end])
                else:
                    out += lines[i:end + 1]  # a code block: verbatim
                i = end + 1
                continue
            target = TARGET.match(line)
            if target:
                label = target["label"]
                out.append(f'<a id="{label.lower() if label.lower() in self.index.labels else label}"></a>')
                out.append("")
                i += 1
                continue
            if line.lstrip().startswith("$$"):
                end = i
                if not _closes_math(line.lstrip()[2:]):
                    end = i + 1
                    while end < len(lines) and not _closes_math(lines[end]):
                        end += 1
                out += self.display_math(lines[i:end + 1])
                i = end + 1
                continue
            out.append(self.inline(line))
            i += 1
        return out

    def display_math(self, lines: list[str]) -> list[str]:
        last = MATH_LABEL.match(lines[-1])
        if not last:
            return [self.inline(x) for x in lines]
        label = last["label"]
        docname, number = self.index.equation(label)
        body = lines[:-1] + [last["body"].rstrip() + f" \\tag{{{number}}} $$"]
        indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]  # stay inside a list item
        return [f'{indent}<a id="{equation_id(label)}"></a>', ""] + [self.inline(x) for x in body]

    def directive(self, name: str, arg: str, body: list[str]) -> list[str]:
        options, body = _options(body)
        label = options.get("label")
        content = self.blocks(body)
        title = self.inline(arg.strip()) if arg.strip() else ""
        if name.startswith("prf:") and name[4:] in THEOREM_KINDS:
            kind = name[4:]
            number = self.index.number(self.docname, kind, label) if label and "nonumber" not in options else None
            head = f"**{kind.capitalize()}{f' {number}' if number else ''}**" + (f" ({title})" if title else "")
            return _anchor(label) + _quote([head, ""] + content) + [""]
        if name == "prf:proof":
            head = f"*Proof{f' ({title})' if title else ''}.*"
            return _anchor(label) + [head, ""] + content + ["", f"<div align=\"right\">{QED}</div>", ""]
        if name == "exercise":
            number = self.index.number(self.docname, "exercise", label)
            head = f"**Exercise {number}**" + (f" ({title})" if title else "")
            return _anchor(label) + _quote([head, ""] + content) + [""]
        if name == "solution":
            exercise = arg.strip()
            docname, number = self.index.find("exercise", exercise)
            ex_title = self.exercise_titles.get(exercise, "")
            summary = f"Solution to Exercise {number}" + (f" ({self.inline(ex_title)})" if ex_title else "")
            return (["<details>", f"<summary><b>{_md_inline_to_html(summary)}</b></summary>", ""]
                    + content + ["", "</details>", ""])
        if name == "admonition":  # a titled box (its :class: styles it on the site only)
            head = f"**{title}**" if title else ""
            return _anchor(label) + _quote(([head, ""] if head else []) + content) + [""]
        raise ConversionError(f"{self.docname}: unknown directive {{{name}}}")


def _tidy(lines: list[str]) -> list[str]:
    """Collapse runs of blank lines (and of empty block-quote lines) outside code blocks."""
    out, fence = [], None
    for line in lines:
        match = FENCE.match(line.strip())
        if match and (fence is None or line.strip().startswith(fence)):
            fence = None if fence else match["fence"]
        blank = line.strip() in ("", ">")
        if fence is None and blank and out and out[-1].strip() in ("", ">") and out[-1].strip() == line.strip():
            continue
        out.append(line)
    return out


def _md_inline_to_html(text: str) -> str:
    """Inline markdown of a ``<summary>`` (HTML, where markdown is not parsed): links and emphasis."""
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r'<a href="\2">\1</a>', text)
    return re.sub(r"\*([^*]+)\*", r"<em>\1</em>", text)


def _closing_fence(lines, start, char, n) -> int:
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= n:
            return j
    raise ConversionError(f"unclosed fence {char * n}")


def _closes_math(line: str) -> bool:
    return "$$" in line


def _options(body: list[str]) -> tuple[dict, list[str]]:
    options, i = {}, 0
    while i < len(body) and re.match(r"^:[\w-]+:", body[i]):
        key, _, value = body[i][1:].partition(":")
        options[key] = value.strip()
        i += 1
    return options, body[i:]


def _anchor(label: str | None) -> list[str]:
    return [f'<a id="{label}"></a>', ""] if label else []


def _quote(lines: list[str]) -> list[str]:
    """A block quote; display math goes on one line so that ``> `` never enters the TeX."""
    joined, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("$$") and not _closes_math(line.lstrip()[2:]):
            end = i + 1
            while end < len(lines) and not _closes_math(lines[end]):
                end += 1
            indent = line[: len(line) - len(line.lstrip())]  # stay inside a list item
            joined.append(indent + " ".join(x.strip() for x in lines[i:end + 1]))
            i = end + 1
            continue
        joined.append(line)
        i += 1
    return [f"> {x}" if x.strip() else ">" for x in joined]


def _explicit(content: str) -> tuple[str | None, str]:
    match = EXPLICIT.match(content)
    if match and match["text"]:
        return match["text"], match["target"].strip()
    return None, content.strip()


def _resolve_doc(current: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    folder = current.rsplit("/", 1)[0] if "/" in current else ""
    return f"{folder}/{target}" if folder else target


# --- notebooks ------------------------------------------------------------------------------------------
def glued_values(nb) -> dict[str, str]:
    """``name -> text/plain`` of every number the notebook's stored outputs glue."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                values[scrap["name"]] = output["data"][scrap["mime_prefix"] + "text/plain"]
    return values


def _headings(nb) -> dict[str, str]:
    """``label -> heading text`` for every ``(label)=`` target placed right before a heading."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            target = TARGET.match(line)
            if target and i + 1 < len(lines):
                heading = re.match(r"^#+\s+(.*)$", lines[i + 1])
                if heading:
                    found[target["label"].lower()] = heading[1].strip()
    return found


def _exercise_titles(paths) -> dict[str, str]:
    titles = {}
    pattern = re.compile(r"^(`{3,}|:{3,})\{exercise\}\s*(?P<title>.*)\n:label:\s*(?P<label>\S+)", re.M)
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                for match in pattern.finditer(cell.source):
                    titles[match["label"]] = match["title"].strip()
    return titles


def convert(nb, docname: str, index: SiteIndex, bib: Bibliography, target: str = "binder",
            root: pathlib.Path = ROOT, exercise_titles: dict | None = None):
    """The plain-Jupyter copy of one chapter (a new notebook; ``nb`` is not changed)."""
    if target not in ("binder", "colab"):
        raise ValueError(f"target must be 'binder' or 'colab', got {target!r}")
    nb = copy.deepcopy(nb)
    chapter = Chapter(docname=docname, glue=glued_values(nb), index=index, bib=bib, target=target, root=root,
                      headings=_headings(nb),
                      exercise_titles=exercise_titles if exercise_titles is not None else {})
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = "\n".join(_tidy(chapter.blocks(cell.source.splitlines()))).strip("\n") + "\n"
        elif cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if cell.source.lstrip().startswith(COLAB_MARKER) and target != "colab":
                continue  # the Colab set-up cell does nothing outside Colab
            if any(t in tags for t in HIDDEN_TAGS) and not cell.source.lstrip().startswith(COLAB_MARKER):
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
                if target == "colab":
                    cell.metadata["cellView"] = "form"
        cells.append(cell)
    nb.cells = cells
    # the display name ipykernel's kernel reports, so that opening a copy does not mark it as changed
    kernelspec = nb.metadata.get("kernelspec")
    if kernelspec and kernelspec.get("name") == "python3":
        kernelspec["display_name"] = "Python 3 (ipykernel)"
    _add_banner(nb, docname, target, root)
    if chapter.cited:
        entries = [f'- <a id="bib-{key}"></a>{chapter.bib.entry(key)}' for key in bib.in_order(chapter.cited)]
        nb.cells.append(nbformat.v4.new_markdown_cell("## References\n\n" + "\n".join(entries) + "\n"))
    for i, cell in enumerate(nb.cells):
        cell.id = cell.get("id") or f"plain-{i}"
    return nb


def _add_banner(nb, docname: str, target: str, root: pathlib.Path) -> None:
    """One line under the chapter's title: where the site is, and that this copy is generated."""
    page = f"{site_url(root)}{docname}.html"
    where = "Colab" if target == "colab" else "Binder/JupyterLab"
    note = (f"*This is the {where} copy of a chapter of the book; its numbers, theorem and equation numbers and "
            f"references are those of [the site]({page}). Run the cells from the top; solutions are folded.*")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            at = 1 if lines and lines[0].startswith("# ") else 0
            cell.source = "\n".join(lines[:at] + ["", note, ""] + lines[at:]).strip("\n") + "\n"
            return


def convert_book(out: pathlib.Path, target: str = "binder", root: pathlib.Path = ROOT,
                 doctrees: pathlib.Path | None = None) -> list[pathlib.Path]:
    """Write every chapter of ``_toc.yml``, converted, to ``out``; return the paths written."""
    root = pathlib.Path(root).resolve()
    index = SiteIndex.from_doctrees(doctrees) if doctrees else SiteIndex.build(root)
    bib = Bibliography(root)
    paths = toc_notebooks(root)
    titles = _exercise_titles(paths)
    converted = []
    for path in paths:  # read and convert everything before writing: --out may be the source folder
        docname = path.relative_to(root).with_suffix("").as_posix()
        converted.append((path, convert(nbformat.read(path, as_version=4), docname, index, bib,
                                        target, root, titles)))
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, nb in converted:
        destination = out / path.name
        nbformat.write(nb, destination)
        written.append(destination)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=pathlib.Path, help="folder the converted chapters go to")
    parser.add_argument("--target", choices=("binder", "colab"), default="binder",
                        help="binder (default) drops the Colab set-up cell; colab keeps it and links to Colab copies")
    parser.add_argument("--doctrees", type=pathlib.Path, default=None,
                        help="the .doctrees folder of a build of the same sources (skips the numbering build)")
    parser.add_argument("--root", type=pathlib.Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for path in convert_book(args.out, args.target, args.root, args.doctrees):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
