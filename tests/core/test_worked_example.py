"""The worked example of docs/writing-a-pack.md runs (issue 14), so the guide
cannot drift from guanxi.

The guide marks each code block that is part of the example pack with
``<!-- guanxi-water: PATH -->``; the blocks of one path, in page order, make
that file. The test writes them into a temporary project, installs it the way
pip lays out a wheel (the package's modules and its package-data, a
``.dist-info`` whose METADATA and entry points come from the guide's
pyproject.toml) into a folder of its own, which a subprocess puts on
``sys.path``, so the running environment is never changed. Then it runs the
``guanxi`` commands the guide shows and the guide's own pack tests.

On PostgreSQL (GUANXI_TEST_DATABASE_URL) the example gets a database of its
own, dropped afterwards: its schema branch must not reach the shared one.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from guanxi.testing import TEST_DATABASE_ENV

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "writing-a-pack.md"
def guide_files(page: Path = GUIDE, project: str = "guanxi-water") -> dict[str, str]:
    """PATH -> the text of the page's blocks marked ``<!-- PROJECT: PATH -->``, in page order.

    docs/tutorial.md's pack is put together the same way (test_tutorial.py).
    """
    block = re.compile(rf"<!-- {re.escape(project)}: (\S+) -->\n```[a-z]*\n(.*?)^```",
                       re.S | re.M)
    files: dict[str, list[str]] = {}
    for path, code in block.findall(page.read_text(encoding="utf-8")):
        files.setdefault(path, []).append(code)
    return {path: "\n\n".join(parts) for path, parts in files.items()}


def install(project: Path, site: Path) -> str:
    """Lay ``project`` out in ``site`` as an installed wheel would; returns its name.

    Only what setuptools would ship goes: each package's own modules (a
    folder with ``__init__.py`` under ``packages.find.where``) and the files
    its ``package-data`` globs match. So a migration the package-data leaves
    out is missing here as it would be in the wheel.
    """
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    described, tool = meta["project"], meta["tool"]["setuptools"]
    root = project / tool["packages"]["find"]["where"][0]
    for init in root.rglob("__init__.py"):
        package = init.parent
        dotted = ".".join(package.relative_to(root).parts)
        target = site / package.relative_to(root)
        target.mkdir(parents=True, exist_ok=True)
        for module in package.glob("*.py"):
            shutil.copy(module, target / module.name)
        for pattern in tool.get("package-data", {}).get(dotted, ()):
            for found in package.rglob("*"):
                relative = found.relative_to(package).as_posix()
                if found.is_file() and fnmatch.fnmatch(relative, pattern):
                    (target / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(found, target / relative)
    name, version = described["name"], described["version"]
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    requires = "".join(f"Requires-Dist: {d}\n" for d in described.get("dependencies", ()))
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                                   f"{requires}", encoding="utf-8")
    lines = []
    for group, points in described.get("entry-points", {}).items():
        lines += [f"[{group}]"] + [f"{key} = {value}" for key, value in points.items()] + [""]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return name


@pytest.fixture
def example_database(tmp_path):
    """A database URL of the example's own: a SQLite file, or a fresh PostgreSQL database."""
    shared = os.environ.get(TEST_DATABASE_ENV)
    if not shared:
        yield f"sqlite:///{tmp_path / 'water.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(shared)
    name = f"guanxi_water_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def water(tmp_path, example_database):
    """The example pack written from the guide and installed; ``run(*args)`` runs guanxi."""
    project = tmp_path / "guanxi-water"
    for path, text in guide_files().items():
        target = (tmp_path if path == "guanxi.toml" else project) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    assert install(project, site) == "guanxi-water"
    config = tmp_path / "guanxi.toml"
    # The guide's guanxi.toml, on this test's database.
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[guanxi]\n", f'[guanxi]\ndatabase = "{example_database}"\n', 1), encoding="utf-8")
    run = runner(tmp_path, config, site)
    run.tmp = tmp_path
    run.project = project
    run.database = example_database
    return run


