"""Fixtures for the power pack's tests: a workspace with the pack enabled and a
data builder on it (see power_kit)."""

from __future__ import annotations

import pytest
from power_kit import Power


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["power"])


@pytest.fixture
def power(ws) -> Power:
    power = Power(ws)
    power.manager("M9")
    power.manager("M1", reports_to="M9")
    return power
