"""Helpers shared by the notebook tests: the chapters of `_toc.yml` and their glue."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("refresh", ROOT / "tools" / "refresh.py")
refresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh)
_spec = importlib.util.spec_from_file_location("plain_notebooks", ROOT / "tools" / "plain_notebooks.py")
plain_notebooks = importlib.util.module_from_spec(_spec)
sys.modules["plain_notebooks"] = plain_notebooks  # dataclasses look their module up there
_spec.loader.exec_module(plain_notebooks)

GLUE_ROLE = re.compile(r"\{glue(?::(?:text|math|any))?\}`([^`:]+)(?::[^`]*)?`")
NBVAL_MARKERS = ("nbval-ignore-output", "nbval-skip", "nbval-raises-exception")


def toc_notebooks() -> list[pathlib.Path]:
    """The notebooks of `_toc.yml`, in reading order (shared with tools/refresh.py)."""
    return refresh.toc_notebooks(ROOT)


def read(path: pathlib.Path):
    return nbformat.read(path, as_version=4)


def glued_names(nb) -> list[str]:
    """Names glued by the stored outputs of ``nb`` (MyST-NB's scrapbook metadata)."""
    names = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                names.append(name)
    return names


def used_glue_names(nb) -> set[str]:
    """Names referenced by ``{glue:text}`name``` (and the other glue roles) in prose."""
    used = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            used.update(GLUE_ROLE.findall(cell.source))
    return used
