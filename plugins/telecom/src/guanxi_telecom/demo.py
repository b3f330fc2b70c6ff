"""The telecom demo: a cable and telecom operator's key accounts and group customers
beside the core's generic base.

It adds, owned by the core's account managers in their territories:

- key accounts (``K0001`` ...) at every stage (TEL-STAGE): new ones and
  prospects in gestation, growing ones, partners of years with three
  product lines, and some whose bills stopped or whose lines all ended
  (interruption); their contacts, some a single person (TEL-MULTI), some
  with a key contact replaced this month (TEL-CONTACT), a year of monthly
  revenue, monthly bills, complaints and risk notes (TEL-RISK);
- group customers (``G00001`` ...), hotels and businesses with their
  service lines (户) in the seed's status mix (003 第5篇: about 10% 罚停 and
  7% 报停, some dormant and lost), each line's status history (lines that
  left and came back, lines reactivated this month), paid periods ending
  within 30 days (TEL-EXPIRY) or ended this month and lost, pay-programme
  subscriptions, lines opened this month; a hotel association (宾馆协会)
  whose members a competitor's offer reached (TEL-PRICE);
- prospects a territory sweep registered (``S0001`` ..., 摸排建档), some
  sold this month by a colleague credited by the customer team's share
  (TEL-SWEEP).

:func:`summary` then changes the manager of a few key accounts twice (what
files cannot carry: ownership history is written by imports over time),
re-runs the pack's segmentations and rules as of the demo's day and shows
the stage distribution, risk reasons, retention, expiry tasks and the
per-manager KPIs against their targets.

Every customer's figures come from a generator seeded by the run's seed and
its number, so each entity's rows agree while streaming.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from guanxi import DemoData
from guanxi import demo_kit
from guanxi.demo_kit import month_start, person_name

PRODUCTS = ("tv", "broadband", "mobile", "fixed", "leased_line")
TRADES = ("宾馆", "饭店", "招待所", "酒店", "茶餐厅", "商场", "医院", "学校")
ASSOCIATION = "A01"
ROLES = ("director", "it manager", "office manager", "finance")


def _rng(ctx, salt: int, number: int) -> random.Random:
    return random.Random(ctx.seed * 7_654_321 + salt * 1_000_003 + number)


def key_count(ctx) -> int:
    return max(24, ctx.customers // 200)


def group_count(ctx) -> int:
    return max(40, ctx.customers // 75)


def sweep_count(ctx) -> int:
    return max(12, ctx.customers // 400)


def _owner(ctx, number: int, salt: int) -> int:
    owner = ctx.owner_number(number * 37 + salt)
    if owner == ctx.managers and owner > 1:     # the core's last manager has left
        owner = 1 + number % (owner - 1)
    return owner


def _customer(ctx, id, name, owner, created, **fields):
    return {"id": id, "name": name, "kind": "organization", "manager_id": ctx.manager_id(owner),
            "territory": demo_kit.territory_of_manager(owner), "status": fields.pop("status",
                                                                                   "active"),
            "created_at": created, "key_account": fields.get("key_account"),
            "group_customer": fields.get("group_customer"),
            "association": fields.get("association"), "swept_on": fields.get("swept_on")}


def _line(id, customer, product, status, opened, paid_until=None, pay=None):
    return {"id": id, "customer_id": customer, "type": product, "status": status,
            "opened_at": opened, "closed_at": None, "paid_until": paid_until,
            "pay_programme": pay}


def _act(id, customer, kind, at, **values):
    row = {"id": id, "customer_id": customer, "kind": kind, "occurred_at": at,
           "manager_id": None, "amount": None, "outcome": None, "resolved_at": None,
           "competitor": None,
           "risk_cause": None}
    row.update(values)
    return row


class _Key:
    """One key account: its stage profile drives lines, revenue and bills."""

    PROFILES = (("gestation", 20), ("prospect", 8), ("growth", 32), ("partnership", 20),
                ("silent", 10), ("stopped", 10))

    def __init__(self, ctx, n: int) -> None:
        rng = self.rng = _rng(ctx, 1, n)
        self.n, self.id = n, f"K{n:04d}"
        self.owner = _owner(ctx, n, 1)
        names, weights = zip(*self.PROFILES)
        self.profile = rng.choices(names, weights)[0]
        months = {"gestation": rng.randint(1, 5), "prospect": 0, "growth": rng.randint(7, 22),
                  "partnership": rng.randint(25, 72)}.get(self.profile, rng.randint(8, 40))
        self.created = month_start(ctx.as_of, months) + dt.timedelta(days=rng.randint(0, 20))
        self.created = min(self.created, ctx.as_of - dt.timedelta(days=3))
        count = {"partnership": 3, "growth": rng.choice((1, 2, 2)), "prospect": 0}.get(
            self.profile, rng.choice((1, 1, 2)))
        self.products = rng.sample(PRODUCTS[:4], count)
        self.trend = {"partnership": 1.02, "growth": 1.04, "silent": 1.0}.get(
            self.profile, rng.choice((0.97, 1.0, 1.03)))
        self.base = rng.randint(2, 40) * 1000
        self.contacts = 1 if rng.random() < 0.3 else rng.randint(2, 3)
        self.changed = self.profile != "prospect" and rng.random() < 0.2
        self.complaints = rng.choice((0, 0, 0, 1, 2, 3))

    def customer(self, ctx):
        status = "prospect" if self.profile == "prospect" else "active"
        name = f"{person_name(self.rng)}{self.rng.choice(('集团', '公司', '银行'))}"
        return _customer(ctx, self.id, name, self.owner, self.created, status=status,
                         key_account=True)

    def lines(self):
        status = "lost" if self.profile == "stopped" else "active"
        return [_line(f"{self.id}-{p}", self.id, p, status, self.created) for p in self.products]


class _Group:
    """One group customer (a hotel, a business) and its lines in the seed's mix."""

    def __init__(self, ctx, n: int) -> None:
        rng = self.rng = _rng(ctx, 2, n)
        self.n, self.id = n, f"G{n:05d}"
        self.owner = _owner(ctx, n, 2)
        self.trade = rng.choice(TRADES)
        self.name = person_name(rng)[0] + rng.choice("安福泰华庆丰祥顺") + self.trade
        self.member = self.trade in ("宾馆", "酒店", "招待所") and rng.random() < 0.5
        self.created = ctx.as_of - dt.timedelta(days=rng.randint(20, 3000))
        if rng.random() < 0.05:                   # a new group customer this month
            self.created = month_start(ctx.as_of, 0) + dt.timedelta(
                days=rng.randint(0, ctx.as_of.day - 1))
        self.contacts = 1 if rng.random() < 0.25 else 2
        self.count = max(2, int(rng.lognormvariate(3.0, 0.6)))
        self.expiring = rng.random() < 0.12       # a paid period ending within 30 days
        self.expired_lost = rng.random() < 0.04   # this month's 到费 lines all lost
        self.signal = rng.random() < 0.05

    def lines(self, ctx):
        """(line row, [(status, from day)] history after the opening) per line."""
        rng = _rng(ctx, 3, self.n)
        month = month_start(ctx.as_of, 0)
        renewal = ctx.as_of + dt.timedelta(days=rng.randint(1, 30))
        for k in range(1, self.count + 1):
            opened = self.created + dt.timedelta(days=rng.randint(0, 60))
            if rng.random() < 0.03:              # opened this month: a new subscription
                opened = month + dt.timedelta(days=rng.randint(0, max(0, ctx.as_of.day - 1)))
            opened = min(opened, ctx.as_of)
            roll = rng.random()
            status, history = "active", []
            changed = ctx.as_of - dt.timedelta(days=rng.randint(15, 300))
            if roll < 0.10:
                status = "suspended_nonpayment"
            elif roll < 0.17:
                status = "suspended_request"
            elif roll < 0.20:
                status = "dormant"
            elif roll < 0.24:
                status = "lost"
            elif roll < 0.27:                    # left and came back
                history = [("lost", changed), ("active", changed + dt.timedelta(days=40))]
            elif roll < 0.30:                    # reactivated this month (回流)
                history = [("dormant", month - dt.timedelta(days=rng.randint(10, 200))),
                           ("active", month + dt.timedelta(days=rng.randint(0, ctx.as_of.day - 1)))]
            paid = ctx.as_of + dt.timedelta(days=rng.randint(31, 330))
            if self.expired_lost:
                status, history, paid = "lost", [], month
            elif self.expiring and status == "active":
                paid = renewal
            if status != "active" and not history and opened < changed:
                history = [(status, changed)]
            history = [(s, d) for s, d in history if opened < d <= ctx.as_of]
            product = "tv" if rng.random() < 0.8 else "broadband"
            pay = product == "tv" and rng.random() < 0.58
            yield _line(f"{self.id}-{k}", self.id, product, status, opened, paid, pay), history


