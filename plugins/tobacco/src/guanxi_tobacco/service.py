"""The tobacco pack's part of the core's service machinery.

- rule TOB-PLAN: a visit cadence by grade (分级管理), planned by the core's
  planner at each week's end for the next week (``guanxi plan build``):
  grades 1–2 weekly, grade 3 every two weeks, the rest monthly, at most 30
  a day per manager, each territory whole on the first day with room for it
  (only one larger than a day's free places spans days).
- rule TOB-PRICE: a reported price violation opens a case whose one step is
  the regional market manager's approval of the downgrade (降级处理); once
  approved, the grade goes down (:mod:`guanxi_tobacco.segments`).
- rule TOB-QUALITY: the quality complaint's steps (§4.6), each with who and
  when: inspected on site, the feedback form signed by the retailer, the
  regional market manager's approval, the replacement, the retailer's
  confirmation; resolving the case is feeding the result back.
- rule TOB-PROMO: a promotion recommendation's chain: the list to the
  regional market manager, the brand manager's decision, the material
  signed for by the retailer (《宣传促销品签收单》).
- rule TOB-UNLICENSED: a report of unlicensed selling, passed on by the
  regional market manager to the monopoly department the same working day,
  and the outcome reported to the 卷烟经营部.
"""

from __future__ import annotations

from sqlalchemy import func

from guanxi import CasePolicy, CaseStep, CustomerFilter, Rejection, VisitCadence
from guanxi_tobacco.options import (
    BRAND_MANAGER,
    GRADE,
    PRICE_VIOLATION,
    QUALITY_COMPLAINT,
    REGIONAL_MANAGER,
    SURVEY,
    UNLICENSED,
    VISIT,
)

#: The pack serves licensed retailers: customers with a licence number. The
#: engines keep its grades and rules to them; its KPIs ask ``ctx.served``.
FILTERS = (
    CustomerFilter(
        name="tobacco.retailers",
        description="Licensed retailers (持证零售客户): customers with a licence_no.",
        condition=lambda ctx, c: func.coalesce(ctx.attribute(c, "licence_no"), "") != "",
    ),
)

PRICE_POLICY = "tobacco.price_downgrade"
QUALITY_POLICY = "tobacco.quality"
PROMOTION_POLICY = "tobacco.promotion"
UNLICENSED_POLICY = "tobacco.unlicensed"
#: The step whose approval lowers the grade (TOB-PRICE).
DOWNGRADE_STEP = "downgrade_approved"
#: The step whose approval records the retailer's signature for promotion material.
PROMOTION_SIGNED_STEP = "material_signed"


def grade_count(cfg) -> int:
    """How many grades the thresholds make: n thresholds, n + 1 grades (checked at load)."""
    return len(cfg["grade.thresholds"]) + 1


def visit_days(cfg, grade: int) -> int:
    """Days between visits of a grade (rule TOB-PLAN)."""
    if grade <= cfg["plan.weekly_through"]:
        return cfg["plan.weekly_days"]
    if grade <= cfg["plan.fortnightly_through"]:
        return cfg["plan.fortnightly_days"]
    return cfg["plan.monthly_days"]


def cadences(cfg) -> tuple:
    # rule TOB-PLAN (§4.1.1: 每周末制订下周的《客户访问日程表》, 分级管理)
    intervals = {str(g): visit_days(cfg, g) for g in range(1, grade_count(cfg) + 1)}
    return (
        VisitCadence(
            name="tobacco.plan",
            title="Weekly visit schedule (客户访问日程表)",
            description="TOB-PLAN: grades 1-2 weekly, grade 3 every two weeks, grades 4-5 "
                        "monthly, over the working days, at most 30 a day per manager, each "
                        "territory whole on the first day with room for it.",
            segmentation=GRADE,
            intervals=intervals,
            daily_cap=cfg["plan.daily_cap"],
            group_by=cfg["plan.group_by"],
            visit_kinds=(VISIT,),
        ),
    )


