"""The example files of docs/examples/value import cleanly and give what
docs/packs/value.md says they give."""

from __future__ import annotations

from pathlib import Path

import pytest
from value_kit import AS_OF, labels

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "value"
ORDER = ["managers", "customers", "interactions"]


@pytest.fixture
def loaded(ws):
    results = {e: ws.import_file(e, EXAMPLES / f"{e}.csv") for e in ORDER}
    ws.segment(as_of=AS_OF)
    return ws, results


def test_every_example_file_imports_without_rejects(loaded):
    _, results = loaded
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)
    for entity, result in results.items():
        assert (result.rejected, result.rejects_file) == (0, None), entity
        assert result.inserted == result.read > 0, entity


def test_the_examples_give_the_documented_labels(loaded):
    ws, _ = loaded
    assert labels(ws, "value.rfm") == {"V001": "555", "V002": "555", "V003": "133",
                                       "V004": "242", "V005": "421", "V006": "314"}
    assert labels(ws, "value.rfm_segment") == {
        "V001": "champions", "V002": "champions", "V003": "at_risk", "V004": "at_risk",
        "V005": "promising", "V006": "about_to_sleep"}
    assert labels(ws, "value.ltv") == {"V001": "high", "V002": "high", "V003": "low",
                                       "V004": "low", "V006": "medium"}
    assert labels(ws, "value.abc") == {"V001": "A", "V002": "A", "V003": "C", "V004": "C",
                                       "V005": "C", "V006": "B"}
    scores = {a.customer_id: a.score for c in ("V001", "V002") for a in ws.labels(c)
              if a.segmentation == "value.ltv"}
    assert scores == {"V001": pytest.approx(180_000), "V002": pytest.approx(170_000)}


def test_the_examples_give_the_documented_kpis(loaded):
    ws, _ = loaded

    def values(name, by="all"):
        return {v.scope_key: v.value for v in ws.kpi([name], period="2026-11", by=by,
                                                      as_of=AS_OF)}

    assert values("value.pareto_share") == {"": pytest.approx(12_000 / 13_700)}
    assert values("value.retention") == {"": pytest.approx(0.4)}
    assert values("value.defection") == {"": pytest.approx(0.6)}
    assert values("value.retention", by="field:customer_type") == {
        "consumer": pytest.approx(0.5), "intermediary": pytest.approx(0.5),
        "public_interest": pytest.approx(0.0)}
