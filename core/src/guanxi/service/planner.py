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
   status ``moved`` (:func:`_carry_earlier_tasks`);
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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import attrs
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)

from guanxi.engines.context import Context
from guanxi.engines.running import failure, temp_table
from guanxi.engines.segmentation import _drop
from guanxi.errors import PackError, UsageError
from guanxi.periods import Period, ValueProblem, parse_week
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t

#: The task kind of a planned visit.
VISIT_TASK_KIND = "visit"
#: What a cadence may group a manager's days by.
GROUPINGS = ("territory", "none")

# -- weeks ---------------------------------------------------------------------


class Week:
    """The planner's name for a week: a :class:`guanxi.periods.Period` of grain ``week``.

    Weeks are read and stepped in :mod:`guanxi.periods` only (one week type
    for plans, reports and KPIs); this keeps the planner's spellings:
    ``Week.parse("2026-W5")``, ``Week.of(day)`` and ``Week(label, start,
    end)`` all give that Period (``label``, ``start``, ``end``,
    ``last_day``, ``following()``).
    """

    def __new__(cls, label: str, start: dt.date, end: dt.date) -> Period:
        week = Week.parse(label)
        if (week.start, week.end) != (start, end):
            raise ValueError(f"week {label} runs {week.start} to {week.end}, not {start} to {end}")
        return week

    @staticmethod
    def of(day: dt.date) -> Period:
        return Period.containing(day, "week")

    @staticmethod
    def parse(text: str) -> Period:
        """``2026-W48`` or ``2026-W5``; a usage error naming the week or the form."""
        try:
            return parse_week(text)
        except ValueProblem as problem:
            if str(problem).startswith("expected"):
                raise UsageError(f"week {text!r} must be an ISO week like 2026-W48") from None
            raise UsageError(f"week {text!r} does not exist: {problem}") from None


def week_of(value: str | Period | dt.date | None, today: dt.date) -> Period:
    """A week from its label, a day in it, or ``None`` (next week, TOB-PLAN)."""
    if value is None:
        return Week.of(today).following()
    if isinstance(value, Period):
        if value.grain != "week":
            raise UsageError(f"{value.label} is a {value.grain}, not a week; write it like 2026-W48")
        return value
    if isinstance(value, dt.date):
        return Week.of(value)
    return Week.parse(value)


def refuse_past_week(week: Week, today: dt.date, force: bool) -> None:
    """A week already over (its Sunday before ``today``) is planned only when forced.

    Its visit days are gone: planning them would make tasks overdue the
    moment they exist, so it takes ``force`` (``plan build --force``).
    """
    if week.last_day < today and not force:
        raise UsageError(f"week {week.label} is over: it ended on {week.last_day.isoformat()}, "
                         f"before {today.isoformat()}; use --force to plan it anyway")


# -- results -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Unplaced:
    """Due visits of one manager that the week could not hold."""

    cadence: str
    manager_id: str
    count: int


@attrs.frozen(kw_only=True)
class CadenceRun:
    """One cadence's part of a plan build."""

    cadence: str
    planned: int
    already_planned: int
    unplaced: int
    #: Of ``planned``: open visit tasks of earlier weeks moved into this one.
    carried: int = 0


@attrs.frozen(kw_only=True)
class PlanResult:
    """What ``build_plan`` did for one week."""

    week: str
    start: dt.date
    end: dt.date
    cadences: tuple[CadenceRun, ...]
    unplaced: tuple[Unplaced, ...]

    @property
    def planned(self) -> int:
        return sum(run.planned for run in self.cadences)

    def as_json(self) -> dict:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cadences": [attrs.asdict(run) for run in self.cadences],
            "unplaced": [attrs.asdict(u) for u in self.unplaced],
        }


@attrs.frozen(kw_only=True)
class PlanVisit:
    """One planned visit: who visits whom on which day, and why."""

    cadence: str
    week: str
    manager_id: str
    day: dt.date
    customer_id: str
    customer_name: str | None
    territory: str | None
    reason: str
    task_id: int | None
    status: str | None = None

    def as_json(self) -> dict:
        """The stable JSON of ``guanxi plan show --format json``."""
        return {"manager_id": self.manager_id, "date": self.day.isoformat(),
                "customer_id": self.customer_id, "territory": self.territory,
                "reason": self.reason, "task_id": self.task_id}


