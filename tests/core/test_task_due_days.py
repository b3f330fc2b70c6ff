"""Due days and punctuality (issue 13): a task due on a day is on time all that
day in the organization's time zone (done 23:59 on D: on time; 00:00 on D+1:
late); a task due at a time (an SLA clock) is judged by its time. Manager-only
tasks, ``tasks done --at`` and ``tasks list`` filters, on SQLite and PostgreSQL."""

import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, literal, null, select

import guanxi
from guanxi.cli import cli
from guanxi.errors import NotFoundError, PackError, UsageError
from guanxi.storage import tables as t

D = dt.date(2026, 11, 23)          # a Monday
ORG = ZoneInfo("Asia/Shanghai")     # the organization's time zone (the default)
NOW = dt.datetime(2026, 12, 1, 12)  # the frozen clock there: every test judges by an as-of day


def freeze(time_machine, moment: dt.datetime) -> None:
    time_machine.move_to(moment.replace(tzinfo=ORG), tick=False)


def _call_all(ctx, **due):
    c = ctx.tables.customers
    return select(c.c.id.label("customer_id"), *[v.label(k) for k, v in due.items()],
                  literal(1).label("priority"), literal("call").label("reason"))


def _day_rule(ctx):
    return _call_all(ctx, due_at=ctx.due(0))                 # due on the as-of day


def _timed_rule(ctx):
    return _call_all(ctx, due_at=ctx.due(0, 10))             # due 10:00 on the as-of day


def _mixed_rule(ctx):
    # One select, day and time per row: the all_day column says which.
    c = ctx.tables.customers
    return _call_all(ctx, due_at=ctx.due(0, 0), all_day=(c.c.id == "C1"),
                     dedupe_key=c.c.id)


def _own_rule(ctx):
    # A report per manager: no customer.
    m = ctx.tables.managers
    return select(literal(None).label("customer_id"), m.c.id.label("manager_id"),
                  ctx.due(2).label("due_at"), literal(2).label("priority"),
                  literal("write the report").label("reason"), literal("report").label("kind"))


def _nobody_rule(ctx):
    return select(null().label("customer_id"), null().label("manager_id"),
                  ctx.due(0).label("due_at"), literal(1).label("priority"),
                  literal("x").label("reason"))


class Rules:
    @guanxi.hookimpl
    def guanxi_service_rules(self):
        return [guanxi.ServiceRule(name=f"p.{name}", title=name, description=name, query=q)
                for name, q in (("day", _day_rule), ("timed", _timed_rule),
                                ("mixed", _mixed_rule), ("own", _own_rule),
                                ("nobody", _nobody_rule))]


@pytest.fixture
def ws(make_workspace, time_machine):
    freeze(time_machine, NOW)
    ws = make_workspace(extra_packs={"p": Rules()})
    ws.save("managers", [{"id": "LEAD", "name": "Lead"},
                         {"id": "M1", "name": "Wang", "reports_to": "LEAD"}])
    ws.save("customers", [{"id": "C1", "name": "Li Hua", "manager_id": "M1"}])
    return ws


def _one(ws, rule, as_of=D):
    ws.run_rules([rule], as_of=as_of)
    (task,) = ws.tasks(rule=rule)
    return task


def _overdue_kpi(ws, as_of=dt.date(2026, 11, 30)):
    (value,) = ws.kpi(["core.overdue_tasks"], period="2026-11", as_of=as_of)
    return value.value


def test_a_rule_due_on_a_day_makes_a_day_task_and_one_with_an_hour_a_timed_task(ws):
    assert _one(ws, "p.day").due_at == D
    assert _one(ws, "p.timed").due_at == dt.datetime(2026, 11, 23, 10)
    ws.save("customers", [{"id": "C2", "name": "Zhou", "manager_id": "M1"}])
    ws.run_rules(["p.mixed"], as_of=D)
    assert [(x.customer_id, x.due_at, x.all_day) for x in ws.tasks(rule="p.mixed")] == [
        ("C1", D, True), ("C2", dt.datetime(2026, 11, 23), False)]


@pytest.mark.parametrize(("done_at", "late"), [
    (dt.datetime(2026, 11, 23, 10), 0),             # the visit made 10:00 on its day
    (dt.datetime(2026, 11, 23, 23, 59, 59), 0),     # the day's last second: on time
    (dt.datetime(2026, 11, 24, 0, 0), 1),           # the next day's first: late
])
def test_a_day_task_is_on_time_all_its_day(ws, done_at, late):
    task = _one(ws, "p.day")
    assert ws.task_done(task.id, "reached", at=done_at).closed_at == done_at
    assert _overdue_kpi(ws) == late


