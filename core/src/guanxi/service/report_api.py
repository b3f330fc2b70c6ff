"""The report part of the workspace API; :class:`guanxi.Workspace` inherits it.

Report submission tracking, once for every pack (TOB-REPORT's monthly
sales analysis per manager, BANK-FEEDBACK's weekly team summary,
BANK-TEAM's ledgers and reports): a report is expected from an author (a
manager or a team) for a period, due on a day the business calendar gives;
it is submitted, maybe late, and reviewed. A report not submitted by the
end of its due day is overdue.

Due dates: for a month, quarter or year, the ``day_of_month`` of the month
after the period, moved to the next working day when that is a rest day
("每月5日前(节假日顺延)": the October report is due 5 November, or after
the holiday covering it). For a week (``2026-W48``) or a single day, the
first working day after it. ``due=`` sets the day outright.

Declared kinds: a pack declares a report as a :class:`guanxi.ReportKind`
(its figures and template); :meth:`ReportMethods.build_reports` computes
it for a period and each author and expects it here (due on the kind's
``due_day``), and :meth:`ReportMethods.render_report` renders it through
:mod:`guanxi.reporting` to Markdown, HTML or xlsx.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
from sqlalchemy import select, update
from sqlalchemy.sql.expression import Executable

from guanxi.errors import GuanxiError, NotFoundError, UsageError, did_you_mean
from guanxi.periods import Period, ValueProblem, parse_period
from guanxi.storage import service_tables as st
from guanxi.storage import tables as t

@attrs.frozen(kw_only=True)
class Report:
    """One expected report and what became of it.

    :ivar late: submitted after its due day.
    :ivar overdue: not submitted and its due day has passed, as of the
        listing's date.
    """

    id: int
    kind: str
    author_id: str
    period: str
    due_on: dt.date
    submitted_at: dt.datetime | None = None
    reviewed_at: dt.datetime | None = None
    reviewer_id: str | None = None
    late: bool = False
    overdue: bool = False
    note: str | None = None

    @property
    def status(self) -> str:
        """What became of it: (late,) reviewed, late, submitted, overdue or due.

        On its due day a report is due, not yet overdue (see ``overdue``).
        """
        if self.reviewed_at is not None:
            return "late, reviewed" if self.late else "reviewed"
        if self.submitted_at is not None:
            return "late" if self.late else "submitted"
        return "overdue" if self.overdue else "due"

    def as_json(self) -> dict:
        data = attrs.asdict(self)
        for key in ("due_on", "submitted_at", "reviewed_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


def report_period(label: str) -> tuple[str, dt.date, str]:
    """``2026-10`` -> (label, first day after the period, grain); weeks as ``2026-W48``.

    Periods are read by :func:`guanxi.periods.parse_period`, weeks included,
    so ``2026-W5`` is week ``2026-W05`` here as it is to ``plan build``.
    """
    text = (label or "").strip()
    try:
        period = parse_period(text)
    except ValueProblem as problem:
        if "has no week" in str(problem):
            raise UsageError(f"period {label!r} is not a week of that year: {problem}") from None
        raise UsageError(f"period {label!r}: {problem}, or a week like 2026-W48") from None
    return period.label, period.end, period.grain


_EXAMPLE = {"day": "2026-10-15", "week": "2026-W48", "month": "2026-10", "quarter": "2026-Q3",
            "year": "2026"}


def kind_period(kind, text: str, option: str = "--period") -> Period:
    """The period of a report kind's grain that ``text`` names; else a usage error."""
    try:
        label, end, grain = report_period(text)
    except UsageError:
        grain = None
    if grain != kind.grain:
        raise UsageError(f"{option} {text!r} is not a {kind.grain}; write it like "
                         f"{_EXAMPLE[kind.grain]}")
    return parse_period(label)


