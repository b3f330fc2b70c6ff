"""Reporting periods: a day, an ISO week, a month, a quarter or a year.

The importer reads periods from files (targets, measurements), the engines
compute figures per period, the planner plans a week and reports are due per
period, so all of them parse and step through periods here: this is the one
period type of the code base (a week is a ``Period`` of grain ``week``).

Weeks are ISO weeks labelled ``2026-W05``; ``2026-W5`` (how the planner has
always been written to) reads as the same week everywhere. 2026-W01 starts on
Monday 2025-12-29; a year has 53 weeks when it starts on a Thursday (or is a
leap year starting on a Wednesday), so 2020-W53 and 2026-W53 exist and
2025-W53 does not.

A ``Period`` is half-open: ``start`` is its first day and ``end`` the first
day after it, so consecutive periods meet without overlapping and
``start <= day < end`` tests membership.

``ValueProblem`` is defined here rather than beside the value converters
because this module sits below the importer; ``guanxi.importing.values``
re-exports it.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

GRAINS = ("day", "week", "month", "quarter", "year")


class ValueProblem(Exception):
    """A value that cannot be read; the message says what is allowed."""


_PERIOD_PROBLEM = "expected a period like 2026-10, 2026-Q3 or 2026"
_WEEK_PROBLEM = "expected an ISO week like 2026-W48"
_DATE_PROBLEM = "expected a date like 2026-11-23"

_YEAR = re.compile(r"(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])", re.ASCII)
# One or two digits: "2026-W5" and "2026-W05" are the same week.
_WEEK = re.compile(r"(\d{4})-[Ww](\d{1,2})", re.ASCII)
# The date spellings the importer accepts: 2026-11-23, 2026/11/23, 20261123,
# and a database export's midnight "2026-11-23 00:00:00".
DATE_SEPARATED = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})", re.ASCII)
DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
DATETIME_LOOSE = re.compile(
    r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?"
    r" *(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII | re.IGNORECASE,
)

#: How a grain reads as an adjective, for reasons ("a monthly metric").
GRAIN_WORDS = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly",
               "year": "yearly"}
_GRAIN_EXAMPLES = {"day": "a date like 2026-11-30", "week": "a week like 2026-W48",
                   "month": "a month like 2026-11",
                   "quarter": "a quarter like 2026-Q4", "year": "a year like 2026"}


def read_date(text: str | None) -> dt.date | None:
    """A date written ``2026-11-23``, ``2026/11/23``, ``20261123`` or at midnight.

    The one reader of dates in files: the importer's ``date`` converter and
    the periods below both use it. None and blank text are None; anything
    else raises ``ValueProblem``.
    """
    if text is None:
        return None
    # The guard keeps fromisoformat to YYYY-MM-DD: from Python 3.11 on it
    # would also take week dates such as 2026-W47-1.
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    text = text.strip()
    if not text:
        return None
    match = DATE_SEPARATED.fullmatch(text)
    if match is not None:
        year, month, day = match[1], match[3], match[4]
    else:
        match = DATE_COMPACT.fullmatch(text)
        if match is None:
            return _midnight_date(text)
        year, month, day = match[1], match[2], match[3]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueProblem(_DATE_PROBLEM) from None


def _midnight_date(text: str) -> dt.date:
    # Exports from databases write dates as "2026-11-23 00:00:00".
    match = DATETIME_LOOSE.fullmatch(text)
    if match is None or match[5] is None or match[9] is not None:
        raise ValueProblem(_DATE_PROBLEM)
    if int(match[5]) or int(match[6]) or int(match[7] or 0) or int(match[8] or 0):
        raise ValueProblem(_DATE_PROBLEM)
    try:
        return dt.date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        raise ValueProblem(_DATE_PROBLEM) from None


@attrs.frozen
class Period:
    """A calendar period; ``end`` is exclusive."""

    grain: str
    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def containing(cls, day: dt.date, grain: str) -> Period:
        """The period of ``grain`` that ``day`` falls in."""
        # A datetime is a date too; keep only its calendar day.
        year, month, dom = day.year, day.month, day.day
        if grain == "month":
            return _month(year, month)
        if grain == "quarter":
            return _quarter(year, (month - 1) // 3 + 1)
        if grain == "year":
            return _year(year)
        if grain == "day":
            return _day(dt.date(year, month, dom))
        if grain == "week":
            return _week(dt.date(year, month, dom))
        raise ValueError(f"unknown period grain {grain!r}; expected one of {', '.join(GRAINS)}")

    def previous(self) -> Period:
        """The period of the same grain just before this one."""
        return Period.containing(self.start - dt.timedelta(days=1), self.grain)

    def following(self) -> Period:
        """The period of the same grain just after this one."""
        return Period.containing(self.end, self.grain)

    @property
    def last_day(self) -> dt.date:
        """The period's last day (``end`` is the day after it)."""
        return self.end - dt.timedelta(days=1)

    def __contains__(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.start <= day < self.end


def parse_period(text: str | None, grain: str | None = None) -> Period:
    """Read ``2026-10``, ``2026-Q3``, ``2026`` or a date (``2026-11-30``,
    ``2026/11/30``, ``20261130``).

    With ``grain`` (a metric's grain), a date means the period of that
    grain that holds it: ``2026-11-30`` for a monthly metric is November,
    ``2026-11-01`` for a daily one is that day; a period that is not of the
    grain and holds more than one of its periods (a quarter for a monthly
    metric) raises ``ValueProblem`` saying what the grain takes.

    Without a grain (a KPI's ``--period``), the first day of a month means
    that month, because spreadsheets often store a month as its first day;
    any other date means that single day.
    """
    period = read_period(text)
    if grain is None:
        if period.grain == "day" and period.start.day == 1:
            return _month(period.start.year, period.start.month)
        return period
    return at_grain(period, grain)


def at_grain(period: Period, grain: str) -> Period:
    """``period`` as a period of ``grain``: itself, or the one holding a day.

    A coarser or different period (a quarter for a monthly figure, a month
    for a daily one) cannot be one period of ``grain``: ``ValueProblem``.
    """
    if period.grain == grain:
        return period
    if period.grain == "day":
        return Period.containing(period.start, grain)
    raise ValueProblem(
        f"{period.label} is a {period.grain}, not a {grain}; write {_GRAIN_EXAMPLES[grain]}"
        + ("" if grain == "day" else " or a date inside it")
    )


def read_period(text: str | None) -> Period:
    """A period as written; every date is its day."""
    if text is None:
        raise ValueProblem(_PERIOD_PROBLEM)
    text = text.strip()
    if _WEEK.fullmatch(text):
        return parse_week(text)
    try:
        if match := _MONTH.fullmatch(text):
            month = int(match[2])
            if 1 <= month <= 12:
                return _month(int(match[1]), month)
        elif match := _QUARTER.fullmatch(text):
            return _quarter(int(match[1]), int(match[2]))
        elif match := _YEAR.fullmatch(text):
            year = int(match[1])
            if year >= 1:
                return _year(year)
        elif text:
            day = read_date(text)
            if day is not None:
                return _day(day)
    except (ValueError, ValueProblem):
        # Year 0 or a day that does not exist (2026-02-30).
        pass
    raise ValueProblem(_PERIOD_PROBLEM)


def parse_week(text: str | None) -> Period:
    """An ISO week written ``2026-W48`` or ``2026-W5``; else ``ValueProblem``.

    The one week reader: ``plan build --week``, reports of grain week and
    KPI periods all read weeks here. A week number the year does not have
    says so: "2025 has no week 53".
    """
    match = _WEEK.fullmatch((text or "").strip())
    if match is None:
        raise ValueProblem(_WEEK_PROBLEM)
    year, number = int(match[1]), int(match[2])
    try:
        return _week(dt.date.fromisocalendar(year, number, 1))
    except ValueError:
        raise ValueProblem(f"{year} has no week {number}") from None


def _month(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return Period("month", start, end, f"{year:04d}-{month:02d}")


def _quarter(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return Period("quarter", start, end, f"{year:04d}-Q{quarter}")


def _year(year: int) -> Period:
    return Period("year", dt.date(year, 1, 1), dt.date(year + 1, 1, 1), f"{year:04d}")


def _week(day: dt.date) -> Period:
    year, number, _ = day.isocalendar()
    start = day - dt.timedelta(days=day.weekday())
    return Period("week", start, start + dt.timedelta(days=7), f"{year:04d}-W{number:02d}")


def _day(day: dt.date) -> Period:
    return Period("day", day, day + dt.timedelta(days=1), day.isoformat())
