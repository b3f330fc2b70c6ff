"""The tobacco demo's rows: managers, retailers, their weekly orders and interactions.

Every retailer's figures come from a generator seeded by the run's seed and
its number, so each entity's rows agree while streaming.
"""

from __future__ import annotations

import datetime as dt
import random

from guanxi import demo_kit
from guanxi.demo_kit import person_name
from guanxi_tobacco.options import (
    BRAND_MANAGER,
    CHECKLIST_ITEMS,
    CLOSURE,
    COMPLAINT,
    LICENCE_CHANGE,
    PRICE_VIOLATION,
    QUALITY_COMPLAINT,
    REGIONAL_MANAGER,
    SPECIAL_VISIT,
    STORE_FORMATS,
    SURVEY,
    UNLICENSED,
    VISIT,
)


#: Brands (规格) with their unified minimum retail guide price per carton (CNY).
BRANDS = (("中华(硬)", 450), ("芙蓉王(硬)", 250), ("黄鹤楼(软蓝)", 190), ("利群(新版)", 140),
          ("云烟(紫)", 110), ("红塔山(经典)", 95), ("白沙(精品)", 80))
#: Spring Festival (春节) by year; orders swell in the four weeks before it.
SPRING_FESTIVAL = {2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
                   2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
                   2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13),
                   2030: dt.date(2030, 2, 3)}
#: Grade the retailer is drawn towards -> (weight, cartons a month, order every n weeks,
#: share of order weeks skipped). Points (TOB-GRADE defaults): volume 40 at 200 a month,
#: regularity 30 for every week; price and lawful give 30 to a clean retailer, so grade 5
#: (below 35) needs a problem seen: unlawful operation or a price violation.
TIERS = {1: (5, 240, 1, 0.0), 2: (10, 70, 1, 0.0), 3: (30, 40, 1, 0.2), 4: (30, 15, 2, 0.0),
         5: (25, 6, 4, 0.0)}
WEEKS = 62          # 14 months of weekly orders, back from the as-of week
VISIT_WEEKS = 8     # visits recorded over the last eight weeks


SHOP_WORDS = ("便利店", "超市", "烟酒店", "商店", "副食店", "小卖部")


def _rng(ctx, salt: int, number: int) -> random.Random:
    return random.Random(ctx.seed * 9_432_617 + salt * 1_000_003 + number)


