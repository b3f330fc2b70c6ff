"""Which saved rows the after-saved hooks are handed: every one, unless only the
core implements the hook and says which it acts on (complaints, planned visits)."""

from __future__ import annotations

import datetime as dt

import pytest

import guanxi
from guanxi.builtin import case_policy

AT = dt.datetime(2026, 11, 2, 9)
ROWS = [
    {"id": "I1", "customer_id": "C1", "kind": "complaint", "occurred_at": AT},
    {"id": "I2", "customer_id": "C1", "kind": "call", "occurred_at": AT},
    {"id": "I3", "customer_id": "C1", "kind": "visit", "occurred_at": AT},
]


class Watcher:
    """A pack that reacts to every saved interaction."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    @guanxi.hookimpl
    def guanxi_after_interactions_saved(self, batch):
        self.kinds += [row[batch.columns.index("kind")] for row in batch.rows]


@pytest.fixture
def core_sees(monkeypatch):
    """The kinds of the rows handed to the core's own hook, batch by batch."""
    seen: list[list[str]] = []
    open_saved = case_policy.open_saved

    def spy(workspace, batch):
        seen.append([row[batch.columns.index("kind")] for row in batch.rows])
        open_saved(workspace, batch)

    monkeypatch.setattr(case_policy, "open_saved", spy)
    return seen


def _base(ws):
    ws.save("managers", [{"id": "M1", "name": "M1"}])
    ws.save("customers", [{"id": "C1", "name": "c1", "manager_id": "M1"}])


def test_the_core_alone_is_handed_only_the_rows_it_acts_on(make_workspace, core_sees):
    ws = make_workspace()
    _base(ws)
    ws.save("interactions", ROWS)
    # No visit is planned, so visits close nothing: only the complaint.
    assert core_sees == [["complaint"]]
    assert [c.interaction_id for c in ws.cases()] == ["I1"]


def test_nothing_it_acts_on_calls_no_hook(make_workspace, core_sees):
    ws = make_workspace()
    _base(ws)
    ws.save("interactions", ROWS[1:])
    assert core_sees == []
    assert ws.cases() == []


def test_a_pack_that_implements_the_hook_is_handed_every_row(make_workspace, core_sees):
    watcher = Watcher()
    ws = make_workspace(extra_packs={"watch": watcher})
    _base(ws)
    ws.save("interactions", ROWS)
    assert sorted(watcher.kinds) == ["call", "complaint", "visit"]
    assert sorted(core_sees[0]) == ["call", "complaint", "visit"]
    assert [c.interaction_id for c in ws.cases()] == ["I1"]
