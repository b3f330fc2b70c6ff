"""docs/tutorial.md runs as written (issue 22): the insurance pack is scaffolded
with ``guanxi pack new`` in an empty directory, its files are written from the
page's blocks, it is installed, its test passes, and every ``guanxi`` command
the page shows prints what the page shows.

The machinery is the worked example's (test_worked_example.py): the blocks
marked ``<!-- guanxi-insurance: PATH -->`` make the files, ``install`` lays
the pack out as a wheel would, ``runner`` runs guanxi in a subprocess. A block
marked ``<!-- tutorial: run -->`` is a console session: ``$ guanxi ...``
lines are run in order and the lines after each are its expected output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_worked_example import example_database, guide_files, install, runner  # noqa: F401

from guanxi.testing import TEST_DATABASE_ENV

REPO = Path(__file__).resolve().parents[2]
PAGE = REPO / "docs" / "tutorial.md"
TEXT = PAGE.read_text(encoding="utf-8")
_SESSION = re.compile(r"<!-- tutorial: run -->\n```console\n(.*?)^```", re.S | re.M)


def sessions() -> list[tuple[list[str], str]]:
    """Every command of the page's console blocks with the output shown after it."""
    steps = []
    for block in _SESSION.findall(TEXT):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            steps.append((command.split(), output))
    return steps


@pytest.fixture
def agency(tmp_path, example_database):  # noqa: F811
    """The tutorial's directory after steps 1 to 8: scaffolded, written, installed."""
    agency = tmp_path / "agency"
    agency.mkdir()
    scaffold = subprocess.run(
        [sys.executable, "-c", "from guanxi.cli import main; main()",
         "pack", "new", "insurance", "--dir", "guanxi-insurance"],
        cwd=agency, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert scaffold.returncode == 0, scaffold.stdout + scaffold.stderr
    project = agency / "guanxi-insurance"
    for path, text in guide_files(PAGE, "guanxi-insurance").items():
        target = project / path if path.startswith(("src/", "tests/")) else agency / path
        assert target.exists() or not path.startswith("src/"), path
        target.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    assert install(project, site) == "guanxi-insurance"
    config = agency / "guanxi.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[guanxi]\n", f'[guanxi]\ndatabase = "{example_database}"\n', 1), encoding="utf-8")
    run = runner(agency, config, site)
    run.project, run.database = project, example_database
    return run


def test_the_tutorial_marks_its_files_and_shows_its_commands():
    assert sorted(guide_files(PAGE, "guanxi-insurance")) == [
        "accounts.csv", "customers.csv", "guanxi.toml", "interactions.csv", "managers.csv",
        "src/guanxi_insurance/__init__.py", "tests/test_insurance.py"]
    assert "guanxi pack new insurance --dir guanxi-insurance" in TEXT
    commands = [" ".join(c) for c, _ in sessions()]
    for needed in ("guanxi fields", "guanxi segment insurance.cover",
                   "guanxi rules run insurance.renewal", "guanxi kpi insurance.premiums",
                   "guanxi reports show insurance.book"):
        assert any(c.startswith(needed) for c in commands), needed


def test_every_command_prints_what_the_page_shows(agency):
    assert "\nguanxi db upgrade\n" in TEXT
    agency("db", "upgrade")
    for command, expected in sessions():
        assert command[0] == "guanxi", command
        done = agency(*command[1:])
        assert done.stdout == expected, (" ".join(command), done.stdout)


def test_the_pack_is_found_and_its_own_test_passes(agency):
    import json

    agency("db", "upgrade")
    (row,) = [r for r in json.loads(agency("plugins", "--format", "json").stdout)
              if r["name"] == "insurance"]
    assert "broken" not in row and row["distribution"] == "guanxi-insurance"
    env = dict(agency.env)
    if env.get(TEST_DATABASE_ENV):
        env[TEST_DATABASE_ENV] = agency.database
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "tests"], cwd=agency.project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b1 passed\b", done.stdout), done.stdout
