"""The planner's weeks: reading a week, the default week, and refusing one already over."""

from __future__ import annotations

import datetime as dt

from guanxi.errors import UsageError
from guanxi.periods import Period, ValueProblem, parse_week


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