def retailer_count(ctx) -> int:
    """Retailers the demo adds: a third of the generic base, at least 30."""
    return max(30, ctx.customers // 3)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _season(day: dt.date) -> float:
    """Order volume's seasonal factor: 春节 and 国庆 stock-up, the lull after 春节."""
    festival = SPRING_FESTIVAL.get(day.year + (day.month >= 11), dt.date(day.year, 2, 1))
    before = (festival - day).days
    if 0 <= before <= 28:
        return 1.7
    if -21 <= before < 0:
        return 0.6
    if day.month == 9 and day.day >= 8:
        return 1.35
    return 1.0


def regional_manager(ctx, territory: str) -> str:
    return f"RM{demo_kit.territories(ctx).index(territory) + 1:02d}"


BRAND_MANAGER_ID = "BM01"


class _Retailer:
    """One retailer's life: profile, order pattern, events; the same for every entity."""

    def __init__(self, ctx, number: int) -> None:
        rng = _rng(ctx, 1, number)
        self.rng = rng
        self.number = number
        self.id = f"T{number:05d}"
        owner = ctx.owner_number(number * 31 + 11)
        if owner == ctx.managers and owner > 1:  # the core's last manager has left: not
            owner = 1 + number % (owner - 1)     # him; his share spread over the others
        self.owner_number = owner
        self.manager = ctx.manager_id(owner)
        self.territory = demo_kit.territory_of_manager(owner)
        tiers = list(TIERS)
        self.tier = rng.choices(tiers, [TIERS[t][0] for t in tiers])[0]
        _, monthly, self.every, self.skip = TIERS[self.tier]
        self.monthly = monthly * rng.uniform(0.8, 1.2)
        self.phase = rng.randrange(self.every)
        self.weekday = rng.randrange(5)
        self.name = person_name(rng) + rng.choice(SHOP_WORDS)
        self.format = rng.choice(STORE_FORMATS)
        self.area = "urban" if rng.random() < 0.6 else "rural"
        self.size = rng.choices(("large", "medium", "small"),
                                (1, 3, 4) if self.tier >= 3 else (3, 3, 1))[0]
        roll = rng.random()
        # TOB-NETWORK: licences expire over the years; a few within 30 days, a few gone.
        if roll < 0.04:
            self.expires = ctx.as_of + dt.timedelta(days=rng.randint(0, 30))
        elif roll < 0.06:
            self.expires = ctx.as_of - dt.timedelta(days=rng.randint(1, 20))
        else:
            self.expires = ctx.as_of + dt.timedelta(days=rng.randint(45, 5 * 365))
        self.new = rng.random() < 0.03     # entered the network in the last weeks
        self.entered = (ctx.as_of - dt.timedelta(days=rng.randint(1, 25)) if self.new
                        else ctx.as_of - dt.timedelta(days=rng.randint(400, 4000)))
        # Grade 5 is a retailer with a problem seen (TOB-GRADE: lawful or price points lost).
        self.unlawful = self.tier == 5 and rng.random() < 0.7
        self.violation = (self.tier == 5 and not self.unlawful) or rng.random() < 0.03
        self.drop = self.tier <= 3 and rng.random() < 0.04   # orders fall sharply last month
        self.gap = rng.random() < 0.05                      # three weeks without an order
        self.gap_start = rng.randint(2, WEEKS - 4)
        self.stockouts = rng.random() < 0.25
        self.careless = rng.random() < 0.12                 # visit records often incomplete

    def orders(self, ctx):
        """(day, cartons, value, shortfall) of each order, oldest first."""
        rng = random.Random(self.rng.random())
        this_week = _monday(ctx.as_of)
        last_month_end = ctx.as_of.replace(day=1)
        last_month_start = (last_month_end - dt.timedelta(days=1)).replace(day=1)
        price = rng.choice(BRANDS)[1] * rng.uniform(0.85, 1.0)
        first = max(self.entered, ctx.as_of - dt.timedelta(weeks=WEEKS))
        for back in range(WEEKS, -1, -1):
            day = this_week - dt.timedelta(weeks=back) + dt.timedelta(days=self.weekday)
            if day >= ctx.as_of or day < first:
                continue
            if (back + self.phase) % self.every or rng.random() < self.skip:
                continue
            if self.gap and self.gap_start <= back < self.gap_start + 3:
                continue
            cartons = self.monthly * self.every / 4.33 * _season(day) * rng.uniform(0.85, 1.15)
            if self.drop and last_month_start <= day < last_month_end:
                cartons *= 0.25
            cartons = max(1, round(cartons))
            short = (max(1, round(cartons * rng.uniform(0.1, 0.4)))
                     if self.stockouts and rng.random() < 0.15 else 0)
            yield day, cartons, round(cartons * price, 2), short


def _retailers(ctx):
    for number in range(1, retailer_count(ctx) + 1):
        yield _Retailer(ctx, number)


# -- managers and retailers --------------------------------------------------------------


def _managers(ctx):
    rng = ctx.random("tobacco.managers")
    base = {"team_id": None, "class": None, "active": True, "left_at": None}
    for territory in demo_kit.territories(ctx):
        yield {**base, "id": regional_manager(ctx, territory),
               "name": "区域市场经理 " + person_name(rng),
               "role": REGIONAL_MANAGER, "territory": territory, "reports_to": "R01"}
    yield {**base, "id": BRAND_MANAGER_ID, "name": "品牌经理 " + person_name(rng),
           "role": BRAND_MANAGER, "territory": None, "reports_to": "R01"}


def _team_leads(ctx):
    # The core's team leads now report to their territory's regional market
    # manager: their rows again (an upsert), with reports_to changed.
    for row in demo_kit.managers(ctx):
        if row["role"] == "team lead":
            yield {**row, "reports_to": regional_manager(ctx, row["territory"])}


def _customers(ctx):
    for r in _retailers(ctx):
        yield {"id": r.id, "name": r.name, "kind": "organization", "manager_id": r.manager,
               "territory": r.territory, "status": "active",
               "created_at": min(r.entered, ctx.as_of - dt.timedelta(days=1)),
               "licence_no": f"{430100 + r.owner_number:06d}{r.number:06d}",
               "licence_expires": r.expires, "network_status": "in",
               "entered_on": r.entered, "grade": None, "store_format": r.format,
               "area": r.area, "size_band": r.size}


def _measurements(ctx):
    for r in _retailers(ctx):
        for day, cartons, value, short in r.orders(ctx):
            yield {"customer_id": r.id, "metric": "cartons", "period": day, "value": cartons,
                   "account_id": None}
            yield {"customer_id": r.id, "metric": "sales", "period": day, "value": value,
                   "account_id": None}
            if short:
                yield {"customer_id": r.id, "metric": "shortfall", "period": day,
                       "value": short, "account_id": None}


# -- interactions --------------------------------------------------------------------------

_FIELDS = dict.fromkeys(("account_id", "manager_id", "channel", "amount", "outcome",
                         "resolved_at", *CHECKLIST_ITEMS, "suggested_cartons", "unlawful",
                         "note", "brand", "retail_price", "guide_price", "satisfaction",
                         "ordered_by"))


def interaction_row(id, customer_id, kind, at, **values):
    return {"id": id, "customer_id": customer_id, "kind": kind, "occurred_at": at,
            **_FIELDS, **values}


def time_on(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))


