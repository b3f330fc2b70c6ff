"""The example files of docs/examples/banking import cleanly and drive the rules,
as docs/packs/banking.md walks through them."""

import datetime as dt
from pathlib import Path

from banking_kit import AS_OF, labels

from guanxi.cli import cli

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "banking"
ORDER = ["teams", "managers", "customers", "accounts", "interactions", "measurements",
         "customer_team", "lists", "rotas"]


def _load(ws):
    return {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}


def test_every_example_file_imports_without_rejects(ws):
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in _load(ws).items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.inserted == result.read > 0, entity


def test_the_examples_give_the_documented_labels_and_tasks(ws):
    _load(ws)
    ws.segment(as_of=AS_OF)
    assert labels(ws, "banking.tier") == {"C001": "affluent", "C002": "affluent",
                                          "C004": "private"}
    assert labels(ws, "banking.relationship") == {"C001": "A", "C002": "C", "C003": "B",
                                                  "C004": "A"}
    ws.run_rules(as_of=AS_OF)
    by_rule = {}
    for task in ws.tasks():
        by_rule.setdefault(task.rule, []).append((task.customer_id, task.manager_id, task.reason))
    assert by_rule["banking.churn"] == [
        ("C001", "M01", "AUM fell 42% in 90 days: 1,200,000 → 700,000 (2026-07 → 2026-10 "
                        "month-end)"),
        ("C002", "M01", "no transaction on record for 90 days or more")]
    assert by_rule["banking.feedback"] == [
        ("C001", "M01", "feedback on 2026-11-20 (wechat) not yet followed up: call or visit by "
                        "2026-11-27 (within 7 days)")]
    assert by_rule["banking.handover"] == [
        ("C004", "L02", "manager 刘洋 (M03) left on 2026-11-10: assign a new manager and visit "
                        "within 7 days")]
    assert [(c, m) for c, m, _ in by_rule["banking.spotcheck"]] == [("C002", "L02")]
    (case,) = ws.cases(policy="banking.complaint")
    assert (case.customer_id, case.resolution_due_at) == ("C004", dt.datetime(2026, 11, 23, 9, 40))


def test_the_league_command_prints_the_teams(ws):
    from click.testing import CliRunner

    _load(ws)
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "banking", "league",
                                      "--period", "2026-11", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert '"team": "T01"' in result.output and '"team": "T02"' in result.output
