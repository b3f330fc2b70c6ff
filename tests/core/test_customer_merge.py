"""Duplicate customers: candidate pairs (identity number; normalized name and phone)
and `customers merge KEEP DROP` (records move, DROP kept as an alias) at each boundary."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import literal, select

import guanxi
from core_helpers import write
from guanxi.cli import cli
from guanxi.errors import NotFoundError, UsageError
from guanxi.storage import tables as t

ON = dt.date(2026, 12, 1)


def invoke(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


class IdentityPack:
    """Customer fields an organization has: an identity number and a phone."""

    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="id_number", entity="customers", type="text"),
                guanxi.Field(name="phone", entity="customers", type="text"),
                guanxi.Field(name="segment_code", entity="customers", type="text")]


@pytest.fixture
def ws(workspace):
    ws = workspace
    ws.save("managers", [{"id": "M1", "name": "王芳"}, {"id": "M2", "name": "Li"}])
    ws.save("customers", [
        {"id": "C1", "name": "华北机械有限公司", "kind": "organization", "manager_id": "M1",
         "created_at": "2024-01-01"},
        {"id": "C2", "name": "华北机械（有限）责任公司", "kind": "organization", "manager_id": "M2",
         "created_at": "2025-06-01"},
        # the same name, another phone: not a pair
        {"id": "C3", "name": "华北 机械", "kind": "organization", "manager_id": "M1",
         "created_at": "2024-01-01"},
        # the same phone, another name: not a pair
        {"id": "C4", "name": "华南机械有限公司", "kind": "organization", "manager_id": "M1",
         "created_at": "2024-01-01"},
        {"id": "C5", "name": "ＺＨＡＮＧ Wei", "manager_id": "M1", "created_at": "2024-01-01"},
        {"id": "C6", "name": "zhang wei", "manager_id": "M1", "created_at": "2024-01-01"},
    ])
    ws.save("contacts", [
        {"id": "K1", "customer_id": "C1", "name": "刘", "phone": "13800138000"},
        {"id": "K2", "customer_id": "C2", "name": "刘", "phone": "+86 138-0013-8000"},
        {"id": "K3", "customer_id": "C3", "name": "陈", "phone": "13900139000"},
        {"id": "K4", "customer_id": "C4", "name": "周", "phone": "13800138000"},
        {"id": "K5", "customer_id": "C5", "name": "张伟", "phone": "１３７００１３７０００"},
        {"id": "K6", "customer_id": "C6", "name": "张伟", "phone": "137 0013 7000"},
    ])
    return ws


# -- candidate pairs ---------------------------------------------------------------------


def test_duplicates_pair_the_same_normalized_name_and_phone(ws):
    pairs = [(p.keep, p.drop, p.rules, p.reason) for p in ws.duplicates()]
    assert pairs == [
        ("C1", "C2", ("name_phone",), "the same name '华北机械' and phone 138****8000"),
        ("C5", "C6", ("name_phone",), "the same name 'zhangwei' and phone 137****7000"),
    ]


def test_duplicates_command_table_and_json(ws):
    code, out, _ = invoke(ws, "customers", "duplicates", "--format", "json")
    assert code == 0
    assert json.loads(out)[0] == {
        "keep": "C1", "keep_name": "华北机械有限公司", "drop": "C2",
        "drop_name": "华北机械（有限）责任公司", "rules": ["name_phone"],
        "reason": "the same name '华北机械' and phone 138****8000"}
    code, out, _ = invoke(ws, "customers", "duplicates")
    assert code == 0 and out.splitlines()[0].split() == [
        "keep", "keep_name", "drop", "drop_name", "reason"]
    assert len(out.splitlines()) == 4


def test_no_duplicates_says_so(workspace):
    workspace.save("customers", [{"id": "A", "name": "甲"}, {"id": "B", "name": "甲"}])
    # the same name without a phone is not enough
    assert invoke(workspace, "customers", "duplicates") == (
        0, "No duplicate customers found.\n", "")


def test_duplicates_by_identity_number_and_customer_phone_fields(make_workspace):
    ws = make_workspace(extra_packs={"idp": IdentityPack()})
    ws.save("customers", [
        {"id": "P1", "name": "张伟", "id_number": "11010519491231002x"},
        {"id": "P2", "name": "张 伟", "id_number": "110105 19491231002X", "phone": "13700137000"},
        {"id": "P3", "name": "张伟", "phone": "+8613700137000"},
        {"id": "P4", "name": "李娜", "id_number": "110105194912310021"},
        # an empty value pairs nothing
        {"id": "P5", "name": "王五", "id_number": ""},
        {"id": "P6", "name": "王五", "id_number": ""},
    ])
    assert [(p.keep, p.drop, p.rules, p.reason) for p in ws.duplicates()] == [
        ("P1", "P2", ("identity:id_number",), "the same id_number 110***********002X"),
        ("P2", "P3", ("name_phone",), "the same name '张伟' and phone 137****7000"),
    ]


# -- merging -----------------------------------------------------------------------------


@pytest.fixture
def held(ws):
    """C1 and C2 with records of their own; C2's to be merged into C1."""
    ws.save("accounts", [{"id": "A1", "customer_id": "C1", "type": "deposit"},
                         {"id": "A2", "customer_id": "C2", "type": "loan"},
                         {"id": "A3", "customer_id": "C2", "type": "deposit"}])
    ws.save("interactions", [
        {"id": "I1", "customer_id": "C2", "kind": "visit", "occurred_at": "2026-11-03T10:00:00"}])
    ws.save("measurements", [
        {"customer_id": "C1", "metric": "revenue", "period": "2026-11", "value": 10},
        {"customer_id": "C2", "metric": "revenue", "period": "2026-11", "value": 7},
        {"customer_id": "C2", "metric": "revenue", "period": "2026-10", "value": 5}])
    ws.save("lists", [{"list": "vip", "customer_id": "C2", "added_at": "2026-01-01"}])
    ws.save("customer_team", [{"customer_id": "C2", "manager_id": "M1", "role": "risk"}])
    return ws


