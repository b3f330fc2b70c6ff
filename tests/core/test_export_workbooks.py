"""guanxi export: xlsx workbooks with typed cells, CSV for Excel, standard output."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

import guanxi
from click.testing import CliRunner

from guanxi.cli import cli
from guanxi.importing import export as export_module
from guanxi.testing import DataBuilder


def run(ws, *args):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(workspace):
    b = DataBuilder(workspace)
    b.manager("M1", name="王经理", territory="北区")
    b.customer("000123", name="华北机械有限公司", kind="organization", manager_id="M1",
               territory="北区", status="active", created_at=dt.date(2024, 3, 15))
    b.customer("C2", name="张伟", kind="person", manager_id="M1", status="active",
               created_at=dt.date(2023, 7, 1))
    b.account("A-0007", "000123", opened_at=dt.date(2024, 3, 16))
    b.interaction("I1", "000123", "visit", dt.datetime(2026, 11, 3, 10, 15, 30),
                  manager_id="M1", amount=1234.5, outcome="签约")
    b.measurement("000123", "revenue", "2026-11", 76109.3)
    b.measurement("C2", "revenue", "2026-10", 0.1)
    return workspace


def sheet_rows(path):
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    return sheet, [list(r) for r in sheet.iter_rows(values_only=True)]


def test_xlsx_export_types_each_cell(ws, tmp_path):
    out = tmp_path / "customers.xlsx"
    assert run(ws, "export", "customers", str(out)) == (
        0, f"customers: wrote 2 rows to {out}\n", "")
    sheet, rows = sheet_rows(out)
    assert sheet.title == "customers"
    assert sheet.freeze_panes == "A2"  # the header row stays in view
    assert rows == [
        ["id", "name", "kind", "manager_id", "territory", "status", "created_at"],
        # the id stays text with its zeros; the date is a date cell
        ["000123", "华北机械有限公司", "organization", "M1", "北区", "active",
         dt.datetime(2024, 3, 15)],
        ["C2", "张伟", "person", "M1", None, "active", dt.datetime(2023, 7, 1)],
    ]
    assert sheet["A2"].data_type == "s"
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    # columns measured in display cells: 8 CJK characters take 16
    assert sheet.column_dimensions["B"].width >= 16


def test_xlsx_export_numbers_and_datetimes(ws, tmp_path):
    out = tmp_path / "interactions.xlsx"
    assert run(ws, "export", "interactions", str(out))[0] == 0
    sheet, rows = sheet_rows(out)
    header, row = rows
    values = dict(zip(header, row))
    assert values["occurred_at"] == dt.datetime(2026, 11, 3, 10, 15, 30)
    assert sheet.cell(2, header.index("occurred_at") + 1).number_format == "yyyy-mm-dd hh:mm:ss"
    assert values["amount"] == 1234.5
    assert sheet.cell(2, header.index("amount") + 1).data_type == "n"
    assert values["outcome"] == "签约"


@pytest.mark.parametrize("entity", ["managers", "customers", "accounts", "interactions",
                                    "measurements"])
def test_an_exported_workbook_imports_back_unchanged(ws, tmp_path, entity):
    out = tmp_path / f"{entity}.xlsx"
    assert run(ws, "export", entity, str(out))[0] == 0
    code, stdout, _ = run(ws, "import", entity, str(out), "--format", "json")
    summary = json.loads(stdout)
    assert (code, summary["inserted"], summary["updated"], summary["rejected"]) == (0, 0, 0, 0)
    assert summary["unchanged"] == {"managers": 1, "customers": 2, "accounts": 1,
                                    "interactions": 1, "measurements": 2}[entity]


def test_excel_csv_has_a_bom(ws, tmp_path):
    out = tmp_path / "excel.csv"
    assert run(ws, "export", "customers", str(out), "--excel")[0] == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8").splitlines()[1] == (
        "000123,华北机械有限公司,organization,M1,北区,active,2024-03-15")
    # the importer reads it back (UTF-8 with or without BOM)
    code, stdout, _ = run(ws, "import", "customers", str(out), "--format", "json")
    assert (code, json.loads(stdout)["unchanged"]) == (0, 2)


def test_excel_and_encoding_together_is_wrong_usage(ws, tmp_path):
    code, _, err = run(ws, "export", "customers", str(tmp_path / "x.csv"), "--excel",
                       "--encoding", "gb18030")
    assert code == 2 and "--excel writes UTF-8 with a BOM" in err


def test_dash_writes_csv_to_standard_output(ws):
    code, stdout, stderr = run(ws, "export", "customers", "-")
    assert (code, stderr) == (0, "customers: wrote 2 rows\n")
    assert stdout.splitlines() == [
        "id,name,kind,manager_id,territory,status,created_at",
        "000123,华北机械有限公司,organization,M1,北区,active,2024-03-15",
        "C2,张伟,person,M1,,active,2023-07-01",
    ]


def test_dash_with_excel_writes_the_bom(ws):
    code, stdout, _ = run(ws, "export", "customers", "-", "--excel")
    assert code == 0 and stdout.startswith("\ufeffid,name,")


def test_a_workbook_cannot_go_to_standard_output(ws, tmp_path):
    from guanxi.errors import UsageError

    with pytest.raises(UsageError, match="cannot go to standard output"):
        export_module._format_of(__import__("pathlib").Path("-"), "xlsx")


def test_tasks_and_segments_export_as_workbooks(ws, tmp_path):
    out = tmp_path / "tasks.xlsx"
    assert run(ws, "export", "tasks", str(out)) == (0, f"tasks: wrote 0 rows to {out}\n", "")
    _, rows = sheet_rows(out)
    assert rows == [["id", "rule", "customer_id", "manager_id", "kind", "due_at", "priority",
                     "status", "reason", "created_at", "closed_at", "outcome"]]


def test_xlsx_export_streams_rows(workspace, tmp_path, monkeypatch):
    """Thousands of rows: each written as it comes from the database, never a list,
    in xlsxwriter's constant_memory mode (one row in memory)."""
    monkeypatch.setattr(export_module, "CHUNK", 100)
    b = DataBuilder(workspace)
    b.rows("customers", [{"id": f"C{n:05d}", "name": f"客户{n}", "created_at": dt.date(2024, 1, 1)}
                         for n in range(3000)])
    fetched = []
    real_stream = export_module._stream

    def counting_stream(rt, query):
        for row in real_stream(rt, query):
            fetched.append(1)
            yield row

    import guanxi.workbooks as workbooks

    written_ahead = []
    modes = []
    real_row = workbooks.Sheet.row

    def row(self, values):
        modes.append(self._book._book.constant_memory)
        real_row(self, values)
        # rows fetched but not yet written: at most one database chunk
        written_ahead.append(len(fetched) - self.rows)

    monkeypatch.setattr(export_module, "_stream", counting_stream)
    monkeypatch.setattr(workbooks.Sheet, "row", row)
    result = workspace.export("customers", tmp_path / "big.xlsx")
    assert result.rows == 3000 and len(fetched) == 3000
    assert set(modes) == {True}
    assert max(written_ahead) <= 100
    _, rows = sheet_rows(tmp_path / "big.xlsx")
    assert len(rows) == 3001 and rows[-1][:2] == ["C02999", "客户2999"]


