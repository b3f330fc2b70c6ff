"""One period type (issue 14): a week is a Period of grain ``week`` read in
guanxi.periods only, so ``2026-W5`` and ``2026-W05`` are the same ISO week to
the planner, to reports and to KPIs, at the year boundaries ISO weeks define."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.errors import UsageError
from guanxi.periods import Period, ValueProblem, at_grain, parse_period, parse_week
from guanxi.service.planner import Week, week_of
from guanxi.service.report_api import report_period

D = dt.date
MONTHLY = "tobacco.monthly_sales"


@pytest.mark.parametrize("text,label,start,end", [
    ("2026-W01", "2026-W01", D(2025, 12, 29), D(2026, 1, 5)),  # week 1 starts in the old year
    ("2026-W1", "2026-W01", D(2025, 12, 29), D(2026, 1, 5)),
    ("2026-W5", "2026-W05", D(2026, 1, 26), D(2026, 2, 2)),
    ("2026-W05", "2026-W05", D(2026, 1, 26), D(2026, 2, 2)),
    ("2026-w05", "2026-W05", D(2026, 1, 26), D(2026, 2, 2)),
    ("2020-W53", "2020-W53", D(2020, 12, 28), D(2021, 1, 4)),  # 2020 began on a Wednesday, leap
    ("2026-W53", "2026-W53", D(2026, 12, 28), D(2027, 1, 4)),  # 2026 began on a Thursday
])
def test_a_week_is_a_period_of_grain_week(text, label, start, end):
    week = parse_week(text)
    assert week == Period("week", start, end, label)
    assert parse_period(text) == week
    assert Week.parse(text) == week
    assert week.last_day == end - dt.timedelta(days=1)


@pytest.mark.parametrize("text,problem", [
    ("2025-W53", "2025 has no week 53"),
    ("2027-W53", "2027 has no week 53"),
    ("2026-W00", "2026 has no week 0"),
    ("2026-W54", "2026 has no week 54"),
])
def test_a_week_the_year_does_not_have_is_named(text, problem):
    with pytest.raises(ValueProblem, match=f"^{problem}$"):
        parse_week(text)
    with pytest.raises(UsageError, match=f"^week '{text}' does not exist: {problem}$"):
        Week.parse(text)
    with pytest.raises(UsageError, match=f"^period '{text}' is not a week of that year: "
                                         f"{problem}$"):
        report_period(text)


@pytest.mark.parametrize("day,label", [
    (D(2025, 12, 28), "2025-W52"),  # Sunday: the last day of 2025-W52
    (D(2025, 12, 29), "2026-W01"),  # Monday: 2026-W01 begins
    (D(2026, 1, 4), "2026-W01"),
    (D(2026, 1, 5), "2026-W02"),
    (D(2021, 1, 3), "2020-W53"),
    (D(2021, 1, 4), "2021-W01"),
])
def test_the_week_holding_a_day(day, label):
    assert Period.containing(day, "week").label == label
    assert Period.containing(dt.datetime.combine(day, dt.time(23, 59)), "week").label == label
    assert Week.of(day).label == label


def test_weeks_step_across_the_year():
    assert parse_week("2025-W52").following() == parse_week("2026-W01")
    assert parse_week("2026-W01").previous() == parse_week("2025-W52")
    assert parse_week("2020-W53").following().label == "2021-W01"
    assert parse_week("2021-W01").previous().label == "2020-W53"


def test_the_planners_week_is_that_period():
    today = D(2026, 11, 20)  # Friday of 2026-W47
    assert week_of(None, today) == parse_week("2026-W48")
    assert week_of("2026-W5", today) == week_of(parse_week("2026-W05"), today)
    assert week_of(D(2026, 1, 28), today).label == "2026-W05"
    with pytest.raises(UsageError, match=r"^2026-11 is a month, not a week; write it like "
                                         r"2026-W48$"):
        week_of(parse_period("2026-11"), today)
    with pytest.raises(ValueError):
        Week("2026-W48", D(2026, 11, 24), D(2026, 12, 1))


def test_reports_read_the_short_week_as_the_same_week():
    assert report_period("2026-W5") == ("2026-W05", D(2026, 2, 2), "week")
    assert report_period("2026-W05") == report_period("2026-W5")


def test_a_week_is_not_a_month_for_a_monthly_metric():
    with pytest.raises(ValueProblem, match=r"^2026-W05 is a week, not a month; write a month "
                                           r"like 2026-11 or a date inside it$"):
        at_grain(parse_week("2026-W5"), "month")


@pytest.fixture
def staffed(workspace, examples):
    for entity in ("teams", "managers"):
        workspace.import_file(entity, examples / f"{entity}.csv")
    return workspace


def invoke(ws, *args):
    return CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])


def test_reports_expected_for_2026_W5_are_those_of_2026_W05(staffed):
    expected = invoke(staffed, "reports", "expect", MONTHLY, "--period", "2026-W5",
                      "--author", "M001", "--format", "json")
    assert expected.exit_code == 0, expected.output
    # 01-26..02-01; the first working day after it is Monday 02-02.
    assert [(r["period"], r["due_on"]) for r in json.loads(expected.output)] == [
        ("2026-W05", "2026-02-02")]
    listed = invoke(staffed, "reports", "list", "--period", "2026-W05", "--format", "json")
    assert [r["period"] for r in json.loads(listed.output)] == ["2026-W05"]
    again = invoke(staffed, "reports", "list", "--period", "2026-W5", "--format", "json")
    assert json.loads(again.output) == json.loads(listed.output)


def test_plan_build_reads_2026_W5_as_2026_W05(staffed):
    short = invoke(staffed, "plan", "build", "--week", "2026-W5", "--force")
    assert short.exit_code == 0, short.output
    assert short.output.splitlines()[0] == "Plan 2026-W05 (2026-01-26 to 2026-02-01)"
    bad = invoke(staffed, "plan", "build", "--week", "2025-W53")
    assert bad.exit_code == 2
    assert "Error: week '2025-W53' does not exist: 2025 has no week 53" in bad.output


def test_a_kpi_can_be_asked_for_a_week(staffed):
    (value,) = staffed.kpi(["core.overdue_tasks"], period="2026-W5", as_of=D(2026, 2, 10))
    assert value.period == "2026-W05"
