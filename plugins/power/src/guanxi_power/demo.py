"""The power demo: a utility's customers, meters, bills, outages and cases.

Beside the core's generic base it adds supply customers (``E...``):
residential (220 V, residential tariff), commercial (380 V or 10 kV,
some on time-of-use) and industrial (10 kV to 110 kV, two-part tariff),
a few flagged important (a hospital, a government office, the water
works), on twenty feeders in urban, rural and remote areas, each with a
bill preference. A year of monthly kWh with the seasons (summer and winter
peaks), peak shares and power factors, some months off by half
(anomalies); a year of bills with payments, late payers, partial payments
and a few who stopped paying; violations and one theft case; complaints,
requests and repairs, some resolved late, some still open past their
limits (督办); planned outages on feeders and a temporary one; VIP
equipment with a patrol person, one patrol overdue; savings reported after
advice letters. The summary works the cases and the notices through the
workspace, then shows classes, lists, grades, notices, escalations and the
KPIs.
"""

from __future__ import annotations

import datetime as dt
import functools
import random

from guanxi import DemoData, demo_kit
from guanxi.demo_kit import month_start, person_name

KINDS = (("residential", 70), ("commercial", 20), ("industrial", 10))
PRICE = {"residential": 0.56, "commercial": 0.86, "industrial": 0.66}
BASE_KWH = {"residential": (120, 400), "commercial": (2_000, 30_000),
            "industrial": (40_000, 600_000)}
IMPORTANT = ("hospital", "government", "water works", "school")
SEASON = (1.25, 1.1, 0.95, 0.9, 0.95, 1.1, 1.35, 1.4, 1.1, 0.9, 0.95, 1.15)  # Jan..Dec
DISPATCHER, AGENT, RURAL_WORKER = "PD01", "AG01", "NG01"


def customer_count(ctx) -> int:
    return max(60, ctx.customers // 4)


def _rng(ctx, salt: int, number: int) -> random.Random:
    return random.Random(ctx.seed * 5_113_733 + salt * 1_000_003 + number)


class _Supply:
    """One supply customer, the same for every entity it appears in."""

    def __init__(self, ctx, number: int) -> None:
        rng = _rng(ctx, 1, number)
        self.rng = rng
        self.number = number
        self.id = f"E{number:07d}"
        self.kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        # The first few are what every rule needs: a hospital, a big plant, a VIP by hand.
        if number in (1, 2):
            self.kind = "industrial"
        elif number in (3, 5):   # the hospital; a shop whose October is off by half
            self.kind = "commercial"
        self.manager = ctx.manager_id(ctx.owner_number(number * 11 + 3))
        self.area = "urban" if number % 10 < 6 else ("rural" if number % 10 < 9 else "remote")
        self.feeder = f"F{number % 20 + 1:02d}"
        self.segment = f"S{number % 10 + 1:02d}"
        self.important = number == 3 or (self.kind != "residential" and rng.random() < 0.05)
        self.importance = ("hospital" if number == 3 else rng.choice(IMPORTANT)
                           if self.important else None)
        low, high = BASE_KWH[self.kind]
        self.kwh = rng.uniform(low, high)
        if self.kind == "residential":
            self.voltage, self.tariff = "220V", "residential"
        elif self.kind == "commercial":
            self.voltage = rng.choice(("380V", "380V", "10kV"))
            self.tariff = "time_of_use" if rng.random() < 0.3 else "commercial"
        else:
            self.voltage = rng.choice(("10kV", "35kV", "110kV"))
            self.tariff = "two_part"
        self.channel = rng.choices(("sms", "letter", "email", "phone", "fax"), (50, 20, 20, 7, 3))[0]
        roll = rng.random()
        self.payer = ("stopped" if roll < 0.03 or number == 4 else "late" if roll < 0.13
                      else "partial" if roll < 0.18 else "good")
        self.anomaly = number == 5 or rng.random() < 0.03
        self.pf = rng.uniform(0.80, 0.88) if number == 2 or rng.random() < 0.2 else rng.uniform(0.9, 0.98)
        self.peak = rng.uniform(0.42, 0.55) if rng.random() < 0.25 else rng.uniform(0.2, 0.38)
        self.created = ctx.as_of - dt.timedelta(days=rng.randint(400, 4000))
        self.vip_flag = number == 6
        ends = ctx.as_of + dt.timedelta(days=rng.randint(5, 700))
        self.contract_ends = ends if self.kind != "residential" else None
        self.temporary_until = (ctx.as_of + dt.timedelta(days=rng.randint(3, 25))
                                if number == 7 else None)
        self.name = self._name(rng)

    def _name(self, rng) -> str:
        if self.number == 3:
            return "市第一人民医院"
        if self.kind == "residential":
            return person_name(rng)
        word = "制造有限公司" if self.kind == "industrial" else rng.choice(("商场", "酒店", "超市"))
        return f"{rng.choice(demo_kit.SURNAMES)}{rng.choice('华新泰安盛达')}{word}"

    def month_kwh(self, day: dt.date, back: int) -> float:
        value = self.kwh * SEASON[day.month - 1] * self.rng.uniform(0.93, 1.07)
        if self.anomaly and back == 1:
            value *= 2.2 if self.number % 2 else 0.3
        return round(value)


def _supplies(ctx):
    for number in range(1, customer_count(ctx) + 1):
        yield _Supply(ctx, number)


def _at(day: dt.date, rng, hour=(9, 17)) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(*hour), rng.choice((0, 15, 30, 45))))