@pytest.mark.parametrize(("done_at", "late"), [
    (dt.datetime(2026, 11, 23, 10, 0), 0),          # at its time: on time
    (dt.datetime(2026, 11, 23, 10, 0, 1), 1),       # a second after: late, the same day
])
def test_a_timed_task_is_judged_by_its_time(ws, done_at, late):
    task = _one(ws, "p.timed")
    ws.task_done(task.id, at=done_at)
    assert _overdue_kpi(ws) == late


def test_an_open_task_is_overdue_once_its_day_is_over(ws):
    _one(ws, "p.day")
    assert _overdue_kpi(ws, as_of=D) == 0                          # its own day: not yet
    assert _overdue_kpi(ws, as_of=D + dt.timedelta(days=1)) == 1
    # Done after the as-of day, it was still open and late as that day ended.
    (task,) = ws.tasks(rule="p.day")
    ws.task_done(task.id, at=dt.datetime(2026, 11, 25, 9))
    assert _overdue_kpi(ws, as_of=D + dt.timedelta(days=1)) == 1
    assert _overdue_kpi(ws, as_of=D) == 0


def test_the_overdue_rule_escalates_a_day_task_the_next_day_and_a_timed_one_the_same_day(ws):
    _one(ws, "p.day")
    _one(ws, "p.timed")
    assert ws.run_rules(["core.overdue_tasks"], as_of=D)[0].created == 1
    (timed,) = ws.tasks(rule="core.overdue_tasks")
    assert timed.reason.startswith("task 2 (p.timed) of M1 was due 2026-11-23")
    (run,) = ws.run_rules(["core.overdue_tasks"], as_of=D + dt.timedelta(days=1))
    assert (run.created, run.existing) == (1, 1)
    escalations = ws.tasks(rule="core.overdue_tasks")
    assert [(x.manager_id, x.due_at) for x in escalations] == [
        ("LEAD", dt.date(2026, 11, 24)), ("LEAD", dt.date(2026, 11, 25))]


def test_grace_days_count_from_the_end_of_the_due_day(make_workspace, time_machine):
    freeze(time_machine, NOW)
    ws = make_workspace(extra_packs={"p": Rules()}, settings={"core": {"overdue.grace_days": 1}})
    ws.save("managers", [{"id": "LEAD", "name": "Lead"},
                         {"id": "M1", "name": "Wang", "reports_to": "LEAD"}])
    ws.save("customers", [{"id": "C1", "name": "Li Hua", "manager_id": "M1"}])
    _one(ws, "p.day")
    _one(ws, "p.timed")                                   # due 10:00 on D: escalated a day on
    assert ws.run_rules(["core.overdue_tasks"], as_of=D)[0].created == 0
    assert ws.run_rules(["core.overdue_tasks"], as_of=D + dt.timedelta(days=1))[0].created == 1
    assert ws.run_rules(["core.overdue_tasks"], as_of=D + dt.timedelta(days=2))[0].created == 1
    assert [x.reason.split(" was")[0] for x in ws.tasks(rule="core.overdue_tasks")] == [
        "task 2 (p.timed) of M1", "task 1 (p.day) of M1"]


def test_done_at_a_moment_to_come_is_refused(ws):
    task = _one(ws, "p.day")
    with pytest.raises(UsageError, match="in the future"):
        ws.task_done(task.id, at=NOW + dt.timedelta(minutes=1))
    # An aware moment is read in the organization's time zone (Asia/Shanghai).
    utc = dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.timezone.utc)
    assert ws.task_done(task.id, at=utc).closed_at == dt.datetime(2026, 11, 23, 23, 59)
    assert _overdue_kpi(ws) == 0


# -- manager-only tasks ----------------------------------------------------------------


def test_a_task_of_a_managers_own_is_made_once_per_manager(ws):
    (run,) = ws.run_rules(["p.own"], as_of=D)
    assert (run.created, run.existing) == (2, 0)
    (run,) = ws.run_rules(["p.own"], as_of=D)
    assert (run.created, run.existing) == (0, 2)
    found = [(x.customer_id, x.customer_name, x.manager_id, x.kind, x.due_at)
             for x in ws.tasks(rule="p.own")]
    assert found == [(None, None, "LEAD", "report", dt.date(2026, 11, 25)),
                     (None, None, "M1", "report", dt.date(2026, 11, 25))]
    # The database keeps it so too: the open index binds a NULL customer by manager.
    with pytest.raises(Exception):
        with ws.engine.begin() as conn:
            conn.execute(insert(t.tasks).values(
                rule="p.own", customer_id=None, manager_id="M1", due_at=dt.datetime(2026, 11, 25),
                reason="again", created_at=NOW))
    assert ws.customer_view("C1")["tasks"] == []


