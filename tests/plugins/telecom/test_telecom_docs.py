"""docs/packs/telecom.md documents everything the pack declares, and its links work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_telecom import kpis, options, rules, segments, service

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "telecom.md"
TEXT = PAGE.read_text(encoding="utf-8")
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [r.name for r in rules.RULES]
         + [k.name for k in kpis.KPIS] + [f.name for f in service.FILTERS])
RULE_IDS = ["TEL-STAGE", "TEL-RISK", "TEL-STATUS", "TEL-CONTACT", "TEL-MULTI", "TEL-PARTNER",
            "TEL-EXPIRY", "TEL-WINBACK", "TEL-PRICE", "TEL-SWEEP"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contribution_is_documented(name):
    assert f"`{name}`" in TEXT


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_id_is_documented_and_in_the_code(ws, rule_id):
    assert rule_id in TEXT
    assert rule_id_sites(ws, "telecom", rule_id), (
        f"no contribution of the telecom pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bTEL-[A-Z]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    row = re.search(rf"^\| `\[telecom\.{re.escape(head)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [telecom.{head}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS,
                         ids=[f"{f.entity}.{f.name}" for f in options.FIELDS])
def test_every_field_is_documented(field):
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \|", TEXT, re.M)


@pytest.mark.parametrize("kind", ["bill", "complaint", "price_complaint", "quality_complaint",
                                  "competitor_signal", "risk_note"])
def test_every_interaction_kind_is_documented(kind):
    assert f"`{kind}`" in TEXT


def test_every_relative_link_points_to_a_file():
    for target in re.findall(r"\]\((?!https?:)([^)#]+)", TEXT):
        assert (PAGE.parent / target).exists(), target


def test_the_pack_page_cites_its_sources_by_title_not_by_file():
    assert "《大客户关系提升策略》" in TEXT and "《关于客户经理工作的汇报》" in TEXT
    assert not re.search(r"\b00\d_[0-9a-f]{8,}", TEXT)