def _sweep(ctx, n: int):
    rng = _rng(ctx, 4, n)
    owner = _owner(ctx, n, 4)
    swept = ctx.as_of - dt.timedelta(days=rng.randint(1, 60))
    sold = rng.random() < 0.35
    row = _customer(ctx, f"S{n:04d}", person_name(rng)[0] + rng.choice(TRADES), owner, swept,
                    status="active" if sold else "prospect", swept_on=swept)
    seller = _owner(ctx, n + 1, 5) if sold and rng.random() < 0.5 else None
    return row, sold, seller


def _customers(ctx):
    for n in range(1, key_count(ctx) + 1):
        yield _Key(ctx, n).customer(ctx)
    yield _customer(ctx, ASSOCIATION, "宾馆协会", 1, ctx.as_of - dt.timedelta(days=900))
    for n in range(1, group_count(ctx) + 1):
        g = _Group(ctx, n)
        yield _customer(ctx, g.id, g.name, g.owner, g.created, group_customer=True,
                        association=ASSOCIATION if g.member else None)
    for n in range(1, sweep_count(ctx) + 1):
        yield _sweep(ctx, n)[0]


def _accounts(ctx):
    for n in range(1, key_count(ctx) + 1):
        yield from _Key(ctx, n).lines()
    for n in range(1, group_count(ctx) + 1):
        for line, _ in _Group(ctx, n).lines(ctx):
            yield line
    for n in range(1, sweep_count(ctx) + 1):
        row, sold, _ = _sweep(ctx, n)
        if sold:
            opened = max(row["swept_on"], month_start(ctx.as_of, 0))
            for k in (1, 2):
                yield _line(f"{row['id']}-{k}", row["id"], "tv", "active", opened,
                            ctx.as_of + dt.timedelta(days=365), True)


