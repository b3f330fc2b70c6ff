"""Process start: what a command imports before it does its work (target: < 0.3 s)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from guanxi.cli import case_commands
from guanxi.service import cases
from guanxi.storage import migrate


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_cli_offers_the_case_machinerys_own_actions():
    # One tuple, not a copy: the CLI reads the words module the machinery reads.
    assert case_commands.ACTIONS is cases.ACTIONS


def test_help_imports_neither_sqlalchemy_nor_the_case_machinery():
    loaded = _modules_after(
        "from guanxi.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert "sqlalchemy" not in loaded
    assert "guanxi.service.cases" not in loaded


def test_a_database_at_head_is_seen_so_without_alembic(workspace):
    loaded = _modules_after(
        "import guanxi\n"
        f"with guanxi.open({str(workspace.config.path)!r}) as ws:\n"
        "    ws.require_ready()")
    assert "alembic" not in loaded
    assert "guanxi.builtin.kpis" not in loaded


def test_anything_but_the_head_is_left_to_alembic(workspace):
    schemas = list(workspace.schemas())
    assert migrate._at_head_quickly(workspace.engine, schemas)
    with workspace.engine.begin() as conn:
        # Put back afterwards as it was, whatever the head is (the database
        # outlives the test on PostgreSQL).
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not migrate._at_head_quickly(workspace.engine, schemas)
    try:
        states = {s.branch: s for s in migrate.current(workspace.engine, schemas)}
        assert states["core"].current == "0001"
    finally:
        with workspace.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


# The packs, too, load their modules on demand: a command with both sector
# packs enabled starts within the same budget.
PACK_BULK = {"guanxi_banking.rules", "guanxi_banking.kpis", "guanxi_banking.demo",
             "guanxi_tobacco.rules", "guanxi_tobacco.kpis", "guanxi_tobacco.report",
             "guanxi_tobacco.demo",
             # and the modules those were split into (issue 19)
             "guanxi_banking.rule_queries", "guanxi_banking.kpi_rows",
             "guanxi_banking.kpi_measures", "guanxi_banking.kpi_customers",
             "guanxi_banking.kpi_service", "guanxi_banking.kpi_teams",
             "guanxi_banking.kpi_lists", "guanxi_banking.kpi_reasons",
             "guanxi_tobacco.rule_queries", "guanxi_tobacco.kpi_blocks",
             "guanxi_tobacco.kpi_visits", "guanxi_tobacco.kpi_reports",
             "guanxi_tobacco.kpi_cases", "guanxi_tobacco.kpi_surveys",
             "guanxi_tobacco.kpi_orders", "guanxi_tobacco.kpi_reasons",
             "guanxi_tobacco.demo_retailers", "guanxi_tobacco.demo_workflow",
             "guanxi_tobacco.demo_show", "guanxi_tobacco.report_figures",
             "guanxi_tobacco.report_numbers", "guanxi_tobacco.report_scope",
             "guanxi_tobacco.report_sales", "guanxi_tobacco.report_problems",
             "guanxi_tobacco.report_outlook"}


def test_help_with_packs_lists_their_commands_without_the_database_layer(tmp_path):
    config = tmp_path / "guanxi.toml"
    config.write_text('[guanxi]\npacks = ["banking", "tobacco"]\n'
                      f'database = "sqlite:///{tmp_path / "g.db"}"\n')
    code = ("from guanxi.cli import main\n"
            "try:\n"
            f"    main(['--config', {str(config)!r}, '--help'])\n"
            "except SystemExit:\n    pass")
    loaded = _modules_after(code)
    assert "sqlalchemy" not in loaded
    assert not loaded & PACK_BULK
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout
    assert [line.split()[0] for line in shown.splitlines()
            if line.startswith(("  banking ", "  tobacco "))] == ["banking", "tobacco"]


def test_a_command_with_packs_imports_only_their_declarations(make_workspace):
    ws = make_workspace(packs=["banking", "tobacco"])
    ws.save("managers", [{"id": "M1", "name": "Wang"}])   # an unknown manager is an error
    loaded = _modules_after(
        "import guanxi\n"
        f"with guanxi.open({str(ws.config.path)!r}) as ws:\n"
        "    ws.require_ready()\n"
        "    ws.tasks(manager='M1')")
    assert {"guanxi_banking.options", "guanxi_tobacco.options"} <= loaded
    assert not loaded & PACK_BULK
    if ws.dialect == "sqlite":
        # PostgreSQL's dialect is looked up only when it connects.
        assert "sqlalchemy.dialects.postgresql" not in loaded


def test_a_task_list_renders_reasons_from_the_rules_without_the_kpi_modules(make_workspace):
    # A task's reason comes from a service rule: the packs' KPI modules (the
    # largest) stay unloaded while the list is rendered.
    ws = make_workspace(packs=["banking", "tobacco"])
    ws.save("managers", [{"id": "M1", "name": "Wang"}])
    reason = '{"key": "core.activity.days", "days": 200, "since": "2026-05-15"}'
    with ws.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO tasks (rule, manager_id, kind, due_at, all_day, priority, status, reason,"
            " dedupe_key, created_at) VALUES ('core.reactivation', 'M1', 'call',"
            " '2026-12-01 00:00:00.000000', true, 2, 'open', :reason, '', "
            " '2026-11-30 00:00:00.000000')"), {"reason": reason})
    code = ("import guanxi, datetime as dt\n"
            f"with guanxi.open({str(ws.config.path)!r}) as ws:\n"
            "    print('REASON', ws.tasks(manager='M1', as_of=dt.date(2026, 12, 1))[0].reason)")
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                           "print(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, check=True)
    said, modules = done.stdout.splitlines()[-2:]
    assert said == "REASON last contact 2026-05-15, 200 days ago"
    assert not set(modules.split()) & {"guanxi_banking.kpis", "guanxi_tobacco.kpis",
                                       "guanxi.builtin.kpis"}