def visit_values(rng: random.Random, careless: bool, monthly: float) -> dict:
    """A visit's checklist (TOB-CHECKLIST): complete, or one or two items left out."""
    ticks = dict.fromkeys(CHECKLIST_ITEMS, True)
    if rng.random() < (0.5 if careless else 0.06):
        for item in rng.sample(CHECKLIST_ITEMS, rng.choice((1, 1, 2))):
            ticks[item] = False
    suggested = max(1, round(monthly / 4.33 * rng.uniform(0.8, 1.3)))
    return {**ticks, "suggested_cartons": suggested if ticks["stock_checked"] else None,
            "channel": "on site", "outcome": "positive"}


def _visit_days(ctx, r: _Retailer):
    """Visit days by the grade's cadence (TOB-PLAN), before the as-of week (that one is
    planned and kept in :func:`summary`)."""
    every = 1 if r.tier <= 2 else 2 if r.tier == 3 else 4
    start = _monday(ctx.as_of)
    day_of_week = (r.weekday + 1) % 5
    for back in range(VISIT_WEEKS, 0, -1):
        if (back + r.phase) % every:
            continue
        day = start - dt.timedelta(weeks=back) + dt.timedelta(days=day_of_week)
        if day >= r.entered:
            yield day


def _interactions(ctx):
    for r in _retailers(ctx):
        rng = random.Random(r.rng.random() + 1)
        n = 0

        def nid():
            nonlocal n
            n += 1
            return f"{r.id}-V{n}"

        if r.new and rng.random() < 0.7:
            visits = []   # new to the network and not yet visited: TOB-NETWORK's first visit
        else:
            visits = list(_visit_days(ctx, r))
        unlawful_day = rng.choice(visits) if r.unlawful and visits else None
        for day in visits:
            values = visit_values(rng, r.careless, r.monthly)
            if day == unlawful_day:
                values.update(unlawful=True, note="发现销售非法渠道卷烟")
            yield interaction_row(nid(), r.id, VISIT, time_on(day, rng), manager_id=r.manager,
                                  **values)
        # TOB-PRICE: a price below the guide price, found on a check; grade 5's in the
        # grade's window, the others' lately (their downgrade waits for approval).
        if r.violation:
            back = rng.randint(20, 80) if r.tier == 5 else rng.randint(1, 12)
            day = ctx.as_of - dt.timedelta(days=back)
            if r.tier != 5 and visits:
                day = visits[-1]   # found on the last visit's price check
            brand, guide = rng.choice(BRANDS)
            yield interaction_row(nid(), r.id, PRICE_VIOLATION, time_on(day, rng),
                                  manager_id=r.manager, brand=brand, guide_price=guide,
                                  retail_price=round(guide * rng.uniform(0.8, 0.95)),
                                  note=f"{brand} 低于最低零售指导价销售")
        # TOB-SPECIAL: complaints, licence changes, closures; some answered by a special visit.
        roll = rng.random()
        if roll < 0.05:
            kind = rng.choices((COMPLAINT, LICENCE_CHANGE, CLOSURE), (5, 3, 1))[0]
            at = time_on(ctx.as_of - dt.timedelta(days=rng.randint(1, 25)), rng)
            yield interaction_row(nid(), r.id, kind, at, channel="phone",
                                  note={COMPLAINT: "投诉送货不及时", LICENCE_CHANGE: "许可证变更经营地址",
                                        CLOSURE: "店铺装修暂停营业"}[kind])
            if rng.random() < 0.5:
                yield interaction_row(nid(), r.id, SPECIAL_VISIT,
                                      at + dt.timedelta(hours=rng.randint(3, 30)),
                                      manager_id=r.manager, channel="on site", outcome="positive",
                                      note="已上门了解情况并记录《特殊访问记录》")
        if r.drop and rng.random() < 0.3:
            # A drop already looked into: the special visit since the month closed.
            yield interaction_row(nid(), r.id, SPECIAL_VISIT,
                                  time_on(ctx.as_of.replace(day=1)
                                          + dt.timedelta(days=rng.randint(0, 2)), rng),
                                  manager_id=r.manager, channel="on site", outcome="neutral",
                                  note="订货下降：附近新开连锁便利店")
        # TOB-QUALITY: 不合格卷烟, a case with its steps.
        # (Every 37th retailer at least, so that a small demo has some too.)
        if rng.random() < 0.02 or r.number % 37 == 5:
            brand, _ = rng.choice(BRANDS)
            yield interaction_row(nid(), r.id, QUALITY_COMPLAINT,
                                  time_on(ctx.as_of - dt.timedelta(days=rng.randint(5, 20)), rng),
                                  manager_id=r.manager, channel="phone", brand=brand,
                                  note=f"{brand} 有霉变")
        # TOB-UNLICENSED: seen near the shop, reported at once.
        if rng.random() < 0.01:
            yield interaction_row(nid(), r.id, UNLICENSED,
                                  time_on(ctx.as_of - dt.timedelta(days=rng.randint(0, 10)), rng),
                                  manager_id=r.manager, channel="on site", note="附近无证经营摊点")
        # TOB-SURVEY: satisfaction surveys this month and last; every 23rd retailer
        # unhappy early this month, so the measures' tasks fall due within it.
        unhappy = r.number % 23 == 7
        if rng.random() < 0.15 or unhappy:
            back = rng.randint(14, 22) if unhappy else rng.randint(0, 45)
            yield interaction_row(nid(), r.id, SURVEY, time_on(ctx.as_of - dt.timedelta(days=back),
                                                               rng),
                                  channel="phone",
                                  satisfaction=(rng.randint(1, 3) if unhappy else
                                                rng.choices((1, 2, 3, 4, 5), (2, 5, 13, 45,
                                                                              35))[0]),
                                  ordered_by=rng.choice(("service_centre", "regional_manager")))


def generate(ctx):
    return {"managers": _managers(ctx), "customers": _customers(ctx),
            "measurements": _measurements(ctx), "interactions": _interactions(ctx)}


def generate_reporting_lines(ctx):
    return {"managers": _team_leads(ctx)}