def _managers(ctx):
    rng = ctx.random("power.managers")
    base = {"team_id": "T001", "class": None, "active": True, "left_at": None}
    yield {**base, "id": DISPATCHER, "name": "服务调度 " + person_name(rng),
           "role": "service dispatcher", "territory": None, "reports_to": "R01"}
    yield {**base, "id": AGENT, "name": "代理工 " + person_name(rng), "role": "代理工",
           "territory": None, "reports_to": ctx.manager_id(1)}
    yield {**base, "id": RURAL_WORKER, "name": "农电工 " + person_name(rng), "role": "农电工",
           "territory": None, "reports_to": ctx.manager_id(1)}
    for n in (1, 2):
        yield {**base, "id": f"PE{n:02d}", "name": "巡查员 " + person_name(rng),
               "role": "patrol engineer", "territory": None, "reports_to": DISPATCHER}


def _customers(ctx):
    for s in _supplies(ctx):
        yield {"id": s.id, "name": s.name,
               "kind": "person" if s.kind == "residential" else "organization",
               "manager_id": s.manager, "territory": None, "status": "active",
               "created_at": s.created, "industry": {"residential": "household",
                                                     "commercial": "services",
                                                     "industrial": "manufacturing"}[s.kind],
               "voltage": s.voltage, "tariff": s.tariff,
               "time_of_use": s.tariff == "time_of_use", "interruptible": False,
               "reading_segment": s.segment,
               "capacity_kva": None if s.kind == "residential" else round(s.kwh / 150, -1),
               "important": s.important, "importance": s.importance, "area": s.area,
               # A few archives lack their feeder: archive completeness below 100%.
               "feeder": None if s.number % 37 == 0 else s.feeder,
               "bill_channel": s.channel,
               "bill_address": (f"1{s.number % 10**10:010d}" if s.channel in ("sms", "phone")
                                else f"{s.id.lower()}@example.cn" if s.channel == "email"
                                else f"{s.feeder} 路 {s.number} 号"),
               "bill_content": "detailed" if s.kind != "residential" else "summary",
               "bill_day": 5, "vip_flag": s.vip_flag, "contract_ends": s.contract_ends,
               "temporary_until": s.temporary_until}


def _measurements(ctx):
    for s in _supplies(ctx):
        for back in range(13, 0, -1):
            period = month_start(ctx.as_of, back)
            yield {"customer_id": s.id, "metric": "kwh", "period": period,
                   "value": s.month_kwh(period, back), "account_id": None}
            if s.kind != "residential":
                yield {"customer_id": s.id, "metric": "power_factor", "period": period,
                       "value": round(s.pf + s.rng.uniform(-0.01, 0.01), 3), "account_id": None}
                yield {"customer_id": s.id, "metric": "peak_share", "period": period,
                       "value": round(s.peak, 3), "account_id": None}


