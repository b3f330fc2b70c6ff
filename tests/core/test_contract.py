"""The stable contract (issue 14): ``guanxi.open``, the Workspace's public
methods, ``guanxi.testing`` and the public kits keep their names and
signatures, because scripts and pack tests call them.

The snapshot below is the contract as released. A change to it is
deliberate: deprecate a name for a release first (guanxi.deprecation,
docs/writing-a-pack.md "Versions and deprecation"), then update the
snapshot in the same commit. To print the current surface::

    python tests/core/test_contract.py
"""

from __future__ import annotations

import inspect
import warnings

import pytest

import guanxi
import guanxi.masking
import guanxi.output
import guanxi.testing
from guanxi.workspace import Workspace


def _signature(obj) -> str:
    obj = getattr(obj, "__wrapped__", obj)
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return type(obj).__name__  # a constant or an instance (the PERIOD option type)
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):  # a constant or a class without a Python signature
        return type(obj).__name__


def _member(owner, name: str) -> str:
    found = inspect.getattr_static(owner, name)
    if isinstance(found, (property,)) or type(found).__name__ == "cached_property":
        return "property"
    return _signature(found)


def surface() -> dict[str, str]:
    """Every public name of the contract -> its signature (or ``property``/its type)."""
    # The records and errors by name; their fields are the hooks' contract (docs/hooks.md).
    found = {f"guanxi.{name}": "" for name in sorted(guanxi.__all__)}
    found["guanxi.open"] = _signature(guanxi.open)
    for name in sorted(n for n in dir(Workspace) if not n.startswith("_")):
        found[f"Workspace.{name}"] = _member(Workspace, name)
    testing = guanxi.testing
    for name in ("make_workspace", "workspace", "builder", "current_labels", "label_reason",
                 "rule_tasks", "kpi_rows_disagree", "rule_id_sites", "write_config",
                 "TEST_DATABASE_ENV"):
        found[f"guanxi.testing.{name}"] = _signature(getattr(testing, name))
    for name in sorted(n for n in vars(testing.DataBuilder) if not n.startswith("_")
                       or n == "__init__"):
        found[f"guanxi.testing.DataBuilder.{name}"] = _member(testing.DataBuilder, name)
    for name in guanxi.output.__all__:
        found[f"guanxi.output.{name}"] = _signature(getattr(guanxi.output, name))
    for name in guanxi.masking.__all__:
        found[f"guanxi.masking.{name}"] = _signature(getattr(guanxi.masking, name))
    from guanxi import workbooks

    found["guanxi.workbooks.write_table"] = _signature(workbooks.write_table)
    for name in ("__init__", "sheet", "close", "getvalue"):
        found[f"guanxi.workbooks.Workbook.{name}"] = _member(workbooks.Workbook, name)
    for name in ("row", "write_rows"):
        found[f"guanxi.workbooks.Sheet.{name}"] = _member(workbooks.Sheet, name)
    return found