def test_a_task_with_neither_customer_nor_manager_is_refused(ws):
    with pytest.raises(PackError, match="neither a customer nor a manager"):
        ws.run_rules(["p.nobody"], as_of=D)
    assert ws.tasks(rule="p.nobody") == []


# -- tasks list and the command line ---------------------------------------------------------


def _task(ws, id, due_at, *, all_day=True, status="open", manager_id="M1", customer_id="C1"):
    with ws.engine.begin() as conn:
        conn.execute(insert(t.tasks).values(
            id=id, rule="x.call", customer_id=customer_id, manager_id=manager_id, kind="call",
            due_at=due_at, all_day=all_day, priority=2, status=status, reason=f"task {id}",
            created_at=dt.datetime(2026, 11, 1), dedupe_key=str(id),
            closed_at=None if status == "open" else due_at))


@pytest.fixture
def listed(ws):
    # As of Wednesday 2 December 2026; its ISO week ends Sunday 6 December.
    _task(ws, 1, dt.datetime(2026, 12, 1))                                 # yesterday: overdue
    _task(ws, 2, dt.datetime(2026, 12, 2))                                 # today: due, not overdue
    _task(ws, 3, dt.datetime(2026, 12, 2, 9), all_day=False)               # 09:00 today
    _task(ws, 4, dt.datetime(2026, 12, 6))                                 # Sunday
    _task(ws, 5, dt.datetime(2026, 12, 7))                                 # next Monday
    _task(ws, 6, dt.datetime(2026, 11, 20), status="done")                 # done
    _task(ws, 7, dt.datetime(2026, 11, 20), manager_id="LEAD")             # another manager's
    return ws


def _ids(tasks):
    return [x.id for x in tasks]


def test_tasks_list_filters_by_due_day_week_and_overdue(listed):
    ws, as_of = listed, dt.date(2026, 12, 2)
    assert _ids(ws.tasks(manager="M1", as_of=as_of)) == [1, 2, 3, 4, 5]
    assert _ids(ws.tasks(manager="M1", due="today", as_of=as_of)) == [1, 2, 3]
    assert _ids(ws.tasks(manager="M1", due="week", as_of=as_of)) == [1, 2, 3, 4]
    # As that day ends: the 09:00 task is past, the day task due that day is not.
    assert _ids(ws.tasks(manager="M1", overdue=True, as_of=as_of)) == [1, 3]
    assert [x.overdue for x in ws.tasks(manager="M1", as_of=as_of)] == [
        True, False, True, False, False]
    assert ws.tasks(manager="M1", as_of=as_of)[0].customer_name == "Li Hua"
    assert _ids(ws.tasks(manager="M1", overdue=True, as_of=dt.date(2026, 12, 7))) == [1, 2, 3, 4]


def test_tasks_list_today_is_judged_at_the_present_moment(listed, time_machine):
    freeze(time_machine, dt.datetime(2026, 12, 2, 8, 59))
    assert _ids(listed.tasks(manager="M1", overdue=True)) == [1]
    freeze(time_machine, dt.datetime(2026, 12, 2, 9, 0, 1))
    assert _ids(listed.tasks(manager="M1", overdue=True)) == [1, 3]


def test_tasks_list_names_an_unknown_manager_and_lists_none_for_a_known_one(listed):
    with pytest.raises(NotFoundError, match=r"no manager with id 'LEDA' \(did you mean 'LEAD'\?\)"):
        listed.tasks(manager="LEDA")
    listed.save("managers", [{"id": "M9", "name": "Idle"}])
    assert listed.tasks(manager="M9") == []


@pytest.fixture
def cli_ws(listed, monkeypatch):
    monkeypatch.setenv("GUANXI_CONFIG", str(listed.config.path))
    return listed


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_the_command_line_lists_due_at_as_the_day_or_the_time(cli_ws):
    args = ("tasks", "list", "--manager", "M1", "--due", "today", "--as-of", "2026-12-02")
    rows = json.loads(invoke(*args, "--format", "json").output)
    assert [(r["id"], r["due_at"], r["overdue"], r["customer_name"]) for r in rows] == [
        (1, "2026-12-01", True, "Li Hua"), (2, "2026-12-02", False, "Li Hua"),
        (3, "2026-12-02T09:00:00", True, "Li Hua")]
    found = list(csv.DictReader(io.StringIO(invoke(*args, "--format", "csv").output)))
    assert [(r["due_at"], r["overdue"]) for r in found] == [
        ("2026-12-01", "yes"), ("2026-12-02", "no"), ("2026-12-02 09:00:00", "yes")]
    table = invoke(*args).output.splitlines()
    assert table[0].split() == ["id", "rule", "customer_id", "customer_name", "manager_id",
                                "kind", "due_at", "overdue", "priority", "status", "reason"]
    assert table[2].split()[:9] == ["1", "x.call", "C1", "Li", "Hua", "M1", "call",
                                    "2026-12-01", "yes"]
    overdue = json.loads(invoke("tasks", "list", "--overdue", "--as-of", "2026-12-02",
                                "--format", "json").output)
    assert [r["id"] for r in overdue] == [7, 1, 3]
    week = json.loads(invoke("tasks", "list", "--manager", "M1", "--due", "week", "--as-of",
                             "2026-12-02", "--format", "json").output)
    assert [r["id"] for r in week] == [1, 2, 3, 4]


