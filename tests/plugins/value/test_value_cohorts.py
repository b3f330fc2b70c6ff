"""VAL-COHORT: retention by first-purchase month as a grid, from the command
line as a table, JSON, CSV or xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from value_kit import AS_OF

from guanxi.cli import cli
from guanxi_value import cohorts

EXPECTED = [
    {"cohort": "2026-09", "customers": 2, "m0": 1.0, "m1": 0.5, "m2": 1.0},
    {"cohort": "2026-10", "customers": 1, "m0": 1.0, "m1": 0.0, "m2": None},
    {"cohort": "2026-11", "customers": 1, "m0": 1.0, "m1": None, "m2": None},
]


@pytest.fixture
def buyers(shop):
    for c in "ABCDE":
        shop.customer(c)
    shop.buy("A", dt.date(2026, 9, 10), 10)
    shop.buy("A", dt.date(2026, 10, 5), 10)
    shop.buy("A", dt.date(2026, 11, 1), 10)
    shop.buy("B", dt.datetime(2026, 9, 30, 23, 59), 10)      # September's, by a minute
    shop.buy("B", dt.date(2026, 11, 15), 10)
    shop.buy("C", dt.datetime(2026, 10, 1, 0, 0), 10)
    shop.buy("C", dt.date(2026, 10, 20), 10)
    shop.buy("D", dt.date(2026, 8, 31), 10)                  # August: before the grid
    shop.buy("D", dt.date(2026, 9, 2), 10)
    shop.buy("E", dt.date(2026, 11, 30), 10)
    shop.buy("E", dt.datetime(2026, 12, 1, 0, 0), 10)        # after the as-of day
    return shop


def test_the_grid_counts_each_cohort_by_month_since_its_first(buyers, ws):
    # rule VAL-COHORT: months not yet lived are empty, not 0%.
    assert cohorts.grid(ws, ws.query_context("value", AS_OF), 3) == EXPECTED


def _run(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "value", "cohorts",
                                      "--months", "3", "--as-of", AS_OF.isoformat(), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cohorts_as_json_and_table(buyers, ws):
    code, out, _ = _run(ws, "--format", "json")
    assert code == 0 and json.loads(out) == EXPECTED
    code, out, _ = _run(ws)
    assert code == 0
    assert "2026-09          2  100.0%  50.0%  100.0%" in out


def test_cohorts_to_csv_and_xlsx(buyers, ws, tmp_path):
    code, out, _ = _run(ws, "--output", str(tmp_path / "grid.csv"))
    assert code == 0 and "3 cohort(s) written" in out
    with (tmp_path / "grid.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["cohort", "customers", "m0", "m1", "m2"]
    assert rows[2] == ["2026-10", "1", "1.0", "0.0", ""]
    code, _, _ = _run(ws, "--output", str(tmp_path / "grid.xlsx"))
    assert code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "grid.xlsx").active
    assert [c.value for c in sheet[2]] == ["2026-09", 2, 1, 0.5, 1]
    assert sheet["D2"].number_format == "0.0%"


def test_another_suffix_is_a_usage_error(buyers, ws, tmp_path):
    code, _, err = _run(ws, "--output", str(tmp_path / "grid.pdf"))
    assert code == 2 and "write a .csv or .xlsx file" in err


def test_the_grid_is_a_chart_on_the_team_page(buyers, ws, time_machine):
    # rule VAL-COHORT through guanxi_page_panels: a line per cohort, percent by month after
    time_machine.move_to(dt.datetime.combine(AS_OF, dt.time(12)), tick=False)
    assert ws.page_panels("numbers", language="en") == []
    [panel] = ws.page_panels("team", language="en")
    assert (panel.pack, panel.chart) == ("value", "line")
    # twelve months up to November: D's August cohort is in (bought again in September)
    assert panel.columns == ("months after the first", "2026-08", "2026-09", "2026-10",
                             "2026-11")
    assert [tuple(r.values()) for r in panel.rows[:4]] == [
        ("m0", 100.0, 100.0, 100.0, 100.0), ("m1", 100.0, 50.0, 0.0, None),
        ("m2", 0.0, 100.0, None, None), ("m3", 0.0, None, None, None)]
    assert len(panel.rows) == 12
    [zh] = ws.page_panels("team", language="zh")
    assert zh.title == "按首购月份的复购留存（VAL-COHORT），%" and zh.columns[0] == "首购后月数"