SNAPSHOT = {
    'guanxi.CasePolicy': '',
    'guanxi.CaseStep': '',
    'guanxi.Command': '',
    'guanxi.ConfigError': '',
    'guanxi.ConfigOption': '',
    'guanxi.CustomerFilter': '',
    'guanxi.CustomerPanel': '',
    'guanxi.DemoData': '',
    'guanxi.Entity': '',
    'guanxi.Escalation': '',
    'guanxi.Field': '',
    'guanxi.GuanxiError': '',
    'guanxi.ImportFileError': '',
    'guanxi.Kpi': '',
    'guanxi.Metric': '',
    'guanxi.NotFoundError': '',
    'guanxi.PackError': '',
    'guanxi.Period': '',
    'guanxi.RecordBatch': '',
    'guanxi.RecordRule': '',
    'guanxi.Rejection': '',
    'guanxi.ReportKind': '',
    'guanxi.Schema': '',
    'guanxi.Segmentation': '',
    'guanxi.ServiceRule': '',
    'guanxi.UsageError': '',
    'guanxi.VisitCadence': '',
    'guanxi.Workspace': '',
    'guanxi.hookimpl': '',
    'guanxi.open': '(config=None, *, database=None, extra_packs=None)',
    'Workspace.add_user':
        "(self, login: 'str', *, manager: 'str | None', role: 'str', password: 'str | Non"
        "e' = None, language: 'str | None' = None)",
    'Workspace.audit':
        "(self, action: 'str', entity: 'str', key=None, detail: 'dict | None' = None, *, "
        "conn=None) -> 'None'",
    'Workspace.audit_log':
        "(self, *, since: 'dt.date | dt.datetime | None' = None, actor: 'str | None' = No"
        "ne, limit: 'int | None' = None, offset: 'int | None' = None, until: 'dt.date | N"
        "one' = None, newest_first: 'bool' = False) -> 'list'",
    'Workspace.audit_saved': "(self, entity: 'str', rows: 'Sequence[Mapping]', result) -> 'None'",
    'Workspace.build_calendar': "(self, start: 'dt.date', end: 'dt.date') -> 'CalendarBuild'",
    'Workspace.build_plan':
        "(self, week=None, cadences: 'Sequence[str] | None' = None, *, force: 'bool' = False, "
        "as_of: 'dt.date | None' = None, progress=None)",
    'Workspace.build_reports':
        "(self, kind: 'str', period: 'str', authors: 'Iterable[str] | str | None' = None, *, "
        "as_of: 'dt.date | None' = None, option: 'str' = '--period') -> 'list'",
    'Workspace.calendar': "(self, territory: 'str | None' = None) -> 'BusinessCalendar'",
    'Workspace.calendar_names': "(self) -> 'list[str]'",
    'Workspace.case': "(self, case_id: 'int')",
    'Workspace.case_history': "(self, case_id: 'int') -> 'list'",
    'Workspace.case_policies': "(self) -> 'list'",
    'Workspace.case_step':
        "(self, case_id: 'int', action: 'str', by: 'str | None', at: 'dt.datetime | None'"
        " = None, note: 'str | None' = None, to: 'str | None' = None, *, login: 'str | No"
        "ne' = None)",
    'Workspace.case_waiting_for': "(self, case_id: 'int') -> 'str | None'",
    'Workspace.cases':
        "(self, *, policy: 'str | None' = None, owner: 'str | None' = None, state: 'str |"
        " None' = None, customer: 'str | None' = None, limit: 'int | None' = None, offset"
        ": 'int | None' = None, scope=None) -> 'list'",
    'Workspace.clear_label': "(self, segmentation: 'str', customer_id: 'str') -> 'bool'",
    'Workspace.close': "(self) -> 'None'",
    'Workspace.count_unowned': "(self) -> 'int'",
    'Workspace.create_token': "(self, login: 'str', note: 'str | None' = None)",
    'Workspace.current': "(self) -> 'list[migrate.BranchState]'",
    'Workspace.customer': "(self, customer_id: 'str') -> 'model.Customer'",
    'Workspace.customer_panels':
        "(self, customer_id: 'str', *, language: 'str | None' = None) -> 'list'",
    'Workspace.customer_view':
        "(self, customer_id: 'str', *, recent: 'int' = 20, unmask: 'bool' = False) -> 'dict'",
    'Workspace.customers':
        "(self, *, manager: 'str | None' = None, territory: 'str | None' = None, "
        "status: 'str | None' = None, unowned: 'bool' = False, "
        "limit: 'int | None' = None, unmask: 'bool' = False) -> 'list[model.Customer]'",
    'Workspace.dialect': 'property',
    'Workspace.disable_user': "(self, login: 'str', disabled: 'bool' = True)",
    'Workspace.duplicates': "(self) -> 'list'",
    'Workspace.engine': 'property',
    'Workspace.ensure_business_days': "(self, as_of: 'dt.date') -> 'CalendarBuild'",
    'Workspace.entity': "(self, name: 'str')",
    'Workspace.expect_reports':
        "(self, kind: 'str', authors: 'Iterable[str]', period: 'str', "
        "day_of_month: 'int | None' = None, *, due: 'dt.date | None' = None) -> 'list[Report]'",
    'Workspace.explain_kpi':
        "(self, name: 'str', *, period: 'str | Period | None' = None, by: 'str | None' = None, "
        "scope_key: 'str | None' = None, as_of: 'dt.date | None' = None) -> 'list'",
    'Workspace.explain_locked': "(self, exc: 'BaseException')",
    'Workspace.export':
        "(self, entity: 'str', path: 'str | os.PathLike', *, encoding: 'str' = 'utf-8', "
        'progress=None)',
    'Workspace.fields': "(self) -> 'list'",
    'Workspace.find_customers':
        "(self, q: 'str | None' = None, *, scope: 'Scope | None' = None, limit: 'int' = 5"
        "0, offset: 'int' = 0) -> 'tuple[list, int]'",
    'Workspace.from_parts':
        "(cls, cfg: 'config_mod.Config', plugins: 'PackManager') -> 'Workspace'",
    'Workspace.import_file':
        "(self, entity: 'str', path: 'str | os.PathLike', *, encoding: 'str | None' = None, "
        "format: 'str | None' = None, batch_size: 'int | None' = None, progress=None, "
        "rejects: 'str | os.PathLike | None' = None, delimiter: 'str | None' = None, "
        "sheet: 'str | int | None' = None, header_row: 'int | None' = None, "
        "dry_run: 'bool' = False, snapshot: 'bool' = False, scope: 'str | None' = None, "
        "force: 'bool' = False, as_of: 'dt.date | None' = None)",
    'Workspace.job': "(self, name: 'str')",
    'Workspace.kpi':
        "(self, names: 'Sequence[str] | None' = None, *, period: 'str | Period | None' = None, "
        "by: 'str | None' = None, as_of: 'dt.date | None' = None) -> 'list'",
    'Workspace.label_history': "(self, customer_id: 'str') -> 'list[model.SegmentChange]'",
    'Workspace.labels': "(self, customer_id: 'str') -> 'list[model.SegmentAssignment]'",
    'Workspace.lock_segmentation': "(self, segmentation: 'str', period: 'str') -> 'None'",
    'Workspace.managers': "(self) -> 'list[model.Manager]'",
    'Workspace.merge_customers':
        "(self, keep: 'str', drop: 'str', *, on: 'dt.date | None' = None)",
    'Workspace.now': "(self) -> 'dt.datetime'",
    'Workspace.on_duty': "(self, rota: 'str', day: 'dt.date') -> 'list[str]'",
    'Workspace.open':
        "(cls, path: 'str | os.PathLike | None' = None, *, database: 'str | None' = None, "
        "extra_packs: 'Mapping[str, object] | None' = None) -> 'Workspace'",
    'Workspace.open_case':
        "(self, policy: 'str', customer_id: 'str', owner_id: 'str | None' = None, "
        "opened_at: 'dt.datetime | None' = None, summary: 'str | None' = None)",
    'Workspace.open_cases': "(self) -> 'int'",
    'Workspace.ownership': "(self, customer_id: 'str') -> 'list[model.Ownership]'",
    'Workspace.page_panels':
        "(self, page: 'str', *, managers=None, language: 'str | None' = None) -> 'list'",
    'Workspace.plan':
        "(self, week=None, manager: 'str | None' = None, *, since: 'dt.date | None' = Non"
        "e, scope=None) -> 'list'",
    'Workspace.query_context': "(self, pack: 'str', as_of: 'dt.date | None' = None)",
    'Workspace.build_context': "(self, pack: 'str', as_of: 'dt.date')",
    'Workspace.read_kpi':
        "(self, names: 'Sequence[str] | None' = None, *, period=None, by: 'str | None' = "
        "None, as_of: 'dt.date | None' = None) -> 'list'",
    'Workspace.reason_templates': 'property',
    'Workspace.reassign':
        "(self, from_manager: 'str', to_manager: 'str', *, "
        "customers: 'Sequence[str] | None' = None, on: 'dt.date | None' = None, "
        "reason: 'str | None' = None) -> 'ReassignResult'",
    'Workspace.render_reason': "(self, stored: 'str | None') -> 'str'",
    'Workspace.render_report':
        "(self, kind: 'str', period: 'str', author: 'Iterable[str] | str | None' = None, "
        "format: 'str' = 'markdown', *, output=None, "
        "as_of: 'dt.date | None' = None) -> 'str | bytes'",
    'Workspace.report_due_on': "(self, period: 'str', day_of_month: 'int' = 5) -> 'dt.date'",
    'Workspace.report_kind': "(self, name: 'str')",
    'Workspace.report_kinds': "(self) -> 'list'",
    'Workspace.reports':
        "(self, kind: 'str | None' = None, period: 'str | None' = None, "
        "author: 'str | None' = None, overdue: 'bool | None' = None, "
        "as_of: 'dt.date | None' = None) -> 'list[Report]'",
    'Workspace.require_case_visible': "(self, case_id: 'int', scope: 'Scope | None') -> 'None'",
    'Workspace.require_ready': "(self) -> 'None'",
    'Workspace.require_task_visible': "(self, task_id: 'int', scope: 'Scope | None') -> 'None'",
    'Workspace.require_visible': "(self, customer_id: 'str', scope: 'Scope | None') -> 'None'",
    'Workspace.review_report':
        "(self, kind: 'str', author: 'str', period: 'str', by: 'str', "
        "at: 'dt.datetime | dt.date | None' = None, note: 'str | None' = None) -> 'Report'",
    'Workspace.revoke_token': "(self, token_id: 'int')",
    'Workspace.rota':
        "(self, rota: 'str', start: 'dt.date | None' = None, "
        "end: 'dt.date | None' = None) -> 'list[tuple[dt.date, str]]'",
    'Workspace.rotas': "(self) -> 'list[str]'",
    'Workspace.run': "(self, *, as_of: 'dt.date | None' = None, progress=None)",
    'Workspace.run_rules':
        "(self, names: 'Sequence[str] | None' = None, *, "
        "as_of: 'dt.date | None' = None) -> 'list'",
    'Workspace.runtime': 'property',
    'Workspace.save': "(self, entity: 'str', rows: 'Iterable[Mapping[str, Any]]')",
    'Workspace.schemas': "(self) -> 'list'",
    'Workspace.scope': "(self, user) -> 'Scope'",
    'Workspace.segment':
        "(self, names: 'Sequence[str] | None' = None, *, "
        "as_of: 'dt.date | None' = None) -> 'list'",
    'Workspace.set_label':
        "(self, segmentation: 'str', customer_id: 'str', label: 'str', reason: 'str', "
        "set_by: 'str | None' = None) -> 'None'",
    'Workspace.set_password': "(self, login: 'str', password: 'str')",
    'Workspace.set_user_language':
        "(self, login: 'str', language: 'str | None')",
    'Workspace.settings': 'property',
    'Workspace.submit_report':
        "(self, kind: 'str', author: 'str', period: 'str', "
        "at: 'dt.datetime | dt.date | None' = None, note: 'str | None' = None) -> 'Report'",
    'Workspace.task_cancel': "(self, task_id: 'int', reason: 'str') -> 'model.Task'",
    'Workspace.task_done':
        "(self, task_id: 'int', outcome: 'str | None' = None, *, "
        "at: 'dt.datetime | None' = None) -> 'model.Task'",
    'Workspace.task_reassign': "(self, task_id: 'int', to_manager: 'str') -> 'model.Task'",
    'Workspace.tasks':
        "(self, *, manager: 'str | None' = None, status: 'str | None' = 'open', rule: 'st"
        "r | None' = None, customer: 'str | None' = None, due: 'str | None' = None, overd"
        "ue: 'bool' = False, as_of: 'dt.date | None' = None, limit: 'int | None' = None, "
        "offset: 'int | None' = None, scope=None) -> 'list[model.Task]'",
    'Workspace.team_workload':
        "(self, scope: 'Scope', *, limit: 'int' = 25, offset: 'int' = 0) -> 'tuple[list, "
        "int]'",
    'Workspace.tick_cases': "(self, at: 'dt.datetime | None' = None, *, rules: 'bool' = True)",
    'Workspace.today': "(self) -> 'dt.date'",
    'Workspace.tokens': "(self, login: 'str | None' = None) -> 'list'",
    'Workspace.upgrade': "(self) -> 'list[migrate.BranchState]'",
    'Workspace.user': "(self, login: 'str')",
    'Workspace.users': "(self) -> 'list'",
    'Workspace.visit_cadences': "(self) -> 'list'",
    'guanxi.testing.make_workspace': '(tmp_path, guanxi_databases)',
    'guanxi.testing.workspace': '(make_workspace)',
    'guanxi.testing.builder': "(workspace) -> 'DataBuilder'",
    'guanxi.testing.current_labels': "(ws, segmentation: 'str') -> 'dict[str, str]'",
    'guanxi.testing.label_reason': "(ws, segmentation: 'str', customer_id: 'str') -> 'str'",
    'guanxi.testing.rule_tasks': "(ws, rule: 'str', status: 'str' = 'open') -> 'list[tuple]'",
    'guanxi.testing.kpi_rows_disagree':
        "(ws, name: 'str', *, period: 'str', by: 'str' = 'all', as_of=None, "
        "places: 'int' = 6) -> 'list[tuple]'",
    'guanxi.testing.rule_id_sites': "(ws, pack: 'str', rule_id: 'str') -> 'list[str]'",
    'guanxi.testing.write_config':
        "(path: 'Path', *, database: 'str', packs: 'Iterable[str]' = (), settings: 'Mapping[str, "
        "Mapping[str, Any]] | None' = None, timezone: 'str' = 'Asia/Shanghai', "
        "language: 'str' = 'en') -> 'Path'",
    'guanxi.testing.TEST_DATABASE_ENV': 'str',
    'guanxi.testing.DataBuilder.__init__':
        "(self, ws, *, defaults: 'dict[str, dict] | None' = None, "
        "time_of_day: 'dt.time | None' = None) -> 'None'",
    'guanxi.testing.DataBuilder.account':
        "(self, id: 'str', customer_id: 'str', type: 'str' = 'deposit', **values) -> 'dict'",
    'guanxi.testing.DataBuilder.customer': "(self, id: 'str', **values) -> 'dict'",
    'guanxi.testing.DataBuilder.interaction':
        "(self, id: 'str', customer_id: 'str', kind: 'str', occurred_at, **values) -> 'dict'",
    'guanxi.testing.DataBuilder.manager': "(self, id: 'str', **values) -> 'dict'",
    'guanxi.testing.DataBuilder.measurement':
        "(self, customer_id: 'str', metric: 'str', period, value, **values) -> 'dict'",
    'guanxi.testing.DataBuilder.rows': "(self, entity: 'str', rows: 'list[dict]') -> 'list[dict]'",
    'guanxi.testing.DataBuilder.team': "(self, id: 'str', **values) -> 'dict'",
    'guanxi.masking.IDENTITY_TYPES': 'tuple',
    'guanxi.masking.mask': "(value: 'Any') -> 'Any'",
    'guanxi.masking.mask_attributes':
        "(attributes: 'Mapping[str, Any] | None', names: 'Iterable[str]') -> 'dict[str, Any]'",
    'guanxi.masking.mask_rows':
        "(rows: 'Iterable[dict]', names: 'Iterable[str]', key: 'str' = 'attributes') "
        "-> 'list[dict]'",
    'guanxi.masking.masked_fields':
        "(fields: 'Iterable[Any]', entity: 'str | None' = None) -> 'frozenset[str]'",
    'guanxi.output.FORMATS': 'tuple',
    'guanxi.output.PERIOD': 'PeriodParam',
    'guanxi.output.attainment': "(value, target) -> 'float | None'",
    'guanxi.output.display_width': "(text: 'str') -> 'int'",
    'guanxi.output.emit':
        "(rows: 'Iterable[dict]', columns: 'Sequence[str]', fmt: 'str', *, empty: 'str' = '', "
        "right: 'Sequence[str]' = ()) -> 'None'",
    'guanxi.output.format_figure':
        "(value, unit: 'str | None' = '', *, currency: 'str' = 'CNY', "
        "with_unit: 'bool' = True) -> 'str'",
    'guanxi.output.format_option': "(func: 'Callable') -> 'Callable'",
    'guanxi.output.is_money': "(unit: 'str | None') -> 'bool'",
    'guanxi.output.is_share': "(unit: 'str | None') -> 'bool'",
    'guanxi.output.pad': "(text: 'str', width: 'int', *, right: 'bool' = False) -> 'str'",
    'guanxi.output.plain': "(value, unit: 'str | None' = '')",
    'guanxi.output.progress_for': "(label: 'str') -> 'Progress'",
    'guanxi.output.table':
        "(rows: 'Sequence[dict]', columns: 'Sequence[str]', *, "
        "right: 'Sequence[str]' = ()) -> 'str'",
    'guanxi.output.to_json': "(data: 'Any') -> 'str'",
    'guanxi.workbooks.write_table':
        "(path: 'str | os.PathLike', rows: 'Iterable[dict]', columns: 'Sequence[str]', *, "
        "sheet: 'str', title: 'str | None' = None, notes: 'Sequence[str]' = (), "
        "formats: 'Mapping[str, str] | None' = None) -> 'int'",
    'guanxi.workbooks.Workbook.__init__':
        "(self, target: 'str | os.PathLike | None' = None) -> 'None'",
    'guanxi.workbooks.Workbook.sheet':
        "(self, name: 'str', columns: 'Sequence[str]', *, title: 'str | None' = None, "
        "notes: 'Sequence[str]' = (), formats: 'Mapping[str, str] | None' = None) -> 'Sheet'",
    'guanxi.workbooks.Workbook.close': "(self) -> 'None'",
    'guanxi.workbooks.Workbook.getvalue': "(self) -> 'bytes'",
    'guanxi.workbooks.Sheet.row': "(self, values: 'Iterable[Any]') -> 'None'",
    'guanxi.workbooks.Sheet.write_rows': "(self, rows: 'Iterable[Iterable[Any]]') -> 'int'",
}


