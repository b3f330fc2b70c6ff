"""docs/packs/power.md documents everything the pack declares, and its links work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_power import committee, entities, kpis, options, rules, segments, service

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "power.md"
TEXT = PAGE.read_text(encoding="utf-8")
POLICIES = [p.name for p in service.policies({o.name: o.default for o in options.OPTIONS})]
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [r.name for r in rules.RULES]
         + [k.name for k in kpis.KPIS] + POLICIES + [committee.COMMITTEE.name]
         + ["power.supply", "guanxi power notices"])
RULE_IDS = ["POWER-CLASS", "POWER-VIP", "POWER-CREDIT", "POWER-REMIND", "POWER-OUTAGE",
            "POWER-ANOMALY", "POWER-ADVICE", "POWER-VISIT", "POWER-COMPLAINT", "POWER-ROUTE",
            "POWER-REPAIR", "POWER-EXPIRY", "POWER-BILLPREF", "POWER-EQUIP"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contribution_is_documented(name):
    assert f"`{name}`" in TEXT


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_id_is_documented_and_in_the_code(ws, rule_id):
    assert rule_id in TEXT
    assert rule_id_sites(ws, "power", rule_id), (
        f"no contribution of the power pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bPOWER-[A-Z]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    row = re.search(rf"^\| `\[power\.{re.escape(head)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [power.{head}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS, ids=[f"{f.entity}.{f.name}" for f in options.FIELDS])
def test_every_field_is_documented(field):
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \|", TEXT, re.M)


@pytest.mark.parametrize("entity", entities.ENTITIES, ids=[e.name for e in entities.ENTITIES])
def test_every_entity_column_is_documented(entity):
    section = TEXT.split(f"**`{entity.name}`**", 1)[1].split("```", 1)[0]
    for column in entity.columns:
        assert f"`{column}`" in section, column


def test_every_relative_link_points_to_a_file():
    for target in re.findall(r"\]\((?!https?:)([^)#]+)", TEXT):
        assert (PAGE.parent / target).exists(), target
