"""SQL pieces the planner's statements share, written the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Date, DateTime, String, cast, func, literal

#: The task kind of a planned visit.
VISIT_TASK_KIND = "visit"


def kind_in(dialect: str, kinds_text, kind):
    """True when ``kind`` is one of the comma-separated ``kinds_text``."""
    haystack = literal(",") + kinds_text + literal(",")
    needle = literal(",") + kind + literal(",")
    if dialect == "sqlite":
        return func.instr(haystack, needle) > 0
    return func.strpos(haystack, needle) > 0


def week_start(dialect: str, day):
    """The Monday of the ISO week a date column falls in."""
    if dialect == "sqlite":
        return func.date(day, "weekday 0", "-6 days", type_=Date)
    return cast(func.date_trunc("week", cast(day, DateTime)), Date)


def midnight(dialect: str, day):
    """A date column as the datetime of its midnight, stored as datetimes are."""
    if dialect == "sqlite":
        # SQLAlchemy's stored text form, so it compares with bound datetimes.
        return func.date(day, type_=String) + literal(" 00:00:00.000000")
    return cast(day, DateTime)

