"""docs/packs/banking.md documents everything the pack declares, and its links work."""

import re
from pathlib import Path

import pytest

from guanxi.testing import rule_id_sites
from guanxi_banking import kpis, options, rules, segments

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGE = DOCS / "packs" / "banking.md"
TEXT = PAGE.read_text(encoding="utf-8")
NAMES = ([s.name for s in segments.SEGMENTATIONS] + [r.name for r in rules.RULES]
         + [k.name for k in kpis.KPIS] + ["banking.visits", "banking.complaint"])
RULE_IDS = ["BANK-ABC", "BANK-TIER", "BANK-REL", "BANK-VISIT", "BANK-CHURN", "BANK-HANDOVER",
            "BANK-FEEDBACK", "BANK-COMPLAINT", "BANK-UPGRADE", "BANK-SPOTCHECK", "BANK-TEAM",
            "BANK-LIST", "BANK-SHARE"]


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
    assert rule_id_sites(ws, "banking", rule_id), (
        f"no contribution of the banking pack names {rule_id} in its description or code")


def test_every_rule_id_the_page_names_is_checked():
    assert sorted(set(re.findall(r"\bBANK-[A-Z]+\b", TEXT))) == sorted(RULE_IDS)


@pytest.mark.parametrize("option", options.OPTIONS, ids=[o.name for o in options.OPTIONS])
def test_every_setting_is_documented_with_its_type(option):
    head, _, leaf = option.name.rpartition(".")
    row = re.search(rf"^\| `\[banking\.{re.escape(head)}\] {leaf}` \| ([^|]+) \|", TEXT, re.M)
    assert row, f"no row for [banking.{head}] {leaf}"
    assert row[1].strip() == option.type


@pytest.mark.parametrize("field", options.FIELDS, ids=[f.name for f in options.FIELDS])
def test_every_field_is_documented(field):
    assert re.search(rf"^\| {field.entity} \| `{field.name}` \| {field.type} \|", TEXT, re.M)


@pytest.mark.parametrize("metric", options.METRICS, ids=[m.name for m in options.METRICS])
def test_every_metric_is_documented(metric):
    assert f"| `{metric.name}` | {metric.grain} |" in TEXT


def test_links_resolve_and_no_seed_file_is_named():
    text = re.sub(r"```.*?```", "", TEXT, flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        path, _, _ = target.partition("#")
        if path:
            assert (PAGE.parent / path).exists(), target
    for pattern in (r"\b00[0-4]_", r"seeds/", r"/work/", r"/tmp/"):
        assert not re.search(pattern, TEXT), pattern


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n### ", start + len(heading))
    return text[start:] if end < 0 else text[start:end]


@pytest.mark.parametrize("name", ["reports", "league"])
def test_every_banking_command_and_option_is_in_commands_md(name):
    import click

    from guanxi_banking.commands import banking

    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    command = banking.commands[name]
    section = _section(text, f"### `guanxi banking {name}`")
    for param in command.params:
        if isinstance(param, click.Option):
            for option in param.opts:
                assert option in section, f"guanxi banking {name} lacks {option}"
