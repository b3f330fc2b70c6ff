"""The test pack (hookpack.py) exercises every hook of guanxi.hookspecs.

One test follows a whole session and checks each hook's calls, their count
and their order; then one ``test_hook_<name>`` per hook checks what the core
does with that hook's answer, and a last test fails when a hook has no test
of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import guanxi
from core_helpers import count, fake_dists, read_text, reopen, table_names, write  # noqa: F401
from guanxi.cli import cli
from guanxi.plugins import hook_names
from guanxi.storage import tables as t
from guanxi.testing import rule_tasks
from hookpack import HookPack, log, notes

AS_OF = dt.date(2026, 11, 23)

CUSTOMERS = """\
id,name,grade,licence
C1,Ann,1,L1
C2,Bo,2,
C3,Cy,,
C4,Di,3,L4
C5,Ed,1,L5
"""


@pytest.fixture
def make_pack_ws(make_workspace):
    """Factory: (workspace, pack) where the fresh pack has seen no call yet.

    The first workspace builds the database (its pack object sees the
    upgrade); the second opens the same config with the pack under test.
    """
    opened = []

    def make(**pack_options):
        first = make_workspace(extra_packs={"testpack": HookPack()})
        pack = HookPack(**pack_options)
        ws = reopen(first, {"testpack": pack})
        opened.append(ws)
        return ws, pack

    yield make
    for ws in opened:
        ws.close()


def _log(ws) -> list[tuple[str, int]]:
    with ws.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(log.c.hook, log.c.rows).order_by(log.c.id))]


def test_the_pack_implements_every_hook(make_pack_ws):
    ws, _ = make_pack_ws()
    assert hook_names() == (
        "guanxi_config_options", "guanxi_fields", "guanxi_entities", "guanxi_metrics",
        "guanxi_schemas", "guanxi_segmentations", "guanxi_service_rules",
        "guanxi_record_rules", "guanxi_kpis", "guanxi_customer_filters", "guanxi_case_policies", "guanxi_visit_cadences",
        "guanxi_commands", "guanxi_demo_data", "guanxi_report_kinds", "guanxi_customer_panels",
        "guanxi_page_panels", "guanxi_validate_customers", "guanxi_validate_accounts", "guanxi_validate_interactions",
        "guanxi_after_customers_saved", "guanxi_after_accounts_saved",
        "guanxi_after_interactions_saved",
    )
    assert ws.plugins.hooks_of("testpack") == tuple(sorted(hook_names()))
    assert ws.plugins.broken == {}


def test_every_hook_is_called_once_per_workspace_or_once_per_batch_in_order(make_pack_ws, tmp_path):
    ws, pack = make_pack_ws()
    # Opening the workspace validates the config: the options come first.
    assert pack.calls == [("guanxi_config_options",)]

    result = ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS), batch_size=2)
    assert (result.inserted, result.rejected) == (5, 0)
    write(tmp_path / "accounts.csv", "id,customer_id,type,opened_by\nA1,C1,deposit,Wang\n")
    ws.import_file("accounts", tmp_path / "accounts.csv")
    write(tmp_path / "interactions.csv",
          "id,customer_id,kind,occurred_at,vip\nI1,C1,visit,2026-11-02 10:00,yes\n")
    ws.import_file("interactions", tmp_path / "interactions.csv")
    # Every accessor twice: contributions are collected once per workspace.
    for _ in range(2):
        ws.plugins.config_options()
        ws.plugins.fields()
        ws.plugins.entities()
        ws.plugins.metrics()
        ws.plugins.schemas()
        ws.plugins.segmentations()
        ws.plugins.service_rules()
        ws.plugins.record_rules()
        ws.plugins.kpis()
        ws.plugins.customer_filters()
        ws.plugins.case_policies(ws)
        ws.plugins.visit_cadences(ws)
        ws.plugins.commands()
        ws.plugins.demo_data()
        ws.plugins.report_kinds(ws)
    ws.customer_panels("C1")
    ws.page_panels("team")

    assert pack.calls == [
        ("guanxi_config_options",),
        # the first job checks the schema, then plans the file's columns
        ("guanxi_schemas",),
        ("guanxi_entities",),
        ("guanxi_fields",),
        # five rows in chunks of two: validated chunk by chunk before anything
        # is written, then handed over chunk by chunk once saved
        ("guanxi_validate_customers", 2),
        ("guanxi_validate_customers", 2),
        ("guanxi_validate_customers", 1),
        ("guanxi_after_customers_saved", 2),
        ("guanxi_after_customers_saved", 2),
        ("guanxi_after_customers_saved", 1),
        ("guanxi_validate_accounts", 1),
        ("guanxi_after_accounts_saved", 1),
        ("guanxi_validate_interactions", 1),
        # the core's own after-save opens cases, so it asks for the policies first
        ("guanxi_case_policies",),
        ("guanxi_after_interactions_saved", 1),
        ("guanxi_metrics",),
        ("guanxi_segmentations",),
        ("guanxi_service_rules",),
        ("guanxi_record_rules",),
        ("guanxi_kpis",),
        ("guanxi_customer_filters",),
        ("guanxi_visit_cadences",),
        ("guanxi_commands",),
        ("guanxi_demo_data",),
        ("guanxi_report_kinds",),
        # once per page shown, for its customer
        ("guanxi_customer_panels", "C1"),
        # once per team page shown
        ("guanxi_page_panels", "team"),
    ]
    assert set(pack.hooks_called()) == set(hook_names())
    assert all(workspace is ws for workspace in pack.workspaces)
    # Lifecycle hooks are called once per batch, never once per row.
    assert Counter(pack.hooks_called())["guanxi_validate_customers"] == 3


def test_unchanged_rows_are_validated_but_not_handed_to_after_saved(make_pack_ws, tmp_path):
    ws, pack = make_pack_ws()
    path = write(tmp_path / "customers.csv", CUSTOMERS)
    ws.import_file("customers", path)
    pack.calls.clear()
    result = ws.import_file("customers", path)
    assert result.unchanged == 5
    assert pack.calls == [("guanxi_validate_customers", 5)]
    assert _log(ws) == [("guanxi_after_customers_saved", 5)]


def test_after_saved_sees_the_columns_and_types_validate_saw(make_pack_ws, tmp_path):
    ws, pack = make_pack_ws()
    write(tmp_path / "customers.csv",
          "id,name,grade,licence_until\nC1,Ann,2,2027-03-31\nC2,Bo,,\n")
    ws.import_file("customers", tmp_path / "customers.csv")
    validated, saved = pack.batches
    assert validated.connection is None and saved.connection is not None
    assert validated.columns == saved.columns == ("id", "name", "grade", "licence_until")
    assert validated.rows == saved.rows == [
        ("C1", "Ann", 2, dt.date(2027, 3, 31)), ("C2", "Bo", None, None)]
    assert validated.lines == saved.lines == [2, 3]
    assert saved.dicts()[0] == {"id": "C1", "name": "Ann", "grade": 2,
                                "licence_until": dt.date(2027, 3, 31)}


# ---------------------------------------------------------------------------
# one test per hook
# ---------------------------------------------------------------------------


def test_hook_config_options(make_workspace):
    ws = make_workspace(extra_packs={"testpack": HookPack()}, settings={
        "testpack": {"threshold": 7}, "testpack.notes": {"share": 0.25, "tags": ["x"]}})
    assert ws.settings["testpack"] == {
        "threshold": 7, "mode": "strict", "notes.share": 0.25,
        "notes.since": dt.date(2026, 1, 1), "notes.enabled": True, "notes.tags": ["x"],
    }
    options = ws.plugins.config_options()
    assert sorted(name for (pack, name) in options if pack == "testpack") == [
        "mode", "notes.enabled", "notes.share", "notes.since", "notes.tags", "threshold"]
    assert options[("testpack", "threshold")].pack == "testpack"


def test_hook_fields(make_pack_ws):
    ws, _ = make_pack_ws()
    assert [(f.pack, f.entity, f.name, f.type, f.required, f.allowed) for f in ws.fields()] == [
        ("testpack", "accounts", "opened_by", "text", False, ()),
        ("testpack", "customers", "grade", "integer", False, (1, 2, 3)),
        ("testpack", "customers", "licence", "text", False, ()),
        ("testpack", "customers", "licence_until", "date", False, ()),
        ("testpack", "interactions", "vip", "boolean", False, ()),
    ]


def test_hook_entities(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.entities()["testpack_notes"].pack == "testpack"
    write(tmp_path / "customers.csv", "id,name\nC1,Ann\n")
    ws.import_file("customers", tmp_path / "customers.csv")
    path = write(tmp_path / "notes.csv", """\
        id,customer_id,body,noted_on,score
        N1,C1,first,2026/11/02,10
        N2,C9,unknown customer,,1
        N3,C1,too high,,11
        N4,C1,,20261103,0
        """)
    result = ws.import_file("testpack_notes", path)
    assert result.as_json() == {
        "entity": "testpack_notes", "read": 4, "inserted": 2, "updated": 0, "unchanged": 0,
        "rejected": 2, "rejects_file": str(tmp_path / "notes.rejects.csv"),
        "encoding": "utf-8", "dry_run": False}
    with ws.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(notes).order_by(notes.c.id))] == [
            ("N1", "C1", "first", dt.date(2026, 11, 2), 10),
            ("N4", "C1", None, dt.date(2026, 11, 3), 0),
        ]
    assert read_text(tmp_path / "notes.rejects.csv").splitlines() == [
        "id,customer_id,body,noted_on,score,line,column,value,reason",
        'N2,C9,unknown customer,,1,3,customer_id,C9,"customer_id C9 is not the id of any of '
        'customers, in the database or this file"',
        "N3,C1,too high,,11,4,score,11,must be between 0 and 10",
    ]
    # The exporter speaks the pack entity's columns too, and they round-trip.
    ws.export("testpack_notes", tmp_path / "out.csv")
    assert read_text(tmp_path / "out.csv").splitlines() == [
        "id,customer_id,body,noted_on,score", "N1,C1,first,2026-11-02,10", "N4,C1,,2026-11-03,0"]
    again = ws.import_file("testpack_notes", tmp_path / "out.csv")
    assert (again.unchanged, again.inserted, again.updated) == (2, 0, 0)


def test_hook_metrics(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.metrics()["visits"].pack == "testpack"
    write(tmp_path / "customers.csv", "id,name\nC1,Ann\n")
    ws.import_file("customers", tmp_path / "customers.csv")
    path = write(tmp_path / "m.csv",
                 "customer_id,metric,period,value\nC1,visits,2026-11-23,3\nC1,calls,2026-11,1\n")
    result = ws.import_file("measurements", path)
    assert (result.inserted, result.rejected) == (1, 1)
    declared = ", ".join(sorted(ws.plugins.metrics()))
    assert "visits" in declared
    assert read_text(tmp_path / "m.rejects.csv").splitlines()[1] == (
        f'C1,calls,2026-11,1,3,metric,calls,"not allowed; use one of: {declared}"')


def test_hook_schemas(make_pack_ws):
    ws, _ = make_pack_ws()
    assert {"testpack_notes", "testpack_log"} <= table_names(ws)
    states = {s.branch: s for s in ws.current()}
    assert list(states) == ["core", "testpack"]
    assert states["core"].current is not None and states["core"].at_head
    assert (states["testpack"].current, states["testpack"].head) == ("tp01", "tp01")


def test_hook_segmentations(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.segmentations()["testpack.everyone"].pack == "testpack"
    ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    (run,) = ws.segment(["testpack.everyone"], as_of=AS_OF)
    assert (run.name, run.counts, run.changed) == ("testpack.everyone", {"all": 5}, 5)
    with ws.engine.connect() as conn:
        assert conn.execute(
            select(t.segments.c.customer_id, t.segments.c.label)
            .where(t.segments.c.segmentation == "testpack.everyone")
            .order_by(t.segments.c.customer_id)
        ).all() == [(c, "all") for c in ("C1", "C2", "C3", "C4", "C5")]


def test_hook_service_rules(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.service_rules()["testpack.licence"].pack == "testpack"
    ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    (run,) = ws.run_rules(["testpack.licence"], as_of=AS_OF)
    # C2 and C3 have no licence; C1, C4 and C5 have one and get no task.
    assert (run.rule, run.created) == ("testpack.licence", 2)
    assert rule_tasks(ws, "testpack.licence") == [
        ("C2", None, "task", dt.date(2026, 11, 30), 2, "no licence on file for Bo"),
        ("C3", None, "task", dt.date(2026, 11, 30), 2, "no licence on file for Cy")]
    # A second run makes nothing new: the open tasks stand.
    (again,) = ws.run_rules(["testpack.licence"], as_of=AS_OF)
    assert again.created == 0 and count(ws, t.tasks) == 2


def test_hook_record_rules(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.record_rules()["testpack.licence_notes"].pack == "testpack"
    ws.import_file("customers", write(
        tmp_path / "customers.csv",
        "id,name,status,licence\nC1,Ann,active,L1\nC2,Bo,active,\nC3,Cy,lost,\n"))
    result = ws.run(as_of=AS_OF)
    # C2 has no licence; C1 has one; C3 is lost, which the pack's filter leaves out.
    assert [(r.rule, r.created) for r in result.records] == [("testpack.licence_notes", 1)]
    with ws.engine.connect() as conn:
        assert conn.execute(select(notes.c.id, notes.c.customer_id, notes.c.noted_on)).all() == [
            ("licence-C2", "C2", AS_OF)]
    # The batch again, the same day and the next: the note is there, none is added.
    assert [r.created for r in ws.run(as_of=AS_OF).records] == [0]
    assert [r.created for r in ws.run(as_of=AS_OF + dt.timedelta(days=1)).records] == [0]
    assert count(ws, notes) == 1


def test_hook_kpis(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert ws.plugins.kpis()["testpack.customers"].pack == "testpack"
    ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    (value,) = ws.kpi(["testpack.customers"], period="2026-11")
    assert (value.kpi, value.period, value.scope, value.value) == (
        "testpack.customers", "2026-11", "all", 5)


def test_hook_customer_filters(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    assert [f.pack for f in ws.plugins.filters_of("testpack")] == ["testpack"]
    ws.import_file("customers", write(tmp_path / "customers.csv",
                                      "id,name,status\nC1,Ann,active\nC2,Bo,lost\nC3,Cy,dormant\n"))
    (run,) = ws.segment(["testpack.everyone"], as_of=AS_OF)
    # The lost customer is not the pack's: its segmentation leaves it out.
    assert run.counts == {"all": 2}
    with ws.engine.connect() as conn:
        assert conn.execute(select(t.segments.c.customer_id).order_by(
            t.segments.c.customer_id)).scalars().all() == ["C1", "C3"]


def test_hook_case_policies(make_pack_ws):
    ws, pack = make_pack_ws()
    policy = ws.plugins.case_policies(ws)["testpack.complaint"]
    # The hook reads the pack's settings through the workspace it is given.
    assert (policy.name, policy.pack, policy.opens_on, policy.resolution_hours) == (
        "testpack.complaint", "testpack", ("complaint",), ws.settings["testpack"]["threshold"])
    assert [e.level for e in policy.escalations] == [2, 3]
    assert pack.workspaces[-1] is ws


def test_hook_visit_cadences(make_pack_ws):
    ws, _ = make_pack_ws()
    cadence = ws.plugins.visit_cadences(ws)["testpack.visits"]  # core.visits is there too
    assert (cadence.name, cadence.pack, cadence.segmentation, dict(cadence.intervals),
            cadence.daily_cap, cadence.group_by) == (
        "testpack.visits", "testpack", "testpack.everyone", {"all": 7}, 30, "territory")


def test_hook_commands(make_workspace, fake_dists, monkeypatch):
    # A pack command is reached through the command line, so the pack must
    # be installed: a made-up distribution whose entry point is hookpack.pack.
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    ws = make_workspace(packs=("testpack",))
    assert ws.plugins.commands()["testpack"].pack == "testpack"
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), "testpack", "hello"])
    assert (result.exit_code, result.output) == (0, "hello from testpack: 0 customers\n")


def test_hook_demo_data(make_pack_ws):
    ws, _ = make_pack_ws()
    demo = ws.plugins.demo_data()["testpack.base"]
    assert demo.pack == "testpack"
    assert demo.generate(None) == {"customers": [{"id": "D001", "name": "Demo customer"}]}


def test_hook_report_kinds(make_pack_ws):
    ws, _ = make_pack_ws()
    (kind,) = ws.report_kinds()
    assert (kind.name, kind.pack, kind.grain, kind.authored, kind.due_day) == (
        "testpack.customers", "testpack", "month", True, 3)
    assert list(kind.figures) == ["owned", "share"]
    assert ws.report_kind("testpack.customers") is kind


def _lifecycle(ws, tmp_path):
    ws.import_file("customers", write(tmp_path / "customers.csv", "id,name\nC1,Ann\nC2,Bo\n"))
    ws.import_file("accounts", write(
        tmp_path / "accounts.csv", "id,customer_id,type\nA1,C1,deposit\nA2,C2,loan\n"))
    return ws.import_file("interactions", write(
        tmp_path / "interactions.csv",
        "id,customer_id,kind,occurred_at\nI1,C1,visit,2026-11-02\nI2,C2,call,2026-11-03\n"))


def _validate_refuses_named_rows(make_pack_ws, tmp_path, entity):
    refused = {"customers": "C2", "accounts": "A2", "interactions": "I2"}[entity]
    ws, pack = make_pack_ws(reject={entity: {refused}})
    _lifecycle(ws, tmp_path)
    assert f"guanxi_validate_{entity}" in pack.hooks_called()
    return ws, read_text(tmp_path / f"{entity}.rejects.csv").splitlines()


def test_hook_validate_customers(make_pack_ws, tmp_path):
    ws, lines = _validate_refuses_named_rows(make_pack_ws, tmp_path, "customers")
    assert lines == ["id,name,line,column,value,reason",
                     "C2,Bo,3,id,C2,refused by the test pack (pack testpack)"]
    assert [c.id for c in ws.customers()] == ["C1"]


def test_hook_validate_accounts(make_pack_ws, tmp_path):
    ws, lines = _validate_refuses_named_rows(make_pack_ws, tmp_path, "accounts")
    assert lines == ["id,customer_id,type,line,column,value,reason",
                     "A2,C2,loan,3,id,A2,refused by the test pack (pack testpack)"]
    assert count(ws, t.accounts) == 1


def test_hook_validate_interactions(make_pack_ws, tmp_path):
    ws, lines = _validate_refuses_named_rows(make_pack_ws, tmp_path, "interactions")
    assert lines == ["id,customer_id,kind,occurred_at,line,column,value,reason",
                     "I2,C2,call,2026-11-03,3,id,I2,refused by the test pack (pack testpack)"]
    assert count(ws, t.interactions) == 1


def test_hook_after_customers_saved(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    _lifecycle(ws, tmp_path)
    assert _log(ws)[0] == ("guanxi_after_customers_saved", 2)


def test_hook_after_accounts_saved(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    _lifecycle(ws, tmp_path)
    assert _log(ws)[1] == ("guanxi_after_accounts_saved", 2)


def test_hook_after_interactions_saved(make_pack_ws, tmp_path):
    ws, _ = make_pack_ws()
    _lifecycle(ws, tmp_path)
    assert _log(ws) == [("guanxi_after_customers_saved", 2), ("guanxi_after_accounts_saved", 2),
                        ("guanxi_after_interactions_saved", 2)]


@pytest.mark.parametrize("hook", ["guanxi_after_customers_saved", "guanxi_after_accounts_saved",
                                  "guanxi_after_interactions_saved"])
def test_an_after_saved_hook_that_raises_leaves_the_entity_unwritten(make_pack_ws, tmp_path, hook):
    ws, _ = make_pack_ws(fail=hook)
    entity = hook.split("_")[2]
    with pytest.raises(guanxi.PackError) as failure:
        _lifecycle(ws, tmp_path)
    assert str(failure.value) == (
        f"pack 'testpack' failed in {hook}: RuntimeError: {hook} failed on purpose")
    table = {"customers": t.customers, "accounts": t.accounts, "interactions": t.interactions}
    assert count(ws, table[entity]) == 0
    # What the hook wrote through batch.connection rolled back with the rows.
    assert [h for h, _ in _log(ws)] == {
        "customers": [], "accounts": ["guanxi_after_customers_saved"],
        "interactions": ["guanxi_after_customers_saved", "guanxi_after_accounts_saved"],
    }[entity]


def test_hook_customer_panels(make_pack_ws, tmp_path):
    ws, pack = make_pack_ws()
    ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    ws.import_file("testpack_notes", write(tmp_path / "notes.csv",
                                           "id,customer_id,body\nN1,C1,first\nN2,C1,second\n"))
    panels = ws.customer_panels("C1", language="zh")
    assert [p.as_json() for p in panels] == [{
        "pack": "testpack", "title": "笔记", "text": "2 note(s)",
        "rows": [{"id": "N1", "body": "first"}, {"id": "N2", "body": "second"}],
        "columns": ["id", "body"]}]
    assert pack.calls[-1] == ("guanxi_customer_panels", "C1")
    assert [p.title for p in ws.customer_panels("C2", language="en")] == ["Notes"]


def test_hook_page_panels(make_pack_ws, tmp_path):
    ws, pack = make_pack_ws()
    ws.import_file("customers", write(tmp_path / "customers.csv", CUSTOMERS))
    ws.import_file("testpack_notes", write(tmp_path / "notes.csv",
                                           "id,customer_id,body\nN1,C1,first\nN2,C1,second\n"))
    [panel] = ws.page_panels("team", managers=frozenset({"M1"}), language="zh")
    assert panel.as_json() == {"pack": "testpack", "title": "笔记数", "text": None,
                               "rows": [{"what": "all", "notes": 2}],
                               "columns": ["what", "notes"], "chart": "bar"}
    assert pack.calls[-1] == ("guanxi_page_panels", "team")
    assert ws.page_panels("numbers") == []
    with pytest.raises(ValueError):  # a chart is a line or bars
        guanxi.CustomerPanel(title="x", chart="pie")


def test_every_hook_has_a_test():
    missing = [name for name in hook_names()
               if f"test_hook_{name.removeprefix('guanxi_')}" not in globals()]
    assert missing == []


def test_pack_commands_are_listed_by_help(make_workspace, fake_dists, monkeypatch):
    fake_dists.add("guanxi-testpack", "0.0.1", {"testpack": "hookpack:pack"})
    ws = make_workspace(packs=("testpack",))
    monkeypatch.setenv("GUANXI_CONFIG", str(ws.config.path))
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "  testpack " in result.output


def test_guanxi_trace_hooks_writes_each_call(make_workspace, fake_dists, monkeypatch, capsys):
    monkeypatch.setenv("GUANXI_TRACE_HOOKS", "1")
    ws = make_workspace()
    ws.plugins.segmentations()
    assert "guanxi: core.guanxi_segmentations() -> 1 result(s)\n" in capsys.readouterr().err
