"""Finding, loading and checking packs: duplicates, prefixes, broken packs,
packs failing inside a hook, and packs installed as real distributions."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

import guanxi
from core_helpers import (  # noqa: F401 - fake_dists is a fixture
    BROKEN_PACK,
    GOOD_PACK,
    counts,
    fake_dists,
    reopen,
    write,
)
from guanxi.cli import cli
from guanxi.plugins import installed_packs
from guanxi.testing import write_config


class Pack:
    """A pack written inline: each keyword becomes one of its hooks."""

    def __init__(self, **hooks):
        for name, function in hooks.items():
            setattr(self, name, guanxi.hookimpl(function))


def grade_field():
    return [guanxi.Field(name="grade", entity="customers", type="text")]


def _open(workspace, **packs):
    """The workspace's database, reopened with inline packs enabled in order."""
    return reopen(workspace, packs)


# ---------------------------------------------------------------------------
# two records with one name
# ---------------------------------------------------------------------------


def test_two_packs_declaring_one_field_alike_share_it(workspace):
    # banking and tobacco both declare interactions.satisfaction, 1 to 5.
    ws = _open(workspace, packa=Pack(guanxi_fields=grade_field),
               packb=Pack(guanxi_fields=grade_field))
    assert [(f.pack, f.entity, f.name) for f in ws.fields()] == [("packa", "customers", "grade")]


def test_two_packs_declaring_one_field_differently_is_an_error_naming_both(workspace, tmp_path):
    def grade_number():
        return [guanxi.Field(name="grade", entity="customers", type="integer")]

    ws = _open(workspace, packa=Pack(guanxi_fields=grade_field),
               packb=Pack(guanxi_fields=grade_number))
    message = ("two packs contribute the Field 'customers.grade': 'packa' and 'packb'; "
               "disable one of them")
    with pytest.raises(guanxi.PackError) as failure:
        ws.fields()
    assert str(failure.value) == message
    before = counts(ws)
    with pytest.raises(guanxi.PackError, match="^two packs contribute the Field"):
        ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    assert counts(ws) == before


def test_one_field_name_on_two_entities_is_no_clash(workspace):
    def on_accounts():
        return [guanxi.Field(name="grade", entity="accounts", type="text")]

    ws = _open(workspace, packa=Pack(guanxi_fields=grade_field),
               packb=Pack(guanxi_fields=on_accounts))
    assert [(f.pack, f.entity, f.name) for f in ws.fields()] == [
        ("packb", "accounts", "grade"), ("packa", "customers", "grade")]


def test_a_pack_entity_named_like_a_core_entity_names_the_core(workspace):
    from guanxi.builtin.entities import CORE_ENTITIES

    customers = next(e for e in CORE_ENTITIES if e.name == "customers")
    ws = _open(workspace, packa=Pack(guanxi_entities=lambda: [customers]))
    with pytest.raises(guanxi.PackError) as failure:
        ws.plugins.entities()
    assert str(failure.value) == (
        "two packs contribute the Entity 'customers': 'core' and 'packa'; disable one of them")


def test_two_packs_declaring_one_metric(workspace):
    def revenue():
        return [guanxi.Metric(name="revenue", title="Revenue again")]

    ws = _open(workspace, packa=Pack(guanxi_metrics=revenue))
    with pytest.raises(guanxi.PackError) as failure:
        ws.plugins.metrics()
    assert str(failure.value) == (
        "two packs contribute the Metric 'revenue': 'core' and 'packa'; disable one of them")


def test_two_packs_adding_one_command(workspace):
    import click

    def command():
        return [guanxi.Command(name="report", command=click.Command("report"))]

    ws = _open(workspace, packa=Pack(guanxi_commands=command), packb=Pack(guanxi_commands=command))
    with pytest.raises(guanxi.PackError) as failure:
        ws.plugins.commands()
    assert str(failure.value) == (
        "two packs contribute the Command 'report': 'packa' and 'packb'; disable one of them")


def test_one_pack_declaring_a_field_twice(workspace):
    ws = _open(workspace, packa=Pack(guanxi_fields=lambda: grade_field() + grade_field()))
    with pytest.raises(guanxi.PackError) as failure:
        ws.fields()
    assert str(failure.value) == "pack 'packa' contributes the Field 'customers.grade' twice"