# -- checking cadences -----------------------------------------------------------


def cadences_for(ws, names: Sequence[str] | None) -> list:
    """The cadences to plan: all, or those named; each checked."""
    known = ws.plugins.visit_cadences(ws)
    if names:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UsageError(f"unknown cadence {unknown[0]!r}; cadences: "
                             f"{', '.join(known) or 'none'}")
        chosen = [known[n] for n in dict.fromkeys(names)]
    else:
        chosen = list(known.values())
    segmentations = ws.plugins.segmentations()
    for cadence in chosen:
        _check(cadence, segmentations)
    # The core's generic cadence plans last: it visits whom no sector
    # cadence has planned that week (one planned visit a customer a week).
    return sorted(chosen, key=lambda c: (c.pack == "core", c.name))


def _check(cadence, segmentations) -> None:
    where = f"cadence {cadence.name!r} of pack {cadence.pack!r}"
    if cadence.segmentation not in segmentations:
        raise PackError(f"{where} names the segmentation {cadence.segmentation!r}, which no "
                        f"enabled pack has")
    if cadence.daily_cap < 1:
        raise PackError(f"{where} has a daily cap of {cadence.daily_cap}; it must be at least 1")
    if cadence.group_by not in GROUPINGS:
        raise PackError(f"{where} groups by {cadence.group_by!r}; use one of: "
                        f"{', '.join(GROUPINGS)}")
    if not cadence.visit_kinds:
        raise PackError(f"{where} names no interaction kind that counts as a visit")
    bad = [(label, days) for label, days in cadence.intervals.items()
           if isinstance(days, bool) or not isinstance(days, int) or days < 0]
    if bad:
        raise PackError(f"{where} gives the label {bad[0][0]!r} the interval {bad[0][1]!r}; "
                        "an interval is a whole number of days (0: not planned)")


def _intervals(cadence) -> dict[str, int]:
    # A label with interval 0 is not planned (a config can switch one off).
    return {label: days for label, days in cadence.intervals.items() if days > 0}


def _kinds_text(cadence) -> str:
    return ",".join(sorted(set(cadence.visit_kinds)))


# -- SQL helpers --------------------------------------------------------------------


def kind_in(dialect: str, kinds_text, kind):
    """True when ``kind`` is one of the comma-separated ``kinds_text``."""
    haystack = literal(",") + kinds_text + literal(",")
    needle = literal(",") + kind + literal(",")
    if dialect == "sqlite":
        return func.instr(haystack, needle) > 0
    return func.strpos(haystack, needle) > 0


def _week_start(dialect: str, day):
    """The Monday of the ISO week a date column falls in."""
    if dialect == "sqlite":
        return func.date(day, "weekday 0", "-6 days", type_=Date)
    return cast(func.date_trunc("week", cast(day, DateTime)), Date)


def _midnight(dialect: str, day):
    """A date column as the datetime of its midnight, stored as datetimes are."""
    if dialect == "sqlite":
        # SQLAlchemy's stored text form, so it compares with bound datetimes.
        return func.date(day, type_=String) + literal(" 00:00:00.000000")
    return cast(day, DateTime)


REASONS = {
    "en": {
        "head": "{segment} {label}: every {days} days",
        "last": ", last visit {last}",
        "overdue_one": ", 1 day overdue",
        "overdue": ", {overdue} days overdue",
        "due": ", due {due}",
        "never": ", never visited",
        "carried": ", carried from week {week} (was due {day})",
        "done": "visit recorded",
    },
    "zh": {
        "head": "{segment}{label}：每 {days} 天拜访一次",
        "last": "，上次拜访 {last}",
        "overdue_one": "，已逾期 1 天",
        "overdue": "，已逾期 {overdue} 天",
        "due": "，{due} 到期",
        "never": "，从未拜访",
        "carried": "，自 {week} 顺延（原定 {day}）",
        "done": "已拜访",
    },
}


