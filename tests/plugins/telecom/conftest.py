"""Fixtures for the telecom pack's tests: a workspace with the pack enabled and
a data builder on it (see telecom_kit)."""

from __future__ import annotations

import pytest
from telecom_kit import Operator


@pytest.fixture
def ws(make_workspace):
    return make_workspace(packs=["telecom"])


@pytest.fixture
def op(ws) -> Operator:
    op = Operator(ws)
    op.manager("R1", role="regional manager", territory="NE")
    op.manager("M1", reports_to="R1", territory="NE")
    op.manager("M2", reports_to="R1", territory="SE")
    return op
