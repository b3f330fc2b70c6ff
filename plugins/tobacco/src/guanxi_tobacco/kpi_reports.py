"""Tobacco KPIs of the monthly report (TOB-REPORT): handed in on time, reviewed."""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, literal, select

from guanxi_tobacco.kpi_blocks import either, met_if, minute_of, rows_of
from guanxi_tobacco.options import MONTHLY_REPORT


def _author_key(ctx, author):
    """The scope key of a monthly report's author (a manager): the manager, team or territory."""
    m = ctx.tables.managers.alias("report_author")
    if ctx.scope == "manager":
        return author
    if ctx.scope == "team":
        return select(m.c.team_id).where(m.c.id == author).correlate_except(m).scalar_subquery()
    if ctx.scope == "territory":
        return (select(m.c.territory).where(m.c.id == author)
                .correlate_except(m).scalar_subquery())
    return literal("")


def _judged_reports(ctx):
    """Monthly reports due in the period up to the as-of day, whose fate is known.

    A report due on the as-of day itself and not yet in is not late yet (its
    due day is not over), so it waits for the next day to be judged.
    """
    r = ctx.tables.reports
    judged = and_(r.c.kind == MONTHLY_REPORT, ctx.in_period(r.c.due_on),
                  (r.c.due_on < ctx.today) | r.c.submitted_at.is_not(None))
    return r, _author_key(ctx, r.c.author_id).label("scope_key"), judged


def _report_on_time(r):
    # rule TOB-REPORT: 每月5日前(节假日顺延); any time on the due day is on time.
    return and_(r.c.submitted_at.is_not(None), r.c.late.is_(False))


def _report_reviewed(ctx, r):
    # rule TOB-REPORT: reviewed by the regional market manager, by the as-of day.
    return and_(r.c.reviewed_at.is_not(None),
                r.c.reviewed_at < ctx.at(ctx.as_of, 1))


def _report_figures(ctx, r):
    return dict(report=r.c.id, author=r.c.author_id, period=r.c.period,
                due=cast(r.c.due_on, String), submitted=minute_of(ctx, r.c.submitted_at),
                reviewed=minute_of(ctx, r.c.reviewed_at))


def reports_on_time_query(ctx):
    r, key, judged = _judged_reports(ctx)
    return select(key, ctx.share(_report_on_time(r)).label("value")).where(judged).group_by(key)


def reports_on_time_rows(ctx):
    r, key, judged = _judged_reports(ctx)
    on_time, figures = _report_on_time(r), _report_figures(ctx, r)
    reason = case((on_time, ctx.reason("tobacco.kpi_report_on_time", **figures)),
                  (r.c.submitted_at.is_not(None), ctx.reason("tobacco.kpi_report_late", **figures)),
                  else_=ctx.reason("tobacco.kpi_report_missing", **figures))
    return rows_of(key, r.c.id, met_if(on_time), reason).where(judged)


def reports_reviewed_query(ctx):
    r, key, judged = _judged_reports(ctx)
    return (select(key, ctx.share(_report_reviewed(ctx, r)).label("value"))
            .where(judged).group_by(key))


def reports_reviewed_rows(ctx):
    r, key, judged = _judged_reports(ctx)
    reviewed = _report_reviewed(ctx, r)
    return rows_of(key, r.c.id, met_if(reviewed),
                   either(ctx, reviewed, "tobacco.kpi_report_reviewed",
                          "tobacco.kpi_report_not_reviewed", **_report_figures(ctx, r))
                   ).where(judged)
