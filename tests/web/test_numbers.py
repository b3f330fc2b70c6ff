"""My numbers (issue 21): each KPI against its target, its 12-period trend, the rank in the
team (competition ranking by the KPI's direction), the rows behind each figure, which are
the rows of ``guanxi kpi NAME --explain``; the charts' figures as CSV and xlsx."""

from __future__ import annotations

import csv
import io
import json
import re

from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.web.numbers import competition_rank


def row_of(html: str, kpi: str) -> str:
    return html.split(f'id="kpi-{kpi}"')[1].split("</tr>")[0]


def cell(row: str, name: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'class="num {name}">(.*?)</td>', row, re.S)[1]).strip()


def test_competition_ranking_shares_ties_and_skips_after_them():
    figures = {"M1": 5, "M2": 5, "M3": 3, "M4": None}
    assert competition_rank(figures, "M1", True) == (1, 3)
    assert competition_rank(figures, "M2", True) == (1, 3)
    assert competition_rank(figures, "M3", True) == (3, 3)
    assert competition_rank(figures, "M4", True) is None  # no figure, no rank
    # lower is better (overdue tasks): the fewest ranks first
    assert competition_rank(figures, "M3", False) == (1, 3)
    assert competition_rank(figures, "M1", False) == (2, 3)


def test_a_manager_reads_each_kpi_with_its_target_and_rank_in_the_team(org):
    # T1's managers on core.customers: M1 2 (C1, C5), M2 2 (C2, C4), L1 1 (C6): 1, 1, 3
    org.ws.save("customers", [
        {"id": "C5", "name": "Five", "manager_id": "M1", "created_at": "2025-01-01"},
        {"id": "C6", "name": "Six", "manager_id": "L1", "created_at": "2025-01-01"}])
    org.ws.save("targets", [{"kpi": "core.customers", "period": "2026-12", "scope": "manager",
                             "scope_key": "M1", "target": 4}])
    ann, _ = org.browser("ann")
    page = ann.get("/numbers", params={"period": "2026-12"})
    assert page.status_code == 200
    customers = row_of(page.text, "core.customers")
    assert [cell(customers, c) for c in ("value", "target", "attainment", "rank")] == [
        "2 customers", "4 customers", "50.0%", "1 of 3"]
    bob, _ = org.browser("bob")
    assert cell(row_of(bob.get("/numbers?period=2026-12").text, "core.customers"), "rank") == "1 of 3"
    lee, _ = org.browser("lee")
    lead = lee.get("/numbers", params={"manager": "L1", "period": "2026-12"}).text
    assert cell(row_of(lead, "core.customers"), "rank") == "3 of 3"
    # overdue tasks: lower is better; only M1 has one (C1 due 12-01), the others none
    assert cell(row_of(page.text, "core.overdue_tasks"), "value") == "1 tasks"
    # a manager reads their own figures only; a lead their team's; outside: 404
    assert ann.get("/numbers", params={"manager": "M2"}).status_code == 404
    assert lee.get("/numbers", params={"manager": "M3"}).status_code == 404
    assert ann.get("/numbers", params={"period": "2026-13"}).status_code == 422


def test_the_trend_covers_twelve_periods_and_downloads_as_csv_and_xlsx(org):
    from openpyxl import load_workbook

    ann, _ = org.browser("ann")
    page = ann.get("/numbers", params={"period": "2026-12"}).text
    figure = page.split('id="chart-core.customers"')[1].split("</figure>")[0]
    periods = re.findall(r'<th scope="row">([^<]+)</th>', figure)
    assert periods == [f"2026-{m:02d}" for m in range(1, 13)]
    spec = json.loads(re.search(r"data-chart='([^']+)'", figure)[1].replace("&#34;", '"'))
    assert spec["labels"] == periods and spec["series"][0]["data"][-1] == 1.0
    answer = ann.get("/numbers", params={"period": "2026-12", "manager": "M1",
                                         "chart": "core.customers", "download": "csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == ["Period", "Value", "Target"] and len(table) == 13
    assert table[-1] == ["2026-12", "1", ""]
    xlsx = ann.get("/numbers", params={"period": "2026-12", "chart": "core.customers",
                                       "download": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Period", "Value", "Target"] and rows[-1] == ["2026-12", 1, None]
    assert ann.get("/numbers", params={"chart": "nope", "download": "csv"}).status_code == 404


def test_charts_read_in_chinese(org):
    ann, csrf = org.browser("ann")
    ann.post("/language", data={"csrf": csrf, "language": "zh", "back": "/numbers"})
    answer = ann.get("/numbers", params={"period": "2026-12", "chart": "core.customers",
                                         "download": "csv"})
    assert answer.content.decode("utf-8-sig").splitlines()[0] == "期间,数值,目标"
    assert "近12期走势" in ann.get("/numbers").text


def test_each_figure_opens_the_same_rows_as_kpi_explain(org):
    from guanxi.web.settings import ServeSettings

    lee, _ = org.browser("lee", settings=ServeSettings(page_size=100))
    page = lee.get("/numbers", params={"manager": "M2", "period": "2026-12"}).text
    link = re.search(r'href="(/numbers/core.open_tasks/rows\?[^"]+)"', page)[1]
    rows = lee.get(link.replace("&amp;", "&")).text
    shown = [(kind, key, float(figure)) for kind, key, figure in
             re.findall(r'data-kind="(\w+)" data-id="([^"]+)" data-figure="([^"]+)"', rows)]
    typed = CliRunner().invoke(cli, ["--config", str(org.ws.config.path), "kpi",
                                     "core.open_tasks", "--explain", "--by", "manager",
                                     "--scope", "M2", "--period", "2026-12", "--format", "json"])
    assert typed.exit_code == 0, typed.output
    explained = [(r["kind"], r["id"], r["figure"]) for r in json.loads(typed.stdout)]
    assert shown == explained == [("task", str(org.task["C2"]), 1.0),
                                  ("task", str(org.task["C4"]), 1.0)]
    # the rows of a manager out of scope are not shown
    ann, _ = org.browser("ann")
    assert ann.get("/numbers/core.open_tasks/rows", params={"manager": "M2"}).status_code == 404
    assert ann.get("/numbers/core.nope/rows").status_code == 404
