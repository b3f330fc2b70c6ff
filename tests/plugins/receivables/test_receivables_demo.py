"""guanxi demo --pack receivables: aging and DSO, collection tasks by stage, the 3C
grades and an approval moved along its chain; what it prints is what the
workspace holds."""

from __future__ import annotations

import datetime as dt
import os
import re

import guanxi
import pytest
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.output import format_figure

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("receivables-demo") / "d"
    args = ["demo", "--pack", "receivables", "--customers", "300", "--dir", str(folder),
            "--as-of", AS_OF.isoformat()]
    url = os.environ.get("GUANXI_TEST_DATABASE_URL")
    if url:
        args += ["--database", url, "--reset"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "rejected" not in result.output
    return result.output.split("Credit and receivables (guanxi-receivables)", 1)[1], \
        folder / "guanxi.toml"


def test_the_demo_shows_aging_dso_collection_and_an_approval(demo):
    out, _ = demo
    for bucket in ("current", "1_30", "31_60", "61_90", "91_180", "181_365", "over_365"):
        assert re.search(rf"^  {bucket}\s+CNY [\d,]+\.\d\d$", out, re.M), bucket
    assert re.search(r"DSO \d+\.\d days \(REC-DSO", out)
    counts = dict(re.findall(r"(reminder|call|visit|letter|legal) (\d+)", out))
    assert sum(int(v) for v in counts.values()) > 0 and int(counts["legal"]) > 0
    assert re.search(r"3C grades \(REC-3C\): A \d+, B \d+, C \d+, D \d+", out)
    assert re.search(r"case \d+ \(credit exception of R00001\) approved by \w+, now with the "
                     r"credit manager", out)
    assert "receivables.legal" in out


def test_the_printed_figures_are_the_workspaces(demo):
    out, config = demo
    with guanxi.open(config) as ws:
        values = {v.kpi: v.value for v in ws.kpi(["receivables.aging_1_30", "receivables.dso"],
                                                  period="2026-11", as_of=AS_OF)}
        cases = {c.policy for c in ws.cases()}
    owed = format_figure(values["receivables.aging_1_30"], "CNY", currency="CNY")
    assert re.search(rf"^  1_30\s+{re.escape(owed)}$", out, re.M)
    assert f"DSO {values['receivables.dso']:.1f} days" in out
    assert {"receivables.credit", "receivables.legal"} <= cases
