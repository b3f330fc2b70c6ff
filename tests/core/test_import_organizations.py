"""Files as organizations have them (issue 20, "files in"): the encoding and
delimiter found from one sample, title rows above the header, a chosen
sheet, standard input, and column names mapped in guanxi.toml."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import guanxi
from core_helpers import write
from guanxi.cli import cli
from guanxi.errors import GuanxiError, ImportFileError, UsageError
from guanxi.importing.sniffing import HeaderRule, detect_delimiter, detect_encoding

# The shape Chinese Excel saves: a merged title row, a blank row, Chinese
# headers, one of them (客户号) a branch system's own name for the id.
EXPORT = """\
2026年11月 客户清单（北区）,,,,
,,,,
客户号,客户名称,客户类型,客户经理,区域
C1,刘䶮,个人,,北区
C2,华北机械有限公司,对公,,北区
C3,王芳,个人,,北区
"""

MAPPING = """
[import.columns.customers]
"客户号" = "id"

[import.values.customers.kind]
"个人" = "person"
"对公" = "organization"
"""


def run_cli(ws, *args, input=None):
    result = CliRunner().invoke(cli, ["--config", str(ws.config.path), *args], input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def mapped(workspace):
    """The workspace with the one mapping of the acceptance test in guanxi.toml."""
    path = workspace.config.path
    path.write_text(path.read_text(encoding="utf-8") + MAPPING, encoding="utf-8")
    ws = guanxi.open(path)
    yield ws
    ws.close()


def customers(ws):
    return [(c.id, c.name, c.kind, c.territory) for c in ws.customers()]


EXPECTED = [("C1", "刘䶮", "person", "北区"), ("C2", "华北机械有限公司", "organization", "北区"),
            ("C3", "王芳", "person", "北区")]


# -- the acceptance test ------------------------------------------------------

def test_a_gb18030_workbook_csv_with_a_title_row_imports_with_one_mapping(mapped, tmp_path):
    path = write(tmp_path / "客户清单.csv", EXPORT, encoding="gb18030")
    code, out, err = run_cli(mapped, "import", "customers", str(path), "--format", "json")
    assert (code, err) == (0, "")
    summary = json.loads(out)
    assert (summary["inserted"], summary["rejected"], summary["encoding"]) == (3, 0, "gb18030")
    assert summary["dry_run"] is False
    assert customers(mapped) == EXPECTED


def test_the_same_as_a_workbook_with_the_data_on_sheet_2(mapped, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["导出说明：本表由网点系统导出"])
    sheet = book.create_sheet("客户")
    for line in EXPORT.splitlines():
        sheet.append([cell or None for cell in line.split(",")])
    sheet.merge_cells("A1:E1")
    path = tmp_path / "客户清单.xlsx"
    book.save(path)
    for chosen in ("2", "客户"):
        code, out, err = run_cli(mapped, "import", "customers", str(path), "--sheet", chosen,
                                 "--format", "json")
        assert (code, err) == (0, "")
        assert json.loads(out)["encoding"] is None
    assert customers(mapped) == EXPECTED
    code, _, err = run_cli(mapped, "import", "customers", str(path), "--sheet", "客")
    assert (code, err) == (1, "Error: 客户清单.xlsx has no sheet '客' (did you mean '客户'?); its "
                              "sheets, by number and name: 1 说明, 2 客户\n")
    # The first sheet holds no header: its one row is read as one (and refused).
    code, _, err = run_cli(mapped, "import", "customers", str(path))
    assert code == 1 and "导出说明" in err


def test_rejects_name_the_files_own_line_below_the_title_rows(mapped, tmp_path):
    path = write(tmp_path / "c.csv", EXPORT + "C4,赵六,集团,,北区\n", encoding="gb18030")
    code, out, _ = run_cli(mapped, "import", "customers", str(path))
    assert code == 3
    assert out.splitlines()[:2] == [
        "customers: read 4, inserted 3, updated 0, unchanged 0, rejected 1 (read as GB18030)",
        "  line 7 客户类型: not allowed; use one of: person, organization"]
    rejects = (mapped.config.directory / "c.rejects.csv").read_bytes().decode("gb18030")
    # The file's own header and names come back, so the file can be fixed and re-imported.
    assert rejects.splitlines() == [
        "客户号,客户名称,客户类型,客户经理,区域,line,column,value,reason",
        'C4,赵六,集团,,北区,7,客户类型,集团,"not allowed; use one of: person, organization"']


# -- encoding --------------------------------------------------------------------

def test_encodings_found_from_a_sample():
    text = "客户编号,客户名称\nC1,张伟\n"
    assert detect_encoding(text.encode(), "f.csv") == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode(), "f.csv") == "utf-8"
    assert detect_encoding(text.encode("gb18030"), "f.csv") == "gb18030"
    # GBK bytes are GB18030 bytes: read as the superset.
    assert detect_encoding(("id,name\n" + "C1,北京华能电力有限公司\n" * 20).encode("gbk"),
                           "f.csv") == "gb18030"
    # A few Chinese names among ASCII, which the detector alone ranks as a
    # Western or Korean code page: GB18030 reads them cleanly, so it wins.
    few = "id,name,territory\n" + "".join(f"C{i:04d},Customer {i},north\n" for i in range(300))
    assert detect_encoding((few + "C9,王,north\n").encode("gb18030"), "f.csv") == "gb18030"
    assert detect_encoding("id,name\nC1,张伟\nC2,李娜\n".encode("gb18030"), "f.csv") == "gb18030"
    # Japanese reads as mess in GB18030 (0.125): the detector's answer stands.
    assert detect_encoding("id,name\nC1,山田太郎\nC2,東京株式会社\n".encode("shift_jis"),
                           "f.csv") == "cp932"
    # A sample cut inside a UTF-8 character is still UTF-8.
    assert detect_encoding("id,name\nC1,张伟".encode()[:-1], "f.csv") == "utf-8"


@pytest.mark.parametrize(("data", "kind"), [
    (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive (an .xlsx workbook is one: give it the "
                                    ".xlsx suffix or --input-format xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook (save it as .xlsx or CSV)"),
    ("id,name\n".encode("utf-16"), "binary data (it holds NUL bytes; UTF-16 text is read as "
                                   "binary too)"),
])
def test_a_binary_file_is_called_binary(workspace, tmp_path, data, kind):
    path = tmp_path / "customers.csv"
    path.write_bytes(data + b"\x00" * 16)
    with pytest.raises(ImportFileError) as caught:
        workspace.import_file("customers", path)
    assert str(caught.value) == f"customers.csv is binary, not a text file: it is {kind}"


def test_an_encoding_forced_wins(workspace, tmp_path):
    # Latin-1 bytes that happen to be valid GB18030: only the user knows.
    path = tmp_path / "customers.csv"
    path.write_bytes("id,name\nC1,Müller\n".encode("latin-1"))
    result = workspace.import_file("customers", path, encoding="latin-1")
    assert (result.encoding, workspace.customer("C1").name) == ("iso8859-1", "Müller")


# -- delimiter, suffixes, standard input ------------------------------------------

@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_delimiters_found(delimiter):
    lines = ["2026年11月 客户清单", "id,name,note".replace(",", delimiter),
             f"C1{delimiter}Ann{delimiter}a, b; c", f"C2{delimiter}Bo{delimiter}"]
    if delimiter != ",":
        lines[2] = f"C1{delimiter}Ann{delimiter}x"
    assert detect_delimiter("\n".join(lines) + "\n") == delimiter


def test_tab_semicolon_txt_tsv_and_a_forced_delimiter(workspace, tmp_path):
    write(tmp_path / "a.tsv", "id\tname\nC1\tAnn, the first\n")
    write(tmp_path / "b.txt", "id;name\nC2;Bo\n")
    write(tmp_path / "c.csv", "id|name\nC3|Cy\n")
    for name in ("a.tsv", "b.txt", "c.csv"):
        assert workspace.import_file("customers", tmp_path / name).inserted == 1
    assert [(c.id, c.name) for c in workspace.customers()] == [
        ("C1", "Ann, the first"), ("C2", "Bo"), ("C3", "Cy")]
    # Forced: the file's ; is then part of one column named "id;name".
    code, _, err = run_cli(workspace, "import", "customers", str(tmp_path / "b.txt"),
                           "--delimiter", ",")
    assert code == 1 and 'unknown column(s) id;name' in err
    code, out, _ = run_cli(workspace, "import", "customers", str(tmp_path / "a.tsv"),
                           "--delimiter", "tab")
    assert (code, out) == (0, "customers: read 1, inserted 0, updated 0, unchanged 1, "
                              "rejected 0\n")


def test_standard_input(workspace, tmp_path):
    code, out, err = run_cli(workspace, "import", "customers", "-", "--format", "json",
                             input="id;name\nC1;Ann\nC2;\n".encode("gb18030"))
    assert (code, err) == (3, "")
    summary = json.loads(out)
    assert (summary["inserted"], summary["rejects_file"]) == (
        1, str(workspace.config.directory / "stdin.rejects.csv"))
    code, out, _ = run_cli(workspace, "import", "customers", "-", "--input-format", "jsonl",
                           input='{"id": "C3", "name": "Cy"}\n')
    assert (code, out) == (0, "customers: read 1, inserted 1, updated 0, unchanged 0, "
                              "rejected 0\n")


# -- the header row -------------------------------------------------------------

def test_the_header_rule():
    def test(cells):
        return "id" in cells

    rows = [(1, ["标题"]), (3, ["x", "y"]), (4, ["id", "name"]), (5, ["C1", "Ann"])]
    assert HeaderRule(None, test).find(iter(rows)) == (4, ["id", "name"], True)
    assert HeaderRule(None, None).find(iter(rows)) == (1, ["标题"], True)
    assert HeaderRule(3, test).find(iter(rows)) == (3, ["x", "y"], True)
    assert HeaderRule(2, test).find(iter(rows)) == (2, None, False)
    # Not found among the rows: the first non-blank one, read again.
    assert HeaderRule(None, lambda cells: False).find(iter(rows)) == (1, None, True)


def test_header_row_given_and_found(workspace, tmp_path):
    path = write(tmp_path / "c.csv", "Exported 2026-11-30\n\nid,name\nC1,Ann\n")
    assert workspace.import_file("customers", path).inserted == 1
    assert workspace.import_file("customers", path, header_row=3).unchanged == 1
    with pytest.raises(ImportFileError) as caught:
        workspace.import_file("customers", path, header_row=2)
    assert str(caught.value) == ("c.csv line 2 is blank or past the end; --header-row names "
                                 "the line of the column names, counting from 1")
    # A header of unknown names is not found: the first row is read as the
    # header, and named in the error.
    bad = write(tmp_path / "bad.csv", "Exported\nident,nom\nC1,Ann\n")
    with pytest.raises(ImportFileError) as caught:
        workspace.import_file("customers", bad)
    assert "unknown column(s) Exported" in str(caught.value)


# -- names ------------------------------------------------------------------------

def test_core_chinese_names_need_no_mapping(workspace, tmp_path):
    path = write(tmp_path / "c.csv", "客户编号,客户名称,客户类型\nC1,张伟,person\n")
    assert workspace.import_file("customers", path).inserted == 1
    with pytest.raises(ImportFileError) as caught:
        workspace.import_file("customers", write(tmp_path / "d.csv", "客户编号,客户名\nC1,x\n"))
    assert "客户名 (did you mean '客户名称', read as name?)" in str(caught.value)


def test_a_pack_fields_chinese_name(make_workspace, tmp_path):
    ws = make_workspace(packs=("banking",))
    path = write(tmp_path / "c.csv", "客户编号,客户名称,行业\nC1,华能,电力\n")
    assert ws.import_file("customers", path).inserted == 1
    assert ws.customer("C1").attributes["industry"] == "电力"


@pytest.mark.parametrize(("section", "message"), [
    ('[import.columns.customer]\n"客户号" = "id"',
     "[import.columns.customer] names no entity (did you mean 'customers'?)"),
    ('[import.columns.customers]\n"客户号" = "idd"',
     "[import.columns.customers] 客户号 = \"idd\" names no column of customers "
     "(did you mean 'id'?)"),
    ('[import.values.customers.knd]\n"个人" = "person"',
     "[import.values.customers] knd names no column of customers (did you mean 'kind'?)"),
    ('[import.colums.customers]\n"客户号" = "id"',
     "unknown key [import] colums (did you mean 'columns'?)"),
])
def test_a_bad_mapping_is_one_sentence(workspace, tmp_path, section, message):
    path = workspace.config.path
    path.write_text(path.read_text(encoding="utf-8") + "\n" + section + "\n", encoding="utf-8")
    # At open, as every section of guanxi.toml is: not first at an import.
    with pytest.raises(GuanxiError) as caught:
        guanxi.open(path)
    assert str(caught.value).startswith(f"guanxi.toml: {message}")
    assert "\n" not in str(caught.value)
    code, _, err = run_cli(workspace, "tasks", "list")
    assert code == 1 and message in err


def test_the_worked_example_of_the_docs(mapped, examples):
    # docs/import-formats.md, "A branch system's export": the file as saved,
    # CRLF, GB18030, a title row; the mapping above and the example managers.
    mapped.import_file("teams", examples / "teams.csv")
    mapped.import_file("managers", examples / "managers.csv")
    result = mapped.import_file("customers", examples / "branch-export-gb18030.csv")
    assert (result.inserted, result.rejected, result.encoding) == (3, 0, "gb18030")
    c = mapped.customer("C0202")
    assert (c.name, c.kind, c.manager_id, str(c.created_at)) == (
        "华北机械有限公司", "organization", "M001", "2026-11-05")


def test_a_sheet_names_its_rows_and_options_of_another_format_are_usage_errors(
        workspace, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["客户清单"])
    book.active.append(["id", "name"])
    book.active.append(["C1", None])
    book.save(tmp_path / "c.xlsx")
    code, out, _ = run_cli(workspace, "import", "customers", str(tmp_path / "c.xlsx"))
    assert code == 3
    assert out.splitlines()[1] == "  row 3 name: name is required"
    with pytest.raises(UsageError, match="^--delimiter applies to csv files, not xlsx$"):
        workspace.import_file("customers", tmp_path / "c.xlsx", delimiter=";")
    jsonl = write(tmp_path / "c.jsonl", '{"id": "C2", "name": "Bo"}\n')
    with pytest.raises(UsageError, match="^--header-row applies to csv and xlsx files"):
        workspace.import_file("customers", jsonl, header_row=1)
    with pytest.raises(UsageError, match="^--sheet applies to xlsx files, not csv$"):
        workspace.import_file("customers", write(tmp_path / "c.csv", "id,name\n"), sheet=2)


def test_two_names_of_one_column_and_values_mapped_in_json_lines(mapped, tmp_path):
    both = write(tmp_path / "c.csv", "id,客户编号,name\nC1,C1,Ann\n")
    with pytest.raises(ImportFileError) as caught:
        mapped.import_file("customers", both)
    assert str(caught.value) == ('c.csv: columns "id" and "客户编号" both name the column id; '
                                 "keep one")
    path = write(tmp_path / "c.jsonl", '{"客户号": "C1", "客户名称": "张伟", "客户类型": " 对公 "}\n')
    assert mapped.import_file("customers", path).inserted == 1
    assert mapped.customer("C1").kind == "organization"
