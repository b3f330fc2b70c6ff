"""The example files of docs/examples/power import cleanly and drive the rules, as
docs/packs/power.md walks through them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from power_kit import AS_OF, labels

from guanxi_power import notices

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "power"
ORDER = ["managers", "customers", "measurements", "interactions", "outages", "equipment"]


def _load(ws):
    return {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}


def test_every_example_file_imports_without_rejects(ws):
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in _load(ws).items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.inserted == result.read > 0, entity


def test_the_examples_give_the_documented_labels_tasks_cases_and_notices(ws):
    _load(ws)
    ws.segment(as_of=AS_OF)
    assert labels(ws, "power.class") == {"P001": "1", "P002": "1", "P003": "2", "P004": "3",
                                         "P005": "3"}
    assert labels(ws, "power.vip") == {"P002": "vip"}
    assert labels(ws, "power.credit") == {"P004": "AAA", "P005": "C"}
    ws.run_rules(as_of=AS_OF)
    found = sorted((t.rule, t.customer_id, t.manager_id, t.kind) for t in ws.tasks()
                   if t.rule.startswith("power."))
    assert found == [
        ("power.advice", "P001", "M01", "letter"),
        ("power.advice", "P003", "M01", "letter"),
        ("power.anomaly", "P003", "M01", "call"),
        ("power.expiry", "P001", "M01", "notice"),
        ("power.outage", "P001", "M01", "call"),
        ("power.outage", "P002", "M01", "call"),
        ("power.patrol", "P001", "E01", "patrol"),
        ("power.remind", "P003", "M01", "reminder"),
        ("power.remind", "P005", "M01", "call"),
        ("power.visit", "P001", "M01", "visit"),
        ("power.visit", "P002", "M01", "visit"),
        ("power.visit", "P003", "M01", "visit"),
    ]
    cases = {c.interaction_id: (c.policy, c.owner_id, c.response_due_at) for c in ws.cases()}
    assert cases == {
        "Q-P002-1": ("power.complaint_vip", "A01", dt.datetime(2026, 11, 10, 13)),
        "R-P004-1": ("power.repair_urban", "M01", dt.datetime(2026, 11, 19, 20, 45)),
    }
    ws.tick_cases(at=dt.datetime(2026, 11, 20, 23, 59))
    assert {c.interaction_id: c.level for c in ws.cases()} == {"Q-P002-1": 3, "R-P004-1": 3}
    assert notices.build(ws, "O1") == 3
    assert [(r["customer_id"], r["channel"], r["due_at"]) for r in notices.rows(ws, "O1")] == [
        ("P001", "email", dt.datetime(2026, 11, 24, 8)),
        ("P002", "phone", dt.datetime(2026, 11, 24, 8)),
        ("P004", "sms", dt.datetime(2026, 11, 24, 8))]