def test_no_public_name_went_away_or_changed_its_signature():
    now = surface()
    changed = {name: (was, now.get(name)) for name, was in SNAPSHOT.items() if now.get(name) != was}
    assert changed == {}, (
        "the public contract changed (name: (snapshot, now)); deprecate first, then update "
        "SNAPSHOT in tests/core/test_contract.py deliberately")


def test_a_new_public_name_is_recorded_in_the_contract():
    added = sorted(set(surface()) - set(SNAPSHOT))
    assert added == [], "record new public names in SNAPSHOT (python tests/core/test_contract.py)"


def test_the_snapshot_would_see_a_changed_signature(monkeypatch):
    # The snapshot test can fail: a renamed parameter of a Workspace method shows.
    def kpi(self, names=None, *, period=None, scope=None, as_of=None):  # "by" renamed
        raise AssertionError("never called")

    monkeypatch.setattr(Workspace, "kpi", kpi)
    assert surface()["Workspace.kpi"] != SNAPSHOT["Workspace.kpi"]


if __name__ == "__main__":
    print("SNAPSHOT = {")
    for key, value in surface().items():
        print(f"    {key!r}: {value!r},")
    print("}")


# -- deprecation: a name that goes away warns for a release first ---------------------------


def test_a_deprecated_function_still_works_and_warns_naming_its_replacement():
    from guanxi.deprecation import deprecated

    @deprecated("ws.kpi(..., by='team')", since="0.2", removal="0.3")
    def team_kpis(period):
        """The team figures."""
        return [period]

    with pytest.warns(DeprecationWarning) as caught:
        assert team_kpis("2026-11") == ["2026-11"]
    (warning,) = caught
    assert str(warning.message) == (
        "test_a_deprecated_function_still_works_and_warns_naming_its_replacement.<locals>."
        "team_kpis is deprecated since guanxi 0.2 and goes in 0.3; use ws.kpi(..., by='team')")
    # The warning points at the caller's line, where the fix is made.
    assert warning.filename == __file__
    assert team_kpis.__doc__.startswith("Deprecated since guanxi 0.2, goes in 0.3: use ")


def test_a_moved_module_name_warns_on_access_and_an_unknown_one_is_an_attribute_error():
    from guanxi.deprecation import moved_names

    getattr_ = moved_names("guanxi.old", {"Week": ("guanxi.periods.parse_week",
                                                   lambda: "the week")},
                           since="0.2", removal="0.3")
    with pytest.warns(DeprecationWarning, match=r"^guanxi\.old\.Week is deprecated since guanxi "
                                                 r"0\.2 and goes in 0\.3; use "
                                                 r"guanxi\.periods\.parse_week$"):
        assert getattr_("Week") == "the week"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="^module 'guanxi.old' has no attribute 'Nope'$"):
            getattr_("Nope")
