"""TOB-UNLICENSED judged by the day (issue 13): reported 10:00 on 23 November and
forwarded by the regional market manager 15:00 the same day is on time; at 00:00
the next day it is late."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest


@pytest.mark.parametrize(("forwarded_at", "late"), [
    (dt.datetime(2026, 11, 23, 15), 0),             # the issue's: the same afternoon
    (dt.datetime(2026, 11, 23, 23, 59), 0),         # the day's last minute
    (dt.datetime(2026, 11, 24, 0, 0), 1),           # the next day
])
def test_unlicensed_selling_forwarded_the_same_day_is_on_time(ws, shop, time_machine,
                                                              forwarded_at, late):
    # rule TOB-UNLICENSED: "立即" — due the working day it came in (default, ours).
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    shop.retailer("S1")
    shop.interaction("U1", "S1", "unlicensed", dt.datetime(2026, 11, 23, 10), manager_id="M1")
    (case,) = ws.cases(policy="tobacco.unlicensed")
    ws.run_rules(["tobacco.step_request"], as_of=dt.date(2026, 11, 23))
    (task,) = ws.tasks(rule="tobacco.step_request")
    assert (task.manager_id, task.due_at) == ("R1", dt.date(2026, 11, 23))
    ws.case_step(case.id, "approve", "R1", at=forwarded_at, note="passed on")
    (done,) = ws.tasks(rule="tobacco.step_request", status="done")
    assert done.closed_at == forwarded_at
    as_of = dt.date(2026, 11, 24)
    values = {v.scope_key: v.value for v in ws.kpi(["core.overdue_tasks"], period="2026-11",
                                                   by="manager", as_of=as_of)}
    assert values.get("R1", 0) == late
    # Nor is it escalated, being done.
    (run,) = ws.run_rules(["core.overdue_tasks"], as_of=as_of)
    assert run.created == 0


def test_an_unforwarded_report_is_overdue_the_next_day_not_the_same_evening(ws, shop,
                                                                           time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    shop.retailer("S1")
    shop.interaction("U1", "S1", "unlicensed", dt.datetime(2026, 11, 23, 10), manager_id="M1")
    ws.run_rules(["tobacco.step_request"], as_of=dt.date(2026, 11, 23))
    assert [t.overdue for t in ws.tasks(rule="tobacco.step_request",
                                        as_of=dt.date(2026, 11, 23))] == [False]
    assert [t.overdue for t in ws.tasks(rule="tobacco.step_request",
                                        as_of=dt.date(2026, 11, 24))] == [True]
