"""Fixtures for the receivables pack's tests: a workspace with the pack enabled and
a ledger builder on it (see receivables_kit)."""

from __future__ import annotations

import pytest
from receivables_kit import Ledger


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["receivables"])


@pytest.fixture
def ledger(ws) -> Ledger:
    ledger = Ledger(ws)
    ledger.team("T1")
    ledger.manager("L1", team_id="T1")
    ledger.manager("M1", team_id="T1", reports_to="L1")
    ledger.manager("M2", team_id="T1", reports_to="L1")
    return ledger
