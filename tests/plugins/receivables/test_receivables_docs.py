"""docs/packs/receivables.md documents everything the pack declares, and its links work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_receivables import kpis, options, report, rules, segments

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "receivables.md"
TEXT = PAGE.read_text(encoding="utf-8")
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [k.name for k in kpis.KPIS]
         + [r.name for r in report.REPORT_KINDS] + [r.name for r in rules.RULES]
         + ["receivables.credit", "receivables.legal"])
RULE_IDS = ["REC-LEDGER", "REC-AGING", "REC-DSO", "REC-COLLECT", "REC-POLICY", "REC-3C"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contribution_is_documented(name):
    assert f"`{name}`" in TEXT


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_id_is_documented_and_in_the_code(ws, rule_id):
    assert f"## {rule_id}" in TEXT
    assert rule_id_sites(ws, "receivables", rule_id), (
        f"no contribution of the receivables pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bREC-[A-Z0-9]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    section = f"receivables.{head}" if head else "receivables"
    row = re.search(rf"^\| `\[{re.escape(section)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [{section}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS, ids=[f"{f.entity}.{f.name}" for f in options.FIELDS])
def test_every_field_is_documented(field):
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \|", TEXT, re.M)


def test_the_policy_table_is_the_default_settings():
    defaults = {o.name: o.default for o in options.OPTIONS}
    for n, grade in enumerate(options.GRADES):
        limit = f"{defaults['credit.limit'][n]:,}"
        days = f"{defaults['credit.period_days'][n]} days"
        assert re.search(rf"^\| {grade} \| {defaults['credit.standard'][n]} \| {limit} \| {days} \|",
                         TEXT, re.M), grade


def test_every_relative_link_points_to_a_file():
    for target in re.findall(r"\]\((?!https?:)([^)#]+)", TEXT):
        assert (PAGE.parent / target).exists(), target


def test_every_anchor_of_the_contents_is_a_heading():
    headings = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", TEXT, re.M)}
    for anchor in re.findall(r"\]\(#([^)]+)\)", TEXT):
        assert anchor in headings, anchor
