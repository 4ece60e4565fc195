"""The checker itself can fail: a changed stated number makes nbval fail.

A copy of a chapter with one digit of one stored glued number changed is run
through nbval in a separate pytest process; it must fail on that cell.
"""

import json
import re
import shutil
import subprocess
import sys

from notebook_tools import ROOT, toc_notebooks


def _change_first_glued_digit(nb: dict) -> str:
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            key = "application/papermill.record/text/plain"
            if name and key in out.get("data", {}):
                old = out["data"][key]
                match = re.search(r"\d", old)
                digit = old[match.start()]
                new = old[: match.start()] + str((int(digit) + 1) % 10) + old[match.end():]
                out["data"][key] = new
                return f"{name}: {old} -> {new}"
    raise AssertionError("no glued number found")


def test_changing_one_stated_digit_fails_nbval(tmp_path):
    source = toc_notebooks()[0]
    nb = json.loads(source.read_text())
    change = _change_first_glued_digit(nb)
    target = tmp_path / source.name
    target.write_text(json.dumps(nb))
    shutil.copy(ROOT / "tests" / "sanitize.cfg", tmp_path / "sanitize.cfg")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", "sanitize.cfg", "-p", "no:cacheprovider", "-q", target.name],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, f"nbval did not catch {change}:\n{result.stdout[-2000:]}"
    assert "1 failed" in result.stdout, result.stdout[-2000:]
    assert "papermill.record/text/plain" in result.stdout
