"""Demo-data helpers for a pack's ``guanxi.DemoData``: the names, territories and
managers of the core's demo base, so that a pack's demo people look like the
base's and its managers are the base's.

``ctx`` is the demo context a ``generate(ctx)`` receives (``ctx.random(name)``,
``ctx.managers``, ``ctx.manager_id(n)``, ``ctx.as_of``, ``ctx.seed``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator

#: The demo base's territories; a team's territory is the next in turn.
TERRITORIES = ("north", "south", "east", "west", "central", "harbour", "hills", "river")
#: Surnames and given-name characters for Chinese names (``person_name``).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲飞鹏辉红斌宇浩凯健俊帆"
#: Trades for company names.
COMPANY = ("机械", "物流", "贸易", "电子", "食品", "建材", "纺织", "化工", "医药", "科技")
#: Account managers per team.
TEAM_SIZE = 5


def person_name(rng: random.Random) -> str:
    """A two-character Chinese name, surname first (王伟)."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def month_start(as_of: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before ``as_of``'s (0: its own).

    ``month_start(date(2026, 1, 20), 1)`` is 2025-12-01: a demo's monthly figures.
    """
    year, month = as_of.year, as_of.month - back
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def team_count(ctx) -> int:
    """How many teams the demo base has: one per TEAM_SIZE account managers."""
    return math.ceil(ctx.managers / TEAM_SIZE)


def territory_of_manager(number: int) -> str:
    """The territory of the demo base's account manager ``number`` (1, 2, ...): his team's."""
    return TERRITORIES[((number - 1) // TEAM_SIZE) % len(TERRITORIES)]


def territories(ctx) -> list[str]:
    """The territories the demo base's teams serve, in the teams' order, once each."""
    count = team_count(ctx)
    return list(dict.fromkeys(TERRITORIES[(t - 1) % len(TERRITORIES)]
                              for t in range(1, count + 1)))


def teams(ctx) -> Iterator[dict]:
    """The demo base's teams: one per TEAM_SIZE managers, each in a territory in turn."""
    for t in range(1, team_count(ctx) + 1):
        territory = TERRITORIES[(t - 1) % len(TERRITORIES)]
        yield {"id": f"T{t:03d}", "name": f"{territory.title()} team {t}",
               "territory": territory, "leader_id": f"L{t:03d}"}


def managers(ctx) -> Iterator[dict]:
    """The demo base's managers, as ``managers`` rows: the regional manager R01, a
    team lead per team (L001...), then ``ctx.managers`` account managers (the
    last one has left). A pack's demo extends them with an upsert of the rows
    it changes (``{**row, "reports_to": ...}``)."""
    rng = ctx.random("core.managers")
    yield {"id": "R01", "name": "区域经理 " + person_name(rng),
           "team_id": None, "role": "regional manager", "territory": None, "class": None,
           "active": True, "left_at": None, "reports_to": None}
    for team in teams(ctx):
        yield {"id": team["leader_id"], "name": person_name(rng),
               "team_id": team["id"], "role": "team lead", "territory": team["territory"],
               "class": None, "active": True, "left_at": None, "reports_to": "R01"}
    for m in range(1, ctx.managers + 1):
        team = (m - 1) // TEAM_SIZE + 1
        left = m == ctx.managers  # one manager has left, his customers still assigned
        yield {
            "id": ctx.manager_id(m), "name": person_name(rng),
            "team_id": f"T{team:03d}", "role": "account manager",
            "territory": territory_of_manager(m),
            "class": rng.choice(["1", "2", "3"]), "active": not left,
            "left_at": ctx.as_of - dt.timedelta(days=30) if left else None,
            "reports_to": f"L{team:03d}",
        }