def test_merge_moves_the_records_and_keeps_drop_as_an_alias(held):
    ws = held
    result = ws.merge_customers("C1", "C2", on=ON)
    assert (result.kept, result.dropped, result.on) == ("C1", "C2", ON)
    assert result.moved == {"accounts": 2, "contacts": 1, "customer_team": 1, "interactions": 1,
                            "list_members": 1, "measurements": 1}
    # C1 has its own 2026-11 revenue: C2's stays with C2, never summed or overwritten
    assert result.kept_apart == {"measurements": 1}
    assert result.reason == (
        "merged C2 (华北机械（有限）责任公司) into C1 on 2026-12-01: moved 2 accounts, 1 contacts, "
        "1 customer team, 1 interactions, 1 list members, 1 measurements; 1 measurements left "
        "with C2 (the same key as C1's own)")
    with ws.engine.connect() as conn:
        assert conn.execute(select(t.accounts.c.id).where(t.accounts.c.customer_id == "C1")
                            .order_by(t.accounts.c.id)).scalars().all() == ["A1", "A2", "A3"]
        a = t.customer_aliases
        assert conn.execute(select(a.c.alias, a.c.customer_id, a.c.merged_on)).all() == [
            ("C2", "C1", ON)]
        # DROP's ownership ends on the merge day; it is never deleted
        o = t.ownership
        assert conn.execute(select(o.c.ended_at).where(o.c.customer_id == "C2")).scalars().all() == [ON]
    assert ws.customer("C2").status == "merged"
    assert [c.id for c in ws.customers()] == ["C1", "C3", "C4", "C5", "C6"]
    assert [c.id for c in ws.customers(status="merged")] == ["C2"]
    view = ws.customer_view("C1")
    assert view["merged"] == [{"id": "C2", "merged_on": ON, "reason": result.reason}]
    # the merged customer is no longer a candidate
    assert [(p.keep, p.drop) for p in ws.duplicates()] == [("C5", "C6")]


