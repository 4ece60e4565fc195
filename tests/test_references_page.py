"""The references page groups the bibliography: the three papers, their predecessors and companions,
the wider landscape; each entry of ``book/references.bib`` appears exactly once, in its group.

The grouping is the ``keywords`` field of each entry (``lplbook-paper``, ``lplbook-companion``,
``lplbook-landscape``), read by three ``{bibliography}`` directives with ``:filter:`` and distinct
``:labelprefix:`` (P, C, L).
"""

from __future__ import annotations

import re

import pybtex.database
from notebook_tools import ROOT

GROUPS = {"P": "lplbook-paper", "C": "lplbook-companion", "L": "lplbook-landscape"}


def _entries():
    return pybtex.database.parse_file(ROOT / "book" / "references.bib").entries


def test_every_entry_has_exactly_one_group():
    for key, entry in _entries().items():
        keywords = entry.fields.get("keywords", "")
        assert sum(group in keywords for group in GROUPS.values()) == 1, f"{key}: keywords {keywords!r}"
    papers = {key for key, entry in _entries().items() if GROUPS["P"] in entry.fields["keywords"]}
    assert papers == {"XMTMV25", "ACGH19", "Cha22"}


def test_the_page_lists_each_entry_once_in_its_group(built_site):
    from bs4 import BeautifulSoup

    _, html = built_site
    soup = BeautifulSoup((html / "book" / "references.html").read_text(), "html.parser")
    labels = [span.get_text().strip("[]") for span in soup.select("span.label")]
    assert len(labels) == len(set(labels)) == len(_entries())
    for prefix, keyword in GROUPS.items():
        expected = sum(keyword in entry.fields["keywords"] for entry in _entries().values())
        assert len([label for label in labels if re.fullmatch(rf"{prefix}\d+", label)]) == expected, prefix
    sections = [section.find("h2").get_text().rstrip("#") for section in soup.select("section section")]
    assert sections == ["The three papers", "Their predecessors and companions", "The wider landscape"]
    first = soup.select("section section")[0].get_text()
    assert all(name in first for name in ("Xu", "Arora", "Chatterjee"))