def _statuses(ctx):
    # The lines' past: active from their opening, then each change.
    for n in range(1, group_count(ctx) + 1):
        for line, history in _Group(ctx, n).lines(ctx):
            if history:
                yield {"account_id": line["id"], "status": "active",
                       "started_on": line["opened_at"]}
                for status, day in history:
                    yield {"account_id": line["id"], "status": status, "started_on": day}


def _contacts(ctx):
    for n in range(1, key_count(ctx) + 1):
        k = _Key(ctx, n)
        rng = _rng(ctx, 6, n)
        for c in range(1, k.contacts + 1):
            yield {"id": f"{k.id}-c{c}", "customer_id": k.id, "name": person_name(rng),
                   "role": ROLES[c - 1], "seniority": "senior" if c == 1 else "default",
                   "phone": None, "email": None, "active": True, "started_at": k.created,
                   "ended_at": None}
        if k.changed:   # the director replaced this month (TEL-CONTACT, TEL-RISK)
            started = ctx.as_of - dt.timedelta(days=rng.randint(1, 20))
            yield {"id": f"{k.id}-c0", "customer_id": k.id, "name": person_name(rng),
                   "role": ROLES[0], "seniority": "senior", "phone": None, "email": None,
                   "active": False, "started_at": k.created,
                   "ended_at": started - dt.timedelta(days=rng.randint(0, 10))}
            yield {"id": f"{k.id}-c9", "customer_id": k.id, "name": person_name(rng),
                   "role": ROLES[0], "seniority": "senior", "phone": None, "email": None,
                   "active": True, "started_at": started, "ended_at": None}


def _group_contacts(ctx):
    for n in range(1, group_count(ctx) + 1):
        g = _Group(ctx, n)
        rng = _rng(ctx, 8, n)
        for c in range(1, g.contacts + 1):
            yield {"id": f"{g.id}-c{c}", "customer_id": g.id, "name": person_name(rng),
                   "role": ("general manager", "front desk")[c - 1],
                   "seniority": "senior" if c == 1 else "default", "phone": None, "email": None,
                   "active": True, "started_at": g.created, "ended_at": None}


def _months(ctx, since: dt.date, count: int = 12):
    for back in range(count, 0, -1):
        month = month_start(ctx.as_of, back)
        if month >= month_start(since, 0):
            yield back, month


