"""Reporting periods: a day, a month, a quarter or a year.

The importer reads periods from files (targets, measurements) and the engines
compute figures per period, so both parse and step through them here.

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

GRAINS = ("day", "month", "quarter", "year")


class ValueProblem(Exception):
    """A value that cannot be read; the message says what is allowed."""


_PERIOD_PROBLEM = "expected a period like 2026-10, 2026-Q3 or 2026"

_YEAR = re.compile(r"(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])", re.ASCII)
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


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
        raise ValueError(f"unknown period grain {grain!r}; expected one of {', '.join(GRAINS)}")

    def previous(self) -> Period:
        """The period of the same grain just before this one."""
        return Period.containing(self.start - dt.timedelta(days=1), self.grain)

    def __contains__(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.start <= day < self.end


def parse_period(text: str) -> Period:
    """Read ``2026-10``, ``2026-Q3``, ``2026`` or a full date.

    The first day of a month (``2026-10-01``) means that month, because
    spreadsheets often store a month as its first day; any other date means
    that single day.
    """
    if text is None:
        raise ValueProblem(_PERIOD_PROBLEM)
    text = text.strip()
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
        elif match := _DAY.fullmatch(text):
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
            if day.day == 1:
                return _month(day.year, day.month)
            return _day(day)
    except ValueError:
        # Year 0 or a day that does not exist (2026-02-30).
        pass
    raise ValueProblem(_PERIOD_PROBLEM)


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


def _day(day: dt.date) -> Period:
    return Period("day", day, day + dt.timedelta(days=1), day.isoformat())