def test_the_export_writes_a_day_task_due_at_as_the_day(cli_ws, tmp_path):
    out = tmp_path / "tasks.csv"
    assert invoke("export", "tasks", str(out)).exit_code == 0
    rows = {r["id"]: r["due_at"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert (rows["1"], rows["3"]) == ("2026-12-01", "2026-12-02T09:00:00")
    out = tmp_path / "tasks.jsonl"
    assert invoke("export", "tasks", str(out)).exit_code == 0
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["due_at"] for d in docs][:3] == ["2026-12-01", "2026-12-02", "2026-12-02T09:00:00"]


def test_an_unknown_manager_exits_1_with_did_you_mean(cli_ws):
    result = invoke("tasks", "list", "--manager", "LEDA")
    assert result.exit_code == 1
    assert result.output == "Error: no manager with id 'LEDA' (did you mean 'LEAD'?)\n"
    cli_ws.save("managers", [{"id": "M9", "name": "Idle"}])
    result = invoke("tasks", "list", "--manager", "M9")
    assert (result.exit_code, result.output) == (0, "No tasks.\n")


@pytest.mark.parametrize(("at", "late"), [("2026-12-02T23:59", 0), ("2026-12-03T00:00", 1)])
def test_tasks_done_at_records_when_the_work_was_done(cli_ws, time_machine, at, late):
    # A visit due 2 December written up the next morning is judged by when it was made.
    freeze(time_machine, dt.datetime(2026, 12, 3, 9))
    result = invoke("tasks", "done", "2", "--outcome", "visited", "--at", at)
    assert (result.exit_code, result.output) == (0, "Task 2 done.\n")
    (task,) = [x for x in cli_ws.tasks(status="done") if x.id == 2]
    assert task.closed_at == dt.datetime.fromisoformat(at)
    (value,) = cli_ws.kpi(["core.overdue_tasks"], period="2026-12", by="manager",
                          as_of=dt.date(2026, 12, 3))
    # M1's late tasks as 3 December ends: 1 and 3 (open past due), and 2 when done late.
    assert (value.scope_key, value.value) == ("M1", 2 + late)


def test_tasks_done_at_refuses_a_moment_to_come_and_a_bad_datetime(cli_ws):
    result = invoke("tasks", "done", "2", "--at", "2026-12-01T12:01")
    assert result.exit_code == 2
    assert "in the future" in result.output
    result = invoke("tasks", "done", "2", "--at", "yesterday")
    assert result.exit_code == 2
    assert "--at" in result.output


# -- migration 0003 ----------------------------------------------------------------------


def test_migration_0003_reads_a_stored_midnight_as_a_day_and_any_other_time_as_a_time(workspace):
    from alembic import command
    from sqlalchemy import text

    from guanxi.storage import migrate

    with workspace.engine.begin() as conn:
        command.downgrade(migrate._alembic_config(conn, []), "0002")
    try:
        with workspace.engine.begin() as conn:
            for id, due in ((1, dt.datetime(2026, 11, 23)), (2, dt.datetime(2026, 11, 23, 10))):
                conn.execute(text(
                    "INSERT INTO tasks (id, rule, customer_id, kind, due_at, priority, status, "
                    "reason, dedupe_key, created_at) VALUES (:id, 'x.call', 'C1', 'call', :due, 2, "
                    "'open', 'r', :key, :due)"), {"id": id, "due": due, "key": str(id)})
    finally:
        # Back at head whatever happened: the database outlives the test on PostgreSQL.
        migrate.upgrade(workspace.engine, [])
    assert [x.due_at for x in workspace.tasks()] == [
        dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 10)]
    with workspace.engine.connect() as conn:
        assert conn.execute(select(t.tasks.c.id, t.tasks.c.all_day)
                            .order_by(t.tasks.c.id)).all() == [(1, True), (2, False)]
