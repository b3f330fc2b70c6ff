"""guanxi demo --pack tobacco: every TOB rule fires, every tobacco KPI has a value."""

import datetime as dt
import os

import guanxi
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi_tobacco import kpis, rules

AS_OF = dt.date(2026, 11, 24)


def test_the_tobacco_demo_fires_every_rule_and_fills_every_kpi(tmp_path):
    args = ["demo", "--pack", "tobacco", "--customers", "300", "--dir", str(tmp_path / "d"),
            "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("Segment tobacco.grade", "Segment tobacco.network",
                    "Incomplete visit records (TOB-CHECKLIST)",
                    "Price downgrades awaiting the regional market manager (TOB-PRICE)",
                    "Next week's schedule (TOB-PLAN", "Monthly sales analysis report 2026-10",
                    "Tobacco KPIs 2026-11"):
        assert heading in out
    # The incomplete visits' examples name their missing items.
    section = out.split("Incomplete visit records")[1].split("Price downgrades")[0]
    assert section.count("checklist items not recorded (") == 3

    with guanxi.open(tmp_path / "d" / "guanxi.toml") as ws:
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
