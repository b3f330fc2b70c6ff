"""The command line: each command through click's runner, a few through a
real process; stable JSON shapes; one-line errors and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from core_helpers import HERE, counts, fake_dists, read_text, write  # noqa: F401
from guanxi.cli import cli
from guanxi.plugins import hook_names
from guanxi.storage.connection import connect
from guanxi.testing import TEST_DATABASE_ENV

GUANXI = Path(sys.executable).with_name("guanxi")

MANAGERS = """\
id,name,territory,active
M1,Wang,north,true
M2,Li,south,true
M3,Zhao,south,false
"""

CUSTOMERS = """\
id,name,kind,manager_id,territory,status,created_at
C1,张伟,person,M1,north,active,2024-03-15
C2,华北机械,organization,M1,north,dormant,2023-07-01
C3,Li Na,person,M2,south,active,
C4,Zhou,person,M3,south,active,
C5,Wu,person,,north,prospect,
"""


@pytest.fixture
def ws(workspace, tmp_path):
    """A workspace holding three managers and five customers."""
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    workspace.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    return workspace


def run(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


def database_url(tmp_path) -> str:
    return os.environ.get(TEST_DATABASE_ENV) or f"sqlite:///{tmp_path / 'new.db'}"


# ---------------------------------------------------------------------------
# init and db
# ---------------------------------------------------------------------------


def test_init_writes_the_config_and_brings_the_database_to_head(tmp_path, workspace):
    folder = tmp_path / "new"
    url = database_url(tmp_path)
    result = CliRunner().invoke(cli, ["init", "--dir", str(folder), "--database", url])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (f"Wrote {folder / 'guanxi.toml'}.\n"
                             f"Database {url} is at head (core 0007).\n")
    assert read_text(folder / "guanxi.toml") == (
        "# guanxi workspace configuration; see docs/configuration.md.\n"
        "[guanxi]\n"
        f'database = "{url}"\n'
        "packs = []\n"
        'timezone = "Asia/Shanghai"\n'
        'language = "en"\n')
    again = CliRunner().invoke(cli, ["init", "--dir", str(folder)])
    assert again.stdout.splitlines()[0] == (
        f"Kept the existing {folder / 'guanxi.toml'}; its packs and database stand "
        "(--pack and --database apply to a new file only).")
    config = str(folder / "guanxi.toml")
    current = CliRunner().invoke(cli, ["--config", config, "db", "current", "--format", "json"])
    assert json.loads(current.stdout) == [
        {"branch": "core", "current": "0007", "head": "0007", "at_head": True}]


def test_init_with_a_relative_sqlite_path_puts_the_database_beside_the_config(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["init", "--dir", "sub"])
    assert result.exit_code == 0
    assert (tmp_path / "sub" / "guanxi.db").is_file()
    assert not (tmp_path / "guanxi.db").exists()


def test_db_upgrade_creates_an_enabled_packs_tables(tmp_path, fake_dists, workspace):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    folder = tmp_path / "new"
    url = database_url(tmp_path)
    assert CliRunner().invoke(cli, ["init", "--dir", str(folder), "--database", url]).exit_code == 0
    engine = connect(url)
    with engine.begin() as conn:
        # On PostgreSQL the session's database may hold the pack already.
        for name in ("testpack_notes", "testpack_log", "alembic_version_testpack"):
            conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    config = folder / "guanxi.toml"
    config.write_text(read_text(config).replace("packs = []", 'packs = ["testpack"]'),
                      encoding="utf-8")
    current = CliRunner().invoke(cli, ["--config", str(config), "db", "current"])
    assert current.stdout == ("branch    current  head  at_head\n"
                              "--------  -------  ----  -------\n"
                              "core      0007     0007  yes\n"
                              "testpack           tp01  no\n")
    listing = CliRunner().invoke(cli, ["--config", str(config), "customers", "list"])
    assert (listing.exit_code, listing.stderr) == (
        1, "Error: the database has no 'testpack' schema yet; run `guanxi db upgrade` (or "
           "`guanxi init` for a new workspace)\n")
    upgrade = CliRunner().invoke(cli, ["--config", str(config), "db", "upgrade"])
    assert (upgrade.exit_code, upgrade.stdout) == (0, "core: 0007 (head)\ntestpack: tp01 (head)\n")
    assert {"testpack_notes", "testpack_log"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    current = CliRunner().invoke(cli, ["--config", str(config), "db", "current", "--format", "json"])
    assert json.loads(current.stdout) == [
        {"branch": "core", "current": "0007", "head": "0007", "at_head": True},
        {"branch": "testpack", "current": "tp01", "head": "tp01", "at_head": True}]


def test_init_with_a_pack(tmp_path, fake_dists, workspace):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    folder = tmp_path / "new"
    url = database_url(tmp_path)
    result = CliRunner().invoke(cli, ["init", "--dir", str(folder), "--pack", "testpack",
                                      "--database", url])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == f"Database {url} is at head (core 0007, testpack tp01)."
    assert 'packs = ["testpack"]' in read_text(folder / "guanxi.toml")


def test_a_job_on_a_database_without_the_schema_says_what_to_run(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    config = write(tmp_path / "guanxi.toml",
                   f'[guanxi]\ndatabase = "sqlite:///{tmp_path / "empty.db"}"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "customers", "list"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: the database has no 'core' schema yet; run `guanxi db "
                             "upgrade` (or `guanxi init` for a new workspace)\n")


def test_a_job_without_a_database_file_creates_none_and_says_to_init(tmp_path):
    missing = tmp_path / "missing.db"
    config = write(tmp_path / "guanxi.toml", f'[guanxi]\ndatabase = "sqlite:///{missing}"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "customers", "list"])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: no database at {missing}; run `guanxi init` to create one "
                             "(config: guanxi.toml)\n")
    assert not missing.exists()


# ---------------------------------------------------------------------------
# plugins, fields, config
# ---------------------------------------------------------------------------


def test_plugins_and_fields_json_shapes(ws, tmp_path, fake_dists):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    config = write(tmp_path / "pack.toml",
                   f'[guanxi]\ndatabase = "{ws.config.database}"\npacks = ["testpack"]\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "plugins", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows][:2] == ["core", "testpack"]
    assert all(list(r) == ["name", "distribution", "version", "enabled", "hooks"] for r in rows)
    assert rows[1] == {"name": "testpack", "distribution": "guanxi-testpack", "version": "0.0.1",
                       "enabled": True, "hooks": sorted(hook_names())}
    result = CliRunner().invoke(cli, ["--config", str(config), "fields", "--format", "json"])
    assert json.loads(result.stdout) == [
        {"pack": "testpack", "entity": "accounts", "name": "opened_by", "type": "text",
         "required": False, "allowed": []},
        {"pack": "testpack", "entity": "customers", "name": "grade", "type": "integer",
         "required": False, "allowed": [1, 2, 3]},
        {"pack": "testpack", "entity": "customers", "name": "licence", "type": "text",
         "required": False, "allowed": []},
        {"pack": "testpack", "entity": "customers", "name": "licence_until", "type": "date",
         "required": False, "allowed": []},
        {"pack": "testpack", "entity": "interactions", "name": "vip", "type": "boolean",
         "required": False, "allowed": []},
    ]
    result = CliRunner().invoke(cli, ["--config", str(config), "fields", "--entity", "accounts",
                                      "--format", "csv"])
    assert result.stdout.splitlines() == [
        "pack,entity,name,type,required,allowed,description",
        "testpack,accounts,opened_by,text,no,,Who opened it."]


def test_fields_without_packs(ws):
    assert run(ws, "fields") == (
        0, "No sector fields: neither the enabled packs nor guanxi.toml declare any.\n", "")
    assert run(ws, "fields", "--format", "json") == (0, "[]\n", "")


# ---------------------------------------------------------------------------
# import and export
# ---------------------------------------------------------------------------


def test_import_json_summary(ws, tmp_path):
    path = write(tmp_path / "more.csv", "id,name\nC1,张伟\nC6,New\nC7,\n")
    code, out, err = run(ws, "import", "customers", str(path), "--format", "json")
    assert (code, err) == (3, "")
    data = json.loads(out)
    assert list(data) == ["entity", "read", "inserted", "updated", "unchanged", "rejected",
                          "rejects_file", "encoding", "dry_run"]
    assert data == {"entity": "customers", "read": 3, "inserted": 1, "updated": 0,
                    "unchanged": 1, "rejected": 1,
                    "rejects_file": str(tmp_path / "more.rejects.csv"),
                    "encoding": "utf-8", "dry_run": False}


def test_export_writes_the_import_columns_back(ws, tmp_path):
    out = tmp_path / "out.csv"
    assert run(ws, "export", "customers", str(out)) == (
        0, f"customers: wrote 5 rows to {out}\n", "")
    assert read_text(out) == CUSTOMERS
    code, stdout, _ = run(ws, "import", "customers", str(out), "--format", "json")
    assert (code, json.loads(stdout)["unchanged"]) == (0, 5)
    jsonl = tmp_path / "out.jsonl"
    assert run(ws, "export", "managers", str(jsonl))[0] == 0
    assert [json.loads(line) for line in read_text(jsonl).splitlines()][0] == {
        "id": "M1", "name": "Wang", "team_id": None, "role": None, "territory": "north",
        "class": None, "active": "true", "left_at": None, "reports_to": None}


def test_export_to_an_unknown_file_type_is_wrong_usage(ws, tmp_path):
    assert run(ws, "export", "customers", str(tmp_path / "out.txt")) == (
        2, "", "Error: out.txt: export writes .csv, .jsonl or .xlsx files\n")
    assert not (tmp_path / "out.txt").exists()


def test_export_in_gb18030(ws, tmp_path):
    out = tmp_path / "gbk.csv"
    assert run(ws, "export", "customers", str(out), "--encoding", "gb18030")[0] == 0
    assert out.read_bytes().decode("gb18030").splitlines()[1] == (
        "C1,张伟,person,M1,north,active,2024-03-15")


# ---------------------------------------------------------------------------
# customers list
# ---------------------------------------------------------------------------


def ids_of_csv(text: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(("args", "ids"), [
    ([], ["C1", "C2", "C3", "C4", "C5"]),
    (["--manager", "M1"], ["C1", "C2"]),
    (["--territory", "south"], ["C3", "C4"]),
    (["--status", "active"], ["C1", "C3", "C4"]),
    (["--status", "active", "--territory", "north"], ["C1"]),
    # No manager (C5), or one who is not active (M3 owns C4).
    (["--unowned"], ["C4", "C5"]),
    (["--manager", "M9"], []),
    (["--limit", "2"], ["C1", "C2"]),
])
def test_customers_list_filters(ws, args, ids):
    code, out, err = run(ws, "customers", "list", *args, "--format", "csv")
    assert (code, err) == (0, "")
    assert ids_of_csv(out) == ids


def test_customers_list_formats(ws):
    code, out, _ = run(ws, "customers", "list", "--manager", "M1", "--format", "json")
    assert (code, json.loads(out)) == (0, [
        {"id": "C1", "name": "张伟", "kind": "person", "manager_id": "M1", "territory": "north",
         "status": "active", "created_at": "2024-03-15", "attributes": {}},
        {"id": "C2", "name": "华北机械", "kind": "organization", "manager_id": "M1",
         "territory": "north", "status": "dormant", "created_at": "2023-07-01", "attributes": {}},
    ])
    code, out, _ = run(ws, "customers", "list", "--manager", "M1", "--format", "csv")
    assert out.splitlines() == [
        "id,name,kind,manager_id,territory,status,created_at",
        "C1,张伟,person,M1,north,active,2024-03-15",
        "C2,华北机械,organization,M1,north,dormant,2023-07-01"]
    code, out, err = run(ws, "customers", "list", "--manager", "M1")
    # CJK characters take two columns, so the table stays aligned.
    assert out == ("id  name      kind          manager_id  territory  status   created_at\n"
                   "--  --------  ------------  ----------  ---------  -------  ----------\n"
                   "C1  张伟      person        M1          north      active   2024-03-15\n"
                   "C2  华北机械  organization  M1          north      dormant  2023-07-01\n")


def test_customers_list_table_points_at_the_unowned(ws):
    code, out, err = run(ws, "customers", "list")
    assert code == 0 and len(out.splitlines()) == 7
    assert err == "\n2 customer(s) have no active owner: guanxi customers list --unowned\n"


def test_customers_list_empty_and_bad_status(ws):
    assert run(ws, "customers", "list", "--territory", "west") == (
        0, "No customers match.\n",
        "\n2 customer(s) have no active owner: guanxi customers list --unowned\n")
    code, out, err = run(ws, "customers", "list", "--status", "asleep")
    assert (code, out) == (2, "")
    assert err == "Error: unknown status 'asleep'; use one of: prospect, active, dormant, lost\n"


# ---------------------------------------------------------------------------
# customers reassign
# ---------------------------------------------------------------------------


def _owners(ws, customer):
    return [(o.manager_id, o.ended_at is None, o.reason) for o in ws.ownership(customer)]


def test_reassign_every_customer_of_a_manager(ws):
    before = {c: _owners(ws, c) for c in ("C1", "C2")}
    code, out, err = run(ws, "customers", "reassign", "--from", "M1", "--to", "M2",
                         "--reason", "left the branch", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert {k: data[k] for k in ("from_manager", "to_manager", "customers", "tasks")} == {
        "from_manager": "M1", "to_manager": "M2", "customers": 2, "tasks": 0}
    assert data["on"] == ws.today().isoformat()
    for c in ("C1", "C2"):
        assert before[c] == [("M1", True, "import")]
        assert _owners(ws, c) == [("M1", False, "import"), ("M2", True, "left the branch")]
    assert ids_of_csv(run(ws, "customers", "list", "--manager", "M2", "--format", "csv")[1]) == [
        "C1", "C2", "C3"]


def test_reassign_chosen_customers(ws):
    code, out, err = run(ws, "customers", "reassign", "--from", "M1", "--to", "M2",
                         "--customer", "C2")
    assert (code, err) == (0, "")
    assert out == (f"Moved 1 customer(s) and 0 open task(s) from M1 to M2 on {ws.today()}.\n")
    assert _owners(ws, "C2") == [("M1", False, "import"), ("M2", True, "reassigned")]
    assert _owners(ws, "C1") == [("M1", True, "import")]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--from", "M9", "--to", "M2"], 1, "no manager with id 'M9'"),
    (["--from", "M1", "--to", "M9"], 1, "no manager with id 'M9'"),
    (["--from", "M1", "--to", "M3"], 1,
     "manager 'M3' is not active; hand over to an active manager"),
    (["--from", "M1", "--to", "M2", "--customer", "C3"], 1,
     "customer 'C3' belongs to 'M2', not 'M1'; nothing was moved"),
    (["--from", "M1", "--to", "M2", "--customer", "C1", "--customer", "C99"], 1,
     "no customer with id 'C99'"),
    (["--from", "M1", "--to", "M1"], 2, "--from and --to name the same manager"),
])
def test_reassign_errors_are_one_sentence_and_move_nothing(ws, args, code, message):
    before = counts(ws)
    assert run(ws, "customers", "reassign", *args) == (code, "", f"Error: {message}\n")
    assert counts(ws) == before
    assert _owners(ws, "C1") == [("M1", True, "import")]


# ---------------------------------------------------------------------------
# usage, errors and exit statuses
# ---------------------------------------------------------------------------


def test_wrong_usage_exits_2(ws):
    code, out, err = run(ws, "customers", "list", "--colour", "red")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "Error: No such option '--colour'."
    code, _, err = run(ws, "nosuchcommand")
    assert (code, err.splitlines()[-1]) == (2, "Error: No such command 'nosuchcommand'.")


def _process(*args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANXI_")}
    env.update(env_extra or {})
    return subprocess.run([str(GUANXI), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not GUANXI.exists(), reason="the guanxi console script is not installed")
def test_a_real_process_init_import_list(tmp_path):
    done = _process("init", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    write(tmp_path / "managers.csv", MANAGERS)
    done = _process("import", "managers", "managers.csv", "--format", "json", cwd=tmp_path)
    assert (done.returncode, json.loads(done.stdout)["inserted"]) == (0, 3)
    write(tmp_path / "customers.csv", CUSTOMERS + "C6,,person,,north,active,\n")
    done = _process("import", "customers", "customers.csv", cwd=tmp_path)
    assert done.returncode == 3
    assert done.stdout.splitlines()[0] == (
        "customers: read 6, inserted 5, updated 0, unchanged 0, rejected 1")
    done = _process("customers", "list", "--manager", "M1", "--format", "csv", cwd=tmp_path)
    assert (done.returncode, ids_of_csv(done.stdout)) == (0, ["C1", "C2"])
    done = _process("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "guanxi, version 0.1.0\n")


@pytest.mark.skipif(not GUANXI.exists(), reason="the guanxi console script is not installed")
def test_a_real_process_error_is_one_line_and_debug_shows_the_traceback(tmp_path):
    assert _process("init", cwd=tmp_path).returncode == 0
    done = _process("customers", "reassign", "--from", "M9", "--to", "M1", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: no manager with id 'M9'\n")
    done = _process("--debug", "customers", "reassign", "--from", "M9", "--to", "M1",
                    cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.splitlines()[-1] == "guanxi.errors.NotFoundError: no manager with id 'M9'"


@pytest.mark.skipif(not GUANXI.exists(), reason="the guanxi console script is not installed")
def test_a_real_process_finds_an_installed_packs_command(tmp_path, fake_dists):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    path = os.pathsep.join([str(fake_dists.root), str(HERE)])
    done = _process("init", "--pack", "testpack", cwd=tmp_path, env_extra={"PYTHONPATH": path})
    assert (done.returncode, done.stderr) == (0, "")
    done = _process("testpack", "hello", cwd=tmp_path, env_extra={"PYTHONPATH": path})
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "hello from testpack: 0 customers\n", "")
    done = _process("testpack", "--help", cwd=tmp_path, env_extra={"PYTHONPATH": path})
    assert (done.returncode, done.stdout.splitlines()[-1]) == (
        0, "  hello  Say how many customers the workspace holds.")
