"""Fixtures for the banking pack's tests: a workspace with the pack enabled and
a data builder on it (see banking_kit)."""

from __future__ import annotations

import pytest
from banking_kit import Bank


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["banking"])


@pytest.fixture
def bank(ws) -> Bank:
    bank = Bank(ws)
    bank.manager("M1")
    return bank