def policies(cfg) -> tuple:
    step = cfg["quality.step_hours"]
    return (
        # rule TOB-PRICE (§4.1.3f: 报请区域市场经理对其及时进行降级处理)
        CasePolicy(
            name=PRICE_POLICY,
            title="Price violation: downgrade",
            description="TOB-PRICE: a price below the unified minimum retail guide price, "
                        "reported to the regional market manager, who approves the downgrade.",
            opens_on=(PRICE_VIOLATION,),
            steps=(CaseStep(name=DOWNGRADE_STEP, role=REGIONAL_MANAGER,
                            limit_hours=cfg["price.approval_hours"],
                            description="the regional market manager approves the downgrade"),),
        ),
        # rule TOB-QUALITY (§4.6)
        CasePolicy(
            name=QUALITY_POLICY,
            title="Quality complaint",
            description="TOB-QUALITY: inspected on site within a day, the feedback form "
                        "signed, approved by the regional market manager, replaced, receipt "
                        "confirmed by the retailer, the result fed back.",
            opens_on=(QUALITY_COMPLAINT,),
            resolution_hours=cfg["quality.resolution_hours"],
            steps=(
                CaseStep(name="inspected", role="owner", limit_hours=cfg["quality.inspect_hours"],
                         description="the defective goods seen on site, the cause learned"),
                CaseStep(name="form_signed", role="owner", limit_hours=step,
                         description="《商品及服务质量信息反馈单》 filled in and signed by the "
                                     "retailer"),
                CaseStep(name="approved", role=REGIONAL_MANAGER, limit_hours=step,
                         description="form and goods checked and approved by the regional "
                                     "market manager"),
                CaseStep(name="replaced", role="owner", limit_hours=step,
                         description="the defective goods replaced"),
                CaseStep(name="receipt_confirmed", role="owner", limit_hours=step,
                         description="the retailer signs 客户确认 on the form"),
            ),
        ),
        # rule TOB-PROMO (§4.2)
        CasePolicy(
            name=PROMOTION_POLICY,
            title="Promotion recommendation",
            description="TOB-PROMO: a grade 1-3 retailer recommended by the manager, listed to "
                        "the regional market manager, decided by the brand manager, the "
                        "material signed for by the retailer.",
            steps=(
                CaseStep(name="listed", role=REGIONAL_MANAGER,
                         description="the regional market manager takes the recommendation "
                                     "onto the list"),
                CaseStep(name="decided", role=BRAND_MANAGER,
                         description="the brand manager decides the promotion retailers"),
                CaseStep(name=PROMOTION_SIGNED_STEP, role="owner",
                         description="material issued, the retailer signs "
                                     "《宣传促销品签收单》"),
            ),
        ),
        # rule TOB-UNLICENSED (§4.7: 立即向区域市场经理汇报)
        CasePolicy(
            name=UNLICENSED_POLICY,
            title="Unlicensed selling",
            description="TOB-UNLICENSED: reported at once; the regional market manager "
                        "passes it to the monopoly department the same working day and "
                        "reports the outcome to the 卷烟经营部.",
            opens_on=(UNLICENSED,),
            steps=(
                # Due the same working day (立即): tobacco.step_request's task says
                # so; a clock of fixed hours would run into the next day.
                CaseStep(name="forwarded", role=REGIONAL_MANAGER,
                         description="passed to the monopoly department (专卖部门)"),
                CaseStep(name="outcome_reported", role=REGIONAL_MANAGER,
                         description="the outcome reported to the 卷烟经营部"),
            ),
        ),
    )


def check_interactions(batch):
    """Refuse a price violation that is not below its guide price, a survey without a score.

    Only the rows of those two kinds are looked at.
    """
    columns = batch.columns
    kind = columns.index("kind")
    price = columns.index("retail_price") if "retail_price" in columns else None
    guide = columns.index("guide_price") if "guide_price" in columns else None
    score = columns.index("satisfaction") if "satisfaction" in columns else None
    for index, row in enumerate(batch.rows):
        if row[kind] == PRICE_VIOLATION and price is not None and guide is not None:
            found, floor = row[price], row[guide]
            if found is not None and floor is not None and found >= floor:
                yield Rejection(
                    index=index, column="retail_price", value=found,
                    reason=f"a price violation's retail_price must be below its guide_price "
                           f"({floor})")
        elif row[kind] == SURVEY and (score is None or row[score] is None):
            yield Rejection(index=index, column="satisfaction", value=None,
                            reason="a survey needs a satisfaction score from 1 to 5")
