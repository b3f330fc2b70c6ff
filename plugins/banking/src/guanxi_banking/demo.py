"""The banking demo: a bank's data on top of the core's generic base.

On the core's customers (``C0000001`` ...) it lays a year of month-end AUM
and modelled profit (log-normal: a few customers hold most of it), the
accounts of a retail and corporate bank (deposits, some maturing soon,
cards, e-banking, wealth products, loans, cash management), transactions
in and out, surveys, complaints, feedback, campaign visits and spot-checks.
Some customers churn (AUM down a third, or half the balance moved out), some
grow, some stop transacting. Beside them it adds the customers a survey of
the territory found (``S...``: prospects with deposits elsewhere or
customer resources, some just won) and a few private-banking clients
(``P...``, AUM of five million and more), product managers, the spot-check
rota and a target list. A second file hands the private clients of the
manager who left over to a colleague (BANK-HANDOVER).

Every customer's figures come from a generator seeded by the run's seed and
the customer's number, so each entity's rows agree while streaming.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from guanxi import DemoData
from guanxi.demo_kit import GIVEN, TEAM_SIZE, month_start, team_count

# Fewer surnames than guanxi.demo_kit.SURNAMES: the banking demo's own draw,
# kept so that its customers and figures stay what they were.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔"
TRADES = ("超市", "五金", "餐饮", "服装", "农资", "建材", "药店", "物流")
INDUSTRIES = ("retail", "catering", "agriculture", "manufacturing", "logistics", "services")
PRIVATE = 24          # private-banking clients (P...)


def _rng(ctx, salt: int, number: int) -> random.Random:
    return random.Random(ctx.seed * 9_176_123 + salt * 1_000_003 + number)


def _name(rng: random.Random, organization: bool) -> str:
    if organization:
        return f"{rng.choice(SURNAMES)}记{rng.choice(TRADES)}"
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))


class _Holder:
    """One customer's banking life: profile, AUM path, accounts."""

    def __init__(self, ctx, customer_id: str, number: int, salt: int, manager: str | None,
                 base: float | None = None) -> None:
        rng = _rng(ctx, salt, number)
        self.rng = rng
        self.id = customer_id
        self.number = number
        self.manager = manager
        roll = rng.random()
        if base is None:
            self.has_aum = roll < 0.78
            base = math.exp(rng.gauss(10.5, 1.4))
        else:
            self.has_aum = True
        self.base = base
        roll = rng.random()
        self.profile = ("falling" if roll < 0.05 else "moving_out" if roll < 0.07
                        else "growing" if roll < 0.10 else "idle" if roll < 0.14 else "steady")
        self.card = rng.random() < 0.7
        self.ebanking = rng.random() < 0.6
        self.wealth = rng.random() < (0.45 if base >= 100_000 else 0.08)
        self.loan = rng.random() < 0.1
        self.cash = rng.random() < 0.05
        self.maturity = rng.randint(-20, 200) if rng.random() < 0.4 else None
        self.closed_card = self.card and rng.random() < 0.03
        self.new_account = rng.random() < 0.03
        self.opened = ctx.as_of - dt.timedelta(days=rng.randint(200, 3000))

    def aum(self, back: int) -> float:
        """Month-end AUM ``back`` months before the as-of month (1 = last closed)."""
        value = self.base * self.rng.uniform(0.96, 1.04)
        if self.profile == "falling" and back <= 3:
            value *= (0.85, 0.7, 0.55)[3 - back]
        elif self.profile == "growing" and back <= 3:
            value *= (1.2, 1.4, 1.6)[3 - back]
        return round(value, 2)


def _holders(ctx):
    """The core's customers (C...), then the private clients (P...)."""
    for number in range(1, ctx.customers + 1):
        yield _Holder(ctx, ctx.customer_id(number), number, 1,
                      ctx.manager_id(ctx.owner_number(number)))
    for number in range(1, PRIVATE + 1):
        rng = _rng(ctx, 7, number)
        yield _Holder(ctx, f"P{number:05d}", number, 2, _private_owner(ctx, number),
                      base=rng.uniform(5_000_000, 30_000_000))


def _private_owner(ctx, number: int) -> str:
    # The first private client belongs to the manager who left (the core's last).
    if number == 1:
        return ctx.manager_id(ctx.managers)
    return ctx.manager_id(ctx.owner_number(number * 37))


def _successor(ctx) -> str:
    return ctx.manager_id(max(1, ctx.managers - 1))


# -- the surveyed territory (S...) --------------------------------------------------------