def runner(cwd: Path, config: Path, site: Path):
    """``run(*args, check=True)``: guanxi in a subprocess on ``config``, with the packs
    installed in ``site`` importable (``run.env`` is its environment)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("GUANXI_DEBUG", None)

    def run(*args, check=True):
        done = subprocess.run(
            [sys.executable, "-c", "from guanxi.cli import main; main()",
             "--config", str(config), *args],
            cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
        if check:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    run.env = env
    return run


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_guide_marks_every_file_of_the_example():
    assert sorted(guide_files()) == [
        "guanxi.toml", "pyproject.toml", "src/guanxi_water/__init__.py",
        "src/guanxi_water/migrations/w001_outages.py", "src/guanxi_water/tables.py",
        "tests/test_strict.py", "tests/test_water.py"]


def test_the_worked_example_installs_and_its_commands_run(water):
    tmp = water.tmp
    water("db", "upgrade")
    plugins = json.loads(water("plugins", "--format", "json").stdout)
    (row,) = [r for r in plugins if r["name"] == "water"]
    assert row["distribution"] == "guanxi-water" and row["version"] == "0.1.0"
    assert "broken" not in row, row.get("broken")
    assert row["hooks"] == [
        "guanxi_commands", "guanxi_config_options", "guanxi_entities", "guanxi_fields",
        "guanxi_metrics", "guanxi_report_kinds", "guanxi_schemas", "guanxi_segmentations",
        "guanxi_validate_accounts"]
    fields = {(f["entity"], f["name"]) for f in json.loads(water("fields", "--format",
                                                                 "json").stdout)}
    assert {("accounts", "meter_no"), ("customers", "district")} <= fields

    water("import", "managers", str(_write(tmp / "managers.csv", "id,name\nM001,Wang Fang\n")))
    water("import", "customers", str(_write(
        tmp / "customers.csv",
        "id,name,manager_id,district,created_at\n"
        "C1,Zhang Wei,M001,east,2020-01-01\nC2,Li Na,M001,west,2020-01-01\n"
        "C3,Zhao Lei,M001,east,2020-01-01\n")))
    accounts = water("import", "accounts", str(_write(
        tmp / "accounts.csv", "id,customer_id,type,meter_no\nA1,C1,supply,W0012\n"
                              "A2,C2,supply,X0013\n")), check=False)
    # A refused row: exit 3, the reason with the pack's name in the rejects file.
    assert accounts.returncode == 3, accounts.stderr
    rejects = next(tmp.rglob("accounts.rejects.csv")).read_text(encoding="utf-8")
    assert "a meter number is W followed by digits (pack water)" in rejects
    water("import", "measurements", str(_write(
        tmp / "usage.csv", "customer_id,metric,period,value\n"
                           "C1,water_m3,2026-08,40\nC1,water_m3,2026-09,45\n"
                           "C1,water_m3,2026-10,50\nC2,water_m3,2026-10,12\n")))
    water("import", "outages", str(_write(
        tmp / "outages.csv", "id,district,starts_on,ends_on,cause\n"
                             "O1,harbour,2026-11-02,2026-11-03,main repair\n")))
    exported = water("export", "outages", str(tmp / "outages-out.csv"))
    assert "O1,harbour,2026-11-02,2026-11-03,main repair" in (
        tmp / "outages-out.csv").read_text(encoding="utf-8"), exported.stdout

    assert water("water", "districts").stdout == "east: 2\nwest: 1\n"
    # The output kit: a table for people, JSON for scripts.
    assert water("water", "outages").stdout.splitlines() == [
        "id  district  starts_on   ends_on     cause",
        "--  --------  ----------  ----------  -----------",
        "O1  harbour   2026-11-02  2026-11-03  main repair"]
    assert json.loads(water("water", "outages", "--format", "json").stdout) == [
        {"id": "O1", "district": "harbour", "starts_on": "2026-11-02",
         "ends_on": "2026-11-03", "cause": "main repair"}]
    assert "Water utility commands." in water("water", "--help").stdout

    # heavy_m3 = 25 (the guide's guanxi.toml): C1's 45 m³ a month is heavy, C2's 4 is not.
    (segmented,) = json.loads(water("segment", "water.usage", "--as-of", "2026-11-05",
                                    "--format", "json").stdout)
    assert segmented["counts"] == {"heavy": 1, "normal": 1}

    assert "water.monthly_usage" in water("reports", "kinds").stdout
    shown = water("reports", "show", "water.monthly_usage", "--period", "2026-10",
                  "--author", "M001").stdout
    assert "# Monthly usage 2026-10: Wang Fang" in shown
    assert "2 district(s), 62 m³ in all." in shown
    water("reports", "show", "water.monthly_usage", "--period", "2026-10",
          "--output", str(tmp / "october.xlsx"))
    assert (tmp / "october.xlsx").stat().st_size > 0
    water("reports", "submit", "water.monthly_usage", "--author", "M001", "--period", "2026-10")


def test_the_guides_own_pack_tests_pass(water):
    env = dict(water.env)
    if env.get(TEST_DATABASE_ENV):
        env[TEST_DATABASE_ENV] = water.database
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "tests"], cwd=water.project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b3 passed\b", done.stdout), done.stdout
