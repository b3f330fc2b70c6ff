"""The rows behind a KPI's value: ``ws.explain_kpi`` and ``guanxi kpi NAME --explain``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.errors import UsageError
from guanxi.testing import kpi_rows_disagree

AS_OF = dt.date(2026, 12, 3)


@pytest.fixture
def ws(workspace):
    workspace.save("managers", [{"id": "M1", "name": "Wang"}, {"id": "M2", "name": "Li"}])
    workspace.save("customers", [{"id": c, "name": c, "manager_id": m, "created_at": "2026-01-01"}
                                 for c, m in (("C1", "M1"), ("C2", "M1"), ("C3", "M2"))])
    from sqlalchemy import insert

    from guanxi.storage import tables as t

    # Due 11-20 (a day): done on its day at 23:59 (on time), the next day
    # at 00:00 (late), still open (late), cancelled (not counted).
    rows = [("C1", "M1", "done", dt.datetime(2026, 11, 20, 23, 59)),
            ("C2", "M1", "done", dt.datetime(2026, 11, 21, 0, 0)),
            ("C3", "M2", "open", None),
            ("C3", "M2", "cancelled", None)]
    with workspace.engine.begin() as conn:
        for i, (customer, manager, status, closed) in enumerate(rows, 1):
            conn.execute(insert(t.tasks).values(
                id=i, rule="core.test", customer_id=customer, manager_id=manager, status=status,
                due_at=dt.datetime(2026, 11, 20), reason="call", dedupe_key=str(i),
                created_at=dt.datetime(2026, 11, 1), closed_at=closed))
    return workspace


def test_the_late_tasks_are_the_rows_behind_overdue_tasks(ws):
    rows = ws.explain_kpi("core.overdue_tasks", period="2026-11", by="manager", as_of=AS_OF)
    assert [(r.scope_key, r.kind, r.id, r.figure, r.weight, r.reason) for r in rows] == [
        ("M1", "task", "2", 1.0, None,
         "task 2 (core.test) for C2, due 2026-11-20: done late, 2026-11-21 00:00"),
        ("M2", "task", "3", 1.0, None,
         "task 3 (core.test) for C3, due 2026-11-20: still open past its due"),
    ]
    only = ws.explain_kpi("core.overdue_tasks", period="2026-11", by="manager",
                          scope_key="M2", as_of=AS_OF)
    assert [r.id for r in only] == ["3"]


@pytest.mark.parametrize("by", ["all", "manager", "team", "territory"])
@pytest.mark.parametrize("name", ["core.overdue_tasks", "core.task_completion"])
def test_the_rows_make_the_value(ws, name, by):
    assert kpi_rows_disagree(ws, name, period="2026-11", by=by, as_of=AS_OF) == []


def test_completion_weighs_each_task_not_cancelled(ws):
    rows = ws.explain_kpi("core.task_completion", period="2026-11", as_of=AS_OF)
    assert [(r.id, r.figure, r.weight) for r in rows] == [
        ("1", 1.0, 1.0), ("2", 1.0, 1.0), ("3", 0.0, 1.0)]
    (value,) = ws.kpi(["core.task_completion"], period="2026-11", as_of=AS_OF)
    assert value.value == pytest.approx(2 / 3)


def test_explain_on_the_command_line(ws, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0), tick=False)
    runner = CliRunner()
    base = ["--config", str(ws.config.path), "kpi"]
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "--period", "2026-11", "--by",
                               "manager", "--scope", "M1", "--explain"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].split() == ["scope_key", "kind", "id", "figure", "reason"]
    assert done.output.splitlines()[-1] == "1 task row(s); their sum: 1 tasks"
    done = runner.invoke(cli, [*base, "core.task_completion", "--period", "2026-11",
                               "--explain", "--format", "json"])
    assert [(r["id"], r["figure"], r["weight"]) for r in json.loads(done.output)] == [
        ("1", 1, 1), ("2", 1, 1), ("3", 0, 1)]
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "core.customers", "--explain"])
    assert done.exit_code == 2
    assert "--explain takes exactly one KPI name" in done.output
    done = runner.invoke(cli, [*base, "core.overdue_tasks", "--scope", "M1"])
    assert done.exit_code == 2


def test_an_unknown_kpi_is_named_with_a_suggestion(ws):
    with pytest.raises(UsageError) as caught:
        ws.explain_kpi("core.overdue_task", period="2026-11")
    assert str(caught.value) == "no KPI named 'core.overdue_task' (did you mean 'core.overdue_tasks'?)"
