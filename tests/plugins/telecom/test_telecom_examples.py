"""The example files of docs/examples/telecom import cleanly and drive the rules,
as docs/packs/telecom.md walks through them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from guanxi.testing import current_labels, label_reason

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "telecom"
ORDER = ["managers", "customers", "contacts", "accounts", "account_statuses", "interactions",
         "measurements", "customer_team"]
AS_OF = dt.date(2026, 11, 24)


def _load(ws):
    return {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}


def test_every_example_file_imports_without_rejects(ws):
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in _load(ws).items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.read > 0, entity


def test_the_examples_give_the_documented_stages_risks_and_tasks(ws):
    _load(ws)
    ws.segment(as_of=AS_OF)
    assert current_labels(ws, "telecom.stage") == {
        "K01": "partnership", "K02": "gestation", "K03": "growth", "K04": "interruption"}
    assert current_labels(ws, "telecom.risk") == {
        "G01": "low", "G02": "high", "G03": "high", "K01": "low", "K02": "medium",
        "K03": "medium", "K04": "high"}
    assert label_reason(ws, "telecom.risk", "K04") == (
        "2 unresolved complaints; financial trouble: 0 line(s) 罚停, 1 in arrears, closure noted "
        "2026-10-10 (TEL-RISK)")
    ws.run_rules(as_of=AS_OF)
    found = sorted((t.rule, t.customer_id or "", t.manager_id, t.due_at) for t in ws.tasks()
                   if t.rule.startswith("telecom."))
    assert found == [
        ("telecom.contact", "K02", "M01", dt.date(2026, 11, 25)),
        ("telecom.contact", "K02", "R01", dt.date(2026, 11, 25)),
        ("telecom.expiry", "G01", "M04", dt.date(2026, 12, 10)),
        ("telecom.multi", "K03", "M02", dt.date(2026, 12, 24)),
        ("telecom.partner", "K01", "M01", dt.date(2026, 12, 8)),
        ("telecom.price", "G01", "M04", dt.date(2026, 11, 27)),
        ("telecom.price", "G02", "M04", dt.date(2026, 11, 27)),
        ("telecom.price", "G03", "M03", dt.date(2026, 11, 27)),
        ("telecom.sweep", "S01", "M02", dt.date(2026, 11, 26)),
        ("telecom.winback", "G02", "M04", dt.date(2026, 12, 8)),
    ]


def test_the_examples_kpis(ws):
    _load(ws)
    ws.segment(as_of=AS_OF)
    def values(names, by, period="2026-11"):
        return {(v.kpi, v.scope_key): (v.value, v.target)
                for v in ws.kpi(names, period=period, by=by, as_of=AS_OF)}

    # 19 lines: 13 active, 2 dormant, 3 罚停, 1 报停.
    assert values(["telecom.lines_active", "telecom.lines_suspended_nonpayment",
                   "telecom.lines_suspended_request", "telecom.lines_dormant"], "all") == {
        ("telecom.lines_active", ""): (13 / 19, None),
        ("telecom.lines_suspended_nonpayment", ""): (3 / 19, None),
        ("telecom.lines_suspended_request", ""): (1 / 19, None),
        ("telecom.lines_dormant", ""): (2 / 19, None)}
    # G02's line lost in March came back in June: G02 is kept; G03 is not.
    assert values(["telecom.retention", "telecom.pay_programme_rate"], "territory") == {
        ("telecom.retention", "西北片"): (0.0, 0.9), ("telecom.retention", "西南片"): (1.0, 0.9),
        ("telecom.pay_programme_rate", "东北片"): (1.0, 0.6),
        ("telecom.pay_programme_rate", "东南片"): (1.0, 0.6),
        ("telecom.pay_programme_rate", "西南片"): (0.8, 0.6)}
    # S02 was swept by M02 and sold with M01: half each.
    assert values(["telecom.new_subscriptions", "telecom.prospects_converted"], "manager") == {
        ("telecom.new_subscriptions", "M01"): (1.0, 20.0),
        ("telecom.new_subscriptions", "M02"): (1.0, 20.0),
        ("telecom.prospects_converted", "M01"): (0.5, None),
        ("telecom.prospects_converted", "M02"): (0.5, None)}
    assert values(["telecom.reactivations"], "manager", "2026-06") == {
        ("telecom.reactivations", "M04"): (1.0, 25.0)}
