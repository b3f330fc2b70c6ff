"""The README's "A first session", run line by line as a new user would.

The block is read from README.md itself (as datasette tests its docs), so
the README cannot drift from what works. It runs in a copy of the clone's
``docs/`` with a stand-in ``.venv/bin/activate`` that puts this
environment's ``guanxi`` on the PATH.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO


def first_session() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A first session", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "README.md's first session has no ```sh block"
    return match.group(1)


@pytest.fixture
def clone(tmp_path) -> Path:
    """What the README's lines need of a fresh clone: docs/ and a .venv to activate."""
    shutil.copytree(REPO / "docs" / "examples", tmp_path / "docs" / "examples")
    activate = tmp_path / ".venv" / "bin" / "activate"
    activate.parent.mkdir(parents=True)
    activate.write_text(f'export PATH="{Path(sys.executable).parent}:$PATH"\n')
    return tmp_path


@pytest.mark.slow
def test_the_readme_first_session_works_as_printed(clone):
    lines = [line for line in first_session().splitlines() if line.strip()]
    assert lines[0].startswith(". .venv/bin/activate")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANXI_")}
    # One shell runs the lines in order, as a person typing them: the
    # activation and the `cd` carry on. A marker before each line splits
    # the output and names the line that failed.
    script = "set -e\n" + "".join(f"echo '<<<{i}>>>'\n{line}\n" for i, line in enumerate(lines))
    done = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=300)
    parts = re.split(r"<<<(\d+)>>>\n", done.stdout)[1:]
    reached = {int(parts[i]): parts[i + 1] for i in range(0, len(parts), 2)}
    last = max(reached)
    assert done.returncode == 0, f"README line {lines[last]!r} failed: {done.stderr}"
    assert last == len(lines) - 1
    outputs = {lines[i].split("#")[0].strip(): text for i, text in reached.items()}

    def out(prefix: str) -> str:
        (text,) = [o for c, o in outputs.items() if c.startswith(prefix)]
        return text

    assert out("guanxi import teams").startswith("teams: read 2, inserted 2, updated 0, "
                                                 "unchanged 0, rejected 0")
    assert "rejected 0" in out("guanxi import managers")
    assert "rejected 0" in out("guanxi import customers")
    assert "rejected 0" in out("guanxi import interactions")
    listed = out("guanxi customers list --manager M001")
    assert "C0001" in listed and "C0002" in listed and "C0003" not in listed
    assert out("guanxi customers reassign").startswith("Moved 2 customer(s)")
    # C0004's last contact is 2026-08-01: as of 2026-12-01 it is due a call,
    # whatever day the test runs (the README runs the batch as of that day).
    day = out("guanxi tasks list --manager M004 --as-of 2026-12-01")
    assert "core.reactivation" in day and "C0004" in day
    assert "last contact 2026-08-01, 122 days ago" in day
    assert out("guanxi plan build --as-of 2026-12-01").startswith(
        "Plan 2026-W50 (2026-12-07 to 2026-12-13)\n  core.visits: 4 visit(s) planned")
    workspace = clone / "crm"
    with open(workspace / "customers-out.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6
    assert {r["id"]: r["manager_id"] for r in rows}["C0004"] == "M004"
    # Nothing the session writes lands in the clone's docs.
    assert sorted(p.name for p in (clone / "docs" / "examples").iterdir()) == sorted(
        p.name for p in (REPO / "docs" / "examples").iterdir())
