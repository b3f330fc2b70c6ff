"""The visit planner: cadence visits placed on each manager's working days.

Cadence visits (rule BANK-VISIT, POWER-VISIT, TOB-PLAN) go through here
only, never through a second rule that makes visit tasks. A pack declares a
:class:`guanxi.VisitCadence`: a segmentation, an interval in days per label,
a daily cap, territory grouping and the interaction kinds that count as a
visit. For one ISO week (TOB-PLAN: "at each week's end, build next week's
《客户访问日程表》"), each cadence is planned in one transaction:

1. **the week's working days**, per manager, from the business calendar of
   the manager's territory (holidays drop days, a make-up Saturday adds
   one); a day's free places are the daily cap less what is already
   planned there (by an earlier run or another cadence). Python runs once
   per territory here, never per customer;
2. **candidates, in one set-based statement**: customers with a current
   label of the cadence's segmentation that has an interval, owned by an
   active manager, due in the week (last visit plus the interval on or
   before the manager's last working day of the week, or never visited),
   and not yet in the week's plan (a customer gets one planned visit a
   week: the sector packs' cadences plan first, the core's generic one
   last);
3. **placement**: per manager, the most overdue first fill the week's free
   places (never visited first, then by days overdue, ties by customer id;
   SQL); what does not fit is counted per manager and reported (being more
   overdue, it comes first next week). With territory grouping (TOB-PLAN)
   each territory then goes whole on the first working day with room for
   it, territories in order of their most overdue customer, ties by name;
   one that no day can hold fills free places in day order. That first fit
   runs in Python over each manager's territories and days (never over
   customers) and gives each territory's numbers their days; one SQL
   statement places the customers by their number;
4. **carried visits**: a placed customer whose planned visit of an earlier
   week is still open gets that task moved to the new day (two UPDATEs),
   not a second one; the earlier week's plan row stays as history, its
   status ``moved`` (:mod:`~guanxi.service.plan_carrying`);
5. **tasks**: one open visit task per placed visit not carried (rule = the
   cadence, dedupe key = the week), then the ``plan_visits`` rows pointing
   at them, both ``INSERT ... SELECT``. A second run adds only what is new.

A week already over (its Sunday before the as-of day) is refused unless
forced: :func:`refuse_past_week`.

A visit recorded later (an interaction of one of the cadence's kinds, on
or after the planned week's Monday) closes its task: :func:`close_visited`,
called by the core pack's ``guanxi_after_interactions_saved``.

Reasons are built in SQL from whole numbers and ISO dates only, which read
the same on SQLite and PostgreSQL, in the workspace's language.

Each step has its module: :mod:`~guanxi.service.plan_weeks` (which week),
:mod:`~guanxi.service.plan_cadences` (which cadences, checked),
:mod:`~guanxi.service.plan_tables` (the work tables),
:mod:`~guanxi.service.plan_candidates` (steps 1 and 2),
:mod:`~guanxi.service.plan_placing` (step 3),
:mod:`~guanxi.service.plan_carrying` (step 4),
:mod:`~guanxi.service.plan_closing` (visits close tasks),
:mod:`~guanxi.service.plan_reading` (``plan show``), with the records of
:mod:`~guanxi.service.plan_records`, the reasons of
:mod:`~guanxi.service.plan_reasons` and the SQL pieces of
:mod:`~guanxi.service.plan_sql`. This module runs a build: one transaction
per cadence, step 5 (the tasks and plan rows) included. Its names below
stay importable from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import DateTime, exists, func, insert, literal, select, text

from guanxi.engines.running import drop_temp_table, failure
from guanxi.service.plan_cadences import GROUPINGS, cadences_for, kinds_text
from guanxi.service.plan_candidates import candidates_insert, slots_insert
from guanxi.service.plan_carrying import carry_earlier_tasks
from guanxi.service.plan_closing import close_visited, close_visited_in_batch
from guanxi.service.plan_placing import chosen_insert, day_spans, placed_insert
from guanxi.service.plan_reading import plan_visits, row_moved
from guanxi.service.plan_reasons import REASONS
from guanxi.service.plan_records import CadenceRun, PlanResult, PlanVisit, Unplaced
from guanxi.service.plan_sql import VISIT_TASK_KIND, kind_in, midnight
from guanxi.service.plan_tables import work_tables
from guanxi.service.plan_weeks import Week, refuse_past_week, week_of
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t

__all__ = [
    "GROUPINGS", "REASONS", "VISIT_TASK_KIND", "CadenceRun", "PlanResult", "PlanVisit",
    "Unplaced", "Week", "build_plan", "cadences_for", "close_visited", "close_visited_in_batch",
    "kind_in", "plan_visits", "refuse_past_week", "row_moved", "week_of",
]


def _territory_days(rt, week: Week) -> tuple[list[dict], list[dict]]:
    """Working days and the due horizon of each active manager territory.

    Python over territories (few), never over customers. A territory with
    no working day in the week keeps the week's Sunday as its horizon: its
    due customers are all reported unplaced.
    """
    m = t.managers
    with rt.engine.connect() as conn:
        territories = list(conn.scalars(
            select(m.c.territory).where(m.c.active.is_(True)).distinct()
        ))
    days, horizons = [], []
    # No territory and an empty one both mean the organization's calendar.
    for key in sorted({territory or "" for territory in territories}):
        working = _working_days(rt, key or None, week)
        days += [{"territory_key": key, "day": day} for day in working]
        horizons.append({"territory_key": key,
                         "last_day": working[-1] if working else week.last_day})
    return days, horizons


def _working_days(rt, territory, week: Week) -> list[dt.date]:
    # The territory's calendar: the organization's days plus its own.
    return sorted(rt.calendar(territory).working_days(week.start, week.end))


def build_plan(rt, week: Week, cadences: Sequence, progress=None) -> PlanResult:
    """Plan ``week`` for ``cadences``; ``progress(done, total, step)`` as each cadence starts."""
    days, horizons = _territory_days(rt, week)
    runs, unplaced = [], []
    # Visits recorded since the last plan close their tasks before anything
    # new is planned, whichever way they were loaded.
    with rt.engine.begin() as conn:
        close_visited(rt, conn, cadences=[c.name for c in cadences])
    for done, cadence in enumerate(cadences):
        if progress is not None:
            progress(done, len(cadences), f"cadence {cadence.name}")
        run, missed = _plan_cadence(rt, cadence, week, days, horizons)
        runs.append(run)
        unplaced += missed
    if progress is not None:
        progress(len(cadences), len(cadences), None)
    if rt.dialect == "postgresql" and any(run.planned for run in runs):
        # Thousands of new rows: statistics now, or the next statement on
        # these tables (a visit closing its task) may be planned as if empty.
        with rt.engine.begin() as conn:
            conn.execute(text(f"ANALYZE {t.tasks.name}, {st.plan_visits.name}"))
    return PlanResult(week=week.label, start=week.start, end=week.end, cadences=tuple(runs),
                      unplaced=tuple(unplaced))



def _plan_cadence(rt, cadence, week: Week, days, horizons) -> tuple[CadenceRun, list[Unplaced]]:
    work = work_tables()
    pv, tk = st.plan_visits, t.tasks
    with rt.engine.connect() as conn:
        try:
            with conn.begin():
                for table in work.values():
                    table.drop(conn, checkfirst=True)
                    table.create(conn)
                # (An insert given an empty list would write one row of NULLs.)
                if days:
                    conn.execute(insert(work["days"]), days)
                if horizons:
                    conn.execute(insert(work["horizons"]), horizons)
                already = conn.execute(
                    select(func.count()).select_from(pv)
                    .where(pv.c.cadence == cadence.name, pv.c.week == week.label)
                ).scalar_one()
                conn.execute(slots_insert(work, cadence, week))
                conn.execute(candidates_insert(rt, work, cadence, week))
                if rt.dialect == "postgresql":
                    # Temporary tables get no statistics of their own.
                    conn.execute(text(f"ANALYZE {work['candidates'].name}"))
                    conn.execute(text(f"ANALYZE {work['slots'].name}"))
                conn.execute(chosen_insert(work, cadence))
                spans = day_spans(conn, work)
                if spans:
                    conn.execute(insert(work["spans"]), spans)
                conn.execute(placed_insert(rt, work, cadence))
                carried = carry_earlier_tasks(rt, conn, work, cadence, week)
                placed = work["placed"]
                open_task = exists().where(
                    tk.c.status == "open", tk.c.rule == cadence.name,
                    tk.c.customer_id == placed.c.customer_id,
                    tk.c.dedupe_key == week.label,
                )
                conn.execute(insert(tk).from_select(
                    ["rule", "customer_id", "manager_id", "kind", "due_at", "priority",
                     "status", "reason", "dedupe_key", "created_at"],
                    select(literal(cadence.name), placed.c.customer_id, placed.c.manager_id,
                           literal(VISIT_TASK_KIND), midnight(rt.dialect, placed.c.day),
                           literal(2), literal("open"), placed.c.reason, literal(week.label),
                           literal(rt.now(), DateTime))
                    .where(~open_task)
                    .order_by(placed.c.customer_id),
                ))
                # A join, not a lookup per row: the tasks were just written
                # and the database has no statistics on them yet.
                task = (
                    select(tk.c.id, tk.c.customer_id)
                    .where(tk.c.status == "open", tk.c.rule == cadence.name,
                           tk.c.dedupe_key == week.label)
                    .subquery("task")
                )
                conn.execute(insert(pv).from_select(
                    ["cadence", "week", "manager_id", "day", "customer_id", "territory",
                     "reason", "task_id", "visit_kinds"],
                    select(literal(cadence.name), literal(week.label), placed.c.manager_id,
                           placed.c.day, placed.c.customer_id, placed.c.territory,
                           placed.c.reason, task.c.id, literal(kinds_text(cadence)))
                    .select_from(placed.outerjoin(task, task.c.customer_id == placed.c.customer_id))
                    .order_by(placed.c.customer_id),
                ))
                created = conn.execute(select(func.count()).select_from(placed)).scalar_one()
                cand = work["candidates"]
                missed = conn.execute(
                    select(cand.c.manager_id, func.count())
                    .where(~exists().where(placed.c.customer_id == cand.c.customer_id))
                    .group_by(cand.c.manager_id)
                    .order_by(cand.c.manager_id)
                ).all()
        except Exception as exc:
            raise failure(cadence, "cadence", exc) from exc
        finally:
            for table in work.values():
                drop_temp_table(conn, table)
    unplaced = [Unplaced(cadence=cadence.name, manager_id=m, count=n) for m, n in missed]
    run = CadenceRun(cadence=cadence.name, planned=created, already_planned=already,
                     unplaced=sum(u.count for u in unplaced), carried=carried)
    return run, unplaced