def _fill(template: str, **parts):
    """A template as SQL: literal text between SQL values, joined with ``||``."""
    pieces = re.split(r"\{(\w+)\}", template)
    expr = literal(pieces[0], String)
    for i in range(1, len(pieces), 2):
        value = parts[pieces[i]]
        if not isinstance(value, str):
            value = cast(value, String)
        else:
            value = literal(value, String)
        expr = expr + value
        if pieces[i + 1]:
            expr = expr + literal(pieces[i + 1], String)
    return expr


def _reason_sql(language: str, segment_title: str, cand):
    words = REASONS.get(language, REASONS["en"])
    head = _fill(words["head"], segment=segment_title, label=cand.c.label,
                 days=cand.c.interval_days)
    last = _fill(words["last"], last=cand.c.last_visit)
    tail = case(
        (cand.c.never == 1, literal(words["never"], String)),
        (cand.c.overdue == 1, last + literal(words["overdue_one"], String)),
        (cand.c.overdue > 0, last + _fill(words["overdue"], overdue=cand.c.overdue)),
        else_=last + _fill(words["due"], due=cand.c.due),
    )
    return head + tail


# -- building a week ---------------------------------------------------------------


def _territory_days(ws, week: Week) -> tuple[list[dict], list[dict]]:
    """Working days and the due horizon of each active manager territory.

    Python over territories (few), never over customers. A territory with
    no working day in the week keeps the week's Sunday as its horizon: its
    due customers are all reported unplaced.
    """
    m = t.managers
    with ws.engine.connect() as conn:
        territories = list(conn.scalars(
            select(m.c.territory).where(m.c.active.is_(True)).distinct()
        ))
    days, horizons = [], []
    # No territory and an empty one both mean the organization's calendar.
    for key in sorted({territory or "" for territory in territories}):
        working = _working_days(ws, key or None, week)
        days += [{"territory_key": key, "day": day} for day in working]
        horizons.append({"territory_key": key,
                         "last_day": working[-1] if working else week.last_day})
    return days, horizons


def _working_days(ws, territory, week: Week) -> list[dt.date]:
    # The territory's calendar: the organization's days plus its own.
    return sorted(ws.calendar(territory).working_days(week.start, week.end))


def build_plan(ws, week: Week, cadences: Sequence, progress=None) -> PlanResult:
    """Plan ``week`` for ``cadences``; ``progress(done, total, step)`` as each cadence starts."""
    days, horizons = _territory_days(ws, week)
    runs, unplaced = [], []
    # Visits recorded since the last plan close their tasks before anything
    # new is planned, whichever way they were loaded.
    with ws.engine.begin() as conn:
        close_visited(ws, conn, cadences=[c.name for c in cadences])
    for done, cadence in enumerate(cadences):
        if progress is not None:
            progress(done, len(cadences), f"cadence {cadence.name}")
        run, missed = _plan_cadence(ws, cadence, week, days, horizons)
        runs.append(run)
        unplaced += missed
    if progress is not None:
        progress(len(cadences), len(cadences), None)
    if ws.dialect == "postgresql" and any(run.planned for run in runs):
        # Thousands of new rows: statistics now, or the next statement on
        # these tables (a visit closing its task) may be planned as if empty.
        with ws.engine.begin() as conn:
            conn.execute(text(f"ANALYZE {t.tasks.name}, {st.plan_visits.name}"))
    return PlanResult(week=week.label, start=week.start, end=week.end, cadences=tuple(runs),
                      unplaced=tuple(unplaced))


def _candidate_columns() -> list[Column]:
    """A customer due a visit: whose, where, at what interval, how overdue (fresh Columns)."""
    Key = t.Key
    return [
        Column("customer_id", Key, primary_key=True),
        Column("manager_id", Key, nullable=False),
        Column("territory", Key),
        Column("label", Key, nullable=False),
        Column("interval_days", Integer, nullable=False),
        Column("last_visit", Date),
        Column("due", Date),
        Column("overdue", Integer),
        Column("never", Integer, nullable=False),
    ]


