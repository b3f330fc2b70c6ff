"""Work tables are one Table object per name and columns, so the statements on
them compile once per process, not once per job (the engines' fixed cost)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Integer, String, event

from guanxi.engines.running import temp_table

AS_OF = dt.date(2026, 11, 23)


def test_the_same_name_and_columns_give_the_same_table_other_columns_another():
    first = temp_table("guanxi_test_work", Column("id", String, nullable=False))
    assert temp_table("guanxi_test_work", Column("id", String, nullable=False)) is first
    assert temp_table("guanxi_test_work", Column("id", Integer, nullable=False)) is not first
    assert temp_table("guanxi_test_work", Column("id", String)) is not first


def test_a_second_rule_run_compiles_no_statement_on_its_work_table(workspace):
    seen = []

    @event.listens_for(workspace.engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if context.compiled is not None and "guanxi_new_tasks" in statement:
            seen.append((statement.split()[0], context.cache_hit.name))

    workspace.run_rules(["core.overdue_tasks"], as_of=AS_OF)
    first = list(seen)
    seen.clear()
    workspace.run_rules(["core.overdue_tasks"], as_of=AS_OF)
    # The inserts and the check of the work table: compiled on the first run only.
    assert [hit for verb, hit in first if verb in ("INSERT", "SELECT")] != []
    assert {hit for verb, hit in seen if verb in ("INSERT", "SELECT")} == {"CACHE_HIT"}
