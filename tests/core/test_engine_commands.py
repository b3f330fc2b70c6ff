"""The engine commands through the command line, with their stable JSON."""

import json

import pytest
from click.testing import CliRunner

from guanxi.cli import cli

ORDER = ["teams", "managers", "customers", "contacts", "accounts", "interactions",
         "measurements", "customer_team", "lists", "targets"]


@pytest.fixture
def loaded(workspace, examples, monkeypatch):
    for entity in ORDER:
        workspace.import_file(entity, examples / f"{entity}.csv")
    monkeypatch.setenv("GUANXI_CONFIG", str(workspace.config.path))
    return workspace


def invoke(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_segment_json(loaded):
    result = invoke("segment", "--as-of", "2026-11-23", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [{
        "name": "core.activity", "as_of": "2026-11-23",
        "counts": {"active": 4, "dormant": 1, "lost": 1}, "changed": 6,
    }]


def test_rules_run_json_and_rerun(loaded):
    invoke("segment", "--as-of", "2026-11-23")
    first = json.loads(invoke("rules", "run", "--as-of", "2026-11-23", "--format", "json").output)
    # C0004 is dormant (last contact 2026-08-01, 114 days) and M003 is active.
    assert first == [{"rule": "core.case_breach", "created": 0, "existing": 0},
                     {"rule": "core.case_callback", "created": 0, "existing": 0},
                     {"rule": "core.case_escalation", "created": 0, "existing": 0},
                     {"rule": "core.overdue_tasks", "created": 0, "existing": 0},
                     {"rule": "core.reactivation", "created": 1, "existing": 0}]
    again = json.loads(invoke("rules", "run", "--as-of", "2026-11-24", "--format", "json").output)
    assert again == [{"rule": "core.case_breach", "created": 0, "existing": 0},
                     {"rule": "core.case_callback", "created": 0, "existing": 0},
                     {"rule": "core.case_escalation", "created": 0, "existing": 0},
                     {"rule": "core.overdue_tasks", "created": 0, "existing": 0},
                     {"rule": "core.reactivation", "created": 0, "existing": 1}]
    (task,) = json.loads(invoke("tasks", "list", "--rule", "core.reactivation",
                                "--format", "json").output)
    assert (task["customer_id"], task["manager_id"], task["kind"], task["due_at"]) == (
        "C0004", "M003", "call", "2026-11-30")   # due on a day: the day, not its midnight
    assert task["reason"] == "last contact 2026-08-01, 114 days ago"


def test_tasks_list_json_shape(loaded):
    from guanxi.storage import tables as t
    import datetime as dt

    with loaded.engine.begin() as conn:
        conn.execute(t.tasks.insert().values(
            rule="x.call", customer_id="C0001", manager_id="M001", kind="call",
            due_at=dt.datetime(2026, 11, 20), priority=2, status="open", reason="call back",
            created_at=dt.datetime(2026, 11, 1), dedupe_key=""))
    invoke("rules", "run", "core.overdue_tasks", "--as-of", "2026-11-23")
    rows = json.loads(invoke("tasks", "list", "--format", "json").output)
    assert [sorted(r) for r in rows] == [sorted(
        ["id", "rule", "customer_id", "customer_name", "manager_id", "kind", "due_at",
         "overdue", "priority", "status", "reason"])] * 2
    escalation = [r for r in rows if r["rule"] == "core.overdue_tasks"][0]
    assert escalation["manager_id"] == "M002"
    assert escalation["reason"] == "task 1 (x.call) of M001 was due 2026-11-20: 3 days overdue"
    assert invoke("tasks", "done", "1", "--outcome", "called").exit_code == 0
    assert json.loads(invoke("tasks", "list", "--manager", "M001", "--format", "json").output) == []


def test_kpi_json_shape_and_targets(loaded):
    rows = json.loads(invoke("kpi", "core.interactions", "--period", "2026-11", "--by", "manager",
                             "--format", "json").output)
    # Each row names its KPI's title and how much of the target it reached.
    assert rows == [
        {"kpi": "core.interactions", "title": "Interactions", "period": "2026-11",
         "scope": "manager", "scope_key": "M001", "value": 2, "target": 20,
         "unit": "interactions", "attainment": 0.1},
        {"kpi": "core.interactions", "title": "Interactions", "period": "2026-11",
         "scope": "manager", "scope_key": "M003", "value": 1, "target": 15,
         "unit": "interactions", "attainment": 0.066667},
    ]


def test_kpi_by_list_and_segment(loaded):
    invoke("segment", "--as-of", "2026-11-23")
    rows = json.loads(invoke("kpi", "core.customers", "--period", "2026-11", "--by",
                             "segment:core.activity", "--format", "json").output)
    assert {r["scope_key"]: r["value"] for r in rows} == {"active": 4.0, "dormant": 1.0, "lost": 1.0}
    rows = json.loads(invoke("kpi", "core.customers", "--period", "2026-11", "--by",
                             "list:watch", "--format", "json").output)
    assert [(r["scope"], r["scope_key"], r["value"]) for r in rows] == [("list:watch", "watch", 1.0)]


def test_bad_scope_is_a_usage_error(loaded):
    result = CliRunner().invoke(cli, ["kpi", "--by", "planet"])
    assert result.exit_code == 2
    assert "is not a scope" in result.output


def test_run_and_customers_show_json(loaded):
    result = invoke("run", "--as-of", "2026-11-23", "--format", "json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["failures"] == []
    view = json.loads(invoke("customers", "show", "C0002", "--format", "json").output)
    assert {"customer", "contacts", "accounts", "interactions", "measurements", "segments",
            "segment_history", "tasks", "ownership", "team", "lists"} <= set(view)
    assert [s["label"] for s in view["segments"]] == ["active"]
    assert view["segments"][0]["reason"] == "last contact 2026-11-05, 18 days ago"
    assert [m["metric"] for m in view["measurements"]] == ["revenue"]
    assert [c["id"] for c in view["contacts"]] == ["P001", "P002"]
    assert [x["role"] for x in view["team"]] == ["corporate_partner", "risk"]


def test_labels_set_clear_and_lock_through_the_command_line(loaded):
    assert invoke("labels", "set", "core.activity", "C0004", "active", "--reason",
                  "visited, not yet recorded", "--by", "M003").exit_code == 0
    invoke("segment", "--as-of", "2026-11-23")
    view = json.loads(invoke("customers", "show", "C0004", "--format", "json").output)
    assert [(s["label"], s["manual"], s["reason"]) for s in view["segments"]] == [
        ("active", True, "visited, not yet recorded")]
    assert invoke("labels", "clear", "core.activity", "C0004").exit_code == 0
    assert invoke("labels", "lock", "core.activity", "--period", "2026-11").exit_code == 0
    runs = json.loads(invoke("segment", "--as-of", "2026-11-24", "--format", "json").output)
    assert runs[0]["changed"] == 0  # locked: the cleared label waits for December
    view = json.loads(invoke("customers", "show", "C0004", "--format", "json").output)
    assert view["segments"][0]["label"] == "active"
    runs = json.loads(invoke("segment", "--as-of", "2026-12-01", "--format", "json").output)
    view = json.loads(invoke("customers", "show", "C0004", "--format", "json").output)
    assert (view["segments"][0]["label"], view["segments"][0]["manual"]) == ("dormant", False)


def test_targets_from_the_config_and_imported_rows(loaded, tmp_path):
    # Imported targets for one key win; [targets] fills the scope; a KPI's default is last.
    path = loaded.config.path
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[targets]\n"core.interactions" = { manager = 12, all = 30 }\n'
                      '"core.customers" = { manager = 4 }\n"core.new_customers" = 5\n',
                    encoding="utf-8")
    rows = json.loads(invoke("kpi", "core.interactions", "core.customers", "--period",
                             "2026-11", "--by", "manager", "--format", "json").output)
    assert {(r["kpi"], r["scope_key"]): r["target"] for r in rows} == {
        ("core.interactions", "M001"): 20.0, ("core.interactions", "M003"): 15.0,
        ("core.customers", "M001"): 4.0, ("core.customers", "M003"): 4.0,
        ("core.customers", "M005"): 4.0, ("core.customers", ""): 4.0}
    rows = json.loads(invoke("kpi", "core.interactions", "core.new_customers", "core.open_tasks",
                             "--period", "2026-11", "--format", "json").output)
    assert {r["kpi"]: r["target"] for r in rows} == {
        "core.interactions": 30.0, "core.new_customers": 5.0, "core.open_tasks": None}


def test_targets_naming_an_unknown_kpi_or_scope_are_config_errors(loaded):
    path = loaded.config.path
    original = path.read_text(encoding="utf-8")
    path.write_text(original + '\n[targets]\n"core.nothing" = 3\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["kpi"])
    assert result.exit_code == 1
    assert "[targets] names the KPI 'core.nothing', which no enabled pack has" in result.output
    path.write_text(original + '\n[targets]\n"core.customers" = { planet = 3 }\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["kpi"])
    assert result.exit_code == 1
    assert "[targets] 'core.customers' names the scope 'planet'" in result.output