def _row(id, customer_id, kind, at, **values) -> dict:
    row = {"id": id, "customer_id": customer_id, "kind": kind, "occurred_at": at,
           "account_id": None, "manager_id": None, "channel": None, "amount": None,
           "outcome": None, "resolved_at": None, "due_on": None, "bill_period": None,
           "bill_id": None, "satisfaction": None, "equipment_id": None}
    row.update(values)
    return row


@functools.lru_cache(maxsize=4)
def _bill_months(as_of: dt.date) -> tuple:
    """(back, period, issued, due, id suffix, period label) of the year's bills: the same
    for every customer, so worked out once, not once per customer."""
    months = []
    for back in range(12, 0, -1):
        period = month_start(as_of, back)
        issued = month_start(as_of, back - 1).replace(day=5)
        months.append((back, period, issued, issued.replace(day=20), f"{period:%Y%m}",
                       f"{period:%Y-%m}"))
    return tuple(months)


def _bills(s, ctx):
    rng = random.Random(s.rng.random())
    for back, period, issued, due, suffix, label in _bill_months(ctx.as_of):
        if issued > ctx.as_of:
            continue
        amount = round(s.month_kwh(period, back) * PRICE[s.kind], 2)
        bill = f"{s.id}-B{suffix}"
        yield _row(bill, s.id, "bill", _at(issued, rng, (8, 9)), amount=amount, due_on=due,
                   bill_period=label, channel=s.channel)
        if s.payer == "stopped" and back <= 3:
            continue
        if s.payer == "late" and rng.random() < 0.5:
            paid_on = due + dt.timedelta(days=rng.randint(3, 40))
        elif s.payer == "partial" and back <= 2:
            first = round(amount * 0.4, 2)
            yield _row(f"{bill}-P1", s.id, "payment", _at(due - dt.timedelta(days=4), rng),
                       amount=first, bill_id=bill)
            continue
        else:
            paid_on = due - dt.timedelta(days=rng.randint(0, 12))
        if paid_on <= ctx.as_of:
            yield _row(f"{bill}-P", s.id, "payment", _at(paid_on, rng), amount=amount,
                       bill_id=bill)


def _interactions(ctx):
    for s in _supplies(ctx):
        rng = random.Random(s.rng.random() + 11)
        yield from _bills(s, ctx)
        if s.number == 8:   # the theft case (窃电)
            yield _row(f"{s.id}-THEFT", s.id, "theft", _at(ctx.as_of - dt.timedelta(days=50), rng),
                       outcome="meter bypass found, back-billed")
        elif rng.random() < 0.02:
            yield _row(f"{s.id}-V", s.id, "violation",
                       _at(ctx.as_of - dt.timedelta(days=rng.randint(30, 600)), rng))
        if s.number == 9 or rng.random() < 0.01:
            yield _row(f"{s.id}-K", s.id, "contract_breach",
                       _at(ctx.as_of - dt.timedelta(days=rng.randint(10, 200)), rng))
        if s.kind != "residential" and rng.random() < 0.6:
            day = ctx.as_of - dt.timedelta(days=rng.randint(0, 45))
            yield _row(f"{s.id}-VIS", s.id, "visit", _at(day, rng), manager_id=s.manager,
                       channel="on site", outcome="positive")
        if rng.random() < 0.08 or s.number <= 12:
            yield from _service(ctx, s, rng)
        if rng.random() < 0.05:
            yield _row(f"{s.id}-SV", s.id, "survey",
                       _at(ctx.as_of - dt.timedelta(days=rng.randint(0, 20)), rng),
                       channel="phone", satisfaction=rng.choices((2, 3, 4, 5), (5, 15, 45, 35))[0])
        if s.kind == "industrial" and rng.random() < 0.3:
            yield _row(f"{s.id}-SAVE", s.id, "saving",
                       _at(ctx.as_of - dt.timedelta(days=rng.randint(0, 20)), rng),
                       amount=round(rng.uniform(500, 8000), 2), outcome="移峰填谷")


