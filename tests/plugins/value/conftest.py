"""Fixtures for the value pack's tests: a workspace with the pack enabled and a
data builder on it (see value_kit)."""

from __future__ import annotations

import pytest
from value_kit import Shop


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["value"])


@pytest.fixture
def shop(ws) -> Shop:
    shop = Shop(ws)
    shop.manager("M1")
    return shop