# ---------------------------------------------------------------------------
# names carry the pack's prefix
# ---------------------------------------------------------------------------


def _query(ctx):  # never run: the names fail first
    raise AssertionError


PREFIXED = {
    "guanxi_segmentations": lambda name: guanxi.Segmentation(
        name=name, title="t", description="d", query=_query),
    "guanxi_service_rules": lambda name: guanxi.ServiceRule(
        name=name, title="t", description="d", query=_query),
    "guanxi_kpis": lambda name: guanxi.Kpi(name=name, title="t", description="d", query=_query),
    "guanxi_demo_data": lambda name: guanxi.DemoData(name=name, description="d", generate=_query),
}
ACCESSOR = {"guanxi_segmentations": "segmentations", "guanxi_service_rules": "service_rules",
            "guanxi_kpis": "kpis", "guanxi_demo_data": "demo_data"}


@pytest.mark.parametrize("hook", sorted(PREFIXED))
def test_a_contribution_named_with_another_packs_prefix_is_refused(workspace, hook):
    record = PREFIXED[hook]
    ws = _open(workspace, packa=Pack(**{hook: lambda: [record("packb.thing")]}))
    with pytest.raises(guanxi.PackError) as failure:
        getattr(ws.plugins, ACCESSOR[hook])()
    what = type(record("packa.x")).__name__
    assert str(failure.value) == (
        f"pack 'packa' contributes {what} 'packb.thing': its name must start with 'packa.'")


@pytest.mark.parametrize("hook", sorted(PREFIXED))
def test_a_contribution_named_without_any_prefix_is_refused(workspace, hook):
    record = PREFIXED[hook]
    ws = _open(workspace, packa=Pack(**{hook: lambda: [record("thing")]}))
    with pytest.raises(guanxi.PackError) as failure:
        getattr(ws.plugins, ACCESSOR[hook])()
    what = type(record("packa.x")).__name__
    assert str(failure.value) == (
        f"pack 'packa' failed in {hook}: ValueError: {what} name 'thing' must be dotted, "
        "starting with the pack's name, like 'banking.abc'")


def test_a_prefixed_contribution_is_accepted_and_stamped(workspace):
    record = PREFIXED["guanxi_kpis"]
    ws = _open(workspace, packa=Pack(guanxi_kpis=lambda: [record("packa.thing")]))
    assert ws.plugins.kpis()["packa.thing"].pack == "packa"


def test_a_hook_returning_the_wrong_record_type(workspace):
    ws = _open(workspace, packa=Pack(guanxi_metrics=grade_field))
    with pytest.raises(guanxi.PackError) as failure:
        ws.plugins.metrics()
    assert str(failure.value) == (
        "pack 'packa' returned Field from guanxi_metrics; expected guanxi.Metric records")


# ---------------------------------------------------------------------------
# broken packs: shown with the reason, every job refuses
# ---------------------------------------------------------------------------


def _jobs(ws, tmp_path):
    """Every job of the workspace API, each a callable."""
    path = write(tmp_path / "customers.csv", "id,name\nC1,Ann\n")
    return {
        "import": lambda: ws.import_file("customers", path),
        "save": lambda: ws.save("customers", [{"id": "C1", "name": "Ann"}]),
        "export": lambda: ws.export("customers", tmp_path / "out.csv"),
        "customers": lambda: ws.customers(),
        "fields": lambda: ws.fields(),
        "upgrade": lambda: ws.upgrade(),
        "reassign": lambda: ws.reassign("M1", "M2"),
    }


def wrong_argument(workspace, rows):  # the spec's argument is "batch"
    return []


