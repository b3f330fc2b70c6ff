"""The importer against bad input: headers, rows, duplicates, references,
encodings, spreadsheets, pack fields, re-imports, hooks, and the Python API.

Bad input gets a clear error and loses nothing: a bad header writes nothing
(exit 1); bad rows go to a rejects file beside the input with line, column,
value and reason while the good rows land (exit 3)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, select

import guanxi
from core_helpers import count, counts, read_text, reopen, write
from guanxi.cli import cli
from guanxi.storage import tables as t
from hookpack import HookPack

TODAY = dt.date(2026, 11, 23)

MANAGERS = """\
id,name,team_id,role,territory,class,active,left_at,reports_to
M1,Wang,,account manager,north,1,true,,
M2,Li,,account manager,north,2,true,,
"""


def run_cli(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


def rejects(path) -> list[str]:
    return read_text(path).splitlines()


@pytest.fixture
def pack_ws(make_workspace):
    """A workspace with the test pack's fields (grade, licence, ...)."""
    first = make_workspace(extra_packs={"testpack": HookPack()})
    ws = reopen(first, {"testpack": HookPack()})
    yield ws
    ws.close()


# ---------------------------------------------------------------------------
# headers: nothing is written
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "problem"), [
    ("id,kind", "misses the required column(s) name"),
    ("id,name,colour,size",
     "has unknown column(s) colour, size (allowed: id, name, kind, manager_id, territory, status, "
     "created_at; extra columns must be fields declared by an enabled pack or in guanxi.toml "
     "[fields.customers])"),
    ("name,colour", "misses the required column(s) id and has unknown column(s) colour (allowed: "
     "id, name, kind, manager_id, territory, status, created_at; extra columns must be fields "
     "declared by an enabled pack or in guanxi.toml [fields.customers])"),
])
def test_a_bad_header_stops_the_import_before_anything_is_written(workspace, tmp_path, header,
                                                                   problem):
    workspace.import_file("customers", write(tmp_path / "base.csv", "id,name\nC1,Ann\nC2,Bo\n"))
    before = counts(workspace)
    cells = ",".join(["C1"] + ["x"] * (header.count(",")))
    path = write(tmp_path / "customers.csv", f"{header}\n{cells}\nC3,{cells[3:]}\n")
    assert run_cli(workspace, "import", "customers", str(path)) == (
        1, "", f"Error: customers.csv: the header {problem}; nothing was imported\n")
    assert counts(workspace) == before
    assert [c.name for c in workspace.customers()] == ["Ann", "Bo"]
    assert not (tmp_path / "customers.rejects.csv").exists()


@pytest.mark.parametrize("entity", ["lists", "customer"])
def test_a_pack_field_on_an_entity_that_takes_none_is_a_pack_error(workspace, tmp_path, entity):
    class FieldPack:
        @guanxi.hookimpl
        def guanxi_fields(self):
            return [guanxi.Field(name="colour", entity=entity, type="text")]

    ws = reopen(workspace, {"fieldpack": FieldPack()})
    path = write(tmp_path / "lists.csv", "list,customer_id,colour\nwatch,C1,red\n")
    with pytest.raises(guanxi.PackError) as failure:
        ws.import_file("lists", path)
    assert str(failure.value) == (
        f"pack 'fieldpack' declares the field 'colour' on '{entity}', which is no entity that "
        "takes fields; those are: accounts, contacts, customers, interactions, managers, teams")


def test_an_empty_cell_in_a_column_with_a_default_takes_the_default(workspace, tmp_path):
    managers = write(tmp_path / "managers.csv", "id,name,active\nM1,Wang,\nM2,Li,false\n")
    assert workspace.import_file("managers", managers).inserted == 2
    assert [(m.id, m.active) for m in workspace.managers()] == [("M1", True), ("M2", False)]
    customers = write(tmp_path / "customers.csv",
                      "id,name,kind,status\nC1,Ann,,\nC2,Bo,organization,lost\n")
    assert workspace.import_file("customers", customers).inserted == 2
    assert [(c.id, c.kind, c.status) for c in workspace.customers()] == [
        ("C1", "person", "active"), ("C2", "organization", "lost")]
    # On a later file too: an empty cell means the default, not "keep".
    result = workspace.import_file("customers", write(tmp_path / "again.csv",
                                                      "id,name,kind,status\nC2,Bo,,\n"))
    assert result.updated == 1
    assert (workspace.customer("C2").kind, workspace.customer("C2").status) == (
        "person", "active")


