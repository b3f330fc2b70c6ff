"""ctx.months_between: calendar months between the months of two days, the
same on SQLite and PostgreSQL (cohort grids count months since a first purchase)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Date, DateTime, literal, select


@pytest.mark.parametrize("start, end, months", [
    (dt.date(2026, 10, 1), dt.date(2026, 10, 31), 0),
    (dt.date(2026, 10, 31), dt.date(2026, 11, 1), 1),
    (dt.date(2025, 12, 31), dt.date(2026, 1, 1), 1),
    (dt.date(2025, 1, 15), dt.date(2026, 1, 14), 12),
    (dt.date(2026, 3, 1), dt.date(2026, 1, 31), -2),
])
def test_months_between_counts_calendar_months(workspace, start, end, months):
    ctx = workspace.query_context("core", as_of=dt.date(2026, 11, 5))
    with workspace.engine.connect() as conn:
        assert conn.execute(select(ctx.months_between(literal(start, Date),
                                                      literal(end, Date)))).scalar() == months


def test_months_between_reads_datetimes_and_defaults_to_the_as_of_day(workspace):
    ctx = workspace.query_context("core", as_of=dt.date(2026, 11, 5))
    start = literal(dt.datetime(2026, 8, 31, 23, 59), DateTime)
    with workspace.engine.connect() as conn:
        assert conn.execute(select(ctx.months_between(start))).scalar() == 3