class FieldsPack:
    """Declared customer fields: a code with leading zeros and a date."""

    @guanxi.hookimpl
    def guanxi_fields(self):
        return [guanxi.Field(name="branch_code", entity="customers", type="text"),
                guanxi.Field(name="opened_on", entity="customers", type="date"),
                guanxi.Field(name="score", entity="customers", type="integer")]


def test_declared_fields_keep_their_types_and_round_trip(make_workspace, tmp_path):
    ws = make_workspace(extra_packs={"fp": FieldsPack()})
    ws.save("customers", [{"id": "C1", "name": "张伟", "branch_code": "0012",
                           "opened_on": "2025-02-03", "score": 7},
                          {"id": "C2", "name": "李娜"}])
    out = tmp_path / "customers.xlsx"
    assert ws.export("customers", out).rows == 2
    sheet, rows = sheet_rows(out)
    assert rows[0][-3:] == ["branch_code", "opened_on", "score"]
    assert rows[1][-3:] == ["0012", dt.datetime(2025, 2, 3), 7]
    assert rows[2][-3:] == [None, None, None]
    assert sheet.cell(2, len(rows[0]) - 1).number_format == "yyyy-mm-dd"
    result = ws.import_file("customers", out)
    assert (result.unchanged, result.updated, result.inserted) == (2, 0, 0)


def test_the_workbook_writer_for_packs(tmp_path):
    """guanxi.workbooks, public: titles and notes, typed cells, Excel-safe sheet names."""
    from guanxi.workbooks import Workbook, write_table

    path = tmp_path / "notices.xlsx"
    n = write_table(path, [{"customer_id": "000123", "due_on": dt.date(2026, 12, 7),
                            "count": 3, "big": 2**60, "formula": "=1+1", "sent": True}],
                    ["customer_id", "due_on", "count", "big", "formula", "sent"],
                    sheet="停电/通知", title="停电通知 2026-12", notes=["as of 2026-12-06"])
    assert n == 1
    sheet, rows = sheet_rows(path)
    assert sheet.title == "停电_通知"  # / is not allowed in a sheet name
    assert rows == [["停电通知 2026-12", None, None, None, None, None],
                    ["as of 2026-12-06", None, None, None, None, None],
                    ["customer_id", "due_on", "count", "big", "formula", "sent"],
                    ["000123", dt.datetime(2026, 12, 7), 3, str(2**60), "=1+1", True]]
    assert sheet.freeze_panes == "A4"
    assert sheet["A1"].font.b
    book = Workbook()
    with book:
        book.sheet("a" * 40, ["x"]).row([1.5])
        book.sheet("A" * 40, ["x"]).row([dt.datetime(2026, 1, 2, 3, 4, 5)])
    loaded = openpyxl.load_workbook(__import__("io").BytesIO(book.getvalue()))
    assert loaded.sheetnames == ["a" * 31, "A" * 29 + "~2"]
    assert loaded.worksheets[1]["A2"].value == dt.datetime(2026, 1, 2, 3, 4, 5)


def test_a_column_number_format_keeps_the_number(tmp_path):
    """formats: a share shown as a percent is still the fraction; a name no column is refused."""
    from guanxi.workbooks import Workbook, write_table

    path = tmp_path / "shares.xlsx"
    write_table(path, [{"cohort": "2026-09", "m0": 1, "m1": 0.5, "note": "x"}],
                ["cohort", "m0", "m1", "note"], sheet="cohorts",
                formats={"m0": "0.0%", "m1": "0.0%"})
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[2]] == ["2026-09", 1, 0.5, "x"]
    assert (sheet["B2"].number_format, sheet["C2"].number_format) == ("0.0%", "0.0%")
    assert sheet["A2"].number_format == "General" and sheet["D2"].number_format == "General"
    with pytest.raises(ValueError, match="formats name no column of the sheet: m9"):
        with Workbook() as book:
            book.sheet("s", ["m0"], formats={"m9": "0%"})