class _Prospect:
    def __init__(self, ctx, number: int) -> None:
        rng = _rng(ctx, 3, number)
        self.rng = rng
        self.id = f"S{number:07d}"
        self.organization = rng.random() < 0.25
        self.name = _name(rng, self.organization)
        self.manager = ctx.manager_id(ctx.owner_number(number * 13 + 5))
        self.created = ctx.as_of - dt.timedelta(days=rng.randint(10, 400))
        self.elsewhere = rng.random() < 0.6
        self.resources = rng.random() < 0.3
        self.renewal = rng.random() < 0.04
        self.won = rng.random() < 0.15
        self.won_on = ctx.as_of - dt.timedelta(days=rng.randint(0, 25))
        self.friendly = rng.random() < 0.45
        self.archived = ctx.as_of - dt.timedelta(days=rng.randint(0, 60)) if rng.random() < 0.5 else None
        self.target = rng.random() < 0.3
        self.sme = self.organization and rng.random() < 0.6


def _prospects(ctx):
    for number in range(1, max(10, ctx.customers // 12) + 1):
        yield _Prospect(ctx, number)


def _private_names(ctx):
    for number in range(1, PRIVATE + 1):
        rng = _rng(ctx, 8, number)
        yield f"P{number:05d}", _name(rng, False), _private_owner(ctx, number)


def _customers(ctx):
    for p in _prospects(ctx):
        yield {"id": p.id, "name": p.name, "kind": "organization" if p.organization else "person",
               "manager_id": p.manager, "territory": None, "status": "prospect",
               "created_at": p.created,
               "business_line": "corporate" if p.organization else "retail",
               "renewal_likely": p.renewal, "deposits_elsewhere": p.elsewhere,
               "customer_resources": p.resources, "sme": p.sme,
               "archive_built_on": p.archived,
               "industry": p.rng.choice(INDUSTRIES) if p.organization else None}
    for cid, name, manager in _private_names(ctx):
        yield {"id": cid, "name": name, "kind": "person", "manager_id": manager,
               "territory": None, "status": "active",
               "created_at": ctx.as_of - dt.timedelta(days=1500),
               "business_line": "retail", "renewal_likely": True, "deposits_elsewhere": True,
               "customer_resources": True, "sme": False,
               "archive_built_on": ctx.as_of - dt.timedelta(days=400), "industry": None}


def _managers(ctx):
    # One product manager per three account managers (《对客户经理岗位创新的思考》), in the core's teams.
    teams = team_count(ctx)
    rng = ctx.random("banking.managers")
    for n in range(1, max(1, ctx.managers // 3) + 1):
        team = (n - 1) % teams + 1
        yield {"id": f"PM{n:03d}", "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
               "team_id": f"T{team:03d}", "role": "product manager", "territory": None,
               "class": None, "active": True, "left_at": None, "reports_to": f"L{team:03d}"}


def _accounts(ctx):
    for h in _holders(ctx):
        if not h.has_aum:
            continue
        rng = random.Random(h.rng.random())
        rows = [("D1", "deposit", h.opened, None)]
        if h.card:
            closed = ctx.as_of - dt.timedelta(days=rng.randint(1, 20)) if h.closed_card else None
            rows.append(("K1", "card", h.opened, closed))
        if h.ebanking:
            rows.append(("E1", "ebanking", h.opened + dt.timedelta(days=rng.randint(0, 90)), None))
        if h.wealth:
            rows.append(("W1", "wealth", h.opened + dt.timedelta(days=rng.randint(30, 150)), None))
        if h.loan:
            rows.append(("L1", "loan", h.opened + dt.timedelta(days=rng.randint(10, 150)), None))
        if h.cash:
            rows.append(("M1", "cash_management", h.opened, None))
            rows.append(("T1", "settlement", h.opened, None))
        if h.new_account:
            rows.append(("N1", rng.choice(("card", "ebanking", "wealth")),
                         ctx.as_of - dt.timedelta(days=rng.randint(0, 20)), None))
        for suffix, kind, opened, closed in rows:
            opened = min(opened, ctx.as_of)
            yield {
                "id": f"{h.id}-{suffix}", "customer_id": h.id, "type": kind,
                "status": "closed" if closed else "open", "opened_at": opened,
                "closed_at": closed,
                "maturity_date": (ctx.as_of + dt.timedelta(days=h.maturity)
                                  if kind == "deposit" and h.maturity is not None else None),
                "product": {"deposit": "定期存款" if h.maturity is not None else "活期存款",
                            "card": "借记卡", "ebanking": "网上银行", "wealth": "理财产品",
                            "loan": "经营贷款", "cash_management": "现金管理",
                            "settlement": "对公结算"}[kind],
                "interest_rate": round(rng.uniform(0.035, 0.065), 4) if kind == "loan" else None,
            }
    for p in _prospects(ctx):
        if p.won:
            yield {"id": f"{p.id}-D1", "customer_id": p.id, "type": "deposit", "status": "open",
                   "opened_at": p.won_on, "closed_at": None, "maturity_date": None,
                   "product": "活期存款", "interest_rate": None}
        if p.won and p.sme:
            yield {"id": f"{p.id}-L1", "customer_id": p.id, "type": "loan", "status": "open",
                   "opened_at": p.won_on, "closed_at": None, "maturity_date": None,
                   "product": "小微企业贷款", "interest_rate": 0.0485}


def _measurements(ctx):
    for h in _holders(ctx):
        if not h.has_aum:
            continue
        rng = random.Random(h.rng.random() + 1)
        for back in range(13, -1, -1):
            period = month_start(ctx.as_of, back)
            if back > 0:  # month-end balances of closed months
                yield {"customer_id": h.id, "metric": "aum", "period": period,
                       "value": h.aum(back), "account_id": None}
            # modelled profit, the current month's to date
            share = 1.0 if back else ctx.as_of.day / 30
            yield {"customer_id": h.id, "metric": "profit", "period": period,
                   "value": round(h.base * 0.0015 * share * rng.uniform(0.5, 1.5), 2),
                   "account_id": None}
            if h.loan and back <= 3:
                yield {"customer_id": h.id, "metric": "loan_balance", "period": period,
                       "value": round(h.base * 1.5, 2), "account_id": f"{h.id}-L1"}


_INTERACTION = {"account_id": None, "manager_id": None, "channel": None, "amount": None,
                "outcome": None, "resolved_at": None, "direction": None, "satisfaction": None,
                "wallet_share": None, "intends_to_stay": None, "would_recommend": None,
                "complaint_valid": None, "campaign": None, "error": None}


def _row(id, customer_id, kind, occurred_at, **values):
    return {"id": id, "customer_id": customer_id, "kind": kind, "occurred_at": occurred_at,
            **_INTERACTION, **values}


def _interactions(ctx):
    leaver = ctx.manager_id(ctx.managers)
    teams = team_count(ctx)
    for h in _holders(ctx):
        rng = random.Random(h.rng.random() + 2)
        visitor = h.manager if h.manager != leaver else None
        n = 0

        def nid():
            nonlocal n
            n += 1
            return f"{h.id}-B{n}"

        if h.has_aum and h.profile != "idle":
            for _ in range(rng.randint(1, 4)):
                day = ctx.as_of - dt.timedelta(days=rng.randint(0, 85))
                yield _row(nid(), h.id, "transaction", _at(day, rng),
                           account_id=f"{h.id}-E1" if h.ebanking else f"{h.id}-D1",
                           channel="online" if h.ebanking else "counter",
                           amount=round(h.base * rng.uniform(0.01, 0.08), 2),
                           direction=rng.choice(("in", "out")), error=rng.random() < 0.01)
        if h.has_aum and h.profile == "moving_out":
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 20))
            yield _row(nid(), h.id, "transaction", _at(day, rng), account_id=f"{h.id}-D1",
                       channel="counter", amount=round(h.base * rng.uniform(0.6, 0.9), 2),
                       direction="out")
        if rng.random() < 0.08:
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 60))
            yield _row(nid(), h.id, "survey", _at(day, rng), manager_id=visitor, channel="phone",
                       satisfaction=rng.choices((1, 2, 3, 4, 5), (3, 5, 17, 45, 30))[0],
                       wallet_share=round(rng.uniform(0.1, 0.9), 2),
                       intends_to_stay=rng.random() < 0.85, would_recommend=rng.random() < 0.6)
        if rng.random() < 0.012:
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 25))
            at = _at(day, rng)
            done = rng.random() < 0.6
            yield _row(nid(), h.id, "complaint", at, manager_id=visitor, channel="phone",
                       resolved_at=at + dt.timedelta(hours=rng.randint(3, 150)) if done else None,
                       complaint_valid=rng.random() < 0.7)
        if rng.random() < 0.03:
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 20))
            at = _at(day, rng)
            yield _row(nid(), h.id, "feedback", at, channel="wechat")
            if rng.random() < 0.5 and visitor:
                yield _row(nid(), h.id, "call", at + dt.timedelta(days=rng.randint(1, 5)),
                           manager_id=visitor, channel="phone", outcome="positive")
        if visitor and rng.random() < 0.1:
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 13))
            yield _row(nid(), h.id, "visit", _at(day, rng), manager_id=visitor, channel="on site",
                       outcome=rng.choices(("positive", "neutral", "negative"), (45, 40, 15))[0],
                       campaign=rng.choice(("财富季", "薪金卡", "贵宾回馈")))
            if rng.random() < 0.3:
                check = ctx.as_of - dt.timedelta(days=rng.randint(0, 6))
                yield _row(nid(), h.id, "spotcheck", _at(check, rng),
                           manager_id=f"L{rng.randint(1, teams):03d}", channel="phone",
                           outcome=_checked(ctx, visitor, rng))
    for p in _prospects(ctx):
        rng = random.Random(p.rng.random() + 3)
        if p.friendly and p.manager != leaver:
            for j in range(rng.randint(2, 3)):
                day = ctx.as_of - dt.timedelta(days=rng.randint(1, 80))
                yield _row(f"{p.id}-B{j + 1}", p.id, rng.choice(("visit", "call")), _at(day, rng),
                           manager_id=p.manager, channel="on site", outcome="positive")


