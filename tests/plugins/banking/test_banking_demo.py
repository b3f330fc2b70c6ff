"""guanxi demo --pack banking: every segmentation, rule and KPI has something to show."""

import datetime as dt
import json
import os

import guanxi
from click.testing import CliRunner

from guanxi.cli import cli

BANKING_RULES = {"banking.churn", "banking.handover", "banking.feedback", "banking.upgrade",
                 "banking.spotcheck"}
#: KPIs the demo cannot fill: nobody is asked for a report (guanxi banking reports).
NO_DEMO_VALUE = {"banking.reports_on_time"}


def test_the_banking_demo_fires_every_rule_and_fills_every_kpi(tmp_path):
    args = ["demo", "--pack", "banking", "--customers", "300", "--dir", str(tmp_path / "d"),
            "--seed", "3", "--as-of", "2026-11-23"]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for heading in ("Segment banking.abc", "Segment banking.tier", "Segment banking.relationship",
                    "banking.churn", "banking.aum"):
        assert heading in result.output

    out = tmp_path / "tasks.jsonl"
    config = tmp_path / "d" / "guanxi.toml"
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(config), "export", "tasks", str(out)]).exit_code == 0
    tasks = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert BANKING_RULES <= {t["rule"] for t in tasks}
    assert all(t["reason"] and not t["reason"].startswith("banking.") and "{" not in t["reason"]
               for t in tasks)

    with guanxi.open(config) as ws:
        counts = {}
        for customer in ws.customers():
            for label in ws.labels(customer.id):
                counts.setdefault(label.segmentation, set()).add(label.label)
        assert counts["banking.abc"] == {"A", "B", "C"}
        assert counts["banking.tier"] == {"private", "wealth", "affluent", "mass"}
        assert counts["banking.relationship"] == {"A", "B", "C", "D"}
        assert counts["banking.line"] == {"retail", "corporate"}
        (run,) = ws.build_plan("2026-W49", cadences=["banking.visits"],
                                  as_of=dt.date(2026, 11, 24)).cadences
        assert run.planned + run.already_planned > 0
        names = [k for k in ws.plugins.kpis() if k.startswith("banking.")]
        values = ws.kpi(names, period="2026-11", as_of=dt.date(2026, 11, 23))
        shown = {v.kpi for v in values if v.scope == "all" and v.value is not None}
        assert set(names) - shown == NO_DEMO_VALUE
        by_team = ws.kpi(["banking.team_rewards"], period="2026-11", by="team",
                         as_of=dt.date(2026, 11, 23))
        assert sum(v.value for v in by_team) > 0