def _interactions(ctx):
    causes = ("personal_ties", "recession", "closure", "market_position")
    for n in range(1, key_count(ctx) + 1):
        k = _Key(ctx, n)
        rng = _rng(ctx, 7, n)
        if k.profile == "prospect":
            continue
        last = 3 if k.profile == "silent" else 0     # silent: no bill for three months
        for back, month in _months(ctx, k.created):
            if back > last and k.profile != "stopped":
                day = month + dt.timedelta(days=4)
                yield _act(f"{k.id}-b{back}", k.id, "bill", dt.datetime.combine(day, dt.time(9)))
        if k.profile in ("gestation", "growth") and k.created < ctx.as_of - dt.timedelta(days=35):
            day = ctx.as_of - dt.timedelta(days=rng.randint(1, 20))
            yield _act(f"{k.id}-b0", k.id, "bill", dt.datetime.combine(day, dt.time(9)))
        for c in range(k.complaints):
            day = ctx.as_of - dt.timedelta(days=rng.randint(5, 200))
            yield _act(f"{k.id}-q{c}", k.id, rng.choice(("complaint", "quality_complaint",
                                                         "price_complaint")),
                       dt.datetime.combine(day, dt.time(11)))
        if rng.random() < 0.15:
            day = ctx.as_of - dt.timedelta(days=rng.randint(5, 200))
            yield _act(f"{k.id}-r", k.id, "risk_note", dt.datetime.combine(day, dt.time(15)),
                       risk_cause=rng.choice(causes))
    signal = ctx.as_of - dt.timedelta(days=6)
    yield _act(f"{ASSOCIATION}-s1", ASSOCIATION, "competitor_signal",
               dt.datetime.combine(signal, dt.time(10)), competitor="电信",
               outcome="宾馆协会集体讨论离网")
    for n in range(1, group_count(ctx) + 1):
        g = _Group(ctx, n)
        if g.signal:
            day = ctx.as_of - dt.timedelta(days=g.rng.randint(1, 25))
            yield _act(f"{g.id}-p", g.id, "price_complaint", dt.datetime.combine(day, dt.time(14)),
                       competitor="联通")


def _measurements(ctx):
    for n in range(1, key_count(ctx) + 1):
        k = _Key(ctx, n)
        if k.profile in ("prospect", "stopped"):
            continue
        for back, month in _months(ctx, k.created, 13):
            yield {"customer_id": k.id, "metric": "revenue", "period": month,
                   "value": round(k.base * k.trend ** (13 - back), 2), "account_id": None}


def _customer_team(ctx):
    for n in range(1, sweep_count(ctx) + 1):
        row, _, seller = _sweep(ctx, n)
        if seller is not None and ctx.manager_id(seller) != row["manager_id"]:
            yield {"customer_id": row["id"], "manager_id": ctx.manager_id(seller),
                   "role": "referral", "share": 0.5}


def generate(ctx):
    return {"customers": _customers(ctx), "accounts": _accounts(ctx),
            "account_statuses": _statuses(ctx),
            "contacts": itertools.chain(_contacts(ctx), _group_contacts(ctx)),
            "interactions": _interactions(ctx), "measurements": _measurements(ctx),
            "customer_team": _customer_team(ctx)}


def summary(ws, ctx) -> str:
    """Change a few key accounts' manager twice, re-run the pack as of the demo's day,
    and show what a 集团客户经理 and the lead want first."""
    from guanxi_telecom import show
    from guanxi_telecom.rules import RULES
    from guanxi_telecom.segments import SEGMENTATIONS

    moved = show.change_managers_twice(ws, ctx, [f"K{n:04d}" for n in range(1, 4)])
    ws.segment([s.name for s in SEGMENTATIONS], as_of=ctx.as_of)
    ws.run_rules([r.name for r in RULES], as_of=ctx.as_of)
    out = ["Telecom and cable TV (guanxi-telecom)", "=====================================",
           f"Recorded after the batch: {len(moved)} key accounts handed to a colleague and back "
           f"(two manager changes each, TEL-RISK); telecom segmentations and rules re-run as of "
           f"{ctx.as_of}, so some figures differ from the core's above."]
    return "\n".join(out + show.lines(ws, ctx, moved))


DEMO = (
    DemoData(name="telecom.base", generate=generate, summary=summary,
             description="Key accounts at every stage with contacts, revenue and bills; group "
                         "customers with their lines in the seed's status mix, status history, "
                         "paid periods and pay programmes; a hotel association's signal; sweep "
                         "prospects."),
)