def _checked(ctx, visitor: str, rng: random.Random) -> str:
    # One careless manager's visits are sometimes not confirmed (a false report).
    # (Only with two teams or more, so that some team keeps its reward.)
    careless = ctx.managers > TEAM_SIZE and visitor == ctx.manager_id(ctx.managers - 2)
    if careless and rng.random() < 0.4:
        return "not_confirmed"
    return "problem" if rng.random() < 0.05 else "confirmed"


def _customer_team(ctx):
    pms = max(1, ctx.managers // 3)
    for h in _holders(ctx):
        if h.has_aum and h.base >= 300_000 and h.rng.random() < 0.3:
            yield {"customer_id": h.id, "manager_id": f"PM{(h.number % pms) + 1:03d}",
                   "role": "product", "share": 0.2}
    # Two customers whose whole credit is given away (《用CRM的思想定制客户经理作业平台》§3.3):
    # 60% + 40%, the owner keeps none. More than 100% is refused at import.
    for number in (3, 4):
        cid = ctx.customer_id(number)
        yield {"customer_id": cid, "manager_id": ctx.manager_id(ctx.owner_number(number + 2)),
               "role": "referral", "share": 0.6}
        yield {"customer_id": cid, "manager_id": ctx.manager_id(ctx.owner_number(number + 3)),
               "role": "risk", "share": 0.4}


def _lists(ctx):
    for p in _prospects(ctx):
        if p.target:
            yield {"list": "targets", "customer_id": p.id,
                   "added_at": ctx.as_of - dt.timedelta(days=45), "removed_at": None,
                   "note": "目标客户清单"}
    for number in range(1, PRIVATE + 1, 3):
        yield {"list": "key_projects", "customer_id": f"P{number:05d}",
               "added_at": ctx.as_of - dt.timedelta(days=90), "removed_at": None,
               "note": "私人银行重点客户"}


def _rotas(ctx):
    # Leaders take the spot-check duty in turn (每日轮岗), three weeks back, one ahead.
    teams = team_count(ctx)
    for back in range(21, -8, -1):
        day = ctx.as_of - dt.timedelta(days=back)
        yield {"rota": "spotcheck", "day": day,
               "manager_id": f"L{day.toordinal() % teams + 1:03d}"}


def generate(ctx):
    return {"managers": _managers(ctx), "customers": _customers(ctx), "accounts": _accounts(ctx),
            "interactions": _interactions(ctx), "measurements": _measurements(ctx),
            "customer_team": _customer_team(ctx), "lists": _lists(ctx), "rotas": _rotas(ctx)}


def generate_handover(ctx):
    # rule BANK-HANDOVER: the leaver's private clients go to a colleague.
    successor = _successor(ctx)
    leaver = ctx.manager_id(ctx.managers)
    return {"customers": ({"id": cid, "name": name, "manager_id": successor}
                          for cid, name, manager in _private_names(ctx) if manager == leaver)}


DEMO = (
    DemoData(name="banking.base", generate=generate,
             description="A bank's data on the generic base: AUM and profit, accounts, "
                         "transactions, surveys, complaints, feedback, spot-checks; surveyed "
                         "prospects, private-banking clients, product managers, the rota."),
    DemoData(name="banking.handover", generate=generate_handover,
             description="The private clients of the manager who left, handed to a colleague."),
)