@pytest.mark.parametrize(("hooks", "reason"), [
    ({"guanxi_validate_customers": wrong_argument},
     "has a hook with a wrong signature: guanxi_validate_customers takes rows, but guanxi "
     "passes workspace, batch"),
    ({"guanxi_feilds": grade_field},
     "has hook guanxi_feilds that guanxi does not know (a misspelt name? see docs/hooks.md)"),
], ids=["wrong-argument", "misspelt-hook"])
def test_a_broken_pack_is_shown_and_every_job_refuses(workspace, tmp_path, hooks, reason):
    # The hook's own name, as a real module would have it.
    if "guanxi_validate_customers" in hooks:
        wrong_argument.__name__ = "guanxi_validate_customers"
    ws = _open(workspace, healthy=Pack(guanxi_fields=grade_field), packa=Pack(**hooks))
    assert ws.plugins.broken == {"packa": reason}
    info = {i.name: i for i in ws.plugins.pack_infos()}
    assert (info["packa"].broken, info["packa"].hooks, info["healthy"].broken) == (
        reason, (), None)
    before = counts(ws)
    for job, run in _jobs(ws, tmp_path).items():
        with pytest.raises(guanxi.PackError) as failure:
            run()
        assert str(failure.value) == (
            f"pack 'packa' is broken: {reason}; fix it, or remove it from [guanxi] packs, "
            "before running any job"), job
    assert counts(ws) == before


# ---------------------------------------------------------------------------
# a pack raising inside a hook
# ---------------------------------------------------------------------------


def boom(*args):
    raise RuntimeError("boom")


def test_a_pack_raising_in_a_contribution_hook_is_named_with_the_hook(workspace, tmp_path):
    ws = _open(workspace, packa=Pack(guanxi_fields=boom))
    before = counts(ws)
    with pytest.raises(guanxi.PackError) as failure:
        ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    assert str(failure.value) == "pack 'packa' failed in guanxi_fields: RuntimeError: boom"
    assert counts(ws) == before


def test_a_pack_raising_in_config_options_stops_the_workspace_opening(workspace):
    with pytest.raises(guanxi.PackError) as failure:
        _open(workspace, packa=Pack(guanxi_config_options=boom))
    assert str(failure.value) == (
        "pack 'packa' failed in guanxi_config_options: RuntimeError: boom")


def test_a_pack_raising_in_a_validate_hook_on_a_later_chunk_writes_nothing(workspace, tmp_path):
    seen = []

    def validate(batch):
        seen.append(len(batch.rows))
        if len(seen) == 2:
            raise ValueError("second chunk")

    ws = _open(workspace, packa=Pack(guanxi_validate_customers=validate))
    path = write(tmp_path / "c.csv", "id,name\nC1,Ann\nC2,Bo\nC3,Cy\n")
    before = counts(ws)
    with pytest.raises(guanxi.PackError) as failure:
        ws.import_file("customers", path, batch_size=2)
    assert str(failure.value) == (
        "pack 'packa' failed in guanxi_validate_customers: ValueError: second chunk")
    assert seen == [2, 1]
    assert counts(ws) == before
    assert not (tmp_path / "c.rejects.csv").exists()


def test_a_generator_hook_fails_inside_the_guard(workspace, tmp_path):
    def validate(batch):
        yield guanxi.Rejection(index=0, column="id", value="C1", reason="first")
        raise KeyError("late")

    ws = _open(workspace, packa=Pack(guanxi_validate_customers=validate))
    with pytest.raises(guanxi.PackError) as failure:
        ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    assert str(failure.value) == (
        "pack 'packa' failed in guanxi_validate_customers: KeyError: 'late'")
    assert counts(ws)["customers"] == 0


# ---------------------------------------------------------------------------
# packs installed as distributions (entry points)
# ---------------------------------------------------------------------------


def _config(ws, tmp_path, packs):
    """A config on the workspace's database enabling ``packs``."""
    return write_config(tmp_path / "packs.toml", database=ws.config.database, packs=packs)


