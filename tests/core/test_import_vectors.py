"""The importer converts a chunk column by column: the same values and the
same reasons as converting every cell on its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from guanxi.importing.columns import PlannedColumn, _period_converter
from guanxi.importing.values import ValueProblem, converter_for
from guanxi.importing.vectors import convert_chunk, convert_column, sqlite_form

TZ = ZoneInfo("Asia/Shanghai")

#: Cells each type's single-value converter reads, refuses or reads
#: differently from the canonical form; mixed into columns below.
CELLS = {
    "text": ["Ann", " Ann", "Ann ", "  ", "王䶮\u3000", "\u3000", "a\nb", "0", "\x00x"],
    "integer": ["12", "-3", "+4", " 5 ", "1_000", "12.0", "1.5", "x", "１２", "1,234",
                "1.5E+05", "¥1,234", "12%"],
    "decimal": ["12.50", "-0.1", ".5", "+3", " 7 ", "1e3", "1E3", "NaN", "inf", "Infinity",
                "1_0", "1.2.3", "１２.５", "sNaN", "0", "1,234.50", "１２３．５", "1.5E+05",
                "¥1,234", "12.5%", "1,23"],
    "share": ["0.125", "12.5%", "１２．５％", "100%", "1", "0", "1.5E-01", "12.5", "abc%"],
    "cn_ric": ["11010519491231002X", "11010519491231002x", "110105194912310021", "12"],
    "cn_mobile": ["13800138000", "+86 138 0013 8000", "12800138000"],
    "boolean": ["true", "false", "yes", "no", "1", "0", "是", "否", "TRUE", " yes", "maybe"],
    "date": ["2026-11-23", "2026/11/23", "20261123", "2026-02-30", "2026-W47-1",
             "2026-11-23 00:00:00", "2026-11-23 09:00", " 2026-11-23", "0000-01-01",
             "2026-1-5"],
    "datetime": ["2026-11-23T09:30:00", "2026-11-23 09:30", "2026-11-23T09:30:00+08:00",
                 "2026-11-23T01:30:00Z", "2026-11-23", "20261123", "20261123T093000",
                 "2026-11-23T09:30:00.5", "2026-11-23T25:00", "2026/11/23 9:30",
                 "2026-W47-1T09:00"],
    "period_start": ["2026-10-01", "2026-10-15", "2026-10", "2026-Q3", "2026", "2026-13",
                     "2026-02-30", " 2026-10-01"],
}


def planned(type_name: str, **options) -> PlannedColumn:
    convert = (_period_converter(type_name) if type_name.startswith("period")
               else converter_for(type_name, TZ))
    return PlannedColumn(name="c", index=0, type=type_name, is_field=False,
                         required=options.pop("required", False), convert=convert, **options)


def one_by_one(pc: PlannedColumn, cells):
    values, problems = [], {}
    for i, text in enumerate(cells):
        text = text or None
        try:
            value = pc.convert(text)
        except ValueProblem as problem:
            values.append(None)
            problems[i] = (pc.name, text, str(problem))
            continue
        if value is None and pc.required:
            problems[i] = (pc.name, text, f"{pc.name} is required")
        values.append(value)
    return values, problems


def canonical(type_name: str, n: int = 50) -> list[str]:
    start = dt.datetime(2026, 1, 1, 9, 30)
    return {
        "text": [f"C{i:07d}" for i in range(n)],
        "integer": [str(i - 10) for i in range(n)],
        "decimal": [f"{i * 1.37:.2f}" for i in range(n)],
        "boolean": ["true", "false"] * (n // 2),
        "date": [(start + dt.timedelta(days=i)).date().isoformat() for i in range(n)],
        "datetime": [(start + dt.timedelta(hours=i)).isoformat() for i in range(n)],
        "period_start": [dt.date(2025 + i // 12, i % 12 + 1, 1).isoformat() for i in range(n)],
        "share": [f"{i / max(n, 1):.3f}" for i in range(n)],
        "cn_ric": [_ric(f"1101051990010{i:03d}") for i in range(n)],
        "cn_mobile": [f"1380013{i:04d}" for i in range(n)],
    }[type_name]


def _ric(first17: str) -> str:
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize("type_name", sorted(CELLS))
def test_a_canonical_column_converts_as_each_cell_would(type_name):
    pc = planned(type_name)
    cells = canonical(type_name) + [None, ""]
    assert convert_column(pc, cells) == one_by_one(pc, cells)


@pytest.mark.parametrize("type_name", sorted(CELLS))
@pytest.mark.parametrize("required", [False, True])
def test_each_odd_cell_among_canonical_ones_converts_as_it_would_alone(type_name, required):
    pc = planned(type_name, required=required)
    for odd in CELLS[type_name]:
        cells = canonical(type_name, 6) + [odd] + canonical(type_name, 3) + [None]
        values, problems = convert_column(pc, cells)
        expected_values, expected_problems = one_by_one(pc, cells)
        assert problems == expected_problems, odd
        assert values == expected_values, odd
        # Same types too: 12 and Decimal("12") compare equal.
        assert [type(v) for v in values] == [type(v) for v in expected_values], odd


def test_allowed_values_and_bounds_are_checked_per_column():
    pc = planned("text", allowed=("a", "b"))
    values, problems = convert_column(pc, ["a", "c", None, "b", "d"])
    assert values == ["a", "c", None, "b", "d"]
    assert problems == {1: ("c", "c", "not allowed; use one of: a, b"),
                        4: ("c", "d", "not allowed; use one of: a, b")}
    share = planned("decimal", bounds=(0, 1))
    _, problems = convert_column(share, ["0", "1", "1.01", "-0.5", None])
    assert sorted(problems) == [2, 3]
    assert problems[2][2] == "must be between 0 and 1"


def test_empty_cells_of_a_key_column_are_blank_and_defaults_fill_in():
    blank = planned("text", empty_as_blank=True)
    assert convert_column(blank, ["a", None, ""]) == (["a", "", ""], {})
    default = planned("boolean", default=True)
    assert convert_column(default, ["false", None]) == ([False, True], {})


def test_a_row_is_refused_for_its_first_bad_column():
    class Plan:
        columns = (
            PlannedColumn(name="n", index=0, type="integer", is_field=False, required=False,
                          convert=converter_for("integer")),
            PlannedColumn(name="d", index=1, type="date", is_field=False, required=True,
                          convert=converter_for("date")),
            # A key column the file leaves out: past the row's end.
            PlannedColumn(name="k", index=2, type="text", is_field=False, required=False,
                          convert=converter_for("text"), empty_as_blank=True),
        )

    columns, refused = convert_chunk(Plan, [["1", "2026-11-23"], ["x", ""], ["3", "bad"]])
    assert columns[0] == [1, None, 3]
    assert columns[2] == ["", "", ""]
    assert refused == {1: ("n", "x", "expected a whole number"),
                       2: ("d", "bad", "expected a date like 2026-11-23")}


def test_the_sqlite_form_is_what_sqlalchemy_stores():
    from sqlalchemy import Boolean, Date, DateTime, Numeric, String

    moment = dt.datetime(2026, 11, 23, 9, 30)
    assert sqlite_form("datetime", DateTime(), [moment, None]) == [
        "2026-11-23 09:30:00.000000", None]
    assert sqlite_form("date", Date(), [dt.date(2026, 1, 2)]) == ["2026-01-02"]
    assert sqlite_form("decimal", Numeric(), [Decimal("1.50"), None]) == ["1.50", None]
    assert sqlite_form("boolean", Boolean(), [True, False, None]) == [1, 0, None]
    assert sqlite_form("text", String(), ["a"]) == ["a"]


# -- reading a CSV file in chunks -------------------------------------------------

CSV_FILES = [
    "name,age\nAnn,3\nBob,4\n",
    "\nname,age\n\nAnn,3\n,\n  \n\nBob,4\n\n",
    'name,note\nAnn,"first\nsecond\nthird"\nBob,"a ""quoted"" word"\nCy,x\n',
    'name,note\r\nAnn,"a\r\nb"\r\nBob,c\r\n',
    'name,note\rAnn,"a\rb"\rBob,c\r',
    "name,city\nAnn,Beijing, China\nBob,Paris\n",
    "name,city\nAnn,Paris,,\nBob,Rome,, ,x,\n",
    "name,age,city\nAnn\nBob,4\n",
    "name,age\n,3\n  ,4\nAnn,\n",
    "name\n" + "".join(f"N{i}\n" for i in range(25)) + '"x\ny",\n' + "last\n",
]


@pytest.mark.parametrize("data", CSV_FILES)
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_csv_chunks_give_the_rows_rows_gives(tmp_path, data, size):
    from guanxi.importing.readers import chunked, open_rows

    path = tmp_path / "data.csv"
    path.write_bytes(data.encode())
    with open_rows(path) as source:
        expected = list(chunked(source.rows(), size))
    with open_rows(path) as source:
        got = list(source.chunks(size))

    def flat(chunks):
        good, refused = [], []
        for lines, values, problems in chunks:
            good += [(line, [v or None for v in row]) for line, row in zip(lines, values)]
            refused += problems
        return good, refused

    assert flat(got) == flat(expected)


def test_csv_chunks_name_the_line_of_broken_quoting(tmp_path):
    from guanxi.errors import ImportFileError
    from guanxi.importing.readers import open_rows

    path = tmp_path / "people.csv"
    path.write_text('name,note\nAnn,x\nBob,"never closed\nCy,y\n')
    with open_rows(path) as source, pytest.raises(ImportFileError) as caught:
        list(source.chunks(1000))
    assert "line 3" in str(caught.value)


# -- what the after-saved hooks see ---------------------------------------------------


def test_after_saved_hooks_see_the_saved_rows_typed_as_the_validate_hooks_did(make_workspace,
                                                                             tmp_path):
    import guanxi

    seen: dict[str, list] = {"validate": [], "saved": []}

    class Pack:
        @guanxi.hookimpl
        def guanxi_fields(self):
            return [guanxi.Field(name="ticket", entity="interactions", type="integer"),
                    guanxi.Field(name="urgent", entity="interactions", type="boolean")]

        @guanxi.hookimpl
        def guanxi_validate_interactions(self, workspace, batch):
            seen["validate"] += list(zip(batch.lines, batch.rows))
            return ()

        @guanxi.hookimpl
        def guanxi_after_interactions_saved(self, workspace, batch):
            seen["saved"] += list(zip(batch.lines, batch.rows))

    ws = make_workspace(extra_packs={"vectorpack": Pack()})
    (tmp_path / "c.csv").write_text("id,name\nC1,Ann\n")
    ws.import_file("customers", tmp_path / "c.csv")
    (tmp_path / "i.csv").write_text(
        "id,customer_id,kind,occurred_at,amount,resolved_at,ticket,urgent\n"
        "I1,C1,call,2026-11-23T09:30:00,12.50,,7,true\n"
        "I2,C1,visit,2026-11-22 10:00,,2026-11-23T08:00:00+08:00,,\n"
        "I3,C1,complaint,2026/11/21 8:00,3,,12,no\n"
    )
    result = ws.import_file("interactions", tmp_path / "i.csv", batch_size=2)
    assert result.inserted == 3
    assert [line for line, _ in seen["saved"]] == [2, 3, 4]
    for (_, before), (_, after) in zip(seen["validate"], seen["saved"]):
        assert after == before
        assert [type(v) for v in after] == [type(v) for v in before]
    assert seen["saved"][0][1][3] == dt.datetime(2026, 11, 23, 9, 30)


def test_copy_text_escapes_what_copy_reads_specially():
    from guanxi.importing.staging import copy_text

    assert copy_text(["a", None, "tab\there", "line\nbreak", "back\\slash", "\\N", "cr\r"]) == [
        "a", "\\N", "tab\\there", "line\\nbreak", "back\\\\slash", "\\\\N", "cr\\r"]
    assert copy_text([True, False, None]) == ["t", "f", "\\N"]
    assert copy_text([Decimal("1.50"), 3, None]) == ["1.50", "3", "\\N"]
    assert copy_text([dt.datetime(2026, 11, 23, 9, 30), None]) == ["2026-11-23 09:30:00", "\\N"]
    assert copy_text([dt.date(2026, 11, 23)]) == ["2026-11-23"]
    assert copy_text([None, None]) == ["\\N", "\\N"]
    assert copy_text(["x", 1]) == ["x", "1"]


def test_references_repeated_in_a_chunk_are_checked_once_and_still_reject(workspace, tmp_path):
    (tmp_path / "c.csv").write_text("id,name\nC1,Ann\nC2,Bob\n")
    workspace.import_file("customers", tmp_path / "c.csv")
    rows = ["customer_id,metric,period,value"]
    for customer in ("C1", "C2", "C9"):  # C9 is nobody
        rows += [f"{customer},revenue,2026-{month:02d},{month}" for month in range(1, 7)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    result = workspace.import_file("measurements", tmp_path / "m.csv", batch_size=4)
    assert (result.inserted, result.rejected) == (12, 6)
    rejects = (tmp_path / "m.rejects.csv").read_text().splitlines()
    assert len(rejects) == 7
    assert all(line.startswith("C9,") for line in rejects[1:])
    assert "customer_id C9 is not the id of any of customers" in rejects[1]
