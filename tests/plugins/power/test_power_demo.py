"""guanxi demo --pack power: every rule fires and every KPI has a value."""

from __future__ import annotations

import datetime as dt
import os

from click.testing import CliRunner

import guanxi
from guanxi.cli import cli
from guanxi.testing import kpi_rows_disagree

AS_OF = dt.date(2026, 11, 23)


def test_the_power_demo_fires_every_rule_and_fills_every_kpi(tmp_path):
    args = ["demo", "--pack", "power", "--customers", "300", "--dir", str(tmp_path / "d"),
            "--seed", "3", "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for heading in ("Customer classes (POWER-CLASS)", "Credit grades (POWER-CREDIT)",
                    "List vip (POWER-VIP)", "List bad_credit", "Cases under 督办 (POWER-ROUTE)",
                    "Payment reminders", "Power KPIs", "outage notices made"):
        assert heading in result.output
    with guanxi.open(tmp_path / "d" / "guanxi.toml") as ws:
        rules = [r for r in ws.plugins.service_rules() if r.startswith("power.")]
        fired = {t.rule for t in ws.tasks(status=None) if t.rule.startswith("power.")}
        assert fired == set(rules)
        assert {t.kind for t in ws.tasks(rule="power.remind", status=None)} == {
            "reminder", "call", "escalation"}
        names = [k for k in ws.plugins.kpis() if k.startswith("power.")]
        shown = set()
        for period in ("2026-10", "2026-11"):
            shown |= {v.kpi for v in ws.kpi(names, period=period, as_of=AS_OF)
                      if v.scope == "all" and v.value is not None}
        assert set(names) == shown
        assert {c.level for c in ws.cases()} >= {1, 2, 3}
        # Every KPI's rows (--explain) make its value, for all and by manager.
        for name in names:
            for by in ("all", "manager"):
                assert kpi_rows_disagree(ws, name, period="2026-11", by=by) == [], (name, by)