def test_measurements_moved_exactly(held):
    held.merge_customers("C1", "C2", on=ON)
    m = t.measurements
    with held.engine.connect() as conn:
        rows = conn.execute(select(m.c.customer_id, m.c.value)
                            .order_by(m.c.customer_id, m.c.value)).all()
    assert [(c, float(v)) for c, v in rows] == [("C1", 5.0), ("C1", 10.0), ("C2", 7.0)]


def test_open_tasks_of_drops_owner_follow_to_keeps_owner(held):
    ws = held
    with ws.engine.begin() as conn:
        conn.execute(t.tasks.insert().values(
            rule="core.reactivation", customer_id="C2", manager_id="M2", kind="call",
            due_at=dt.datetime(2026, 12, 3), all_day=True, priority=1, status="open",
            reason="call", created_at=dt.datetime(2026, 11, 30)))
    ws.merge_customers("C1", "C2", on=ON)
    with ws.engine.connect() as conn:
        assert conn.execute(select(t.tasks.c.customer_id, t.tasks.c.manager_id)).all() == [
            ("C1", "M1")]


def test_merge_command_json_and_sentence(held):
    code, out, _ = invoke(held, "customers", "merge", "C1", "C2", "--on", "2026-12-01",
                          "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["kept"], doc["dropped"], doc["on"], doc["kept_apart"]) == (
        "C1", "C2", "2026-12-01", {"measurements": 1})
    code, out, _ = invoke(held, "customers", "show", "C1")
    assert "Merged into this customer" in out and "merged C2 (" in out


def test_merge_sentence_in_chinese(held):
    from guanxi.engines.reasons import render

    held.merge_customers("C1", "C2", on=ON)
    with held.engine.connect() as conn:
        stored = conn.execute(select(t.customer_aliases.c.reason)).scalar_one()
    assert render(stored, {}, "zh").startswith(
        "2026-12-01 将 C2（华北机械（有限）责任公司）合并入 C1：移入 账户 2、联系人 1")


@pytest.mark.parametrize("keep, drop, code, message", [
    ("C1", "C1", 2, "Error: KEEP and DROP are the same customer 'C1'; name two customers\n"),
    ("C1", "C22", 1, "Error: no customer with id 'C22' (did you mean 'C2'?)\n"),
    ("X9", "C2", 1, "Error: no customer with id 'X9'\n"),
])
def test_merge_refuses(held, keep, drop, code, message):
    assert invoke(held, "customers", "merge", keep, drop) == (code, "", message)
    assert held.customer("C2").status == "active"


def test_merge_refuses_a_customer_already_merged(held):
    held.merge_customers("C1", "C2", on=ON)
    with pytest.raises(UsageError, match=r"^DROP 'C2' was merged into 'C1' on 2026-12-01; "
                                         r"name 'C1' instead$"):
        held.merge_customers("C3", "C2", on=ON)
    with pytest.raises(UsageError, match=r"^KEEP 'C2' was merged into 'C1'"):
        held.merge_customers("C2", "C3", on=ON)
    with pytest.raises(NotFoundError):
        held.merge_customers("C1", "nope", on=ON)


def test_a_chain_of_merges_points_every_alias_at_the_last_kept(held):
    held.merge_customers("C1", "C2", on=ON)
    held.merge_customers("C3", "C1", on=ON)
    with held.engine.connect() as conn:
        a = t.customer_aliases
        assert conn.execute(select(a.c.alias, a.c.customer_id).order_by(a.c.alias)).all() == [
            ("C1", "C3"), ("C2", "C3")]


# -- a later import naming DROP lands on KEEP --------------------------------------------


