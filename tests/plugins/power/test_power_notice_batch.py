"""POWER-OUTAGE in the daily batch: ``guanxi run`` makes each outage's notice records
on the day they are due (7 days before a planned outage, 24 h before a temporary
one), once, for the customers the pack serves."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from guanxi.cli import cli
from guanxi_power import tables


@pytest.fixture
def run(ws, monkeypatch):
    monkeypatch.setenv("GUANXI_CONFIG", str(ws.config.path))

    def invoke(as_of: str) -> dict:
        result = CliRunner().invoke(cli, ["run", "--as-of", as_of, "--format", "json"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return {r["rule"]: r["created"] for r in json.loads(result.output)["records"]}

    return invoke


def _notices(ws):
    n = tables.notices
    with ws.engine.connect() as conn:
        return {(r.outage_id, r.customer_id): (r.channel, r.due_at, r.made_at)
                for r in conn.execute(select(n))}


def _outage(ws, id, kind, starts, feeder="F1"):
    ws.save("outages", [{"id": id, "kind": kind, "starts_at": starts, "feeder": feeder}])


def test_run_7_days_before_a_planned_outage_makes_its_notices_once(ws, power, run):
    # rule POWER-OUTAGE, POWER-BILLPREF
    power.customer("A", feeder="F1", bill_channel="email", bill_address="a@example.cn")
    power.customer("B", feeder="F1")
    power.customer("C", feeder="F2")
    power.customer("X", feeder="F1", tariff=None)       # not a supply customer: not the pack's
    _outage(ws, "O1", "planned", dt.datetime(2026, 12, 20, 8))
    assert run("2026-12-12") == {"power.notices": 0}     # 8 days before: not yet due
    assert _notices(ws) == {}
    assert run("2026-12-13") == {"power.notices": 2}     # 7 days before: due at 08:00
    due, made = dt.datetime(2026, 12, 13, 8), dt.datetime(2026, 12, 13)
    expected = {("O1", "A"): ("email", due, made), ("O1", "B"): ("sms", due, made)}
    assert _notices(ws) == expected
    assert run("2026-12-13") == {"power.notices": 0}     # twice the same day: nothing added
    assert run("2026-12-14") == {"power.notices": 0}
    assert _notices(ws) == expected


def test_run_24_hours_before_a_temporary_outage_notifies_the_important(ws, power, run):
    power.customer("H", feeder="F1", important=True, importance="hospital")
    power.customer("R", feeder="F1")
    _outage(ws, "T1", "temporary", dt.datetime(2026, 11, 25, 14))
    assert run("2026-11-23") == {"power.notices": 0}
    assert run("2026-11-24") == {"power.notices": 1}
    assert _notices(ws) == {("T1", "H"): ("sms", dt.datetime(2026, 11, 24, 14),
                                          dt.datetime(2026, 11, 24))}


def test_an_outage_already_begun_gets_no_notice_from_the_batch(ws, power, run):
    power.customer("A", feeder="F1")
    _outage(ws, "O1", "planned", dt.datetime(2026, 12, 20, 8))
    assert run("2026-12-21") == {"power.notices": 0}
    assert run("2026-12-20") == {"power.notices": 1}     # late, but before it begins
