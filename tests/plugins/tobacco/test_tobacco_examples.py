"""The example files of docs/examples/tobacco import cleanly and drive the rules,
as docs/packs/tobacco.md walks through them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tobacco_kit import AS_OF, labels

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "tobacco"
ORDER = ["managers", "customers", "measurements", "interactions"]


def _load(ws):
    return {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}


def test_every_example_file_imports_without_rejects(ws):
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in _load(ws).items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.inserted == result.read > 0, entity


def test_the_examples_give_the_documented_grades_tasks_cases_and_plan(ws):
    _load(ws)
    ws.segment(as_of=AS_OF)
    assert labels(ws, "tobacco.grade") == {"T001": "1", "T002": "1", "T004": "5", "T005": "2"}
    assert labels(ws, "tobacco.network") == {"T001": "in", "T002": "expiring", "T003": "out",
                                             "T004": "in", "T005": "in"}
    ws.run_rules(as_of=AS_OF)
    # A survey round's analysis is the manager's own: no customer ('' here, to sort).
    found = sorted((t.rule, t.customer_id or "", t.manager_id) for t in ws.tasks()
                   if t.rule.startswith("tobacco."))
    assert found == [
        ("tobacco.checklist", "T002", "M01"),
        ("tobacco.downgrade_approval", "T005", "R01"),
        ("tobacco.licence_renewal", "T002", "M01"),
        ("tobacco.network_entry", "T004", "M02"),
        ("tobacco.network_exit", "T003", "M02"),
        ("tobacco.sales_drop", "T002", "M01"),
        ("tobacco.special_visit", "T001", "M01"),
        ("tobacco.special_visit", "T002", "M01"),
        ("tobacco.step_request", "T001", "R01"),
        ("tobacco.survey_actions", "", "M01"),       # TOB-SURVEY: November's round
        ("tobacco.survey_actions", "T002", "M01"),   # and its answer below 4
    ]
    cases = {c.policy: (c.customer_id, c.step_due_at, ws.case_waiting_for(c.id))
             for c in ws.cases()}
    assert cases["tobacco.price_downgrade"] == ("T005", dt.datetime(2026, 11, 25, 9, 20), "R01")
    assert cases["tobacco.quality"] == ("T001", dt.datetime(2026, 11, 24, 9, 30), "M01")
    assert cases["tobacco.unlicensed"] == ("T001", None, "R01")
    ws.build_plan("2026-W49", cadences=["tobacco.plan"], as_of=AS_OF)
    assert [(v.manager_id, v.day, v.customer_id) for v in ws.plan("2026-W49")] == [
        ("M01", dt.date(2026, 11, 30), "T001"), ("M01", dt.date(2026, 11, 30), "T002"),
        ("M01", dt.date(2026, 11, 30), "T005"), ("M02", dt.date(2026, 11, 30), "T004")]