def _work_tables():
    Key = t.Key
    return {
        "days": temp_table(
            "guanxi_plan_days",
            Column("territory_key", Key, primary_key=True),
            Column("day", Date, primary_key=True),
        ),
        "horizons": temp_table(
            "guanxi_plan_horizons",
            Column("territory_key", Key, primary_key=True),
            Column("last_day", Date, nullable=False),
        ),
        "slots": temp_table(
            "guanxi_plan_slots",
            Column("manager_id", Key, primary_key=True),
            Column("day", Date, primary_key=True),
            Column("free", Integer, nullable=False),
            Column("first_slot", Integer, nullable=False),
            Column("last_slot", Integer, nullable=False),
        ),
        "candidates": temp_table("guanxi_plan_candidates", *_candidate_columns()),
        # The candidates each manager's week can hold, grouped and numbered.
        "chosen": temp_table(
            "guanxi_plan_chosen",
            *_candidate_columns(),
            # What a day keeps to: the territory, '' for none (or no grouping).
            Column("group_key", Key, nullable=False),
            # Its place in its group, most urgent first (from 1).
            Column("n", Integer, nullable=False),
        ),
        "spans": temp_table(
            "guanxi_plan_spans",
            Column("manager_id", Key, primary_key=True),
            Column("group_key", Key, primary_key=True),
            Column("day", Date, primary_key=True),
            Column("first_n", Integer, nullable=False),
            Column("last_n", Integer, nullable=False),
        ),
        "carried": temp_table(
            "guanxi_plan_carried",
            Column("customer_id", Key, primary_key=True),
            Column("task_id", Integer, nullable=False),
            Column("old_week", String, nullable=False),
            Column("old_day", Date, nullable=False),
        ),
        "placed": temp_table(
            "guanxi_plan_placed",
            Column("customer_id", Key, primary_key=True),
            Column("manager_id", Key, nullable=False),
            Column("day", Date, nullable=False),
            Column("territory", Key),
            Column("reason", Text, nullable=False),
        ),
    }


def _plan_cadence(ws, cadence, week: Week, days, horizons) -> tuple[CadenceRun, list[Unplaced]]:
    work = _work_tables()
    pv, tk = st.plan_visits, t.tasks
    with ws.engine.connect() as conn:
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
                conn.execute(_slots_insert(work, cadence, week))
                conn.execute(_candidates_insert(ws, work, cadence, week))
                if ws.dialect == "postgresql":
                    # Temporary tables get no statistics of their own.
                    conn.execute(text(f"ANALYZE {work['candidates'].name}"))
                    conn.execute(text(f"ANALYZE {work['slots'].name}"))
                conn.execute(_chosen_insert(work, cadence))
                spans = _spans(conn, work)
                if spans:
                    conn.execute(insert(work["spans"]), spans)
                conn.execute(_placed_insert(ws, work, cadence))
                carried = _carry_earlier_tasks(ws, conn, work, cadence, week)
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
                           literal(VISIT_TASK_KIND), _midnight(ws.dialect, placed.c.day),
                           literal(2), literal("open"), placed.c.reason, literal(week.label),
                           literal(ws.now(), DateTime))
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
                           placed.c.reason, task.c.id, literal(_kinds_text(cadence)))
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
                _drop(conn, table)
    unplaced = [Unplaced(cadence=cadence.name, manager_id=m, count=n) for m, n in missed]
    run = CadenceRun(cadence=cadence.name, planned=created, already_planned=already,
                     unplaced=sum(u.count for u in unplaced), carried=carried)
    return run, unplaced


def _slots_insert(work, cadence, week: Week):
    """Each active manager's working days with their places, numbered through the week.

    A day's free places are the cap less the visits already planned on it
    (by a re-run, or by another cadence); ``first_slot``..``last_slot``
    number its places from the week's first day on, so the last day's
    ``last_slot`` is how many visits the week still holds. Which day each
    visit takes is :func:`_spans`'s answer.
    """
    m, pv = t.managers, st.plan_visits
    days, slots = work["days"], work["slots"]
    cap = cadence.daily_cap
    # Every visit planned for the manager that day counts against the cap,
    # whichever cadence planned it: a day holds so many visits, not so many
    # per cadence.
    used = (
        select(pv.c.manager_id, pv.c.day, func.count().label("n"))
        .where(pv.c.week == week.label)
        .group_by(pv.c.manager_id, pv.c.day)
        .subquery("used")
    )
    left = literal(cap) - func.coalesce(used.c.n, 0)
    per_day = (
        select(m.c.id.label("manager_id"), days.c.day,
               case((left > 0, left), else_=0).label("free"))
        .select_from(
            m.join(days, days.c.territory_key == func.coalesce(m.c.territory, ""))
            .outerjoin(used, and_(used.c.manager_id == m.c.id, used.c.day == days.c.day))
        )
        .where(m.c.active.is_(True))
        .subquery("per_day")
    )
    through = func.sum(per_day.c.free).over(partition_by=per_day.c.manager_id,
                                            order_by=per_day.c.day)
    numbered = select(per_day.c.manager_id, per_day.c.day, per_day.c.free,
                      through.label("through")).subquery("numbered")
    return insert(slots).from_select(
        ["manager_id", "day", "free", "first_slot", "last_slot"],
        select(numbered.c.manager_id, numbered.c.day, numbered.c.free,
               numbered.c.through - numbered.c.free + 1, numbered.c.through)
        .order_by(numbered.c.manager_id, numbered.c.day),
    )