def _run(config, *args):
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def test_an_installed_pack_loads_and_is_listed(workspace, tmp_path, fake_dists):
    fake_dists.add("guanxi-fakegood", "1.2.3", {"fakegood": "fakegood_pack"},
                   {"fakegood_pack": GOOD_PACK})
    config = _config(workspace, tmp_path, ["fakegood"])
    code, out, err = _run(config, "plugins", "--format", "json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["name"] for r in rows][:1] == ["core"]
    assert all(sorted(r) == ["distribution", "enabled", "hooks", "name", "version"] for r in rows)
    assert rows[0]["distribution"] == "guanxi" and rows[0]["enabled"] is True
    assert next(r for r in rows if r["name"] == "fakegood") == {
        "name": "fakegood", "distribution": "guanxi-fakegood", "version": "1.2.3",
        "enabled": True, "hooks": ["guanxi_fields"]}
    code, out, _ = _run(config, "fields", "--format", "json")
    assert (code, json.loads(out)) == (0, [{
        "pack": "fakegood", "entity": "customers", "name": "segment_code", "type": "text",
        "required": False, "allowed": []}])


def test_a_pack_that_fails_to_import_is_shown_and_stops_every_job(workspace, tmp_path, fake_dists):
    fake_dists.add("guanxi-fakebad", "0.3", {"fakebad": "fakebad_pack"},
                   {"fakebad_pack": BROKEN_PACK})
    config = _config(workspace, tmp_path, ["fakebad"])
    reason = ("cannot be imported from distribution guanxi-fakebad (fakebad_pack): "
              "RuntimeError: the pack is broken on purpose")

    code, out, err = _run(config, "plugins", "--format", "json")
    assert (code, err) == (0, "")
    assert next(r for r in json.loads(out) if r["name"] == "fakebad") == {
        "name": "fakebad", "distribution": "guanxi-fakebad", "version": "0.3", "enabled": True,
        "hooks": [], "broken": reason}
    code, out, err = _run(config, "plugins")
    assert code == 0 and f"broken: {reason}" in out

    code, out, err = _run(config, "config", "show")
    assert (code, err) == (0, "")
    assert f"# pack 'fakebad' is broken: {reason}" in out.splitlines()
    code, out, err = _run(config, "config", "show", "--format", "json")
    assert code == 0 and json.loads(out)["broken"] == {"fakebad": reason}

    data = write(tmp_path / "c.csv", "id,name\nC1,Ann\n")
    before = counts(workspace)
    error = (f"Error: pack 'fakebad' is broken: {reason}; fix it, or remove it from "
             "[guanxi] packs, before running any job\n")
    for args in (["import", "customers", str(data)],
                 ["export", "customers", str(tmp_path / "o.csv")],
                 ["customers", "list"], ["customers", "reassign", "--from", "M1", "--to", "M2"],
                 ["fields"], ["db", "upgrade"], ["db", "current"]):
        assert _run(config, *args) == (1, "", error), args
    assert counts(workspace) == before
    assert not (tmp_path / "o.csv").exists()


def test_a_pack_enabled_but_not_installed_lists_the_installed_packs(workspace, tmp_path,
                                                                      fake_dists):
    fake_dists.add("guanxi-fakegood", "1.2.3", {"fakegood": "fakegood_pack"},
                   {"fakegood_pack": GOOD_PACK})
    config = _config(workspace, tmp_path, ["nosuch"])
    installed = ", ".join(n for n in installed_packs() if n != "core")
    assert "fakegood" in installed
    code, out, err = _run(config, "customers", "list")
    assert (code, out) == (1, "")
    assert err == (f"Error: pack 'nosuch' is broken: is enabled but not installed; installed "
                   f"packs: {installed}; fix it, or remove it from [guanxi] packs, before "
                   "running any job\n")
    code, out, _ = _run(config, "plugins", "--format", "json")
    assert code == 0
    assert next(r for r in json.loads(out) if r["name"] == "nosuch") == {
        "name": "nosuch", "distribution": None, "version": None, "enabled": True, "hooks": [],
        "broken": f"is enabled but not installed; installed packs: {installed}"}


def test_a_disabled_installed_pack_is_not_imported(workspace, tmp_path, fake_dists):
    # Importing the module would raise: the pack must stay untouched.
    fake_dists.add("guanxi-fakebad", "0.3", {"fakebad": "fakebad_pack"},
                   {"fakebad_pack": BROKEN_PACK})
    config = _config(workspace, tmp_path, [])
    code, out, _ = _run(config, "plugins", "--format", "json")
    assert code == 0
    assert next(r for r in json.loads(out) if r["name"] == "fakebad") == {
        "name": "fakebad", "distribution": "guanxi-fakebad", "version": "0.3", "enabled": False,
        "hooks": []}
    assert _run(config, "customers", "list", "--format", "json") == (0, "[]\n", "")
    assert _run(config, "config", "show", "--format", "json")[0] == 0
    assert "fakebad_pack" not in sys.modules


def test_hooks_run_in_the_order_the_config_lists_the_packs(workspace, tmp_path):
    order = []

    def refuse(name):
        def validate(batch):
            order.append(name)
            return [guanxi.Rejection(index=0, column="name", value="Ann",
                                     reason=f"no, says {name}")]
        return validate

    ws = _open(workspace, zeta=Pack(guanxi_validate_customers=refuse("zeta")),
               alpha=Pack(guanxi_validate_customers=refuse("alpha")))
    assert ws.config.packs == ("zeta", "alpha")
    ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC1,Ann\n"))
    assert order == ["zeta", "alpha"]
    # The first pack to refuse a row gives its reason.
    assert (tmp_path / "c.rejects.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "C1,Ann,2,name,Ann,\"no, says zeta (pack zeta)\"")


# ---------------------------------------------------------------------------
# the guanxi versions a pack works with (its Requires-Dist on guanxi)
# ---------------------------------------------------------------------------


def test_a_pack_made_for_another_guanxi_is_named_in_one_line_and_not_imported(
        workspace, tmp_path, fake_dists):
    own = guanxi.__version__
    fake_dists.add("guanxi-fakefuture", "2.0", {"fakefuture": "fakefuture_pack"},
                   {"fakefuture_pack": BROKEN_PACK}, requires=("guanxi>=90,<91",))
    config = _config(workspace, tmp_path, ["fakefuture"])
    reason = (f"works with guanxi <91,>=90 (guanxi-fakefuture 2.0 says so), not with the "
              f"installed guanxi {own}; install a guanxi-fakefuture made for guanxi {own}, or a "
              "guanxi in that range")
    code, out, err = _run(config, "customers", "list")
    assert (code, out) == (1, "")
    assert err == (f"Error: pack 'fakefuture' is broken: {reason}; fix it, or remove it from "
                   "[guanxi] packs, before running any job\n")
    assert len(err.splitlines()) == 1
    code, out, _ = _run(config, "plugins", "--format", "json")
    assert next(r for r in json.loads(out) if r["name"] == "fakefuture")["broken"] == reason
    # The range is checked before the import: the module (which raises) is untouched.
    assert "fakefuture_pack" not in sys.modules


@pytest.mark.parametrize("requires", [
    ("guanxi>=0.1,<0.2",),          # the installed 0.1.0 on the lower bound (bump with it)
    ("guanxi>=0.1",),
    ("guanxi==0.1.*",),
    ("guanxi~=0.1.0",),
    ("guanxi<0.2; python_version >= '3'",),
    ("guanxi>=9; extra == 'docs'",),  # an extra's requirement is not the pack's
    ("sqlalchemy>=2",),              # no guanxi range: not checked
    (),
])
def test_a_pack_whose_range_holds_this_guanxi_loads(workspace, tmp_path, fake_dists, requires):
    fake_dists.add("guanxi-fakegood", "1.2.3", {"fakegood": "fakegood_pack"},
                   {"fakegood_pack": GOOD_PACK}, requires=requires)
    config = _config(workspace, tmp_path, ["fakegood"])
    code, out, err = _run(config, "plugins", "--format", "json")
    assert (code, err) == (0, "")
    assert "broken" not in next(r for r in json.loads(out) if r["name"] == "fakegood")


@pytest.mark.parametrize("specifier,version,fits", [
    (">=0.1,<0.3", "0.2.9", True),
    (">=0.1,<0.3", "0.3.0", False),   # the upper bound is exclusive
    (">=0.1,<0.3", "0.0.9", False),
    (">=0.1,<0.3", "0.3.0rc1", False),  # a pre-release of 0.3 is 0.3's
    (">=0.1,<0.3", "0.2.0rc1", True),   # and one of 0.2 is inside
])
def test_incompatibility_at_the_range_bounds(tmp_path, fake_dists, specifier, version, fits):
    from importlib import metadata

    from guanxi.plugins import incompatibility

    fake_dists.add("guanxi-fakerange", "1.0", {}, requires=(f"guanxi{specifier}",))
    (dist,) = [d for d in metadata.distributions(path=[str(fake_dists.root)])
               if d.metadata["Name"] == "guanxi-fakerange"]
    problem = incompatibility(dist, version)
    assert (problem is None) == fits
    if not fits:
        assert problem.startswith(f"works with guanxi <0.3,>=0.1 (guanxi-fakerange 1.0 says so), "
                                  f"not with the installed guanxi {version};")
