"""`guanxi banking league` prints through the output kit (issue 14): Chinese team
names take two terminal cells a character, and the columns still line up."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.output import display_width


def _league(ws, fmt="table"):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "banking", "league",
                                      "--period", "2026-11", "--format", fmt],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_league_table_lines_up_chinese_team_names_by_display_width(ws, bank, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9), tick=False)
    bank.team("T1", name="北区营销一组")
    bank.team("T2", name="South")
    bank.manager("A1", team_id="T1")
    bank.customer("C1", manager_id="A1")
    bank.interaction("V1", "C1", "visit", dt.date(2026, 11, 4), manager_id="A1")
    lines = _league(ws).splitlines()
    # The name column is 12 cells wide (six characters of two cells), figures
    # right-aligned, rewards money in [guanxi] currency.
    assert lines == [
        "team  name          customers_maintained  accounts_opened      reward     fines",
        "----  ------------  --------------------  ---------------  ----------  --------",
        "T1    北区营销一组                     1                0  CNY 500.00  CNY 0.00",
        "T2    South                            0                0    CNY 0.00  CNY 0.00",
    ]
    # Every line ends at the same terminal cell; by characters the Chinese
    # line is six short, which is how the hand-made printer misaligned it.
    assert {display_width(line) for line in lines} == {display_width(lines[1])}
    assert len(lines[2]) == len(lines[1]) - 6


def test_the_league_json_keeps_plain_numbers(ws, bank, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9), tick=False)
    bank.team("T1", name="北区")
    assert json.loads(_league(ws, "json")) == [{
        "team": "T1", "name": "北区", "customers_maintained": 0, "accounts_opened": 0,
        "reward": 0.0, "fines": 0.0}]


def test_display_width_counts_terminal_cells():
    assert display_width("South") == 5
    assert display_width("北区") == 4
    assert display_width("A北") == 3
    assert display_width("") == 0
