"""Shared test setup: guanxi's own pytest plugin (guanxi.testing) gives the
workspace fixtures; every test runs on SQLite, and on PostgreSQL too when
GUANXI_TEST_DATABASE_URL is set."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "docs" / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES
