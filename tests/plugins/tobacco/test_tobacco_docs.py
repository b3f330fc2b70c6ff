"""docs/packs/tobacco.md documents everything the pack declares, and its links work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_tobacco import kpis, options, rules, segments, service

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "tobacco.md"
TEXT = PAGE.read_text(encoding="utf-8")
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [r.name for r in rules.RULES]
         + [k.name for k in kpis.KPIS] + ["tobacco.plan", service.PRICE_POLICY,
                                          service.QUALITY_POLICY, service.PROMOTION_POLICY,
                                          service.UNLICENSED_POLICY])
RULE_IDS = ["TOB-GRADE", "TOB-PROMO", "TOB-PLAN", "TOB-SPECIAL", "TOB-CHECKLIST", "TOB-PRICE",
            "TOB-REPORT", "TOB-QUALITY", "TOB-UNLICENSED", "TOB-NETWORK", "TOB-SURVEY"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contribution_is_documented(name):
    assert f"`{name}`" in TEXT


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_id_is_documented_and_in_the_code(ws, rule_id):
    assert rule_id in TEXT
    # Not the module docstrings that list every ID: a contribution that carries
    # the rule out (a segmentation, rule, KPI, case policy, cadence, report
    # kind, command or validate/after-save hook) names it in its description,
    # reasons or code.
    assert rule_id_sites(ws, "tobacco", rule_id), (
        f"no contribution of the tobacco pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bTOB-[A-Z]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    row = re.search(rf"^\| `\[tobacco\.{re.escape(head)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [tobacco.{head}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS, ids=[f"{f.entity}.{f.name}" for f in options.FIELDS])
def test_every_field_is_documented(field):
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \|", TEXT, re.M)


def test_every_relative_link_points_to_a_file():
    for target in re.findall(r"\]\((?!https?:)([^)#]+)", TEXT):
        assert (PAGE.parent / target).exists(), target
