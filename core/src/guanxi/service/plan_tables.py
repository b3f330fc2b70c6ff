"""The planner's temporary work tables: one set per cadence planned, dropped after."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, String, Text

from guanxi.engines.running import temp_table
from guanxi.storage import tables as t


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


def work_tables():
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