def _service(ctx, s, rng):
    """Complaints, requests and repairs: first received by the owner, the 代理工 or the 农电工."""
    receiver = AGENT if s.area == "urban" and rng.random() < 0.3 else (
        RURAL_WORKER if s.area != "urban" and rng.random() < 0.4 else s.manager)
    kind = rng.choices(("complaint", "request", "repair"), (40, 30, 30))[0]
    if s.number in (10, 11):
        kind = "complaint"
    if s.number == 12:
        kind = "repair"
    days = rng.randint(2, 20) if s.number not in (10, 11) else (8 if s.number == 10 else 14)
    at = _at(ctx.as_of - dt.timedelta(days=days), rng)
    resolved = None
    if kind != "repair" and s.number not in (10, 11) and rng.random() < 0.7:
        # Some resolved late: past their 5 days.
        resolved = at + dt.timedelta(hours=rng.choice((6, 30, 70, 100, 130, 150)))
        resolved = resolved if resolved.date() <= ctx.as_of else None
    yield _row(f"{s.id}-{kind[:3].upper()}", s.id, kind, at, manager_id=receiver,
               channel="95598", resolved_at=resolved)


def _outages(ctx):
    day = ctx.as_of
    yield {"id": "PO-01", "kind": "planned", "feeder": "F03", "segment": None,
           "starts_at": dt.datetime.combine(day + dt.timedelta(days=12), dt.time(8)),
           "ends_at": dt.datetime.combine(day + dt.timedelta(days=12), dt.time(16)),
           "cause": "线路检修"}
    yield {"id": "PO-02", "kind": "planned", "feeder": "F07", "segment": None,
           "starts_at": dt.datetime.combine(day + dt.timedelta(days=4), dt.time(7)),
           "ends_at": dt.datetime.combine(day + dt.timedelta(days=4), dt.time(12)),
           "cause": "变电站改造"}
    yield {"id": "PO-03", "kind": "planned", "feeder": None, "segment": "S04",
           "starts_at": dt.datetime.combine(day - dt.timedelta(days=3), dt.time(9)),
           "ends_at": dt.datetime.combine(day - dt.timedelta(days=3), dt.time(15)),
           "cause": "表计轮换"}
    yield {"id": "TO-01", "kind": "temporary", "feeder": "F04", "segment": None,
           "starts_at": dt.datetime.combine(day + dt.timedelta(days=2), dt.time(13)),
           "ends_at": dt.datetime.combine(day + dt.timedelta(days=2), dt.time(15)),
           "cause": "临时消缺"}


def _kind(ctx, number: int) -> str:
    """A supply customer's kind without the rest of it: the first draw of its generator."""
    kind = _rng(ctx, 1, number).choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    return "industrial" if number in (1, 2) else "commercial" if number in (3, 5) else kind


def _equipment(ctx):
    # Only industrial customers and the hospital have VIP equipment: the others'
    # kind is enough to pass them by (a whole customer drawn for each one was
    # a pass as slow as writing the customers).
    for number in range(1, customer_count(ctx) + 1):
        if number != 3 and _kind(ctx, number) != "industrial":
            continue
        s = _Supply(ctx, number)
        rng = random.Random(s.rng.random() + 23)
        last = ctx.as_of - dt.timedelta(days=45 if s.number == 1 else rng.randint(1, 25))
        yield {"id": f"{s.id}-TR", "customer_id": s.id, "kind": "transformer",
               "name": "1# 主变", "installed_on": s.created, "repairs": rng.randint(0, 3),
               "last_repair_on": None, "patrol_manager_id": f"PE{s.number % 2 + 1:02d}",
               "last_patrol_on": last}


def generate(ctx):
    return {"managers": _managers(ctx), "customers": _customers(ctx),
            "measurements": _measurements(ctx), "interactions": _interactions(ctx),
            "outages": _outages(ctx), "equipment": _equipment(ctx)}


def summary(ws, ctx) -> str:
    from guanxi_power import summary as shown

    return shown.summary(ws, ctx)


DEMO = (
    DemoData(name="power.base", generate=generate, summary=summary,
             description="A utility's supply customers on twenty feeders: classes of tariff and "
                         "voltage, a year of seasonal kWh, bills and payments with late payers, "
                         "a theft case, complaints and repairs, outages, VIP equipment."),
)