class ReportMethods:
    """Mixed into :class:`guanxi.Workspace`."""

    # -- declared kinds: built from their figures, rendered, tracked ---------------

    def report_kinds(self) -> list:
        """The :class:`guanxi.ReportKind` records the enabled packs declare, by name."""
        return list(self.plugins.report_kinds(self).values())

    def report_kind(self, name: str):
        """The declared kind ``name``; a usage error naming the kinds (and the closest)."""
        kinds = self.plugins.report_kinds(self)
        if name not in kinds:
            known = ", ".join(kinds) or "none (no enabled pack declares one)"
            raise UsageError(f"no report kind {name!r}{did_you_mean(name, kinds)}; "
                             f"declared kinds: {known}")
        return kinds[name]

    def build_reports(self, kind: str, period: str, authors: Iterable[str] | str | None = None,
                      *, as_of: dt.date | None = None, option: str = "--period") -> list:
        """Build the reports of a declared kind for ``period``, one per author.

        :param authors: manager ids; None: the kind's own authors (every
            active manager unless the kind says whom). Ignored for a kind
            that is not authored (one report for all).
        :param as_of: the day figures and status are judged on; default today.
        :param option: the option named when the period is wrong.
        :return: a :class:`guanxi.reporting.ReportData` per author, by id.
            An authored kind is expected from each author (again: no change),
            due ``kind.due_day`` of the month after (see the module docstring).
        """
        from guanxi.reporting import ReportData, ReportScope

        self.require_ready()
        found = self.report_kind(kind)
        span = kind_period(found, period, option)
        as_of = as_of or self.today()
        ctx = self.query_context(found.pack, as_of)
        ctx.period = span
        writers: list = [None]
        tracked: dict = {}
        if found.authored:
            writers = self._report_authors(found, ctx, authors, span)
            self.expect_reports(found.name, [w.id for w in writers], span.label, found.due_day)
            tracked = {r.author_id: r for r in self.reports(kind=found.name, period=span.label,
                                                            as_of=as_of)}
        built = []
        with self.engine.connect() as conn:
            for writer in writers:
                report = tracked.get(writer.id) if writer is not None else None
                scope = ReportScope(workspace=self, kind=found, ctx=ctx, conn=conn, period=span,
                                    as_of=as_of, author=writer, tracked=report)
                for name, figure in found.figures.items():
                    value = figure(scope)
                    if isinstance(value, Executable):
                        value = tuple(conn.execute(value).all())
                    scope.figures[name] = value
                built.append(ReportData(kind=found, period=span, as_of=as_of, author=writer,
                                        tracked=report, figures=dict(scope.figures)))
        return built

    def _report_authors(self, kind, ctx, authors, span: Period) -> list:
        m = t.managers
        columns = (m.c.id, m.c.name, m.c.territory, m.c.team_id, m.c.reports_to)
        with self.engine.connect() as conn:
            if authors is None:
                ids = kind.authors(ctx) if kind.authors else select(m.c.id).where(
                    m.c.active.is_(True))
                found = list(conn.execute(select(*columns).where(m.c.id.in_(ids))
                                          .order_by(m.c.id)))
                if not found:
                    raise GuanxiError(f"nobody is to write a {kind.name} report: no manager "
                                      f"is one of its authors; there is no report to make "
                                      f"for {span.label}")
                return found
            wanted = list(dict.fromkeys([authors] if isinstance(authors, str) else authors))
            found = list(conn.execute(select(*columns).where(m.c.id.in_(wanted))
                                      .order_by(m.c.id)))
        known = {w.id for w in found}
        missing = [a for a in wanted if a not in known]
        if missing:
            raise NotFoundError(f"no manager with id {missing[0]!r}; nothing was reported")
        return found

    def render_report(self, kind: str, period: str, author: Iterable[str] | str | None = None,
                      format: str = "markdown", *, output=None,
                      as_of: dt.date | None = None) -> str | bytes:
        """Build and render a declared kind's report(s); see :meth:`build_reports`.

        :param format: ``markdown`` or ``html`` (text), ``xlsx`` (bytes).
        :param output: a file to write; its suffix (``.md``, ``.html``,
            ``.xlsx``) gives the format.
        :return: the text, or the workbook's bytes.
        """
        from guanxi.reporting import format_of, render

        if output is not None:
            format = format_of(output)
        rendered = render(self.build_reports(kind, period, author, as_of=as_of), format)
        if output is not None:
            from pathlib import Path

            path = Path(output)
            if isinstance(rendered, bytes):
                path.write_bytes(rendered)
            else:
                path.write_text(rendered, encoding="utf-8")
        return rendered

    # -- tracking ---------------------------------------------------------------------

    def report_due_on(self, period: str, day_of_month: int = 5) -> dt.date:
        """The day a report for ``period`` is due; see the module docstring."""
        _, after, grain = report_period(period)
        calendar = self.calendar()
        if grain in ("week", "day"):
            return calendar.next_working_day(after)
        return calendar.due_on(day_of_month, Period.containing(after, "month"))

    def expect_reports(
        self,
        kind: str,
        authors: Iterable[str],
        period: str,
        day_of_month: int | None = None,
        *,
        due: dt.date | None = None,
    ) -> list[Report]:
        """Expect a ``kind`` report from each author for ``period``; return them.

        Idempotent: a report already expected keeps its row (and its due
        day). Authors are manager or team ids. A declared kind
        (:class:`guanxi.ReportKind`) takes a period of its grain, and its
        ``due_day`` unless ``day_of_month`` is given; another kind is due on
        the 5th.
        """
        self.require_ready()
        if not kind:
            raise UsageError("a report needs a kind, like tobacco.monthly_sales")
        declared = self.plugins.report_kinds(self).get(kind)
        if declared is not None:
            kind_period(declared, period)
            if day_of_month is None:
                day_of_month = declared.due_day
        day_of_month = 5 if day_of_month is None else day_of_month
        authors = list(dict.fromkeys(authors))
        if not authors:
            raise UsageError("name at least one author (a manager or team id)")
        label, _, _ = report_period(period)
        due_on = due or self.report_due_on(period, day_of_month)
        r = st.reports
        with self.engine.begin() as conn:
            known = set(conn.scalars(select(t.managers.c.id).where(t.managers.c.id.in_(authors))))
            known |= set(conn.scalars(select(t.teams.c.id).where(t.teams.c.id.in_(authors))))
            missing = [a for a in authors if a not in known]
            if missing:
                raise NotFoundError(
                    f"no manager or team with id {missing[0]!r}; nothing was expected"
                )
            # Imported here: the other database's dialect costs every start ~20 ms.
            if self.dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            conn.execute(
                insert(r)
                .values([{"kind": kind, "author_id": a, "period": label, "due_on": due_on}
                         for a in sorted(authors)])
                .on_conflict_do_nothing(index_elements=["kind", "author_id", "period"])
            )
        wanted = set(authors)
        return [x for x in self.reports(kind=kind, period=label) if x.author_id in wanted]

    def _report_row(self, conn, kind: str, author: str, period: str):
        label, _, _ = report_period(period)
        r = st.reports
        row = conn.execute(
            select(r).where(r.c.kind == kind, r.c.author_id == author, r.c.period == label)
        ).first()
        if row is None:
            raise NotFoundError(
                f"no {kind} report is expected from {author!r} for {label}; "
                f"run `guanxi reports expect {kind} --period {label} --author {author}` first"
            )
        return row

    def submit_report(
        self,
        kind: str,
        author: str,
        period: str,
        at: dt.datetime | dt.date | None = None,
        note: str | None = None,
    ) -> Report:
        """Record the submission of an expected report; late when after its due day."""
        self.require_ready()
        at = _moment(at, self.config.timezone) if at is not None else self.now()
        r = st.reports
        with self.engine.begin() as conn:
            row = self._report_row(conn, kind, author, period)
            if row.submitted_at is not None:
                raise GuanxiError(
                    f"the {kind} report of {author!r} for {row.period} was already submitted "
                    f"at {row.submitted_at:%Y-%m-%d %H:%M}"
                )
            values = {"submitted_at": at, "late": at.date() > row.due_on}
            if note is not None:
                values["note"] = note
            conn.execute(update(r).where(r.c.id == row.id).values(**values))
        return self._report(row.id)

    def review_report(
        self,
        kind: str,
        author: str,
        period: str,
        by: str,
        at: dt.datetime | dt.date | None = None,
        note: str | None = None,
    ) -> Report:
        """Record that ``by`` (a manager) reviewed a submitted report."""
        self.require_ready()
        at = _moment(at, self.config.timezone) if at is not None else self.now()
        r = st.reports
        with self.engine.begin() as conn:
            row = self._report_row(conn, kind, author, period)
            if row.submitted_at is None:
                raise GuanxiError(
                    f"the {kind} report of {author!r} for {row.period} has not been submitted; "
                    "only a submitted report can be reviewed"
                )
            if conn.scalar(select(t.managers.c.id).where(t.managers.c.id == by)) is None:
                raise NotFoundError(f"no manager with id {by!r}")
            if at < row.submitted_at:
                raise GuanxiError(
                    f"a review at {at:%Y-%m-%d %H:%M} would come before the submission "
                    f"at {row.submitted_at:%Y-%m-%d %H:%M}"
                )
            values = {"reviewed_at": at, "reviewer_id": by}
            if note is not None:
                values["note"] = note
            conn.execute(update(r).where(r.c.id == row.id).values(**values))
        return self._report(row.id)

    def _report(self, report_id: int) -> Report:
        r = st.reports
        with self.engine.connect() as conn:
            row = conn.execute(select(r).where(r.c.id == report_id)).one()
        return _to_report(row, self.today())

    def reports(
        self,
        kind: str | None = None,
        period: str | None = None,
        author: str | None = None,
        overdue: bool | None = None,
        as_of: dt.date | None = None,
    ) -> list[Report]:
        """Tracked reports by due day, then kind, author and period.

        ``overdue=True``: only reports not submitted whose due day is
        before ``as_of`` (default today); ``False``: only the others.
        """
        self.require_ready()
        as_of = as_of or self.today()
        r = st.reports
        query = select(r).order_by(r.c.due_on, r.c.kind, r.c.author_id, r.c.period)
        if kind:
            query = query.where(r.c.kind == kind)
        if period:
            query = query.where(r.c.period == report_period(period)[0])
        if author:
            query = query.where(r.c.author_id == author)
        late_now = r.c.submitted_at.is_(None) & (r.c.due_on < as_of)
        if overdue is True:
            query = query.where(late_now)
        elif overdue is False:
            query = query.where(~late_now)
        with self.engine.connect() as conn:
            return [_to_report(row, as_of) for row in conn.execute(query)]


def _moment(at: dt.datetime | dt.date, timezone: str) -> dt.datetime:
    """Naive, in the organization's time zone, as datetimes are stored."""
    if isinstance(at, dt.datetime):
        if at.tzinfo is not None:
            from zoneinfo import ZoneInfo

            at = at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        return at
    # A bare date is that day's start: on the due day it is on time.
    return dt.datetime.combine(at, dt.time())


def _to_report(row, as_of: dt.date) -> Report:
    return Report(
        id=row.id, kind=row.kind, author_id=row.author_id, period=row.period, due_on=row.due_on,
        submitted_at=row.submitted_at, reviewed_at=row.reviewed_at, reviewer_id=row.reviewer_id,
        late=bool(row.late), overdue=row.submitted_at is None and row.due_on < as_of,
        note=row.note,
    )
