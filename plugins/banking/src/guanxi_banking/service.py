"""The banking pack's part of the core's service machinery.

- rule BANK-VISIT: a visit cadence by relationship level, planned by the
  core's visit planner only (``guanxi plan build``): A and B weekly, C every
  15 days (twice a month), D monthly; a visit or a call counts.
- rule BANK-COMPLAINT: an SLA case for every complaint interaction: first
  response within 24 hours, resolution within 5 days (120 hours), escalated
  to the owner's ``reports_to`` past it; the core's clocks and case rules
  do the rest.
"""

from __future__ import annotations

from guanxi import CasePolicy, VisitCadence


def cadences(cfg) -> tuple:
    # rule BANK-VISIT (《银行客户关系管理实施方案》§二(一): A、B 每周, C 每月两次, D 每月一次)
    return (
        VisitCadence(
            name="banking.visits",
            title="Visits by relationship level",
            description="BANK-VISIT: level A and B customers weekly, C every 15 days, D "
                        "monthly; due when the last visit or call is older than that.",
            segmentation="banking.relationship",
            intervals={"A": cfg["visit.a_days"], "B": cfg["visit.b_days"],
                       "C": cfg["visit.c_days"], "D": cfg["visit.d_days"]},
            daily_cap=cfg["visit.daily_cap"],
            group_by="territory",
            visit_kinds=("visit", "call"),
        ),
    )


def policies(cfg) -> tuple:
    # rule BANK-COMPLAINT (《客户管理制度》范文2 §四: 加快投诉响应时间和解决时间)
    return (
        CasePolicy(
            name="banking.complaint",
            title="Complaint (banking)",
            description="BANK-COMPLAINT: first response within 24 hours, resolution within 5 "
                        "days; owned by whoever received it, escalated past the target.",
            opens_on=("complaint",),
            response_hours=cfg["complaint.response_hours"],
            resolution_hours=cfg["complaint.resolution_hours"],
        ),
    )
