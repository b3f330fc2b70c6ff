"""guanxi demo --pack value: RFM scores and segments, the Pareto share,
lifetime values both ways with the fitted parameters, a cohort grid and
retention; what it prints is what the workspace holds."""

from __future__ import annotations

import datetime as dt
import os
import re

import guanxi
import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.output import format_figure

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("value-demo") / "d"
    args = ["demo", "--pack", "value", "--customers", "300", "--dir", str(folder),
            "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.split("Customer value (guanxi-value)", 1)[1], folder / "guanxi.toml"


def test_the_demo_shows_every_value_figure(demo):
    out, _ = demo
    assert re.search(r"RFM over 12 months \(VAL-RFM\): [\d,]+ buyers scored", out)
    assert "champions" in out and re.search(r"\d{3} \(\w+\): last purchase \d+ days ago", out)
    assert re.search(r"2026-10: the top 20% of buyers held \d+\.\d% of the month's purchases", out)
    assert "retention by customer type (VAL-TYPE): " in out and "consumer" in out
    assert re.search(r"Lifetime value, average monthly revenue × 12 × 10 years \(VAL-LTV\): "
                     r"average CNY [\d,]+\.\d\d", out)
    for name in ("r", "alpha", "a", "b"):
        assert re.search(rf"BG/NBD\s+{name}\s+\d+\.\d+", out), name
    assert re.search(r"Gamma-Gamma\s+p\s+\d+\.\d+", out)
    assert re.search(r"cohort\s+customers\s+m0\s+m1\s+m2\s+m3\s+m4\s+m5", out)
    assert re.search(r"2026-11\s+\d+\s+100\.0%\s+-", out)


def test_the_printed_figures_are_the_workspaces(demo):
    out, config = demo
    with guanxi.open(config) as ws:
        values = {v.kpi: v.value for v in ws.kpi(["value.pareto_share", "value.retention"],
                                                  period="2026-10", as_of=AS_OF)}
        assert f"held {format_figure(values['value.pareto_share'], 'share')}" in out
        assert f"retention {format_figure(values['value.retention'], 'share')}" in out
        view = ws.customer_view("V00001")
    # VAL-BGNBD: the fitted figures are in the 360° view, as of the demo's month.
    fitted = {m["metric"] for m in view["measurements"] if m["period"] == dt.date(2026, 11, 1)}
    assert {"value_expected_purchases", "value_p_alive"} <= fitted
    assert {s["segmentation"] for s in view["segments"]} >= {"value.rfm", "value.rfm_segment"}
