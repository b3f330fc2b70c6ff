"""banking.punctuality at the due-day boundary (issue 13): a banking task due on a day
is on time all that day (done 23:59: on time; 00:00 the next day: late); a task
not yet done and still inside its day is not judged."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest


def _kpi(ws, name, as_of, by="all"):
    return {v.scope_key: v.value for v in ws.kpi([name], period="2026-11", by=by, as_of=as_of)}


@pytest.fixture
def feedback(ws, bank, time_machine):
    # BANK-FEEDBACK: feedback on 20 November asks for a follow-up by 27 November.
    time_machine.move_to(dt.datetime(2026, 12, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    bank.customer("C1")
    bank.interaction("F1", "C1", "feedback", dt.date(2026, 11, 20))
    ws.run_rules(["banking.feedback"], as_of=dt.date(2026, 11, 20))
    (task,) = ws.tasks(rule="banking.feedback")
    assert task.due_at == dt.date(2026, 11, 27)
    return task


@pytest.mark.parametrize(("done_at", "punctuality", "overdue"), [
    (dt.datetime(2026, 11, 27, 10), 1.0, 0),            # made 10:00 on its day (the issue's)
    (dt.datetime(2026, 11, 27, 23, 59), 1.0, 0),        # 23:59 on its day: on time
    (dt.datetime(2026, 11, 28, 0, 0), 0.0, 1),          # 00:00 the next day: late
])
def test_punctuality_counts_a_task_done_on_its_due_day_on_time(ws, feedback, done_at,
                                                               punctuality, overdue):
    ws.task_done(feedback.id, "called", at=done_at)
    as_of = dt.date(2026, 11, 30)
    assert _kpi(ws, "banking.punctuality", as_of) == {"": punctuality}
    assert _kpi(ws, "banking.punctuality", as_of, by="manager") == {"M1": punctuality}
    assert _kpi(ws, "core.overdue_tasks", as_of) == {"": overdue}


def test_an_open_task_is_judged_once_its_day_is_over(ws, feedback):
    # On its due day it is neither on time nor late yet; the next day it is late.
    assert _kpi(ws, "banking.punctuality", dt.date(2026, 11, 27)) == {}
    assert _kpi(ws, "banking.punctuality", dt.date(2026, 11, 28)) == {"": 0.0}