def test_an_import_naming_drop_lands_on_keep(held, tmp_path):
    ws = held
    ws.merge_customers("C1", "C2", on=ON)
    code, out, _ = invoke(ws, "import", "accounts", str(write(
        tmp_path / "accounts.csv", "id,customer_id,type\nA9,C2,deposit\nA2,C2,loan\n")),
        "--format", "json")
    assert (code, json.loads(out)["rejected"]) == (0, 0)
    with ws.engine.connect() as conn:
        assert conn.execute(select(t.accounts.c.customer_id).where(
            t.accounts.c.id.in_(["A9", "A2"]))).scalars().all() == ["C1", "C1"]
    # a customers row naming DROP updates KEEP
    code, out, _ = invoke(ws, "import", "customers", str(write(
        tmp_path / "customers.csv",
        "id,name,kind,manager_id,created_at\nC2,华北机械有限公司,organization,M2,2024-01-01\n")),
        "--format", "json")
    assert code == 0 and json.loads(out)["updated"] == 1
    assert ws.customer("C1").manager_id == "M2"
    assert ws.customer("C2").status == "merged"


def test_export_leaves_out_merged_customers_and_round_trips(held, tmp_path):
    held.merge_customers("C1", "C2", on=ON)
    out = tmp_path / "customers.csv"
    assert invoke(held, "export", "customers", str(out))[0] == 0
    assert "C2," not in out.read_text(encoding="utf-8")
    code, stdout, _ = invoke(held, "import", "customers", str(out), "--format", "json")
    assert (code, json.loads(stdout)["unchanged"]) == (0, 5)


def test_core_customers_counts_a_merged_customer_once(held):
    (before,) = held.kpi(["core.customers"], period="2026-11")
    held.merge_customers("C1", "C2", on=ON)
    (after,) = held.kpi(["core.customers"], period="2026-11")
    assert (before.value, after.value) == (6, 5)



class CallEveryone:
    """A rule that calls every customer: a merged one would be called too."""

    @guanxi.hookimpl
    def guanxi_service_rules(self):
        def query(ctx):
            c = ctx.tables.customers
            return select(c.c.id.label("customer_id"), ctx.due(1).label("due_at"),
                          literal(2).label("priority"), literal("call").label("reason"))
        return [guanxi.ServiceRule(name="calls.everyone", title="", description="", query=query)]


def test_the_next_run_labels_and_tasks_the_kept_customer_only(make_workspace):
    # C2's records moved to C1: the engines give the merged customer no label
    # and no task, and its earlier label ends with a history row.
    from guanxi.testing import current_labels

    ws = make_workspace(extra_packs={"calls": CallEveryone()})
    ws.save("managers", [{"id": "M1", "name": "王芳"}])
    ws.save("customers", [{"id": c, "name": c, "manager_id": "M1", "created_at": "2026-11-01"}
                          for c in ("C1", "C2", "C3")])
    ws.segment(["core.activity"], as_of=ON)
    assert current_labels(ws, "core.activity") == {"C1": "active", "C2": "active", "C3": "active"}
    ws.merge_customers("C1", "C2", on=ON)
    as_of = ON + dt.timedelta(days=1)
    ws.segment(["core.activity"], as_of=as_of)
    assert current_labels(ws, "core.activity") == {"C1": "active", "C3": "active"}
    h = t.segment_history
    with ws.engine.connect() as conn:
        assert conn.execute(select(h.c.old_label, h.c.new_label, h.c.changed_on).where(
            h.c.customer_id == "C2").order_by(h.c.id)).all() == [
            (None, "active", ON), ("active", None, as_of)]
    (run,) = ws.run_rules(["calls.everyone"], as_of=as_of)
    assert (run.created, run.existing) == (2, 0)
    assert sorted(task.customer_id for task in ws.tasks(rule="calls.everyone")) == ["C1", "C3"]
