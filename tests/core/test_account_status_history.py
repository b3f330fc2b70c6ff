"""Account status history (issue 16): each account's status from a day on.

The importer adds a row when an account arrives (from its ``opened_at``)
or its status changes (from the import day, frozen here); a source
system's own history imports as ``account_statuses``; packs read a status
on a day with ``ctx.account_status_at`` and whole calendar months with
``ctx.calendar_months_between``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, literal, select

from guanxi.storage import tables as t

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=SHANGHAI)


@pytest.fixture
def ws(workspace):
    workspace.save("customers", [{"id": "C1", "name": "Hotel", "created_at": dt.date(2020, 1, 1)}])
    return workspace


def history(ws):
    h = t.account_status_history
    with ws.engine.connect() as conn:
        return conn.execute(select(h.c.account_id, h.c.started_on, h.c.status, h.c.source)
                            .order_by(h.c.account_id, h.c.started_on)).all()


def save_lines(ws, time_machine, day, rows):
    time_machine.move_to(at(day), tick=False)
    ws.save("accounts", [{"customer_id": "C1", "type": "tv", **row} for row in rows])


def test_a_new_line_starts_on_its_opening_day_and_each_change_on_the_import_day(ws, time_machine):
    save_lines(ws, time_machine, dt.date(2026, 1, 5), [
        {"id": "L1", "status": "active", "opened_at": dt.date(2025, 3, 1)},
        {"id": "L2", "status": "active"},                 # no opened_at: the import day
        {"id": "L3", "status": None, "opened_at": dt.date(2025, 3, 1)}])  # no status: no row
    save_lines(ws, time_machine, dt.date(2026, 3, 10), [
        {"id": "L1", "status": "lost", "opened_at": dt.date(2025, 3, 1)},
        {"id": "L2", "status": "active"}])                # unchanged: nothing new
    save_lines(ws, time_machine, dt.date(2026, 6, 1), [
        {"id": "L1", "status": "active", "opened_at": dt.date(2025, 3, 1)}])  # came back

    assert history(ws) == [
        ("L1", dt.date(2025, 3, 1), "active", "import"),
        ("L1", dt.date(2026, 3, 10), "lost", "import"),
        ("L1", dt.date(2026, 6, 1), "active", "import"),
        ("L2", dt.date(2026, 1, 5), "active", "import"),
    ]


def test_two_changes_on_one_day_keep_the_last(ws, time_machine):
    save_lines(ws, time_machine, dt.date(2026, 1, 5), [{"id": "L1", "status": "active"}])
    save_lines(ws, time_machine, dt.date(2026, 2, 1), [{"id": "L1", "status": "suspended"}])
    save_lines(ws, time_machine, dt.date(2026, 2, 1), [{"id": "L1", "status": "lost"}])
    assert [row[1:3] for row in history(ws)] == [(dt.date(2026, 1, 5), "active"),
                                                (dt.date(2026, 2, 1), "lost")]


def test_a_source_systems_history_imports_as_account_statuses(ws, time_machine, tmp_path):
    save_lines(ws, time_machine, dt.date(2026, 12, 1), [
        {"id": "L1", "status": "lost", "opened_at": dt.date(2024, 5, 1)}])
    (tmp_path / "s.csv").write_text("account_id,status,started_on\n"
                                    "L1,active,2024-05-01\n"
                                    "L1,lost,2026-04-30\n"
                                    "L9,active,2026-01-01\n")
    result = ws.import_file("account_statuses", tmp_path / "s.csv")
    assert (result.inserted, result.updated, result.rejected) == (1, 1, 1)  # L9: no such account
    assert history(ws) == [("L1", dt.date(2024, 5, 1), "active", "import"),
                           ("L1", dt.date(2026, 4, 30), "lost", "file")]


def test_status_at_a_day_is_the_latest_row_on_or_before_it(ws, time_machine):
    save_lines(ws, time_machine, dt.date(2026, 1, 5), [
        {"id": "L1", "status": "active", "opened_at": dt.date(2025, 3, 1)}])
    save_lines(ws, time_machine, dt.date(2026, 3, 10), [{"id": "L1", "status": "lost"}])
    ctx = ws.query_context("core", dt.date(2026, 12, 1))
    a = t.accounts
    days = [dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2026, 3, 9), dt.date(2026, 3, 10)]
    with ws.engine.connect() as conn:
        got = [conn.execute(select(ctx.account_status_at(a.c.id, day)).where(a.c.id == "L1"))
               .scalar_one() for day in days]
    assert got == [None, "active", "active", "lost"]


@pytest.mark.parametrize(("start", "end", "months"), [
    (dt.date(2024, 6, 6), dt.date(2026, 6, 6), 24),
    (dt.date(2024, 6, 6), dt.date(2026, 6, 5), 23),
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28), 0),
    (dt.date(2025, 12, 1), dt.date(2026, 6, 1), 6),
    (dt.date(2025, 12, 2), dt.date(2026, 6, 1), 5),
])
def test_calendar_months_between(workspace, start, end, months):
    ctx = workspace.query_context("core", end)
    with workspace.engine.connect() as conn:
        found = conn.execute(select(ctx.calendar_months_between(literal(start, Date))))
        assert found.scalar_one() == months