def _candidates_insert(ws, work, cadence, week: Week):
    """Every customer due in the week, in one statement (see the module docstring)."""
    ctx = Context(dialect=ws.dialect, pack=cadence.pack, config={}, as_of=week.start)
    s, c, m, i, pv = t.segments, t.customers, t.managers, t.interactions, st.plan_visits
    horizons = work["horizons"]
    intervals = _intervals(cadence)
    week_end = literal(dt.datetime.combine(week.end, dt.time()), DateTime)
    # The latest visit before the week is over: one grouped pass over the
    # visit kinds (the (kind, occurred_at) index), not a lookup per customer.
    last = (
        select(i.c.customer_id, func.max(i.c.occurred_at).label("last_at"))
        .where(i.c.kind.in_(sorted(set(cadence.visit_kinds))), i.c.occurred_at < week_end)
        .group_by(i.c.customer_id)
        .subquery("last_visit")
    )
    if intervals:
        interval = case(*[(s.c.label == label, days) for label, days in intervals.items()])
    else:
        interval = literal(None, Integer)
    last_day = ctx.date_of(last.c.last_at)
    # Planned already, by this cadence or another: one planned visit a
    # customer a week. (Naming the cadences lets the unique key answer.)
    cadences = sorted(set(ws.plugins.visit_cadences(ws)) | {cadence.name})
    planned = exists().where(pv.c.cadence.in_(cadences), pv.c.week == week.label,
                             pv.c.customer_id == s.c.customer_id)
    due_list = (
        select(
            s.c.customer_id,
            c.c.manager_id,
            c.c.territory,
            s.c.label,
            interval.label("interval_days"),
            last_day.label("last_visit"),
            ctx.add_days(last_day, interval).label("due"),
            horizons.c.last_day.label("horizon"),
            case((last.c.last_at.is_(None), 1), else_=0).label("never"),
        )
        .select_from(
            s.join(c, c.c.id == s.c.customer_id)
            .join(m, m.c.id == c.c.manager_id)
            .join(horizons, horizons.c.territory_key == func.coalesce(m.c.territory, ""))
            .outerjoin(last, last.c.customer_id == s.c.customer_id)
        )
        .where(s.c.segmentation == cadence.segmentation,
               s.c.label.in_(sorted(intervals)),
               m.c.active.is_(True),
               ~planned)
        .subquery("due_list")
    )
    week_start = literal(week.start, Date)
    return insert(work["candidates"]).from_select(
        ["customer_id", "manager_id", "territory", "label", "interval_days", "last_visit",
         "due", "overdue", "never"],
        select(due_list.c.customer_id, due_list.c.manager_id, due_list.c.territory,
               due_list.c.label, due_list.c.interval_days, due_list.c.last_visit,
               due_list.c.due, ctx.days_between(due_list.c.due, week_start),
               due_list.c.never)
        .where(or_(due_list.c.never == 1, due_list.c.due <= due_list.c.horizon))
        .order_by(due_list.c.customer_id),
    )