def test_an_unknown_entity_is_wrong_usage(workspace, tmp_path):
    path = write(tmp_path / "x.csv", "id\n1\n")
    code, out, err = run_cli(workspace, "import", "custmers", str(path))
    assert (code, out) == (2, "")
    assert err.startswith("Error: unknown entity 'custmers' (did you mean 'customers'?); "
                          "importable entities: account_statuses, accounts, ")


def test_an_unknown_entity_far_from_any_gets_no_suggestion(workspace, tmp_path):
    path = write(tmp_path / "x.csv", "id\n1\n")
    code, out, err = run_cli(workspace, "import", "zzz", str(path))
    assert code == 2
    assert err.startswith("Error: unknown entity 'zzz'; importable entities: account_statuses, accounts, ")


def test_an_unknown_column_suggests_the_closest_one(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", "id,name,manger_id\nC1,Ann,M1\n")
    code, out, err = run_cli(workspace, "import", "customers", str(path))
    assert (code, out) == (1, "")
    assert err == (
        "Error: customers.csv: the header has unknown column(s) manger_id (did you mean "
        "'manager_id'?) (allowed: id, name, kind, manager_id, territory, status, created_at; "
        "extra columns must be fields declared by an enabled pack or in guanxi.toml "
        "[fields.customers]); nothing was imported\n")


def test_an_unknown_key_of_a_json_lines_row_suggests_the_closest_column(workspace, tmp_path):
    path = write(tmp_path / "customers.jsonl",
                 '{"id": "C1", "name": "Ann", "territory": "N"}\n'
                 '{"id": "C2", "name": "Bo", "teritory": "S"}\n')
    result = workspace.import_file("customers", path)
    assert (result.inserted, result.rejected) == (1, 1)
    rejects = (tmp_path / "customers.rejects.csv").read_text(encoding="utf-8")
    assert 'unknown column ""teritory"" (did you mean \'territory\'?)' in rejects


# ---------------------------------------------------------------------------
# rows: rejected with line, column, value and reason; the good ones land
# ---------------------------------------------------------------------------


def test_bad_customer_rows_go_to_the_rejects_file(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", """\
        id,name,kind,manager_id,territory,status,created_at
        C1,Ann,person,,north,active,2026-01-05
        C2,Bo,robot,,north,active,
        C3,Cy,person,,north,asleep,
        C4,Di,person,,north,active,2026-02-30
        C5,,person,,north,active,
        C6,Ed,organization,,north,dormant,2026/03/04
        C7,Fa,person,,north,active,20260305,extra
        """)
    code, out, err = run_cli(workspace, "import", "customers", str(path), "--format", "json")
    assert (code, err) == (3, "")
    assert json.loads(out) == {
        "entity": "customers", "read": 7, "inserted": 2, "updated": 0, "unchanged": 0,
        "rejected": 5, "rejects_file": str(tmp_path / "customers.rejects.csv"),
        "encoding": "utf-8", "dry_run": False}
    assert rejects(tmp_path / "customers.rejects.csv") == [
        "id,name,kind,manager_id,territory,status,created_at,line,column,value,reason",
        'C2,Bo,robot,,north,active,,3,kind,robot,"not allowed; use one of: person, organization"',
        "C3,Cy,person,,north,asleep,,4,status,asleep,"
        '"not allowed; use one of: prospect, active, dormant, lost"',
        "C4,Di,person,,north,active,2026-02-30,5,created_at,2026-02-30,"
        "expected a date like 2026-11-23",
        "C5,,person,,north,active,,6,name,,name is required",
        "C7,Fa,person,,north,active,20260305,8,,,\"row has 8 cells, the header has 7\"",
    ]
    assert [(c.id, c.kind, c.status, c.created_at) for c in workspace.customers()] == [
        ("C1", "person", "active", dt.date(2026, 1, 5)),
        ("C6", "organization", "dormant", dt.date(2026, 3, 4)),
    ]


def test_bad_values_of_each_type(workspace, tmp_path):
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    workspace.import_file("customers", write(tmp_path / "customers.csv", "id,name\nC1,Ann\n"))
    path = write(tmp_path / "interactions.csv", """\
        id,customer_id,kind,occurred_at,amount,manager_id
        I1,C1,visit,2026-11-02 10:00,12.50,M1
        I2,C1,visit,2026-11-02 25:00,,M1
        I3,C1,order,2026-11-02,"12,5",M1
        I4,C1,order,2026-11-02,1e-3%,M1
        I5,C1,visit,,,M1
        """)
    result = workspace.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (1, 4)
    assert rejects(tmp_path / "interactions.rejects.csv")[1:] == [
        "I2,C1,visit,2026-11-02 25:00,,M1,3,occurred_at,2026-11-02 25:00,"
        "expected a date and time like 2026-11-23 09:30",
        'I3,C1,order,2026-11-02,"12,5",M1,4,amount,"12,5",expected a number',
        "I4,C1,order,2026-11-02,1e-3%,M1,5,amount,1e-3%,"
        "expected a number; a percentage is read only where a share is expected",
        "I5,C1,visit,,,M1,6,occurred_at,,occurred_at is required",
    ]
    with workspace.engine.connect() as conn:
        stored = conn.execute(select(t.interactions.c.occurred_at, t.interactions.c.amount))
        assert stored.all() == [(dt.datetime(2026, 11, 2, 10, 0), Decimal("12.50"))]


def test_a_bad_boolean(workspace, tmp_path):
    path = write(tmp_path / "managers.csv", "id,name,active\nM1,Wang,是\nM2,Li,maybe\nM3,Zhao,0\n")
    result = workspace.import_file("managers", path)
    assert (result.inserted, result.rejected) == (2, 1)
    assert rejects(tmp_path / "managers.rejects.csv")[1] == (
        'M2,Li,maybe,3,active,maybe,"expected true or false (also yes/no, 1/0, 是/否)"')
    assert [(m.id, m.active) for m in workspace.managers()] == [("M1", True), ("M3", False)]


def test_customer_team_share_bounds_are_inclusive(workspace, tmp_path):
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    workspace.import_file("customers",
                          write(tmp_path / "customers.csv", "id,name\nC1,Ann\nC2,Bo\n"))
    path = write(tmp_path / "team.csv", """\
        customer_id,manager_id,role,share
        C1,M1,product,0
        C1,M2,risk,1
        C2,M1,product,1.0001
        C2,M2,risk,-0.0001
        C2,M1,referral,
        C2,M2,boss,0.5
        """)
    result = workspace.import_file("customer_team", path)
    assert (result.inserted, result.rejected) == (3, 3)
    assert rejects(tmp_path / "team.rejects.csv") == [
        "customer_id,manager_id,role,share,line,column,value,reason",
        "C2,M1,product,1.0001,4,share,1.0001,must be between 0 and 1",
        "C2,M2,risk,-0.0001,5,share,-0.0001,must be between 0 and 1",
        "C2,M2,boss,0.5,7,role,boss,\"not allowed; use one of: product, risk, referral, partner, "
        'corporate_partner, retail_partner"',
    ]
    with workspace.engine.connect() as conn:
        rows = conn.execute(select(t.customer_team).order_by(
            t.customer_team.c.customer_id, t.customer_team.c.manager_id)).all()
    assert [tuple(r) for r in rows] == [
        ("C1", "M1", "product", Decimal("0.0000")), ("C1", "M2", "risk", Decimal("1.0000")),
        ("C2", "M1", "referral", None)]


def test_the_cli_exit_codes_of_an_import(workspace, tmp_path):
    good = write(tmp_path / "good.csv", "id,name\nC1,Ann\n")
    code, out, err = run_cli(workspace, "import", "customers", str(good))
    assert (code, out, err) == (
        0, "customers: read 1, inserted 1, updated 0, unchanged 0, rejected 0\n", "")
    some_bad = write(tmp_path / "some.csv", "id,name\nC2,Bo\nC3,\n")
    code, out, err = run_cli(workspace, "import", "customers", str(some_bad))
    assert (code, err) == (3, "")
    assert out == ("customers: read 2, inserted 1, updated 0, unchanged 0, rejected 1\n"
                   "  line 3 name: name is required\n"
                   "Rejected rows, with line, column and reason: "
                   f"{tmp_path / 'some.rejects.csv'}\n")
    code, out, err = run_cli(workspace, "import", "customers", str(tmp_path / "missing.csv"))
    assert (code, out, err) == (1, "", f"Error: {tmp_path / 'missing.csv'} does not exist\n")


# ---------------------------------------------------------------------------
# whole-file checks: duplicates and references
# ---------------------------------------------------------------------------


def test_a_duplicate_id_in_one_file_rejects_the_later_row(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", """\
        id,name,kind
        C1,Ann,person
        C2,Bo,person
        C1,Ann again,organization
        C3,Cy,robot
        C3,Cy fixed,person
        C1,Ann thrice,person
        """)
    result = workspace.import_file("customers", path, batch_size=2)
    assert (result.read, result.inserted, result.rejected) == (6, 3, 3)
    assert rejects(tmp_path / "customers.rejects.csv")[1:] == [
        "C1,Ann again,organization,4,id,C1,duplicate key (id) in the file: already on line 2",
        'C3,Cy,robot,5,kind,robot,"not allowed; use one of: person, organization"',
        "C1,Ann thrice,person,7,id,C1,duplicate key (id) in the file: already on line 2",
    ]
    # The first good line wins; a rejected line does not claim the key.
    assert [(c.id, c.name) for c in workspace.customers()] == [
        ("C1", "Ann"), ("C2", "Bo"), ("C3", "Cy fixed")]


def test_a_duplicate_natural_key_in_one_file(workspace, tmp_path):
    workspace.import_file("customers", write(tmp_path / "customers.csv", "id,name\nC1,Ann\n"))
    # 2026-10 and 2026-10-01 are one period; no account_id column means none.
    path = write(tmp_path / "m.csv",
                 "customer_id,metric,period,value\nC1,revenue,2026-10,1\nC1,revenue,2026-10-01,2\n")
    result = workspace.import_file("measurements", path)
    assert (result.inserted, result.rejected) == (1, 1)
    assert rejects(tmp_path / "m.rejects.csv")[1].endswith(
        ",3,customer_id,C1,duplicate key (customer_id account_id metric period) in the file: "
        "already on line 2")
    with workspace.engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(t.measurements))] == [
            ("C1", "revenue", dt.date(2026, 10, 1), "", Decimal("1.0000"))]


def test_an_interaction_for_an_unknown_customer_is_rejected(workspace, tmp_path):
    workspace.import_file("customers", write(tmp_path / "customers.csv", "id,name\nC1,Ann\n"))
    path = write(tmp_path / "interactions.csv", """\
        id,customer_id,kind,occurred_at,manager_id
        I1,C1,visit,2026-11-02,
        I2,C9,visit,2026-11-02,
        I3,C1,visit,2026-11-02,M9
        """)
    result = workspace.import_file("interactions", path)
    assert (result.inserted, result.rejected) == (1, 2)
    assert rejects(tmp_path / "interactions.rejects.csv")[1:] == [
        'I2,C9,visit,2026-11-02T00:00:00,,3,customer_id,C9,"customer_id C9 is not the id of '
        'any of customers, in the database or this file"',
        'I3,C1,visit,2026-11-02T00:00:00,M9,4,manager_id,M9,"manager_id M9 is not the id of '
        'any of managers, in the database or this file"',
    ]


def test_a_manager_may_report_to_one_defined_later_in_the_same_file(workspace, tmp_path):
    path = write(tmp_path / "managers.csv", """\
        id,name,reports_to
        M1,Wang,M3
        M3,Zhao,
        M4,Sun,M5
        M5,Zhou,M9
        """)
    result = workspace.import_file("managers", path, batch_size=1)
    assert (result.inserted, result.rejected) == (2, 2)
    # M5 names no known manager; M4 names M5, which this file then does not
    # hold: the chain is followed to its end.
    assert rejects(tmp_path / "managers.rejects.csv")[1:] == [
        'M4,Sun,M5,4,reports_to,M5,"reports_to M5 is not the id of any of managers, in the '
        'database or this file"',
        'M5,Zhou,M9,5,reports_to,M9,"reports_to M9 is not the id of any of managers, in the '
        'database or this file"',
    ]
    assert [(m.id, m.reports_to) for m in workspace.managers()] == [("M1", "M3"), ("M3", None)]
    # A later file may name them, from the database.
    again = workspace.import_file("managers", write(tmp_path / "more.csv",
                                                     "id,name,reports_to\nM4,Sun,M1\n"))
    assert (again.inserted, again.rejected) == (1, 0)


# ---------------------------------------------------------------------------
# encodings and formats
# ---------------------------------------------------------------------------


def test_a_gb18030_file_is_found_and_utf8_forced_on_it_fails(workspace, tmp_path):
    text = "id,name,territory\nC1,刘䶮,华北\nC2,,华南\n"
    path = write(tmp_path / "customers.csv", text, encoding="gb18030")
    before = counts(workspace)
    # --encoding still forces: UTF-8 forced on a GB18030 file names the line.
    code, out, err = run_cli(workspace, "import", "customers", str(path), "--encoding", "utf-8")
    assert (code, out) == (1, "")
    assert err == ("Error: customers.csv line 2 is not valid UTF-8; a file saved by Chinese "
                   "Excel is usually GB18030: try --encoding gb18030\n")
    assert counts(workspace) == before
    code, out, err = run_cli(workspace, "import", "customers", str(path))
    assert code == 3
    assert out.splitlines()[0].endswith("rejected 1 (read as GB18030)")
    assert [(c.id, c.name, c.territory) for c in workspace.customers()] == [("C1", "刘䶮", "华北")]
    # The rejects file is written in the input's encoding, beside it.
    assert (tmp_path / "customers.rejects.csv").read_bytes().decode("gb18030").splitlines() == [
        "id,name,territory,line,column,value,reason", "C2,,华南,3,name,,name is required"]


def test_a_utf8_file_with_a_bom(workspace, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes("\ufeffid,name\nC1,张伟\n".encode())
    assert workspace.import_file("customers", path).inserted == 1
    assert workspace.customer("C1").name == "张伟"


def test_an_xlsx_workbook_from_a_spreadsheet(workspace, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workspace.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name", "manager_id", "created_at"])
    sheet.append([1001, "华北机械有限公司", "M1", dt.datetime(2026, 1, 5)])
    sheet.append([1002.0, "Li Na", "M2", dt.date(2025, 11, 20)])
    sheet.append([1003, "坏日期", "M1", "2026-02-30"])
    sheet.append([None, None, None, None])
    book.create_sheet("ignored").append(["nothing", "here"])
    book.save(tmp_path / "customers.xlsx")
    result = workspace.import_file("customers", tmp_path / "customers.xlsx")
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert [(c.id, c.name, c.manager_id, c.created_at) for c in workspace.customers()] == [
        ("1001", "华北机械有限公司", "M1", dt.date(2026, 1, 5)),
        ("1002", "Li Na", "M2", dt.date(2025, 11, 20)),
    ]
    assert rejects(tmp_path / "customers.rejects.csv")[1:] == [
        "1003,坏日期,M1,2026-02-30,4,created_at,2026-02-30,expected a date like 2026-11-23"]

    sheet = (book := openpyxl.Workbook()).active
    sheet.append(["customer_id", "metric", "period", "value"])
    sheet.append([1001, "revenue", dt.datetime(2026, 10, 1), 1234.5])
    sheet.append([1002, "revenue", "2026-10", 12.0])
    book.save(tmp_path / "m.xlsx")
    assert workspace.import_file("measurements", tmp_path / "m.xlsx").inserted == 2
    with workspace.engine.connect() as conn:
        assert conn.execute(select(t.measurements.c.customer_id, t.measurements.c.value)
                            .order_by(t.measurements.c.customer_id)).all() == [
            ("1001", Decimal("1234.5000")), ("1002", Decimal("12.0000"))]


def test_a_json_lines_file(workspace, tmp_path):
    path = write(tmp_path / "customers.jsonl", """\
        {"id": "C1", "name": "马丽", "kind": "person", "created_at": "2026-01-04"}
        {"id": "C2", "name": "Global Trade", "kind": "organization", "created_at": null}

        {"id": "C3", "name": "Bad", "kind": "robot"}
        {"id": 4, "name": "Four"}
        """)
    result = workspace.import_file("customers", path)
    assert (result.read, result.inserted, result.rejected) == (4, 3, 1)
    assert rejects(tmp_path / "customers.rejects.csv") == [
        "id,name,kind,created_at,line,column,value,reason",
        'C3,Bad,robot,,4,kind,robot,"not allowed; use one of: person, organization"',
    ]
    assert [(c.id, c.kind, c.created_at) for c in workspace.customers()] == [
        ("4", "person", None), ("C1", "person", dt.date(2026, 1, 4)),
        ("C2", "organization", None)]


# ---------------------------------------------------------------------------
# re-imports: unchanged, updated, pack fields, ownership
# ---------------------------------------------------------------------------


def test_reimport_counts_unchanged_and_updated(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", "id,name,status\nC1,Ann,active\nC2,Bo,active\n")
    first = workspace.import_file("customers", path)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    again = workspace.import_file("customers", path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    changed = write(tmp_path / "changed.csv",
                    "id,name,status\nC1,Ann,dormant\nC2,Bo,active\nC3,Cy,lost\n")
    result = workspace.import_file("customers", changed)
    assert result.as_json() == {"entity": "customers", "read": 3, "inserted": 1, "updated": 1,
                                "unchanged": 1, "rejected": 0, "rejects_file": None,
                                "encoding": "utf-8", "dry_run": False}
    assert [(c.id, c.status) for c in workspace.customers()] == [
        ("C1", "dormant"), ("C2", "active"), ("C3", "lost")]


def test_a_column_left_out_keeps_its_stored_value(workspace, tmp_path):
    workspace.import_file("customers", write(tmp_path / "a.csv",
                                             "id,name,territory\nC1,Ann,north\n"))
    result = workspace.import_file("customers", write(tmp_path / "b.csv", "id,name\nC1,Anna\n"))
    assert result.updated == 1
    assert (workspace.customer("C1").name, workspace.customer("C1").territory) == ("Anna", "north")


def test_pack_fields_land_in_attributes_and_merge(pack_ws, tmp_path):
    ws = pack_ws
    ws.import_file("customers", write(tmp_path / "1.csv",
                                      "id,name,grade,licence_until\nC1,Ann,2,2027/03/31\n"))
    assert ws.customer("C1").attributes == {"grade": 2, "licence_until": "2027-03-31"}
    # A file with another field only: both are kept.
    result = ws.import_file("customers", write(tmp_path / "2.csv", "id,name,licence\nC1,Ann,L-9\n"))
    assert (result.updated, result.unchanged) == (1, 0)
    assert ws.customer("C1").attributes == {
        "grade": 2, "licence": "L-9", "licence_until": "2027-03-31"}
    # An empty cell removes that field only.
    result = ws.import_file("customers", write(tmp_path / "3.csv", "id,name,grade\nC1,Ann,\n"))
    assert result.updated == 1
    assert ws.customer("C1").attributes == {"licence": "L-9", "licence_until": "2027-03-31"}
    again = ws.import_file("customers", tmp_path / "3.csv")
    assert (again.updated, again.unchanged) == (0, 1)
    # A new customer's empty field is simply absent.
    ws.import_file("customers", write(tmp_path / "4.csv", "id,name,grade,licence\nC2,Bo,,L-2\n"))
    assert ws.customer("C2").attributes == {"licence": "L-2"}


def test_pack_field_values_are_checked(pack_ws, tmp_path):
    path = write(tmp_path / "customers.csv", """\
        id,name,grade,licence_until
        C1,Ann,4,
        C2,Bo,two,
        C3,Cy,3,31.12.2027
        C4,Di,3.0,2027-12-31
        """)
    result = pack_ws.import_file("customers", path)
    assert (result.inserted, result.rejected) == (1, 3)
    assert rejects(tmp_path / "customers.rejects.csv")[1:] == [
        'C1,Ann,4,,2,grade,4,"not allowed; use one of: 1, 2, 3"',
        "C2,Bo,two,,3,grade,two,expected a whole number",
        "C3,Cy,3,31.12.2027,4,licence_until,31.12.2027,expected a date like 2026-11-23",
    ]
    assert pack_ws.customer("C4").attributes == {"grade": 3, "licence_until": "2027-12-31"}


def test_a_required_pack_field(workspace, tmp_path):
    class RequiredPack:
        @guanxi.hookimpl
        def guanxi_fields(self):
            return [guanxi.Field(name="licence_no", entity="customers", type="text", required=True)]

    ws = reopen(workspace, {"req": RequiredPack()})
    with pytest.raises(guanxi.ImportFileError) as failure:
        ws.import_file("customers", write(tmp_path / "a.csv", "id,name\nC1,Ann\n"))
    assert str(failure.value) == (
        "a.csv: the header misses the required column(s) licence_no; nothing was imported")
    result = ws.import_file("customers", write(tmp_path / "b.csv",
                                               "id,name,licence_no\nC1,Ann,\nC2,Bo,X2\n"))
    assert (result.inserted, result.rejected) == (1, 1)
    assert rejects(tmp_path / "b.rejects.csv")[1] == "C1,Ann,,2,licence_no,,licence_no is required"


def _ownership(ws, customer):
    return [(o.manager_id, o.started_at, o.ended_at, o.reason) for o in ws.ownership(customer)]


def test_a_new_manager_on_reimport_is_a_reassignment_in_history(workspace, tmp_path, monkeypatch):
    ws = workspace
    monkeypatch.setattr(ws, "today", lambda: TODAY)
    ws.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    ws.import_file("customers", write(tmp_path / "a.csv", """\
        id,name,manager_id,created_at
        C1,Ann,M1,2026-01-05
        C2,Bo,M1,
        C3,Cy,,
        """))
    assert _ownership(ws, "C1") == [("M1", dt.date(2026, 1, 5), None, "import")]
    assert _ownership(ws, "C2") == [("M1", TODAY, None, "import")]
    assert _ownership(ws, "C3") == []
    with ws.engine.begin() as conn:
        conn.execute(insert(t.tasks).values(
            rule="core.test", customer_id="C1", manager_id="M1", due_at=dt.datetime(2026, 12, 1),
            reason="call", created_at=dt.datetime(2026, 11, 1)))
    result = ws.import_file("customers", write(tmp_path / "b.csv", """\
        id,name,manager_id,created_at
        C1,Ann,M2,2026-01-05
        C2,Bo,M1,
        C3,Cy,M2,
        """))
    assert (result.updated, result.unchanged) == (2, 1)
    assert _ownership(ws, "C1") == [("M1", dt.date(2026, 1, 5), TODAY, "import"),
                                    ("M2", TODAY, None, "import")]
    assert _ownership(ws, "C2") == [("M1", TODAY, None, "import")]
    assert _ownership(ws, "C3") == [("M2", TODAY, None, "import")]
    # The customer's open task followed it to the new manager.
    with ws.engine.connect() as conn:
        assert conn.execute(select(t.tasks.c.manager_id)).scalars().all() == ["M2"]


# ---------------------------------------------------------------------------
# chunks and progress
# ---------------------------------------------------------------------------


MIXED = """\
id,name,kind,manager_id
C1,Ann,person,M1
C2,Bo,robot,M1
C3,Cy,person,M9
C1,Ann again,person,M1
C4,Di,organization,
C5,Ed,person,M2
C5,Ed again,person,M2
"""


def _snapshot(ws, path):
    with ws.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(select(t.customers).order_by(t.customers.c.id))]
        owners = [tuple(r)[1:] for r in conn.execute(select(t.ownership).order_by(
            t.ownership.c.customer_id))]
    return stored, owners, read_text(path.with_name(path.stem + ".rejects.csv"))


def test_batch_size_two_gives_the_same_result_as_the_default(workspace, tmp_path):
    ws = workspace
    ws.import_file("managers", write(tmp_path / "managers.csv", MANAGERS))
    path = write(tmp_path / "customers.csv", MIXED)
    code, out, _ = run_cli(ws, "import", "customers", str(path), "--batch-size", "2",
                           "--format", "json")
    small = (code, out, _snapshot(ws, path))
    with ws.engine.begin() as conn:
        conn.execute(delete(t.ownership))
        conn.execute(delete(t.customers))
    code, out, _ = run_cli(ws, "import", "customers", str(path), "--format", "json")
    assert (code, out, _snapshot(ws, path)) == small
    assert json.loads(out) == {"entity": "customers", "read": 7, "inserted": 3, "updated": 0,
                               "unchanged": 0, "rejected": 4,
                               "rejects_file": str(tmp_path / "customers.rejects.csv"),
                               "encoding": "utf-8", "dry_run": False}


def test_progress_is_reported_after_each_chunk(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", "id,name\n" + "".join(
        f"C{i},N{i}\n" for i in range(5)))
    calls = []
    workspace.import_file("customers", path, batch_size=2,
                          progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    # Two full chunks, then the rest.
    assert len(calls) == 3
    assert calls[-1] == (size, size)
    assert all(total == size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# ---------------------------------------------------------------------------
# hooks in an import
# ---------------------------------------------------------------------------


def test_a_validate_hook_rejection_names_the_pack_and_exits_3(make_workspace, tmp_path):
    first = make_workspace(extra_packs={"testpack": HookPack()})
    ws = reopen(first, {"testpack": HookPack(reject={"customers": {"C2"}})})
    # Columns in an unusual order: the rejects file keeps the file's order.
    path = write(tmp_path / "customers.csv", "name,grade,id\nAnn,1,C1\nBo,2,C2\n")
    result = ws.import_file("customers", path)
    assert (result.inserted, result.rejected, result.exit_code) == (1, 1, 3)
    assert rejects(tmp_path / "customers.rejects.csv") == [
        "name,grade,id,line,column,value,reason",
        "Bo,2,C2,3,id,C2,refused by the test pack (pack testpack)"]
    ws.close()


def test_an_after_saved_hook_that_raises_writes_nothing(make_workspace, tmp_path):
    first = make_workspace(extra_packs={"testpack": HookPack()})
    first.import_file("customers", write(tmp_path / "base.csv", "id,name\nC0,Zero\n"))
    ws = reopen(first, {"testpack": HookPack(fail="guanxi_after_customers_saved")})
    before = counts(ws)
    with pytest.raises(guanxi.PackError):
        ws.import_file("customers", write(tmp_path / "c.csv", "id,name\nC0,Changed\nC1,Ann\n"))
    assert counts(ws) == before
    assert [(c.id, c.name) for c in ws.customers()] == [("C0", "Zero")]
    ws.close()


# ---------------------------------------------------------------------------
# the Python API: save
# ---------------------------------------------------------------------------


def test_save_refuses_a_batch_with_a_bad_row_and_writes_nothing(workspace):
    before = counts(workspace)
    with pytest.raises(guanxi.GuanxiError) as failure:
        workspace.save("customers", [
            {"id": "C1", "name": "Ann"},
            {"id": "C2", "name": "Bo", "kind": "robot"},
            {"id": "C3", "created_at": dt.date(2026, 2, 1)},
            {"id": "C1", "name": "Ann twice"},
            {"id": "C5", "name": "Five"},
        ])
    assert str(failure.value) == (
        "customers not saved, nothing was written: row 2 kind='robot': not allowed; use one of: "
        "person, organization; row 3 name=None: name is required; row 4 id='C1': duplicate key "
        "(id) in the file: already on line 1")
    # a GuanxiError (exit status 1) that also lists the problems, for the web API's 422
    from guanxi.errors import RowsRefused

    assert (type(failure.value), failure.value.exit_code) == (RowsRefused, 1)
    assert failure.value.problems == [
        {"line": 2, "column": "kind", "value": "robot",
         "reason": "not allowed; use one of: person, organization"},
        {"line": 3, "column": "name", "value": None, "reason": "name is required"},
        {"line": 4, "column": "id", "value": "C1",
         "reason": "duplicate key (id) in the file: already on line 1"}]
    assert counts(workspace) == before


def test_save_stores_typed_values(workspace):
    result = workspace.save("customers", [
        {"id": "C1", "name": "Ann", "created_at": dt.date(2026, 2, 1), "status": "dormant"}])
    assert (result.inserted, result.rejects_file) == (1, None)
    assert workspace.customer("C1").created_at == dt.date(2026, 2, 1)
    assert count(workspace, t.customers) == 1


def test_a_rejects_column_that_clashes_with_the_file_is_renamed(workspace, tmp_path):
    workspace.save("customers", [{"id": "C1", "name": "c"}])
    path = write(tmp_path / "m.csv", "customer_id,metric,period,value\n"
                                     "C1,revenue,2026-10,x\nC1,revenue,2026-11,5\n")
    result = workspace.import_file("measurements", path)
    assert (result.inserted, result.rejected) == (1, 1)
    assert rejects(result.rejects_file) == [
        "customer_id,metric,period,value,line,column,rejected_value,reason",
        "C1,revenue,2026-10,x,2,value,x,expected a number",
    ]


def test_a_clean_import_removes_an_earlier_rejects_file(workspace, tmp_path):
    path = write(tmp_path / "customers.csv", "id,name,kind\nC1,a,robot\n")
    first = workspace.import_file("customers", path)
    assert first.rejects_file is not None
    write(path, "id,name,kind\nC1,a,person\n")
    second = workspace.import_file("customers", path)
    assert (second.rejected, second.rejects_file) == (0, None)
    assert not (tmp_path / "customers.rejects.csv").exists()


def test_rejects_go_to_the_workspace_folder_not_beside_the_input(workspace, tmp_path):
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    path = write(elsewhere / "customers.csv", "id,name,kind\nC1,Ann,person\nC2,Bo,robot\n")
    result = workspace.import_file("customers", path)
    folder = workspace.config.path.parent
    assert folder != elsewhere
    assert result.rejects_file == str(folder / "customers.rejects.csv")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["customers.csv"]
    assert rejects(folder / "customers.rejects.csv")[1] == (
        'C2,Bo,robot,3,kind,robot,"not allowed; use one of: person, organization"')
    code, out, _ = run_cli(workspace, "import", "customers", str(path), "--rejects",
                        str(tmp_path / "named.csv"))
    assert code == 3
    assert out.splitlines()[-1] == (
        f"Rejected rows, with line, column and reason: {tmp_path / 'named.csv'}")
    assert rejects(tmp_path / "named.csv")[1].startswith("C2,Bo,robot,3,kind,")
