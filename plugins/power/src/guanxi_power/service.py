"""The power pack's SLA cases: POWER-COMPLAINT, POWER-ROUTE and POWER-REPAIR.

- rule POWER-COMPLAINT (金华电业局 §4.6 首问负责制; hours ours): a complaint or
  a request opens a case owned by whoever first received it (the
  interaction's manager: 代理工 and 农电工 are managers with those roles),
  else the customer's owner; respond within 24 h, resolve within 5 days,
  call back within 3 days of resolving. A VIP's case (on the ``vip`` list
  when it came in, or flagged ``vip_flag``) is its own policy with the VIP
  limits (绿色通道) and lists first.
- rule POWER-ROUTE (惠州供电局 §2.3-2.4; levels ours): past the resolution
  limit a 督办 order, level 2, goes to the 服务调度 (a manager with the role
  ``service dispatcher``); past twice it level 3 goes one step further up
  (the dispatcher's ``reports_to``). Exactly at the limit nothing happens;
  one second past it does (the core's clocks: a deadline is missed when
  the moment is strictly after it).
- rule POWER-REPAIR (State Grid 十项承诺; remote restoration ours): a repair
  opens a case by the customer's area: arrival (the response clock) within
  45 min urban, 90 min rural, 2 h remote; restoration within 3 h urban,
  4 h rural, 4 h remote of arrival, so the resolution clock is arrival +
  restoration from opening; the restoration KPI measures arrival to
  restoration itself.
"""

from __future__ import annotations

from sqlalchemy import false, func, or_

from guanxi import CasePolicy, Escalation

ESCALATIONS = (Escalation(level=2, after=1.0, role="service dispatcher"),
               Escalation(level=3, after=2.0, role="reports_to"))


def vip_when(ctx, customers, day=None):
    """The customer is a VIP: on the ``vip`` list on ``day`` (SQL; None: the as-of
    day), or flagged ``vip_flag``."""
    listed = ctx.on_list("vip", customers.c.id, day)
    return or_(listed, ctx.attribute(customers, "vip_flag", "boolean"))


def _vip_at_opening(ctx, customers, interactions):
    return vip_when(ctx, customers, ctx.date_of(interactions.c.occurred_at))


def _not_vip_at_opening(ctx, customers, interactions):
    # NULL-safe: a customer without the flag is not a VIP.
    return func.coalesce(_vip_at_opening(ctx, customers, interactions), false()) == false()


def _first(ctx, customers):
    return vip_when(ctx, customers)


def _area_is(area):
    def condition(ctx, customers, interactions):
        value = ctx.attribute(customers, "area")
        if area == "urban":  # no area given: the strictest limits
            return or_(value == "urban", value.is_(None))
        return value == area
    return condition


AREAS = ("urban", "rural", "remote")


def policies(cfg) -> tuple:
    complaint = dict(opens_on=("complaint", "request"), escalations=ESCALATIONS,
                     first_when=_first)
    found = [
        CasePolicy(
            name="power.complaint", title="Complaint or request",
            description="POWER-COMPLAINT, POWER-ROUTE: owned by its first receiver (首问负责制); "
                        "respond within 24 h, resolve within 5 days, call back within 3 days; "
                        "督办 level 2 to the service dispatcher past the resolution limit, "
                        "level 3 past twice it.",
            response_hours=cfg["complaint.response_hours"],
            resolution_hours=cfg["complaint.resolution_hours"],
            callback_hours=cfg["complaint.callback_hours"],
            applies_to=_not_vip_at_opening, **complaint),
        CasePolicy(
            name="power.complaint_vip", title="VIP complaint or request (绿色通道)",
            description="POWER-COMPLAINT, POWER-ROUTE: a VIP's complaint or request, listed "
                        "first, with the VIP limits (respond 4 h, resolve 48 h, call back 24 h).",
            response_hours=cfg["complaint.vip_response_hours"],
            resolution_hours=cfg["complaint.vip_resolution_hours"],
            callback_hours=cfg["complaint.vip_callback_hours"],
            applies_to=_vip_at_opening, **complaint),
    ]
    for area in AREAS:
        arrival = cfg[f"repair.{area}_arrival_minutes"] / 60
        restore = cfg[f"repair.{area}_restore_hours"]
        found.append(CasePolicy(
            name=f"power.repair_{area}", title=f"Repair ({area})",
            description=f"POWER-REPAIR: a repair for a customer in a {area} area: arrival "
                        f"within {cfg[f'repair.{area}_arrival_minutes']} minutes, supply "
                        f"restored within {restore} hours of arrival; 督办 past the limit "
                        "(POWER-ROUTE).",
            opens_on=("repair",), response_hours=arrival, resolution_hours=arrival + restore,
            callback_hours=cfg["complaint.callback_hours"], escalations=ESCALATIONS,
            applies_to=_area_is(area), first_when=_first))
    return tuple(found)


def repair_limits(cfg) -> dict:
    """Policy name -> (arrival hours, restoration hours), for the repair KPIs."""
    return {f"power.repair_{a}": (cfg[f"repair.{a}_arrival_minutes"] / 60,
                                  cfg[f"repair.{a}_restore_hours"]) for a in AREAS}


COMPLAINT_POLICIES = ("power.complaint", "power.complaint_vip")
REPAIR_POLICIES = tuple(f"power.repair_{a}" for a in AREAS)
