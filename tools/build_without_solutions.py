"""Build the book's site without the solutions of the exercises, for instructors who set them as homework.

Usage (from the repository root, in the book's virtual environment)::

    python tools/build_without_solutions.py                  # the site lands in _build/html-no-solutions
    python tools/build_without_solutions.py --out DIR        # ... or in DIR (replaced if it exists)

What it does, without touching the sources or ``_config.yml``:

1. copies ``_config.yml``, ``_toc.yml`` and ``book/`` to a temporary folder;
2. sets sphinx-exercise's ``hide_solutions`` option in the copy's ``_config.yml`` (under
   ``sphinx: config:``), so that every ``{solution}`` block is dropped from the pages while the
   exercises stay, numbered as on the full site;
3. in the copied notebooks, turns the hidden code cells that belong to a solution (tag ``hide-cell``,
   after a markdown cell with a ``{solution}`` and before the next markdown cell) into
   ``remove-cell``, so that the self-checking solution code is not on the pages either;
4. runs Jupyter Book 1 on the copy (nothing is executed: the site shows the stored outputs) and copies
   the finished HTML site to ``--out``.

The exit status is Jupyter Book's; the build log is printed when it fails.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import nbformat
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "_build" / "html-no-solutions"


def solution_cells(nb) -> list[int]:
    """Indices of the hidden code cells that belong to a solution.

    A solution's check cell follows the markdown cell that holds its ``{solution}`` block (a notebook
    cannot put a code cell inside a directive), so: every ``hide-cell`` code cell between a markdown
    cell with a ``{solution}`` and the next markdown cell.
    """
    found, in_solution = [], False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            in_solution = "{solution}" in cell.source
        elif cell.cell_type == "code" and in_solution and "hide-cell" in cell.metadata.get("tags", []):
            found.append(i)
    return found


def strip_notebook(path: pathlib.Path) -> int:
    """Tag the solution cells of the notebook at ``path`` ``remove-cell`` (in place); return how many."""
    nb = nbformat.read(path, as_version=4)
    cells = solution_cells(nb)
    for i in cells:
        tags = [t for t in nb.cells[i].metadata.get("tags", []) if t != "hide-cell"]
        nb.cells[i].metadata["tags"] = tags + ["remove-cell"]
    if cells:
        nbformat.write(nb, path)
    return len(cells)


def prepare(source: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """Copy the book's sources to ``dest`` with solutions switched off; return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("_toc.yml",):
        shutil.copy2(source / name, dest / name)
    shutil.copytree(source / "book", dest / "book",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_build", "__pycache__"))
    config = yaml.safe_load((source / "_config.yml").read_text())
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    (dest / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    for path in sorted((dest / "book").glob("*.ipynb")):
        strip_notebook(path)
    return dest


def build(out: pathlib.Path = DEFAULT_OUT, source: pathlib.Path = ROOT, extra_args: list[str] | None = None
          ) -> subprocess.CompletedProcess:
    """Build the site without solutions into ``out`` (replaced); return the finished Jupyter Book process."""
    source, out = pathlib.Path(source).resolve(), pathlib.Path(out).resolve()
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    with tempfile.TemporaryDirectory(prefix="lplbook-nosol-") as tmp:
        copy = prepare(source, pathlib.Path(tmp) / "src")
        # autodoc (the API page) imports lplbook from the repository, not from the copy
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))}
        done = subprocess.run(
            [str(jupyter_book), "build", str(copy), "--path-output", str(pathlib.Path(tmp) / "out"),
             *(extra_args or [])],
            capture_output=True, text=True, check=False, env=env,
        )
        html = pathlib.Path(tmp) / "out" / "_build" / "html"
        if done.returncode == 0 and html.exists():
            if out.exists():
                shutil.rmtree(out)
            shutil.copytree(html, out)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT,
                        help=f"folder the HTML site goes to (default: {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--strict", action="store_true", help="build with -W -n --keep-going, as the tests do")
    args = parser.parse_args(argv)
    done = build(args.out, extra_args=["-W", "-n", "--keep-going"] if args.strict else None)
    if done.returncode != 0:
        print(done.stdout[-6000:] + done.stderr[-6000:], file=sys.stderr)
        return done.returncode
    print(f"The site without solutions is in {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
