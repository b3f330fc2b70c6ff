"""Issue 13: an import may not hand a customer to a manager who has left.

A row that changes a customer's owner to a manager whose ``left_at`` is on
or before the import day (the workspace's today, frozen here), or who is
not active, is rejected naming the manager and the day they left; a first
import of a customer of such a manager is kept, with a warning."""

from __future__ import annotations

import csv
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from guanxi.cli import cli
from guanxi.storage import tables as t

#: The import day: noon on 2026-11-24 in the organization's time zone.
IMPORT_DAY = dt.datetime(2026, 11, 24, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def ws(workspace, tmp_path, time_machine):
    time_machine.move_to(IMPORT_DAY, tick=False)
    (tmp_path / "m.csv").write_text(
        "id,name,active,left_at\n"
        "M1,In post,true,\n"
        "M2,New,true,\n"
        "LEFT_TODAY,Leaves today,true,2026-11-24\n"
        "LEAVES_TOMORROW,Leaves tomorrow,true,2026-11-25\n"
        "GONE,Inactive,false,\n")
    workspace.import_file("managers", tmp_path / "m.csv")
    return workspace


def owners(ws):
    c = t.customers
    with ws.engine.connect() as conn:
        return dict(conn.execute(select(c.c.id, c.c.manager_id)).all())


def rejected(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [(r["line"], r["column"], r["value"], r["reason"]) for r in csv.DictReader(handle)]


def test_a_change_of_owner_to_a_manager_who_left_is_rejected(ws, tmp_path):
    (tmp_path / "c.csv").write_text("id,name,manager_id\nC1,A,M1\nC2,B,M1\nC3,C,M1\nC4,D,M1\n")
    ws.import_file("customers", tmp_path / "c.csv")
    (tmp_path / "c.csv").write_text(
        "id,name,manager_id\n"
        "C1,A,LEFT_TODAY\n"        # left on the import day: rejected
        "C2,B,LEAVES_TOMORROW\n"   # leaves the day after: accepted
        "C3,C,GONE\n"              # not active: rejected
        "C4,D renamed,M1\n")       # no change of owner: accepted
    result = ws.import_file("customers", tmp_path / "c.csv")
    assert (result.updated, result.rejected) == (2, 2)
    assert owners(ws) == {"C1": "M1", "C2": "LEAVES_TOMORROW", "C3": "M1", "C4": "M1"}
    assert rejected(tmp_path / "c.rejects.csv") == [
        ("2", "manager_id", "LEFT_TODAY", "manager LEFT_TODAY left on 2026-11-24 (the import "
         "day is 2026-11-24): the customer cannot be handed to them and stays with M1"),
        ("4", "manager_id", "GONE", "manager GONE is not active (the import day is "
         "2026-11-24): the customer cannot be handed to them and stays with M1"),
    ]


def test_a_reimport_does_not_undo_a_reassignment(ws, tmp_path, time_machine):
    (tmp_path / "c.csv").write_text("id,name,manager_id\nC1,A,LEAVES_TOMORROW\n")
    ws.import_file("customers", tmp_path / "c.csv")
    ws.reassign("LEAVES_TOMORROW", "M2", on=dt.date(2026, 11, 24))
    # The day the manager leaves, the old extract comes in again.
    time_machine.move_to(IMPORT_DAY + dt.timedelta(days=1), tick=False)
    result = ws.import_file("customers", tmp_path / "c.csv")
    assert result.rejected == 1
    assert owners(ws) == {"C1": "M2"}
    assert rejected(tmp_path / "c.rejects.csv")[0][3] == (
        "manager LEAVES_TOMORROW left on 2026-11-25 (the import day is 2026-11-25): the "
        "customer cannot be handed to them and stays with M2")


def test_a_first_import_of_a_departed_managers_customer_is_kept_with_a_warning(ws, tmp_path):
    (tmp_path / "c.csv").write_text(
        "id,name,manager_id\nC1,A,LEFT_TODAY\nC2,B,LEFT_TODAY\nC3,C,GONE\nC4,D,M1\n")
    result = ws.import_file("customers", tmp_path / "c.csv")
    assert (result.inserted, result.rejected) == (4, 0)
    assert result.warnings == (
        "1 new customer(s) kept with manager GONE, who is not active: hand them over with "
        "guanxi customers reassign --from GONE --to ...",
        "2 new customer(s) kept with manager LEFT_TODAY, who left on 2026-11-24: hand them over "
        "with guanxi customers reassign --from LEFT_TODAY --to ...",
    )
    assert owners(ws) == {"C1": "LEFT_TODAY", "C2": "LEFT_TODAY", "C3": "GONE", "C4": "M1"}


def test_the_import_summary_shows_the_warnings(ws, tmp_path):
    (tmp_path / "c.csv").write_text("id,name,manager_id\nC1,A,LEFT_TODAY\n")
    config = str(tmp_path / "guanxi.toml")
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", config, "import", "customers",
                                 str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 new customer(s) kept with manager LEFT_TODAY, who left on 2026-11-24" in (
        result.stderr)
    (tmp_path / "c.csv").write_text("id,name,manager_id\nC2,B,LEFT_TODAY\n")
    result = runner.invoke(cli, ["--config", config, "import", "customers",
                                 str(tmp_path / "c.csv"), "--format", "json"])
    assert json.loads(result.stdout)["warnings"] == [
        "1 new customer(s) kept with manager LEFT_TODAY, who left on 2026-11-24: hand them "
        "over with guanxi customers reassign --from LEFT_TODAY --to ..."]
