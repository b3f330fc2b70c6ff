"""Issue 20: an organization's own fields and metrics in guanxi.toml, the
identity field types, and identity numbers masked everywhere but export
and ``customers show --unmask``."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import literal, select

import guanxi

from core_helpers import read_text, reopen, write
from guanxi.cli import cli
from guanxi.errors import ConfigError, ImportFileError
from guanxi.masking import mask, mask_attributes, mask_rows, masked_fields
from guanxi.storage import tables as t
from guanxi.testing import current_labels

OWN = {
    "fields.customers.risk_level": {"type": "text", "allowed": ["low", "medium", "high"],
                                    "required": False},
    "fields.customers.id_card": {"type": "cn_ric", "description": "身份证号码"},
    "fields.customers.credit_code": {"type": "cn_uscc"},
    "fields.contacts.mobile": {"type": "cn_mobile"},
    "fields.interactions.number_of_cds": {"type": "integer"},
    "fields.accounts.rate_share": {"type": "share"},
    "metrics.cds": {"grain": "month", "aggregate": "sum", "unit": "items"},
}
RIC = "11010519491231002X"   # the check digit of the standard's example
USCC = "91110000600037341L"


@pytest.fixture
def own(make_workspace, tmp_path):
    ws = make_workspace(settings=OWN)
    write(tmp_path / "m.csv", "id,name\nM1,Wang\n")
    ws.import_file("managers", tmp_path / "m.csv")
    return ws


def run(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


def rejects(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [(r["line"], r["column"], r["reason"]) for r in csv.DictReader(handle)]


# -- declarations ----------------------------------------------------------------------


def test_declared_fields_and_metrics_are_the_organization_packs(own):
    fields = own.plugins.fields()
    risk = fields[("customers", "risk_level")]
    assert (risk.pack, risk.type, risk.allowed, risk.required) == (
        "organization", "text", ("low", "medium", "high"), False)
    assert fields[("customers", "id_card")].description == "身份证号码"
    cds = own.plugins.metrics()["cds"]
    assert (cds.pack, cds.title, cds.grain, cds.aggregate, cds.unit) == (
        "organization", "cds", "month", "sum", "items")


def test_guanxi_fields_names_guanxi_toml_as_the_source(own):
    code, out, _ = run(own, "fields", "--format", "json")
    assert code == 0
    rows = {(r["entity"], r["name"]): r for r in json.loads(out)}
    assert rows[("customers", "risk_level")] == {
        "pack": "organization", "entity": "customers",
        "name": "risk_level", "type": "text", "required": False,
        "allowed": ["low", "medium", "high"]}
    code, out, _ = run(own, "fields", "--entity", "contacts")
    assert out.splitlines()[0].split() == ["source", "entity", "name", "type", "required",
                                           "allowed", "description"]
    assert out.splitlines()[2].split() == ["guanxi.toml", "contacts", "mobile", "cn_mobile",
                                           "no"]


def test_guanxi_plugins_lists_the_organization(own):
    code, out, _ = run(own, "plugins", "--format", "json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["organization"]["distribution"] == "guanxi.toml"
    assert rows["organization"]["hooks"] == ["guanxi_fields", "guanxi_metrics"]


@pytest.mark.parametrize(("settings", "message"), [
    ({"fields.customer.x": {"type": "text"}},
     "[fields.customer] names no entity that takes fields (did you mean 'customers'?); "
     "use one of: customers, accounts, contacts, interactions"),
    ({"fields.customers.x": {"type": "txt"}},
     "[fields.customers.x] type = 'txt' is no field type (did you mean 'text'?); use one of: "
     "text, integer, decimal, share, boolean, date, datetime, cn_ric, cn_uscc, cn_mobile"),
    ({"fields.customers.x": {"allowed": ["a"]}},
     "[fields.customers.x] type is missing; use one of: text, integer, decimal, share, "
     "boolean, date, datetime, cn_ric, cn_uscc, cn_mobile"),
    ({"fields.customers.x": {"type": "text", "requird": True}},
     "unknown key [fields.customers.x] requird (did you mean 'required'?); "
     "allowed: type, allowed, required, description"),
    ({"fields.customers.x": {"type": "text", "required": "yes"}},
     "[fields.customers.x] required = 'yes' must be true or false"),
    ({"fields.customers.x": {"type": "text", "allowed": [1, 2]}},
     "[fields.customers.x] allowed = [1, 2] must be a list of texts like [\"low\", \"high\"]"),
    ({"fields.customers.x": {"type": "date", "allowed": ["2026-01-01"]}},
     "[fields.customers.x] allowed is for text, integer and decimal fields, not for a date "
     "field"),
    ({"fields.customers.name": {"type": "text"}},
     "[fields.customers.name]: customers already has a column 'name'; give the field another "
     "name"),
    ({"fields.customers.Risk": {"type": "text"}},
     "[fields.customers.Risk]: the name 'Risk' must be lower-case letters, digits and "
     "underscores, starting with a letter"),
    ({"metrics.cds": {"grain": "monthly"}},
     "[metrics.cds] grain = 'monthly' is not allowed (did you mean 'month'?); "
     "use one of: day, month"),
    ({"metrics.cds": {"aggregate": "total"}},
     "[metrics.cds] aggregate = 'total' is not allowed; use one of: sum, avg, last"),
    ({"metrics.cds": {"units": "items"}},
     "unknown key [metrics.cds] units (did you mean 'unit'?); "
     "allowed: grain, aggregate, unit, title, description"),
])
def test_a_bad_declaration_is_one_config_error_naming_its_key(make_workspace, settings, message):
    with pytest.raises(ConfigError) as caught:
        make_workspace(settings=settings)
    # startswith: the allowed keys grow "aliases" once guanxi.Field has them
    assert str(caught.value).startswith(f"guanxi.toml: {message}")
    assert len(str(caught.value)) <= len(f"guanxi.toml: {message}") + len(", aliases")


def test_a_bad_declaration_on_the_command_line_exits_1_in_one_line(own, tmp_path):
    path = own.config.path
    path.write_text(read_text(path) + '\n[metrics.bad]\ngrain = "week"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(path), "fields"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "guanxi.toml: [metrics.bad] grain = 'week' is not allowed; use one of: day, month")
    assert len(result.stderr.strip().splitlines()) == 1


# -- importing what the organization declares -------------------------------------------


def test_an_interactions_file_with_number_of_cds_and_a_measurements_file_of_cds(own, tmp_path):
    own.import_file("customers", write(tmp_path / "c.csv", "id,name,manager_id\nC1,Ann,M1\n"))
    result = own.import_file("interactions", write(tmp_path / "i.csv", """\
        id,customer_id,kind,occurred_at,number_of_cds
        I1,C1,order,2026-11-02 10:00,"1,200"
        I2,C1,order,2026-11-03 10:00,
        I3,C1,order,2026-11-04 10:00,two
        """))
    assert (result.inserted, result.rejected) == (2, 1)
    assert rejects(tmp_path / "i.rejects.csv") == [("4", "number_of_cds", "expected a whole number")]
    with own.engine.connect() as conn:
        docs = dict(conn.execute(select(t.interactions.c.id, t.interactions.c.attributes)).all())
    assert docs == {"I1": {"number_of_cds": 1200}, "I2": {}}
    result = own.import_file("measurements", write(tmp_path / "ms.csv", """\
        customer_id,metric,period,value
        C1,cds,2026-11-30,"1,234"
        """))
    assert (result.inserted, result.rejected) == (1, 0)
    with own.engine.connect() as conn:
        row = conn.execute(select(t.measurements.c.period, t.measurements.c.value)).one()
    assert (row.period, Decimal(str(row.value))) == (dt.date(2026, 11, 1), Decimal("1234"))


def test_a_field_added_later_to_a_workspace_with_data(make_workspace, tmp_path):
    ws = make_workspace()
    write(tmp_path / "m.csv", "id,name\nM1,Wang\n")
    ws.import_file("managers", tmp_path / "m.csv")
    ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\nC2,Bob\n"))
    with pytest.raises(ImportFileError, match=r"unknown column\(s\) risk_level "):
        ws.import_file("customers", write(tmp_path / "r.csv", "id,name,risk_level\nC1,Ann,low\n"))
    path = ws.config.path
    path.write_text(read_text(path) + '\n[fields.customers.risk_level]\ntype = "text"\n'
                    'allowed = ["low", "medium", "high"]\n', encoding="utf-8")
    later = reopen(ws)
    try:
        result = later.import_file("customers", write(tmp_path / "r.csv",
                                                      "id,name,risk_level\nC1,Ann,low\n"
                                                      "C2,Bob,severe\n"))
        assert (result.inserted, result.updated, result.rejected) == (0, 1, 1)
        assert rejects(tmp_path / "r.rejects.csv") == [
            ("3", "risk_level", "not allowed; use one of: low, medium, high")]
        assert {c.id: c.attributes for c in later.customers()} == {
            "C1": {"risk_level": "low"}, "C2": {}}
    finally:
        later.close()


def test_identity_numbers_are_checked_and_stored_normalized(own, tmp_path):
    result = own.import_file("customers", write(tmp_path / "c.csv", f"""\
        id,name,id_card,credit_code
        C1,Ann,{RIC.lower()},
        C2,Bob,110105194912310021,
        C3,Cai,110105194913310029,
        C4,Dai,1101051949123100,
        C5,华北机械,,{USCC}
        C6,Eve,,91110000600037341X
        C7,Fan,１１０１０５ １９４９１２３１ ００２Ｘ,
        """))
    assert (result.inserted, result.rejected) == (3, 4)
    assert rejects(tmp_path / "c.rejects.csv") == [
        ("3", "id_card", "the check digit is 1, but the first 17 digits give X"),
        ("4", "id_card", "the birth date 1949-13-31 (characters 7 to 14) is not a date"),
        ("5", "id_card", "an identity card number has 18 characters, not 16"),
        ("7", "credit_code", "the check character is X, but the first 17 characters give L"),
    ]
    stored = {c.id: c.attributes for c in own.customers(unmask=True)}
    assert stored == {"C1": {"id_card": RIC}, "C5": {"credit_code": USCC},
                      "C7": {"id_card": RIC}}


def test_mobile_numbers(own, tmp_path):
    own.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    result = own.import_file("contacts", write(tmp_path / "k.csv", """\
        id,customer_id,name,mobile
        K1,C1,Ann,+86 138-0013-8000
        K2,C1,Bob,008613900139000
        K3,C1,Cai,12800138000
        K4,C1,Dai,1380013800
        K5,C1,Eve,
        """))
    assert (result.inserted, result.rejected) == (3, 2)
    reason = ("expected a mainland mobile number: 11 digits starting 13 to 19, "
              "optionally after +86")
    assert rejects(tmp_path / "k.rejects.csv") == [("4", "mobile", reason),
                                                   ("5", "mobile", reason)]
    with own.engine.connect() as conn:
        docs = dict(conn.execute(select(t.contacts.c.id, t.contacts.c.attributes)).all())
    assert docs == {"K1": {"mobile": "13800138000"}, "K2": {"mobile": "13900139000"}, "K5": {}}


def test_a_required_identity_field_refuses_an_empty_cell(make_workspace, tmp_path):
    ws = make_workspace(settings={"fields.customers.id_card": {"type": "cn_ric",
                                                               "required": True}})
    result = ws.import_file("customers", write(tmp_path / "c.csv",
                                               f"id,name,id_card\nC1,Ann,{RIC}\nC2,Bob,\n"))
    assert (result.inserted, result.rejected) == (1, 1)
    assert rejects(tmp_path / "c.rejects.csv") == [("3", "id_card", "id_card is required")]


def test_a_share_field_reads_percentages_and_keeps_to_0_to_1(own, tmp_path):
    own.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    result = own.import_file("accounts", write(tmp_path / "a.csv", """\
        id,customer_id,type,rate_share
        A1,C1,loan,12.5%
        A2,C1,loan,0.25
        A3,C1,loan,１００％
        A4,C1,loan,120%
        """))
    assert (result.inserted, result.rejected) == (3, 1)
    assert rejects(tmp_path / "a.rejects.csv") == [("5", "rate_share", "must be between 0 and 1")]
    with own.engine.connect() as conn:
        docs = dict(conn.execute(select(t.accounts.c.id, t.accounts.c.attributes)).all())
    assert docs == {"A1": {"rate_share": 0.125}, "A2": {"rate_share": 0.25},
                    "A3": {"rate_share": 1.0}}


# -- masking ---------------------------------------------------------------------------


def test_mask_keeps_the_first_3_and_the_last_4():
    assert mask(RIC) == "110***********002X"
    assert mask("13800138000") == "138****8000"
    assert mask(USCC) == "911***********341L"
    assert mask("12345678") == "123*5678"
    assert mask("1234567") == "*******"
    assert mask("") == ""
    assert mask(None) is None


def test_mask_attributes_and_rows_mask_only_identity_fields(own):
    names = masked_fields(own.plugins.fields().values(), "customers")
    assert names == {"id_card", "credit_code"}
    doc = {"id_card": RIC, "risk_level": "low", "credit_code": None}
    assert mask_attributes(doc, names) == {"id_card": "110***********002X", "risk_level": "low",
                                           "credit_code": None}
    assert doc["id_card"] == RIC  # a copy
    rows = [{"id": "C1", "attributes": doc}, {"id": "C2", "attributes": {}}]
    assert mask_rows(rows, names)[0]["attributes"]["id_card"] == "110***********002X"


@pytest.fixture
def customer_with_ids(own, tmp_path):
    own.import_file("customers", write(tmp_path / "c.csv",
                                       f"id,name,manager_id,id_card,risk_level\n"
                                       f"C1,Ann,M1,{RIC},low\n"))
    own.import_file("contacts", write(tmp_path / "k.csv",
                                      "id,customer_id,name,mobile\nK1,C1,Ann,13800138000\n"))
    return own


def test_listings_and_the_360_view_show_identity_numbers_masked(customer_with_ids):
    ws = customer_with_ids
    assert ws.customers()[0].attributes == {"id_card": "110***********002X", "risk_level": "low"}
    assert ws.customers(unmask=True)[0].attributes["id_card"] == RIC
    view = ws.customer_view("C1")
    assert view["customer"]["attributes"]["id_card"] == "110***********002X"
    assert view["contacts"][0]["attributes"] == {"mobile": "138****8000"}
    whole = ws.customer_view("C1", unmask=True)
    assert whole["customer"]["attributes"]["id_card"] == RIC
    assert whole["contacts"][0]["attributes"] == {"mobile": "13800138000"}


def test_the_command_line_masks_unless_unmask(customer_with_ids):
    ws = customer_with_ids
    code, out, _ = run(ws, "customers", "list", "--format", "json")
    assert json.loads(out)[0]["attributes"]["id_card"] == "110***********002X"
    assert RIC not in out
    code, out, _ = run(ws, "customers", "show", "C1")
    assert "  id_card: 110***********002X" in out.splitlines()
    assert RIC not in out
    code, out, _ = run(ws, "customers", "show", "C1", "--format", "json")
    assert RIC not in out and "13800138000" not in out
    code, out, _ = run(ws, "customers", "show", "C1", "--unmask")
    assert code == 0 and f"  id_card: {RIC}" in out.splitlines()
    code, out, _ = run(ws, "customers", "show", "C1", "--unmask", "--format", "json")
    view = json.loads(out)
    assert view["customer"]["attributes"]["id_card"] == RIC
    assert view["contacts"][0]["attributes"]["mobile"] == "13800138000"
    assert [e.action for e in ws.audit_log()][-1] == "identity shown"


def test_export_writes_identity_numbers_whole_so_they_round_trip(customer_with_ids, tmp_path):
    ws = customer_with_ids
    ws.export("customers", tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert (row["id_card"], row["risk_level"]) == (RIC, "low")
    result = ws.import_file("customers", tmp_path / "out.csv")
    assert (result.inserted, result.rejected) == (0, 0)
    assert ws.customers(unmask=True)[0].attributes["id_card"] == RIC


# -- a share field in a pack's query; config show ----------------------------------------


class _ShareKit:
    @guanxi.hookimpl
    def guanxi_segmentations(self):
        def query(ctx):
            c = ctx.tables.customers
            share = ctx.attribute(c, "wallet_share", "share")
            return select(c.c.id.label("customer_id"), literal("main").label("label"),
                          share.label("score"), literal("half or more").label("reason")
                          ).where(share >= 0.5)

        return [guanxi.Segmentation(name="kit.main", title="Main bank",
                                    description="Half the wallet or more.", labels=("main",),
                                    query=query)]


def test_a_share_field_of_guanxi_toml_is_a_number_in_a_packs_query(make_workspace, tmp_path):
    ws = make_workspace(extra_packs={"kit": _ShareKit()},
                        settings={"fields.customers.wallet_share": {"type": "share"}})
    ws.import_file("customers", write(tmp_path / "c.csv", """\
        id,name,wallet_share
        C1,Ann,50%
        C2,Bob,49.99%
        C3,Cai,0.9
        C4,Dai,
        """))
    ws.segment(["kit.main"], as_of=dt.date(2026, 11, 20))
    assert current_labels(ws, "kit.main") == {"C1": "main", "C3": "main"}


def test_config_show_prints_the_declarations(own):
    code, out, _ = run(own, "config", "show")
    assert code == 0
    text = out.split("[fields.customers.risk_level]\n", 1)[1]
    assert text.startswith('type = "text"\nallowed = ["low", "medium", "high"]\n'
                           "required = false\n")
    assert '\n[metrics.cds]\ngrain = "month"\naggregate = "sum"\nunit = "items"\n' in out
    code, out, _ = run(own, "config", "show", "--format", "json")
    data = json.loads(out)
    assert data["metrics"] == {"cds": {"grain": "month", "aggregate": "sum", "unit": "items"}}
    assert data["fields"]["contacts"] == {"mobile": {"type": "cn_mobile"}}


class _RiskPack:
    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="risk_level", entity="customers", type="text",
                             allowed=("low", "medium", "high"))]

    @guanxi.hookimpl
    def guanxi_metrics(self):
        return [guanxi.Metric(name="cds", title="CDs")]


def test_a_packs_field_declared_alike_in_guanxi_toml_is_one_field(make_workspace):
    ws = make_workspace(extra_packs={"risk": _RiskPack()},
                        settings={"fields.customers.risk_level": OWN["fields.customers.risk_level"]})
    assert ws.plugins.fields()[("customers", "risk_level")].pack == "organization"


def test_a_clash_with_a_pack_names_guanxi_toml_and_the_pack(make_workspace):
    ws = make_workspace(extra_packs={"risk": _RiskPack()},
                        settings={"fields.customers.risk_level": {"type": "integer"},
                                  "metrics.cds": {"unit": "items"}})
    with pytest.raises(guanxi.PackError) as caught:
        ws.plugins.fields()
    assert str(caught.value) == (
        "guanxi.toml declares the Field 'customers.risk_level' and so does the pack 'risk', "
        "differently; remove it from guanxi.toml, or disable the pack")
    with pytest.raises(guanxi.PackError) as caught:
        ws.plugins.metrics()
    assert str(caught.value) == (
        "guanxi.toml declares the Metric 'cds' and so does the pack 'risk'; remove it from "
        "guanxi.toml, or disable the pack")
