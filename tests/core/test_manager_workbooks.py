"""A manager's sheets: tasks list, plan show and kpi --output FILE.xlsx, read back
with openpyxl: titles, notes, typed cells, Chinese intact."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.views import KPI_COLUMNS, TASK_COLUMNS

ORDER = ["teams", "managers", "customers", "contacts", "accounts", "interactions",
         "measurements", "customer_team", "lists", "targets"]


def invoke(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(workspace, examples):
    for entity in ORDER:
        workspace.import_file(entity, examples / f"{entity}.csv")
    return workspace


@pytest.fixture
def planned(workspace):
    """Week 2026-W48 planned (core.visits) for 王芳 (M1, three customers) and Li (M2, one)."""
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "王芳", "territory": "北区"},
                         {"id": "M2", "name": "Li", "territory": "north"}])
    ws.save("customers", [
        {"id": c, "name": n, "territory": t, "manager_id": m, "created_at": "2026-01-01"}
        for c, n, t, m in (("000123", "华北机械", "北区", "M1"), ("C2", "张伟", "北区", "M1"),
                           ("C3", "李娜", "东区", "M1"), ("C4", "Zhou", "north", "M2"))])
    ws.segment(as_of=dt.date(2026, 11, 23))
    ws.build_plan("2026-W48", as_of=dt.date(2026, 11, 20))
    return ws


def read(path):
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


def test_a_managers_day_of_tasks_as_a_workbook(planned, tmp_path):
    ws = planned
    code, out, _ = invoke(ws, "tasks", "list", "--manager", "M1", "--as-of", "2026-11-23",
                          "--format", "json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 3  # the week's planned visits
    path = tmp_path / "day.xlsx"
    code, out, err = invoke(ws, "tasks", "list", "--manager", "M1", "--as-of", "2026-11-23",
                            "--output", str(path))
    assert (code, out, err) == (0, f"Wrote 3 row(s) to {path}\n", "")
    sheet, rows = read(path)
    assert sheet.title == "tasks"
    assert rows[0][0] == "Tasks of M1 王芳"
    assert rows[1][0] == "As of 2026-11-23; status open"
    assert rows[2] == TASK_COLUMNS
    assert sheet.freeze_panes == "A4"
    assert len(rows) == 6
    cells = [dict(zip(TASK_COLUMNS, r)) for r in rows[3:]]
    assert [(c["id"], c["customer_id"], c["customer_name"], c["reason"], c["overdue"])
            for c in cells] == [
        (x["id"], x["customer_id"], x["customer_name"], x["reason"], x["overdue"])
        for x in listed]
    assert cells[0]["customer_id"] in ("000123", "C2")  # ids stay text
    assert isinstance(cells[0]["id"], int) and cells[0]["overdue"] is False
    # a day task's due is a date cell
    due = sheet.cell(4, TASK_COLUMNS.index("due_at") + 1)
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    assert cells[0]["due_at"] == dt.datetime.fromisoformat(listed[0]["due_at"])


def test_output_must_be_a_workbook(ws, tmp_path):
    code, _, err = invoke(ws, "tasks", "list", "--output", str(tmp_path / "day.csv"))
    assert code == 2 and "write a .xlsx file" in err
    assert not (tmp_path / "day.csv").exists()


def test_a_week_plan_as_a_workbook(planned, tmp_path):
    ws = planned
    code, out, _ = invoke(ws, "plan", "show", "--week", "2026-W48", "--manager", "M1",
                          "--format", "json")
    mine = json.loads(out)
    assert code == 0 and len(mine) == 3
    path = tmp_path / "plan.xlsx"
    code, out, _ = invoke(ws, "plan", "show", "--week", "2026-W48", "--manager", "M1",
                          "--output", str(path))
    assert (code, out) == (0, f"Wrote 3 row(s) to {path}\n")
    sheet, rows = read(path)
    assert sheet.title == "plan"
    assert rows[0][0] == "Visit plan 2026-W48 of M1 王芳"
    assert rows[1][0] == "3 visit(s)"
    assert rows[2] == ["manager_id", "manager_name", "week", "date", "weekday", "territory",
                       "customer_id", "customer_name", "cadence", "reason", "task_id", "status"]
    cells = [dict(zip(rows[2], r)) for r in rows[3:]]
    assert [(c["customer_id"], c["customer_name"], c["date"].date().isoformat(), c["reason"],
             c["task_id"]) for c in cells] == [
        (v["customer_id"], v.get("customer_name", c["customer_name"]), v["date"], v["reason"],
         v["task_id"]) for v, c in zip(mine, cells)]
    assert {c["customer_name"] for c in cells} == {"华北机械", "张伟", "李娜"}
    assert {(c["manager_name"], c["week"], c["cadence"]) for c in cells} == {
        ("王芳", "2026-W48", "core.visits")}
    assert cells[0]["weekday"] == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[
        cells[0]["date"].weekday()]
    assert sheet.cell(4, 4).number_format == "yyyy-mm-dd"


def test_kpis_as_a_workbook_with_titles_units_and_targets(ws, tmp_path):
    ws.save("measurements", [
        {"customer_id": "C0001", "metric": "revenue", "period": "2026-11", "value": 0.1},
        {"customer_id": "C0002", "metric": "revenue", "period": "2026-11", "value": 0.2}])
    path = ws.config.path
    path.write_text(path.read_text(encoding="utf-8") + '\n[targets]\n"core.revenue" = 0.6\n',
                    encoding="utf-8")
    out_path = tmp_path / "kpis.xlsx"
    code, out, _ = invoke(ws, "kpi", "core.revenue", "core.contact_coverage", "--period",
                          "2026-11", "--output", str(out_path))
    assert (code, out) == (0, f"Wrote 2 row(s) to {out_path}\n")
    sheet, rows = read(out_path)
    assert rows[0][0] == "KPIs 2026-11"
    assert rows[1][0] == "Period 2026-11; by all; money in CNY"
    assert rows[2] == KPI_COLUMNS
    cells = [dict(zip(KPI_COLUMNS, r)) for r in rows[3:]]
    assert [(c["kpi"], c["title"], c["value"], c["target"], c["unit"], c["attainment"])
            for c in cells] == [
        ("core.revenue", "Revenue", 0.3, 0.6, "CNY", 0.5),
        ("core.contact_coverage", "Customers contacted", 0.333333, None, "share", None)]


def test_kpi_output_goes_without_explain(ws, tmp_path):
    code, _, err = invoke(ws, "kpi", "core.revenue", "--explain", "--output",
                          str(tmp_path / "k.xlsx"))
    assert code == 2 and "--output goes without --explain" in err
