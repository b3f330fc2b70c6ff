"""The business calendar: which days are working days, and working time.

A day is a working day when it is not a configured weekend day, unless an
exception says otherwise. Exceptions come in layers, each overriding the
one before it:

1. the country's official holidays and make-up working days (调休), from
   the ``holidays`` package (``[core.calendar] country``, default ``CN``);
2. ``[core.calendar] holidays`` and ``workdays`` in ``guanxi.toml``;
3. the organization's rows of the importable ``calendar_days`` entity
   (calendar ``''``);
4. a territory's own ``calendar_days`` rows, for that territory's calendar.

Working time is ``work_start`` to ``work_end`` of each working day (no
lunch break). Everything here is per day or per hour for one date range, so
it is plain Python; the engines' SQL helpers read the same answers from the
``business_days`` table, which :mod:`guanxi.service.calendar_api` fills from
this class.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from guanxi.errors import ConfigError, GuanxiError, UsageError
from guanxi.periods import Period, ValueProblem, parse_period

#: ``[core.calendar] weekend`` spells days like this; index = ``date.weekday()``.
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Why a day is or is not a working day (``CalendarDay.why``).
WHY_WEEKDAY = "weekday"
WHY_WEEKEND = "weekend"
WHY_HOLIDAY = "holiday"
WHY_MAKE_UP = "make-up day"

MAKE_UP_NOTE = "make-up working day (调休)"

# No real calendar goes a year without a working day; past that the
# configuration is wrong (seven weekend days), and searching on would not end.
_SEARCH_LIMIT_DAYS = 366


@attrs.frozen(kw_only=True)
class CalendarDay:
    """One day of a calendar and why it is (not) a working day.

    :ivar why: ``weekday``, ``weekend``, ``holiday`` or ``make-up day``
        (a working day on what would be a rest day, 调休).
    :ivar note: the holiday's name or the row's note, when there is one.
    :ivar source: where the exception comes from: ``official`` (the
        holidays package), ``config``, ``organization`` or ``territory``
        (``calendar_days`` rows); ``''`` for a plain weekday or weekend day.
    """

    day: dt.date
    working: bool
    why: str
    note: str | None = None
    source: str = ""

    @property
    def weekday(self) -> str:
        return WEEKDAY_NAMES[self.day.weekday()]

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "weekday": self.weekday, "working": self.working,
                "why": self.why, "note": self.note, "source": self.source}


@attrs.frozen
class _Exception:
    working: bool
    note: str | None
    source: str


@functools.lru_cache(maxsize=256)
def official_days(country: str, year: int) -> Mapping[dt.date, tuple[bool, str]]:
    """The country's holidays (False, name) and make-up working days (True, note) of ``year``.

    The ``holidays`` package has mainland China's days from 1950 to 2100,
    the make-up days (调休) for the years the State Council has published;
    for a year it does not know it returns nothing, and so does this: that
    year has weekends only. Its China class lists the weekdays given off
    in exchange for a make-up day ("Day off (substituted from ...)") as
    holidays, which is what they are for us.
    """
    if not country:
        return {}
    import holidays

    try:
        found = holidays.country_holidays(country, years=[year])
    except NotImplementedError:
        raise ConfigError(
            f"[core.calendar] country = {country!r} is not a country the holidays package "
            "knows; use a code like CN, or \"\" for no official holidays"
        ) from None
    except (ValueError, KeyError, OverflowError):
        # A year outside what the package can compute: weekends only.
        return {}
    days: dict[dt.date, tuple[bool, str]] = {
        day: (False, name) for day, name in found.items() if day.year == year
    }
    # weekend_workdays is shared across years in the package: keep this year's.
    for day in getattr(found, "weekend_workdays", ()) or ():
        if day.year == year:
            days[day] = (True, MAKE_UP_NOTE)
    return days


def parse_time(text: str, key: str) -> dt.time:
    """``09:00`` -> 09:00, naming the config key when it is not a time."""
    try:
        return dt.time.fromisoformat(text)
    except (TypeError, ValueError):
        raise ConfigError(
            f"[core.calendar] {key} = {text!r} is not a time; write it like \"09:00\""
        ) from None


def _parse_dates(values: Iterable[Any], key: str) -> tuple[dt.date, ...]:
    out = []
    for value in values:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            out.append(value)
            continue
        try:
            out.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            raise ConfigError(
                f"[core.calendar] {key} lists {value!r}, which is not a date like 2026-10-08"
            ) from None
    return tuple(out)


class BusinessCalendar:
    """Working days and working hours of an organization or one territory.

    Get one from a workspace (``ws.calendar()`` or ``ws.calendar("north")``);
    build one directly for tests or scripts::

        cal = BusinessCalendar(country="CN")
        cal.add_working_days(dt.date(2026, 9, 30), 1)   # 2026-10-08

    :param country: an ISO country code the ``holidays`` package knows;
        ``""`` for no official holidays.
    :param weekend: the rest days of the week, as ``mon`` .. ``sun``.
    :param holidays: further rest days (config ``holidays``).
    :param workdays: further working days (config ``workdays``).
    :param days: day -> (working, note) from the organization's
        ``calendar_days`` rows.
    :param own_days: the same from the territory's own rows; they win.
    :param work_start: when a working day starts.
    :param work_end: when it ends; after ``work_start``.
    :param name: ``''`` for the organization, else the territory.
    """

    def __init__(
        self,
        *,
        country: str = "CN",
        weekend: Iterable[str] = ("sat", "sun"),
        holidays: Iterable[dt.date | str] = (),
        workdays: Iterable[dt.date | str] = (),
        days: Mapping[dt.date, tuple[bool, str | None]] | None = None,
        own_days: Mapping[dt.date, tuple[bool, str | None]] | None = None,
        work_start: dt.time | str = dt.time(9, 0),
        work_end: dt.time | str = dt.time(17, 30),
        name: str = "",
    ) -> None:
        weekend = tuple(weekend)
        unknown = [d for d in weekend if d not in WEEKDAY_NAMES]
        if unknown:
            raise ConfigError(
                f"[core.calendar] weekend names {unknown[0]!r}; use: {', '.join(WEEKDAY_NAMES)}"
            )
        self.country = country or ""
        self.name = name
        self.weekend = frozenset(WEEKDAY_NAMES.index(d) for d in weekend)
        if isinstance(work_start, str):
            work_start = parse_time(work_start, "work_start")
        if isinstance(work_end, str):
            work_end = parse_time(work_end, "work_end")
        self.work_start, self.work_end = work_start, work_end
        if self.work_end <= self.work_start:
            raise ConfigError(
                f"[core.calendar] work_end ({self.work_end:%H:%M}) must be after "
                f"work_start ({self.work_start:%H:%M})"
            )
        if self.country:
            official_days(self.country, 2000)  # an unknown country fails now, not mid-job
        # Layers 2-4 of the module docstring; within one, later entries win.
        configured: dict[dt.date, _Exception] = {}
        for day in _parse_dates(holidays, "holidays"):
            configured[day] = _Exception(False, None, "config")
        for day in _parse_dates(workdays, "workdays"):
            configured[day] = _Exception(True, None, "config")
        organization = {day: _Exception(bool(working), note or None, "organization")
                        for day, (working, note) in (days or {}).items()}
        territory = {day: _Exception(bool(working), note or None, "territory")
                     for day, (working, note) in (own_days or {}).items()}
        self._layers = (territory, organization, configured)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, days=None, own_days=None,
                      name: str = "") -> BusinessCalendar:
        """From the core pack's settings (``calendar.country`` and so on)."""
        return cls(
            country=settings.get("calendar.country", "CN"),
            weekend=settings.get("calendar.weekend", ("sat", "sun")),
            holidays=settings.get("calendar.holidays", ()),
            workdays=settings.get("calendar.workdays", ()),
            work_start=settings.get("calendar.work_start", "09:00"),
            work_end=settings.get("calendar.work_end", "17:30"),
            days=days,
            own_days=own_days,
            name=name,
        )

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.name or 'organization'} country={self.country or 'none'}>"

    # -- days ------------------------------------------------------------------

    def explain(self, day: dt.date) -> CalendarDay:
        """The day, whether it is a working day, and why."""
        if isinstance(day, dt.datetime):
            day = day.date()
        found = self._exceptions_of(day)
        if not found:
            if day.weekday() in self.weekend:
                return CalendarDay(day=day, working=False, why=WHY_WEEKEND)
            return CalendarDay(day=day, working=True, why=WHY_WEEKDAY)
        top = found[0]
        if not top.working:
            return CalendarDay(day=day, working=False, why=WHY_HOLIDAY, note=top.note,
                               source=top.source)
        # A working day is a make-up day when something below it would rest:
        # the weekend, or a holiday of a lower layer.
        rest_below = day.weekday() in self.weekend or any(not e.working for e in found[1:])
        if not rest_below:
            return CalendarDay(day=day, working=True, why=WHY_WEEKDAY, note=top.note,
                               source=top.source)
        return CalendarDay(day=day, working=True, why=WHY_MAKE_UP, note=top.note or MAKE_UP_NOTE,
                           source=top.source)

    def _exceptions_of(self, day: dt.date) -> list[_Exception]:
        """The exceptions for ``day``, the winning one first."""
        found = [layer[day] for layer in self._layers if day in layer]
        if self.country:
            official = official_days(self.country, day.year).get(day)
            if official is not None:
                found.append(_Exception(official[0], official[1], "official"))
        return found

    def is_working(self, day: dt.date) -> bool:
        """True on a working day."""
        if isinstance(day, dt.datetime):
            day = day.date()
        # explain() without building its record: this runs once per day searched.
        for layer in self._layers:
            found = layer.get(day)
            if found is not None:
                return found.working
        if self.country:
            official = official_days(self.country, day.year).get(day)
            if official is not None:
                return official[0]
        return day.weekday() not in self.weekend

    def knows_year(self, year: int) -> bool:
        """False when the country has no official days for ``year`` (weekends only)."""
        return not self.country or bool(official_days(self.country, year))

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the first one after it."""
        if isinstance(day, dt.datetime):
            day = day.date()
        for offset in range(_SEARCH_LIMIT_DAYS):
            candidate = day + dt.timedelta(days=offset)
            if self.is_working(candidate):
                return candidate
        raise GuanxiError(
            f"the {self._label} calendar has no working day in the year from {day}; "
            "check [core.calendar] weekend and the calendar_days rows"
        )

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day``; ``n == 0``: :meth:`next_working_day`.

        ``add_working_days(Friday, 1)`` is the next Monday (a working one);
        whether ``day`` itself is a working day does not matter for n >= 1.
        """
        if n < 0:
            raise UsageError(f"add_working_days takes n >= 0, not {n}")
        if isinstance(day, dt.datetime):
            day = day.date()
        if n == 0:
            return self.next_working_day(day)
        current = day
        for _ in range(n):
            current = self.next_working_day(current + dt.timedelta(days=1))
        return current

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days from ``start`` (inclusive) to ``end`` (exclusive)."""
        return [d for d in self.days(start, end) if self.is_working(d)]

    def days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every day from ``start`` (inclusive) to ``end`` (exclusive)."""
        return [start + dt.timedelta(days=i) for i in range((end - start).days)]

    def due_on(self, day_of_month: int, month: Period | str) -> dt.date:
        """Day ``day_of_month`` of ``month``, or the next working day when that is a rest day.

        TOB-REPORT: "每月5日前(节假日顺延)" — by the 5th, moved past a
        weekend or holiday to the next working day. A day past the month's
        end (the 31st in February) means the month's last day.
        """
        if isinstance(month, str):
            try:
                month = parse_period(month)
            except ValueProblem as problem:
                raise UsageError(f"month {month!r}: {problem}") from None
        if not 1 <= day_of_month <= 31:
            raise UsageError(f"the day of the month must be 1 to 31, not {day_of_month}")
        first = dt.date(month.start.year, month.start.month, 1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        last = (following - dt.timedelta(days=1)).day
        return self.next_working_day(first.replace(day=min(day_of_month, last)))

    # -- hours -----------------------------------------------------------------

    def _hours_of(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return dt.datetime.combine(day, self.work_start), dt.datetime.combine(day, self.work_end)

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Hours from ``start`` to ``end`` that fall in working hours of working days.

        Negative when ``end`` is before ``start`` (how far past a deadline).
        """
        if end < start:
            return -self.working_hours_between(end, start)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            if self.is_working(day):
                opens, closes = self._hours_of(day)
                low, high = max(start, opens), min(end, closes)
                if high > low:
                    total += high - low
            day += dt.timedelta(days=1)
        return total.total_seconds() / 3600

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment ``hours`` working hours after ``start``.

        Time outside working hours does not count: from Friday 17:00 with
        work_end 17:30, 1 hour is Monday 09:30. A sum that uses up a day
        exactly ends at that day's ``work_end``, not the next morning.
        0 hours is ``start`` itself.
        """
        if hours < 0:
            raise UsageError(f"add_working_hours takes hours >= 0, not {hours}")
        remaining = dt.timedelta(hours=hours)
        if not remaining:
            return start
        current = start
        idle = 0
        while True:
            day = current.date()
            if self.is_working(day):
                idle = 0
                opens, closes = self._hours_of(day)
                current = max(current, opens)
                if current < closes:
                    available = closes - current
                    if remaining <= available:
                        return current + remaining
                    remaining -= available
            else:
                idle += 1
                if idle > _SEARCH_LIMIT_DAYS:
                    self.next_working_day(day)  # raises the error that explains it
            current = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())

    @property
    def _label(self) -> str:
        return f"territory {self.name!r}" if self.name else "organization's"