def _chosen_insert(work, cadence):
    """Which visits the week holds: per manager, the most urgent that fit.

    Urgency: never visited first, then by days overdue, ties by customer
    id. Grouping decides the day, never who fits. Each kept visit is
    numbered within its group (its territory, or one group without
    grouping) by the same urgency: the spans give each number its day.
    """
    cand, slots = work["candidates"], work["slots"]
    capacity = (
        select(slots.c.manager_id, func.max(slots.c.last_slot).label("capacity"))
        .group_by(slots.c.manager_id)
        .subquery("capacity")
    )
    urgent_first = (cand.c.never.desc(), cand.c.overdue.desc(), cand.c.customer_id)
    urgency = func.row_number().over(partition_by=cand.c.manager_id, order_by=urgent_first)
    if cadence.group_by == "territory":
        # No territory and an empty one are the same: no group to keep to.
        group_key = func.coalesce(cand.c.territory, literal(""))
    else:
        group_key = literal("")
    ranked = select(cand, urgency.label("urgency"), group_key.label("group_key")).subquery("ranked")
    chosen = (
        select(ranked)
        .join(capacity, capacity.c.manager_id == ranked.c.manager_id)
        .where(ranked.c.urgency <= capacity.c.capacity)
        .subquery("chosen")
    )
    n = func.row_number().over(partition_by=(chosen.c.manager_id, chosen.c.group_key),
                               order_by=chosen.c.urgency)
    columns = ["customer_id", "manager_id", "territory", "group_key", "label", "interval_days",
               "last_visit", "due", "overdue", "never"]
    return insert(work["chosen"]).from_select(
        [*columns, "n"],
        select(*[chosen.c[name] for name in columns], n).order_by(chosen.c.customer_id),
    )


@attrs.frozen
class _Group:
    """The kept visits of one manager's territory: how many, how urgent."""

    manager_id: str
    key: str
    size: int
    never: int
    overdue: int | None

    def order(self):
        # rule TOB-PLAN grouping: territories in order of their most overdue
        # customer (never visited first), ties by name; no territory last.
        most_overdue = 0 if self.never else -(self.overdue or 0)
        return (self.key == "", -self.never, most_overdue, self.key)


def _spans(conn, work) -> list[dict]:
    """Which numbers of each group go on which day (rule TOB-PLAN grouping).

    Each territory, most overdue first, goes whole on the first working day
    whose free places hold all of it; a territory no day can hold (larger
    than a day's free places), and the customers without a territory, fill
    the free places in day order. Python runs over groups and days (a
    manager's territories, never customers): first fit is sequential.
    """
    chosen, slots = work["chosen"], work["slots"]
    free: dict[str, list[list]] = {}
    for manager_id, day, places in conn.execute(
            select(slots.c.manager_id, slots.c.day, slots.c.free)
            .where(slots.c.free > 0).order_by(slots.c.manager_id, slots.c.day)):
        free.setdefault(manager_id, []).append([day, places])
    groups = [_Group(*row) for row in conn.execute(
        select(chosen.c.manager_id, chosen.c.group_key, func.count(), func.max(chosen.c.never),
               func.max(chosen.c.overdue))
        .group_by(chosen.c.manager_id, chosen.c.group_key))]
    spans = []
    for group in sorted(groups, key=lambda g: (g.manager_id, g.order())):
        spans += _place_group(group, free.get(group.manager_id, []))
    return spans


def _place_group(group: _Group, days: list[list]) -> list[dict]:
    """Spans of one group over a manager's days; ``days`` ([day, free]) is used up."""
    whole = None if group.key == "" else next(
        (d for d in days if d[1] >= group.size), None)
    spans, n = [], 1
    for d in [whole] if whole is not None else days:
        take = min(d[1], group.size - n + 1)
        if take <= 0:
            continue
        spans.append({"manager_id": group.manager_id, "group_key": group.key, "day": d[0],
                      "first_n": n, "last_n": n + take - 1})
        d[1] -= take
        n += take
        if n > group.size:
            break
    return spans


def _placed_insert(ws, work, cadence):
    """Each kept visit on the day its group's span gives its number, with its reason."""
    chosen, spans, placed = work["chosen"], work["spans"], work["placed"]
    segment_title = ws.plugins.segmentations()[cadence.segmentation].title
    reason = _reason_sql(ws.config.language, segment_title, chosen)
    return insert(placed).from_select(
        ["customer_id", "manager_id", "day", "territory", "reason"],
        select(chosen.c.customer_id, chosen.c.manager_id, spans.c.day, chosen.c.territory,
               reason)
        .select_from(chosen.join(spans, and_(
            spans.c.manager_id == chosen.c.manager_id,
            spans.c.group_key == chosen.c.group_key,
            chosen.c.n >= spans.c.first_n,
            chosen.c.n <= spans.c.last_n,
        )))
        .order_by(chosen.c.customer_id),
    )


