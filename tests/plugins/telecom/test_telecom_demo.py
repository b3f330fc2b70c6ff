"""guanxi demo --pack telecom: every TEL rule fires, every telecom KPI has a value, and
the summary shows the stages, risk reasons, retention, expiry tasks and the
per-manager KPIs against their targets."""

import datetime as dt
import os

import guanxi
import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi_telecom import kpis, rules

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("telecom-demo") / "d"
    args = ["demo", "--pack", "telecom", "--customers", "600", "--dir", str(folder),
            "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output, folder / "guanxi.toml"


def test_every_rule_fires_and_every_kpi_has_a_value(demo):
    out, config = demo
    ws = guanxi.open(config)
    made = {t.rule for status in ("open", "done", "cancelled") for t in ws.tasks(status=status)}
    assert {r.name for r in rules.RULES} <= made
    values = {v.kpi: v.value for v in ws.kpi([k.name for k in kpis.KPIS], period="2026-11",
                                              as_of=AS_OF)}
    missing = [k.name for k in kpis.KPIS if values.get(k.name) is None]
    # The month in progress has no revenue yet: its growth is none, the last
    # closed month's is a value.
    assert missing == ["telecom.revenue_growth"]
    closed = ws.kpi(["telecom.revenue_growth"], period="2026-10")
    assert closed[0].value is not None and closed[0].value > -1


def test_the_summary_shows_what_the_issue_asks(demo):
    out, _ = demo
    text = out.split("Telecom and cable TV (guanxi-telecom)", 1)[1]
    stages = text.split("Key-account stages (TEL-STAGE): ", 1)[1].splitlines()[0]
    assert all(f"{stage} 0" not in stages
               for stage in ("gestation", "growth", "partnership", "interruption")), stages
    assert "(TEL-RISK)" in text and "manager changes in 12 months" in text
    assert "Retention of the original group customers 2026-11 by territory" in text
    assert "on-site renewal visit (TEL-EXPIRY)" in text
    assert "Per manager, 2026-11 (targets: 20 new subscriptions, 25 reactivations)" in text
    assert "/ 20 lines" in text and "/ 25 lines" in text
    assert "revenue growth of the last closed month, 2026-10: " in text
    assert "(2026-11: no revenue recorded yet)" in text and "-100.0%" not in text
