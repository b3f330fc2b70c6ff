"""`guanxi kpi` and `guanxi run` for people: scopes a KPI has not, figures
formatted by unit through one formatter, JSON rounded, the month just ended
closed by the first batch after it, and progress on a terminal only."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from core_helpers import write
from guanxi.cli import cli
from guanxi.formatting import attainment, format_figure, is_money, plain

GUANXI = Path(sys.executable).with_name("guanxi")
ORDER = ["teams", "managers", "customers", "contacts", "accounts", "interactions",
         "measurements", "customer_team", "lists", "targets"]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def invoke(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


def load(ws, examples):
    for entity in ORDER:
        ws.import_file(entity, examples / f"{entity}.csv")
    return ws


def add_to_config(ws, guanxi_lines: str = "", tail: str = "") -> None:
    path = ws.config.path
    text = path.read_text(encoding="utf-8")
    text = text.replace("[guanxi]\n", f"[guanxi]\n{guanxi_lines}", 1) + tail
    path.write_text(text, encoding="utf-8")


# -- the formatter -----------------------------------------------------------------------


@pytest.mark.parametrize("value, unit, shown", [
    (0.765, "share", "76.5%"),
    (1.0, "share", "100.0%"),
    (0.0, "share", "0.0%"),
    (76109.30000000022, "CNY", "CNY 76,109.30"),
    (76109.30000000022, "money", "CNY 76,109.30"),
    (1234, "customers", "1,234 customers"),
    (1234567.0, "", "1,234,567"),
    (1.5, "product types", "1.5 product types"),
    (None, "share", "-"),
    (float("nan"), "CNY", "-"),
])
def test_format_figure_by_unit(value, unit, shown):
    assert format_figure(value, unit) == shown


def test_money_is_shown_in_the_configured_currency_and_json_keeps_plain_numbers():
    assert format_figure(1234.5, "CNY", currency="USD") == "USD 1,234.50"
    assert format_figure(3, "tasks", with_unit=False) == "3"
    assert (plain(76109.30000000022, "CNY"), plain(0.12345678, "share"), plain(3.0, "tasks"),
            plain(2.5, "tasks"), plain(None, "CNY")) == (76109.3, 0.123457, 3, 2.5, None)
    assert (is_money("CNY"), is_money("money"), is_money("share"), is_money("customers")) == (
        True, True, False, False)
    assert (attainment(2, 20), attainment(2, None), attainment(None, 20), attainment(2, 0)) == (
        0.1, None, None, None)


# -- kpi ---------------------------------------------------------------------------------


def test_kpi_by_manager_leaves_out_kpis_without_that_scope_and_names_them(make_workspace,
                                                                           examples):
    ws = load(make_workspace(packs=["banking"]), examples)
    without = [k.name for k in ws.plugins.kpis().values() if "manager" not in k.scopes]
    # BANK team figures are reported by team, not by manager.
    assert {"banking.team_fines", "banking.team_rewards"} <= set(without)
    code, out, err = invoke(ws, "kpi", "--by", "manager", "--period", "2026-11")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == f"Not reported by manager: {', '.join(without)}"
    assert out.splitlines()[0].split() == [
        "kpi", "title", "period", "scope_key", "value", "target", "attainment"]
    code, out, err = invoke(ws, "kpi", "--by", "manager", "--period", "2026-11",
                            "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert rows and {r["scope"] for r in rows} == {"manager"}
    assert not {r["kpi"] for r in rows} & set(without)
    # Named, a KPI without the scope is still the user's mistake.
    code, _, err = invoke(ws, "kpi", "banking.team_fines", "--by", "manager")
    assert code == 2
    assert err.startswith("Error: KPI 'banking.team_fines' is not reported by manager; it is by: ")


def test_the_kpi_table_formats_by_unit_in_the_currency_and_json_rounds(workspace, examples):
    ws = load(workspace, examples)
    ws.save("measurements", [
        {"customer_id": "C0001", "metric": "revenue", "period": "2026-11", "value": 0.1},
        {"customer_id": "C0002", "metric": "revenue", "period": "2026-11", "value": 0.2}])
    add_to_config(ws, tail='\n[targets]\n"core.revenue" = 0.6\n')
    (raw,) = ws.kpi(["core.revenue"], period="2026-11")
    assert raw.value != 0.3  # the sum of floats, as stored
    code, out, _ = invoke(ws, "kpi", "core.revenue", "core.customers", "core.contact_coverage",
                          "--period", "2026-11")
    assert code == 0
    assert out == (
        "kpi                    title                period   value        target    attainment\n"
        "---------------------  -------------------  -------  -----------  --------  ----------\n"
        "core.revenue           Revenue              2026-11  CNY 0.30     CNY 0.60  50.0%\n"
        "core.customers         Customers            2026-11  6 customers\n"
        "core.contact_coverage  Customers contacted  2026-11  33.3%\n")
    code, out, _ = invoke(ws, "kpi", "core.revenue", "core.contact_coverage", "--period",
                          "2026-11", "--format", "json")
    assert code == 0
    assert [(r["kpi"], r["value"], r["target"], r["unit"], r["attainment"])
            for r in json.loads(out)] == [
        ("core.revenue", 0.3, 0.6, "CNY", 0.5),
        ("core.contact_coverage", 0.333333, None, "share", None)]
    add_to_config(ws, 'currency = "USD"\n')
    code, out, _ = invoke(ws, "kpi", "core.revenue", "--period", "2026-11")
    assert out.splitlines()[-1].split()[3:] == ["USD", "0.30", "USD", "0.60", "50.0%"]


# -- the month just ended ----------------------------------------------------------------


def test_the_first_batch_after_a_month_ends_closes_that_month(workspace, examples, time_machine):
    ws = load(workspace, examples)

    def closed_by_run(at: dt.datetime, as_of: dt.date) -> list[str]:
        time_machine.move_to(at.replace(tzinfo=SHANGHAI), tick=False)
        result = ws.run(as_of=as_of)
        assert result.failures == []
        return sorted({v.period for v in result.closed_kpis})

    # The first batch ever: October has no figures yet, so it is closed too.
    assert closed_by_run(dt.datetime(2026, 11, 30, 23, 59, 59), dt.date(2026, 11, 30)) == [
        "2026-10"]
    # November's figures were computed before November ended: not final yet.
    assert closed_by_run(dt.datetime(2026, 12, 1, 0, 0, 0), dt.date(2026, 12, 1)) == ["2026-11"]
    # Computed at 12-01 00:00:00, the month's end: final; later batches leave it.
    assert closed_by_run(dt.datetime(2026, 12, 1, 0, 0, 1), dt.date(2026, 12, 1)) == []
    assert closed_by_run(dt.datetime(2026, 12, 2, 6, 0), dt.date(2026, 12, 2)) == []
    stored = {v.kpi: v.value for v in ws.kpi(period="2026-11", as_of=dt.date(2026, 12, 1))}
    assert (stored["core.interactions"], stored["core.customers"]) == (3.0, 6.0)


def test_run_on_the_first_of_a_month_shows_the_closed_month(workspace, examples, time_machine):
    ws = load(workspace, examples)
    time_machine.move_to(dt.datetime(2026, 12, 1, 6, 0, tzinfo=SHANGHAI), tick=False)
    code, out, _ = invoke(ws, "run", "--as-of", "2026-12-01", "--format", "json")
    assert code == 0
    summary = json.loads(out)
    closed = {r["kpi"]: r["value"] for r in summary["closed_kpis"] if r["period"] == "2026-11"}
    now = {r["kpi"]: r["value"] for r in summary["kpis"]}
    assert (closed["core.interactions"], now["core.interactions"]) == (3, 0)
    code, out, _ = invoke(ws, "run", "--as-of", "2026-12-01")
    assert "  kpi core.interactions 2026-12: 0 interactions" in out.splitlines()
    assert "  closed month kpi" not in out  # closed once, by the first batch


# -- progress ----------------------------------------------------------------------------


def run_with_stderr_on_a_terminal(config: Path, *args: str) -> tuple[int, str]:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([str(GUANXI), "--config", str(config), *args],
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return proc.wait(timeout=120), seen.decode()


@pytest.mark.skipif(not GUANXI.exists(), reason="the guanxi console script is not installed")
def test_the_batch_shows_its_jobs_on_a_terminal_and_nothing_with_quiet(workspace, examples):
    ws = load(workspace, examples)
    code, seen = run_with_stderr_on_a_terminal(ws.config.path, "run", "--as-of", "2026-11-23")
    assert code == 0
    lines = [line.split("\x1b[K")[-1] for line in seen.replace("\r\n", "\n").split("\n")]
    assert lines[0] == "Daily batch as of 2026-11-23"
    steps = [line for line in lines[1:] if line]
    total = len(steps)
    assert steps[0].startswith(f"  [1/{total}] segment core.activity  ")
    assert steps[-1].startswith(f"  [{total}/{total}] kpi ")
    assert all(line.endswith(" s") for line in steps)
    code, seen = run_with_stderr_on_a_terminal(ws.config.path, "run", "--as-of", "2026-11-24",
                                               "--quiet")
    assert (code, seen) == (0, "")
    done = subprocess.run([str(GUANXI), "--config", str(ws.config.path), "run", "--as-of",
                           "2026-11-25"], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")  # not a terminal: nothing extra


@pytest.mark.skipif(not GUANXI.exists(), reason="the guanxi console script is not installed")
def test_plan_build_shows_each_cadence_on_a_terminal(workspace, examples):
    ws = load(workspace, examples)
    code, seen = run_with_stderr_on_a_terminal(ws.config.path, "plan", "build", "--week",
                                               "2026-W49", "--as-of", "2026-11-23")
    assert code == 0
    lines = [line.split("\x1b[K")[-1] for line in seen.replace("\r\n", "\n").split("\n")]
    assert lines[0] == "Planning 2026-W49"
    assert [line.rsplit("  ", 1)[0] for line in lines[1:] if line] == [
        "  [1/1] cadence core.visits"]


def test_a_period_that_is_not_one_is_a_usage_error_in_the_python_api_too(workspace):
    from guanxi.errors import UsageError

    with pytest.raises(UsageError) as caught:
        workspace.kpi(period="nov")
    assert str(caught.value) == "period 'nov': expected a period like 2026-10, 2026-Q3 or 2026"


def test_progress_lines_name_each_step_with_its_elapsed_time_and_an_export_reports_rows(
        workspace, examples, tmp_path):
    import io
    import re

    from guanxi.cli.output import Progress

    stream = io.StringIO()
    with Progress("Daily batch as of 2026-11-23", enabled=True, stream=stream) as progress:
        progress(0, 2, "segment core.activity")
        progress(1, 2, "rule core.reactivation")
        progress(2, 2, None)
    lines = stream.getvalue().split("\n")
    assert lines[0] == "Daily batch as of 2026-11-23"
    assert re.fullmatch(r".*\r\x1b\[K  \[1/2\] segment core\.activity  \d+\.\d s", lines[1])
    assert re.fullmatch(r".*\r\x1b\[K  \[2/2\] rule core\.reactivation  \d+\.\d s", lines[2])
    assert lines[3:] == [""]
    silent = io.StringIO()
    with Progress("x", enabled=False, stream=silent) as progress:
        progress(0, 1, "segment core.activity")
        assert not progress  # callers skip work done only for a shown bar
    assert silent.getvalue() == ""
    load(workspace, examples)
    heard = []

    class Recorder:
        def __call__(self, done, total):
            heard.append((done, total))

    workspace.export("customers", tmp_path / "out.csv", progress=Recorder())
    assert heard == [(6, 6)]
