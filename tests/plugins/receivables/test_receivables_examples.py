"""The example files of docs/examples/receivables import cleanly and give what
docs/packs/receivables.md says they give (as of 2026-11-30)."""

from __future__ import annotations

from pathlib import Path

import pytest
from receivables_kit import AS_OF, kpi, labels, rule_tasks

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "receivables"
ORDER = ["managers", "customers", "interactions"]


@pytest.fixture
def loaded(ws):
    results = {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}
    ws.segment(as_of=AS_OF)
    ws.run_rules(["receivables.collect"], as_of=AS_OF)
    return ws, results


def test_every_example_file_imports_without_rejects(loaded):
    _, results = loaded
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in results.items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.inserted == result.read > 0, entity


def test_the_examples_give_the_documented_figures(loaded):
    ws, _ = loaded
    assert kpi(ws, "receivables.aging_current") == {"": 58000.0}
    assert kpi(ws, "receivables.aging_1_30") == {"": 25200.0}
    assert kpi(ws, "receivables.aging_91_180") == {"": 22000.0}
    assert kpi(ws, "receivables.outstanding", by="manager") == {"M01": 66200.0, "M02": 39000.0}
    assert round(kpi(ws, "receivables.dso")[""], 1) == 49.8
    on_time = kpi(ws, "receivables.collected_on_time", by="manager")
    assert (round(on_time["M01"], 4), on_time["M02"]) == (0.7429, 0.0)


def test_the_examples_give_the_documented_grades_tasks_and_approval(loaded):
    ws, _ = loaded
    assert labels(ws, "receivables.rating") == {"R001": "B", "R002": "C", "R003": "D",
                                                "R004": "D"}
    assert [(t[0], t[1], t[2]) for t in rule_tasks(ws, "receivables.collect")] == [
        ("R002", "M01", "reminder"), ("R003", "M02", "legal"), ("R004", "M02", "call")]
    assert [(c.policy, c.interaction_id) for c in ws.cases()] == [("receivables.credit", "R003-3")]
