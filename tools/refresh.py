"""Re-execute the book's notebooks in place, single-threaded, so that the committed
outputs are exactly what a fresh run produces (and what nbval re-checks).

Usage (from the repository root)::

    python tools/refresh.py                 # every notebook in _toc.yml
    python tools/refresh.py book/ch01_pl_descent.ipynb

It prints each notebook's execution time. Outputs are overwritten; cell timing
metadata is not recorded, so a refresh that changes nothing leaves no diff.

Before executing, it makes the notebook's first cell the **Colab set-up cell**: in Google
Colab that cell installs ``lplbook`` from the repository named in ``_config.yml``
(``repository.url`` and ``repository.branch``, the one place the book's address is written);
anywhere else it does nothing. The cell is tagged ``remove-cell``, so the site does not show it.
A fork that changes ``repository`` in ``_config.yml`` runs this tool once to update every
notebook; ``tests/test_notebooks.py`` fails until it has.
"""

from __future__ import annotations

import os

# single-threaded BLAS before NumPy is imported anywhere (the kernel inherits it)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

import argparse
import pathlib
import sys
import time

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]


def toc_notebooks(root: pathlib.Path = ROOT) -> list[pathlib.Path]:
    """The ``.ipynb`` files named in ``_toc.yml``, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]
    for entry in toc.get("chapters", []):
        files.append(entry["file"])
    paths = [root / f"{f}.ipynb" for f in files]
    return [p for p in paths if p.exists()]


COLAB_MARKER = "# Colab set-up"


def repository(root: pathlib.Path = ROOT) -> tuple[str, str]:
    """The book's repository URL and branch, from the ``repository`` block of ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text())["repository"]
    return config["url"].rstrip("/"), config.get("branch", "main")


def colab_setup_source(root: pathlib.Path = ROOT) -> str:
    """The source of the first cell of every chapter (see the module docstring)."""
    url, branch = repository(root)
    return f"""{COLAB_MARKER}: in Google Colab this installs the book's helper package, lplbook,
# from {url} (branch {branch}). Anywhere else (Binder, a local clone,
# the tests) it does nothing: requirements.txt has installed the package already.
try:
    import google.colab  # noqa: F401 - importable only inside Colab
except ImportError:
    pass
else:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "lplbook @ git+{url}@{branch}"], check=True)"""


def with_colab_cell(nb, root: pathlib.Path = ROOT):
    """Make the first cell of ``nb`` the Colab set-up cell (insert it, or update it in place)."""
    source = colab_setup_source(root)
    first = nb.cells[0] if nb.cells else None
    if first is not None and first.cell_type == "code" and first.source.startswith(COLAB_MARKER):
        first.source = source
    else:
        nb.cells.insert(0, nbformat.v4.new_code_cell(source))
        first = nb.cells[0]
    first["id"] = "colab-setup"
    first.metadata["tags"] = ["remove-cell"]
    return nb


def refresh(path: pathlib.Path, timeout: int = 600) -> float:
    """Execute ``path`` in place in its own folder; return the wall time in seconds."""
    nb = with_colab_cell(nbformat.read(path, as_version=4))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        # no widget state in the notebook: the site shows the static figures, and stored
        # state would make MyST-NB load the widget manager from a CDN on every page
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or toc_notebooks()
    total = 0.0
    for path in paths:
        seconds = refresh(path)
        total += seconds
        print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s")
    print(f"total: {total:.1f} s for {len(paths)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
