"""Fixtures for the tobacco pack's tests: a workspace with the pack enabled and
a data builder on it (see tobacco_kit)."""

from __future__ import annotations

import pytest
from tobacco_kit import Wholesaler


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["tobacco"])


@pytest.fixture
def shop(ws) -> Wholesaler:
    shop = Wholesaler(ws)
    shop.manager("R1", role="regional market manager", territory="east")
    shop.manager("M1", reports_to="R1", territory="east")
    return shop
