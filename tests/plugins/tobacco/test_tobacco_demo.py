"""guanxi demo --pack tobacco: every TOB rule fires, every tobacco KPI has a value, and what
the pack prints is what the workspace holds after the demo."""

import datetime as dt
import os
import re

import guanxi
import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi_tobacco import kpis, rules
from guanxi.output import format_figure
from guanxi_tobacco.demo import PLAN_MANAGERS_LISTED
from guanxi_tobacco.service import PROMOTION_POLICY

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo run at 300 customers for the module: (printed output, config path)."""
    folder = tmp_path_factory.mktemp("tobacco-demo") / "d"
    args = ["demo", "--pack", "tobacco", "--customers", "300", "--dir", str(folder),
            "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, folder / "guanxi.toml"


def _section(out: str, start: str, end: str) -> str:
    return out.split(start, 1)[1].split(end, 1)[0]


def test_the_tobacco_demo_fires_every_rule_and_fills_every_kpi(demo):
    out, config = demo
    for heading in ("Segment tobacco.grade", "Segment tobacco.network",
                    "Incomplete visit records (TOB-CHECKLIST)",
                    "Price downgrades awaiting the regional market manager (TOB-PRICE)",
                    "Next week's schedule 2026-W49 (TOB-PLAN",
                    "Monthly sales analysis report 2026-10",
                    "Tobacco KPIs 2026-11"):
        assert heading in out
    # The incomplete visits' examples name their missing items.
    section = _section(out, "Incomplete visit records", "Price downgrades")
    assert section.count("checklist items not recorded (") == 3

    with guanxi.open(config) as ws:
        fired = {t.rule for t in ws.tasks(status=None)}
        assert {r.name for r in rules.RULES} <= fired
        assert "tobacco.plan" in fired
        names = [k.name for k in kpis.KPIS]
        values = ws.kpi(names, period="2026-11", as_of=AS_OF)
        shown = {v.kpi for v in values if v.scope == "all" and v.value is not None}
        assert set(names) - shown == set()
        grades = {label.label for c in ws.customers() if c.id.startswith("T")
                  for label in ws.labels(c.id) if label.segmentation == "tobacco.grade"}
        assert grades == {"1", "2", "3", "4", "5"}
        # TOB-PRICE: the downgrade waits for the territory's regional market manager.
        approvers = {t.manager_id for t in ws.tasks(rule="tobacco.downgrade_approval")}
        assert approvers and all(a.startswith("RM") for a in approvers)


def test_the_packs_figures_are_the_workspaces_after_its_steps(demo):
    # The summary records steps after the core's tables; it says so, and every figure
    # it prints is read after them: ws.kpi and the open tasks as they are now.
    out, config = demo
    assert "the figures below include them" in out
    table = out.split("Tobacco KPIs 2026-11 (to 2026-11-24)\n", 1)[1].split("\n\n", 1)[0]
    printed = {}
    for line in table.splitlines()[2:]:
        name, value, *_ = line.split()
        printed[name] = value
    with guanxi.open(config) as ws:
        expected = {v.kpi: format_figure(v.value, k.unit, with_unit=False)
                    for k in kpis.KPIS
                    for v in ws.kpi([k.name], period="2026-11", as_of=AS_OF) if v.scope == "all"}
        assert printed == expected
        checklist = len(ws.tasks(rule="tobacco.checklist"))
        downgrades = len(ws.tasks(rule="tobacco.downgrade_approval"))
    assert f"Incomplete visit records (TOB-CHECKLIST): {checklist:,}\n" in out
    assert f"(TOB-PRICE): {downgrades:,}\n" in out


def test_next_weeks_schedule_lists_every_manager_with_visits(demo):
    out, config = demo
    section = _section(out, "Next week's schedule 2026-W49", "Monthly sales analysis report")
    listed = {}
    for line in section.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) >= 3 and re.fullmatch(r"M\d+", cells[0]):
            listed[cells[0]] = int(cells[2])
    with guanxi.open(config) as ws:
        visits = [v for v in ws.plan("2026-W49") if v.cadence == "tobacco.plan"]
    per_manager = {}
    for v in visits:
        per_manager[v.manager_id] = per_manager.get(v.manager_id, 0) + 1
    assert len(per_manager) > 1
    assert len(per_manager) <= PLAN_MANAGERS_LISTED
    assert listed == per_manager
    # One manager's full schedule: every one of their customers, by day.
    first = min(per_manager)
    schedule = section.split(f"{first}'s schedule 2026-W49", 1)[1]
    assert all(v.customer_id in schedule for v in visits if v.manager_id == first)


def test_demo_promotions_go_through_tob_promo(demo):
    # Recommended with promotions.recommend, so never above [tobacco.promo] max_grade
    # (no segmentation runs after the summary: the grade now is the grade then).
    _, config = demo
    with guanxi.open(config) as ws:
        max_grade = ws.settings["tobacco"]["promo.max_grade"]
        cases = ws.cases(policy=PROMOTION_POLICY)
        assert cases
        for case in cases:
            assert case.summary.startswith("promotion: ")
            grade = {la.segmentation: la.label for la in ws.labels(case.customer_id)}
            assert int(grade["tobacco.grade"]) <= max_grade, case