def _carry_earlier_tasks(ws, conn, work, cadence, week: Week) -> int:
    """Move placed customers' open visit tasks of earlier weeks into this week.

    A customer planned again whose earlier planned visit is still open gets
    that task re-dated to the new day (rule, week, manager and reason
    follow), not a second task; the task and plan inserts then find it as
    this week's. The earlier week's plan row stays as history: its task now
    belongs to a later week, which is what marks it moved. Set-based: one
    INSERT ... SELECT and two UPDATEs.
    """
    pv, tk = st.plan_visits, t.tasks
    carried, placed = work["carried"], work["placed"]
    # An open task's current plan row is the one of its rule and week.
    latest = func.row_number().over(partition_by=placed.c.customer_id,
                                    order_by=(pv.c.day.desc(), tk.c.id.desc()))
    # (Not when this week's task exists already: it is unique while open.)
    this_week = tk.alias("this_week_task")
    taken = exists().where(this_week.c.status == "open", this_week.c.rule == cadence.name,
                           this_week.c.customer_id == placed.c.customer_id,
                           this_week.c.dedupe_key == week.label)
    earlier = (
        select(placed.c.customer_id, tk.c.id.label("task_id"), pv.c.week.label("old_week"),
               pv.c.day.label("old_day"), latest.label("latest"))
        .select_from(
            placed.join(tk, and_(tk.c.customer_id == placed.c.customer_id,
                                 tk.c.status == "open", tk.c.kind == VISIT_TASK_KIND))
            .join(pv, and_(pv.c.task_id == tk.c.id, pv.c.cadence == tk.c.rule,
                           pv.c.week == tk.c.dedupe_key))
        )
        .where(pv.c.day < week.start, ~taken)
        .subquery("earlier")
    )
    conn.execute(insert(carried).from_select(
        ["customer_id", "task_id", "old_week", "old_day"],
        select(earlier.c.customer_id, earlier.c.task_id, earlier.c.old_week, earlier.c.old_day)
        .where(earlier.c.latest == 1),
    ))
    words = REASONS.get(ws.config.language, REASONS["en"])
    note = (
        select(_fill(words["carried"], week=carried.c.old_week, day=carried.c.old_day))
        .where(carried.c.customer_id == placed.c.customer_id)
        .scalar_subquery()
    )
    conn.execute(
        update(placed)
        .where(placed.c.customer_id.in_(select(carried.c.customer_id)))
        .values(reason=placed.c.reason + note)
    )
    return conn.execute(
        update(tk)
        .where(tk.c.id == carried.c.task_id, placed.c.customer_id == carried.c.customer_id)
        .values(rule=cadence.name, dedupe_key=week.label, manager_id=placed.c.manager_id,
                due_at=_midnight(ws.dialect, placed.c.day), reason=placed.c.reason)
    ).rowcount


# -- visits close their tasks ----------------------------------------------------------


