"""Issue 13, data at its grain: a measurement's period is read at its
metric's grain (a month-end date of a monthly metric is that month; the
first of a month of a daily metric is that day), and a period that cannot
be one period of the grain is a rejected row with its reason."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import select

import guanxi
from guanxi.storage import tables as t


class DailyPack:
    @guanxi.hookimpl
    def guanxi_metrics(self):
        return [guanxi.Metric(name="visits_made", title="Visits made", grain="day",
                              aggregate="sum")]


@pytest.fixture
def ws(make_workspace, tmp_path):
    ws = make_workspace(extra_packs={"dailypack": DailyPack()})
    (tmp_path / "c.csv").write_text("id,name\nC1,Ann\nC2,Bob\n")
    ws.import_file("customers", tmp_path / "c.csv")
    return ws


def stored(ws):
    m = t.measurements
    with ws.engine.connect() as conn:
        return conn.execute(select(m.c.customer_id, m.c.metric, m.c.period, m.c.value)
                            .order_by(m.c.customer_id, m.c.metric, m.c.period)).all()


def rejects(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("written", "metric", "period"),
    [
        # A month-end balance (月末余额) of a monthly metric is that month.
        ("2026-11-30", "revenue", dt.date(2026, 11, 1)),
        ("2026-11-01", "revenue", dt.date(2026, 11, 1)),
        ("2026-11", "revenue", dt.date(2026, 11, 1)),
        ("2026/11/30", "revenue", dt.date(2026, 11, 1)),
        ("20261130", "revenue", dt.date(2026, 11, 1)),
        ("2026-11-30 00:00:00", "revenue", dt.date(2026, 11, 1)),
        # The first of a month of a daily metric is that day, not the month.
        ("2026-11-01", "visits_made", dt.date(2026, 11, 1)),
        ("2026-11-30", "visits_made", dt.date(2026, 11, 30)),
        ("2026/11/02", "visits_made", dt.date(2026, 11, 2)),
        ("20261102", "visits_made", dt.date(2026, 11, 2)),
    ],
)
def test_a_date_is_the_period_of_the_metrics_grain_that_holds_it(ws, tmp_path, written, metric,
                                                                  period):
    (tmp_path / "m.csv").write_text(f"customer_id,metric,period,value\nC1,{metric},{written},5\n")
    result = ws.import_file("measurements", tmp_path / "m.csv")
    assert (result.inserted, result.rejected) == (1, 0)
    assert [(r.metric, r.period) for r in stored(ws)] == [(metric, period)]


def test_month_end_and_month_of_one_metric_are_one_row(ws, tmp_path):
    (tmp_path / "m.csv").write_text(
        "customer_id,metric,period,value\nC1,revenue,2026-10-31,5\nC1,revenue,2026-10,6\n")
    result = ws.import_file("measurements", tmp_path / "m.csv")
    assert (result.inserted, result.rejected) == (1, 1)
    (row,) = rejects(tmp_path / "m.rejects.csv")
    assert row["line"] == "3"
    assert row["reason"].startswith("duplicate key")


def test_a_period_the_grain_cannot_hold_is_a_rejected_row_with_its_reason(ws, tmp_path):
    (tmp_path / "m.csv").write_text(
        "customer_id,metric,period,value\n"
        "C1,revenue,2026-Q3,1\n"        # a quarter for a monthly metric
        "C1,revenue,2026,2\n"           # a year for a monthly metric
        "C1,visits_made,2026-11,3\n"    # a month for a daily metric
        "C2,revenue,2026-09-30,4\n"     # kept: September
        "C2,visits_made,2026-09-30,5\n"  # kept: that day
    )
    result = ws.import_file("measurements", tmp_path / "m.csv", batch_size=2)
    assert (result.inserted, result.rejected) == (2, 3)
    assert [(r.customer_id, r.metric, r.period) for r in stored(ws)] == [
        ("C2", "revenue", dt.date(2026, 9, 1)), ("C2", "visits_made", dt.date(2026, 9, 30))]
    rows = rejects(tmp_path / "m.rejects.csv")
    # The file has a "value" column: the rejected cell is "rejected_value".
    assert [(r["line"], r["column"], r["rejected_value"], r["reason"]) for r in rows] == [
        ("2", "period", "2026-Q3", "2026-Q3 is a quarter, not a month; write a month like "
         "2026-11 or a date inside it (revenue is a monthly metric)"),
        ("3", "period", "2026", "2026 is a year, not a month; write a month like 2026-11 or a "
         "date inside it (revenue is a monthly metric)"),
        ("4", "period", "2026-11", "2026-11 is a month, not a day; write a date like 2026-11-30 "
         "(visits_made is a daily metric)"),
    ]


def test_an_unknown_metric_is_refused_for_the_metric_not_the_period(ws, tmp_path):
    (tmp_path / "m.csv").write_text("customer_id,metric,period,value\nC1,revenu,2026-Q3,1\n")
    result = ws.import_file("measurements", tmp_path / "m.csv")
    assert result.rejected == 1
    (row,) = rejects(tmp_path / "m.rejects.csv")
    assert row["column"] == "metric"


def test_a_whole_chunk_of_month_end_dates_lands_on_months(ws, tmp_path):
    # The vectorised path: every cell a canonical date, every metric monthly.
    ends = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    lines = [f"C1,revenue,{end},{i}" for i, end in enumerate(ends)]
    (tmp_path / "m.csv").write_text("customer_id,metric,period,value\n" + "\n".join(lines) + "\n")
    assert ws.import_file("measurements", tmp_path / "m.csv").inserted == 4
    assert [r.period for r in stored(ws)] == [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("written", "label"),
    [("2026-11", "2026-11"), ("2026-11-30", "2026-11"), ("2026-11-01", "2026-11"),
     ("2026/11/30", "2026-11"), ("20261130", "2026-11"), ("2026-Q4", "2026-Q4"),
     ("2026", "2026")],
)
def test_a_targets_date_is_the_month_that_holds_it(workspace, tmp_path, written, label):
    (tmp_path / "t.csv").write_text(f"kpi,period,scope,target\ncore.interactions,{written},all,5\n")
    assert workspace.import_file("targets", tmp_path / "t.csv").inserted == 1
    with workspace.engine.connect() as conn:
        assert conn.execute(select(t.targets.c.period)).scalars().all() == [label]
