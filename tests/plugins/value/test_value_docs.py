"""docs/packs/value.md documents everything the pack declares, and its links work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_value import kpis, options, report, segments

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "value.md"
TEXT = PAGE.read_text(encoding="utf-8")
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [k.name for k in kpis.KPIS]
         + [r.name for r in report.REPORT_KINDS] + [m.name for m in options.METRICS])
RULE_IDS = ["VAL-RFM", "VAL-PARETO", "VAL-ABC", "VAL-LTV", "VAL-BGNBD", "VAL-COHORT",
            "VAL-RETENTION", "VAL-TYPE"]


@pytest.mark.parametrize("name", NAMES)
def test_every_contribution_is_documented(name):
    assert f"`{name}`" in TEXT


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_id_is_documented_and_in_the_code(ws, rule_id):
    assert f"### {rule_id}" in TEXT or f"## {rule_id}" in TEXT
    assert rule_id_sites(ws, "value", rule_id), (
        f"no contribution of the value pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bVAL-[A-Z]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    section = f"value.{head}" if head else "value"
    row = re.search(rf"^\| `\[{re.escape(section)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [{section}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS, ids=[f"{f.entity}.{f.name}" for f in options.FIELDS])
def test_every_field_is_documented(field):
    allowed = ", ".join(field.allowed)
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \| {allowed} \|",
                     TEXT, re.M)


def test_the_default_segment_mapping_is_the_documented_table():
    for entry in options.RFM_SEGMENTS:
        name, bounds = options.parse_segment(entry)
        cells = ["any" if b == (1, 5) else (f"{b[0]}" if b[0] == b[1] else f"{b[0]}–{b[1]}")
                 for b in bounds]
        assert f"| `{name}` | {' | '.join(cells)} |" in TEXT


def test_every_relative_link_points_to_a_file():
    for target in re.findall(r"\]\((?!https?:)([^)#]+)", TEXT):
        assert (PAGE.parent / target).exists(), target


def test_every_anchor_of_the_contents_is_a_heading():
    headings = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.+)$", TEXT, re.M)}
    for anchor in re.findall(r"\]\(#([^)]+)\)", TEXT):
        assert anchor in headings, anchor