def close_visited(ws, conn, customer_ids: Iterable[str] | None = None,
                  cadences: Iterable[str] | None = None) -> int:
    """Close the open plan tasks whose customer has been visited since the week began.

    A visit is an interaction of one of the cadence's visit kinds on or
    after the Monday of the planned week (a visit on another day of the
    week than planned still counts). The task is done, closed at the
    visit's time. ``customer_ids`` limits the work to those customers (a
    batch of saved interactions), ``cadences`` to those cadences' tasks.
    """
    pv, tk, i = st.plan_visits, t.tasks, t.interactions
    dialect = conn.dialect.name
    names = ids = None
    if cadences is not None:
        names = sorted(set(cadences))
        if not names:
            return 0
    if customer_ids is not None:
        ids = sorted(set(customer_ids))
        if not ids:
            return 0
    outcome = REASONS.get(ws.config.language, REASONS["en"])["done"]
    # Joins, not a subquery per task: the tasks were often written moments
    # ago, before the database has statistics on them. A plan task's rule
    # is its cadence and its dedupe key its week, which is how its plan row
    # is found (the row's unique key).
    open_task = t.tasks.alias("open_plan_task")
    where = [open_task.c.status == "open", open_task.c.kind == VISIT_TASK_KIND,
             kind_in(dialect, pv.c.visit_kinds, i.c.kind),
             i.c.occurred_at >= _midnight(dialect, _week_start(dialect, pv.c.day))]
    if names is not None:
        where.append(open_task.c.rule.in_(names))
    closed = 0
    # Bounded IN lists: SQLite limits the bound values of one statement.
    for chunk in [None] if ids is None else [ids[n:n + 500] for n in range(0, len(ids), 500)]:
        only = [] if chunk is None else [open_task.c.customer_id.in_(chunk)]
        visited = (
            select(open_task.c.id.label("task_id"),
                   func.min(i.c.occurred_at).label("visited_at"))
            .select_from(
                open_task.join(pv, and_(pv.c.cadence == open_task.c.rule,
                                        pv.c.week == open_task.c.dedupe_key,
                                        pv.c.customer_id == open_task.c.customer_id,
                                        pv.c.task_id == open_task.c.id))
                .join(i, i.c.customer_id == open_task.c.customer_id)
            )
            .where(*where, *only)
            .group_by(open_task.c.id)
            .subquery("visited")
        )
        closed += conn.execute(
            update(tk).where(tk.c.id == visited.c.task_id, tk.c.status == "open")
            .values(status="done", closed_at=visited.c.visited_at, outcome=outcome)
        ).rowcount
    return closed


def close_visited_in_batch(ws, batch) -> int:
    """The lifecycle hook's part: interactions just saved close their visit tasks.

    Only rows of a kind some cadence counts as a visit can close one, and
    nothing can while no visit was ever planned: a big import of calls or
    transactions costs one cheap query per batch.
    """
    if not {"customer_id", "kind"} <= set(batch.columns):
        return 0
    pv = st.plan_visits
    if batch.connection.execute(select(pv.c.id).limit(1)).first() is None:
        return 0
    kinds = {kind for cadence in ws.plugins.visit_cadences(ws).values()
             for kind in cadence.visit_kinds}
    at, kind_at = batch.columns.index("customer_id"), batch.columns.index("kind")
    customers = {row[at] for row in batch.rows if row[kind_at] in kinds}
    return close_visited(ws, batch.connection, customers)


# -- reading the plan -------------------------------------------------------------------


def row_moved(pv, tk):
    """True when a plan row's task was carried into a later week (the row is history).

    An open planned visit carried into a new plan takes the new week as its
    dedupe key and the planning cadence as its rule; the earlier row keeps
    pointing at it.
    """
    return or_(tk.c.dedupe_key != pv.c.week, tk.c.rule != pv.c.cadence)


def _row_status(pv, tk):
    """A plan row's status: its task's, or ``moved`` once the task went to a later week."""
    return case((row_moved(pv, tk), literal("moved", String)), else_=tk.c.status)


def plan_visits(ws, week: Week | None, manager: str | None,
                since: dt.date | None = None, scope=None) -> list[PlanVisit]:
    pv, c, tk = st.plan_visits, t.customers, t.tasks
    query = (
        select(pv.c.cadence, pv.c.week, pv.c.manager_id, pv.c.day, pv.c.customer_id,
               c.c.name.label("customer_name"), pv.c.territory, pv.c.reason, pv.c.task_id,
               _row_status(pv, tk).label("status"))
        .select_from(pv.outerjoin(c, c.c.id == pv.c.customer_id)
                     .outerjoin(tk, tk.c.id == pv.c.task_id))
        .order_by(pv.c.manager_id, pv.c.day, case((pv.c.territory.is_(None), 1), else_=0),
                  cast(pv.c.territory, t.Key), pv.c.customer_id, pv.c.cadence)
    )
    if week is not None:
        query = query.where(pv.c.week == week.label)
    if since is not None:
        query = query.where(pv.c.day >= since)
    if manager:
        query = query.where(pv.c.manager_id == manager)
    if scope is not None and scope.task_condition(pv) is not None:
        query = query.where(scope.task_condition(pv))  # a plan's visits are its managers'
    with ws.engine.connect() as conn:
        return [PlanVisit(**row._mapping) for row in conn.execute(query)]
