from __future__ import annotations

import datetime as dt

import pytest

from guanxi.errors import ImportFileError, UsageError
from guanxi.importing.readers import open_rows


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_all(path, **options):
    with open_rows(path, **options) as source:
        return source.header, list(source.rows())


# CSV


def test_csv_header_rows_and_empty_cells(tmp_path):
    path = write(tmp_path, "people.csv", "name,age,city\nAnn,3,\nBob,,Xi'an\n")
    with open_rows(path) as source:
        assert source.format == "csv"
        assert source.path == path
        assert source.header == ["name", "age", "city"]
        assert list(source.rows()) == [
            (2, ["Ann", "3", None], None),
            (3, ["Bob", None, "Xi'an"], None),
        ]


def test_csv_header_names_are_stripped(tmp_path):
    path = write(tmp_path, "people.csv", " name , age\nAnn,3\n")
    assert read_all(path)[0] == ["name", "age"]


def test_csv_cells_keep_their_spaces(tmp_path):
    # Stripping is the converters' job; the reader returns what is there.
    path = write(tmp_path, "people.csv", "name,age\n Ann , \n")
    assert read_all(path)[1] == [(2, [" Ann ", " "], None)]


def test_csv_with_bom(tmp_path):
    path = write(tmp_path, "people.csv", b"\xef\xbb\xbfname,age\r\nAnn,3\r\n")
    assert read_all(path) == (["name", "age"], [(2, ["Ann", "3"], None)])


def test_csv_utf8_named_explicitly_still_drops_bom(tmp_path):
    path = write(tmp_path, "people.csv", b"\xef\xbb\xbfname\nAnn\n")
    assert read_all(path, encoding="UTF-8")[0] == ["name"]


def test_csv_gb18030(tmp_path):
    text = "姓名,城市\n王䶮,北京\n李四,上海\n"
    path = write(tmp_path, "customers.csv", text.encode("gb18030"))
    assert read_all(path, encoding="gb18030") == (
        ["姓名", "城市"],
        [(2, ["王䶮", "北京"], None), (3, ["李四", "上海"], None)],
    )


def test_csv_gb18030_with_bom(tmp_path):
    path = write(tmp_path, "customers.csv", "\ufeff姓名\n王䶮\n".encode("gb18030"))
    assert read_all(path, encoding="gb18030") == (["姓名"], [(2, ["王䶮"], None)])


def test_csv_gb18030_read_as_utf8_names_the_line(tmp_path):
    text = "name,city\nAnn,Paris\n王䶮,北京\n"
    path = write(tmp_path, "customers.csv", text.encode("gb18030"))
    # Found, it is GB18030; forced to UTF-8, the error names the line.
    assert read_all(path)[1][1] == (3, ["王䶮", "北京"], None)
    with pytest.raises(ImportFileError) as caught:
        read_all(path, encoding="utf-8")
    assert str(caught.value) == (
        "customers.csv line 3 is not valid UTF-8; a file saved by Chinese Excel "
        "is usually GB18030: try --encoding gb18030"
    )


def test_csv_bad_utf8_deep_in_a_large_file_names_its_line(tmp_path):
    # Past the first read block, so the error comes from rows(), not the header.
    body = "".join(f"row{n},x\n" for n in range(2, 20000))
    data = b"name,note\n" + body.encode() + "王,北京\n".encode("gb18030")
    path = write(tmp_path, "big.csv", data)
    with open_rows(path) as source:
        with pytest.raises(ImportFileError, match=r"^big\.csv line 20000 is not valid UTF-8;"):
            for _ in source.rows():
                pass


def test_csv_bad_utf8_in_header(tmp_path):
    path = write(tmp_path, "customers.csv", "姓名\n".encode("gb18030"))
    with pytest.raises(ImportFileError, match=r"^customers\.csv line 1 is not valid UTF-8;"):
        open_rows(path, encoding="utf-8")


def test_csv_line_counts_lone_carriage_returns(tmp_path):
    path = write(tmp_path, "old.csv", b"name\rAnn\r\xff\r")
    with pytest.raises(ImportFileError, match=r"^old\.csv line 3 is not valid UTF-8;"):
        read_all(path, encoding="utf-8")


def test_csv_bytes_invalid_in_gb18030(tmp_path):
    path = write(tmp_path, "customers.csv", b"name\nAnn\n\xff\n")
    with pytest.raises(ImportFileError) as caught:
        read_all(path, encoding="gb18030")
    assert str(caught.value) == (
        "customers.csv line 3 is not valid GB18030; "
        "pass the encoding the file was saved in with --encoding"
    )


def test_csv_blank_lines_are_skipped_and_counted(tmp_path):
    path = write(tmp_path, "people.csv", "\nname,age\n\nAnn,3\n,\n  \n\nBob,4\n\n")
    with open_rows(path) as source:
        assert source.header == ["name", "age"]
        rows = list(source.rows())
    assert rows == [(4, ["Ann", "3"], None), (8, ["Bob", "4"], None)]


def test_csv_multiline_cell_keeps_line_numbers(tmp_path):
    data = 'name,note\nAnn,"first\nsecond\nthird"\nBob,"a ""quoted"" word"\nCy,x\n'
    path = write(tmp_path, "notes.csv", data)
    assert read_all(path)[1] == [
        (2, ["Ann", "first\nsecond\nthird"], None),
        (5, ["Bob", 'a "quoted" word'], None),
        (6, ["Cy", "x"], None),
    ]


def test_csv_multiline_cell_with_crlf(tmp_path):
    path = write(tmp_path, "notes.csv", 'name,note\r\nAnn,"a\r\nb"\r\nBob,c\r\n')
    assert read_all(path)[1] == [(2, ["Ann", "a\r\nb"], None), (4, ["Bob", "c"], None)]


def test_csv_too_many_cells_is_flagged_with_all_values(tmp_path):
    path = write(tmp_path, "people.csv", "name,city\nAnn,Beijing, China\nBob,Paris\n")
    assert read_all(path)[1] == [
        (2, ["Ann", "Beijing", " China"], "row has 3 cells, the header has 2"),
        (3, ["Bob", "Paris"], None),
    ]


def test_csv_blank_cells_past_the_header_are_dropped(tmp_path):
    path = write(tmp_path, "people.csv", "name,city\nAnn,Paris,,\nBob,Rome,, ,x,\n")
    assert read_all(path)[1] == [
        (2, ["Ann", "Paris"], None),
        (3, ["Bob", "Rome", None, " ", "x"], "row has 5 cells, the header has 2"),
    ]


def test_csv_too_few_cells_are_padded(tmp_path):
    path = write(tmp_path, "people.csv", "name,age,city\nAnn\nBob,4\n")
    assert read_all(path)[1] == [
        (2, ["Ann", None, None], None),
        (3, ["Bob", "4", None], None),
    ]


def test_csv_repeated_column(tmp_path):
    path = write(tmp_path, "people.csv", "name,age,name \nAnn,3,Ann\n")
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == 'people.csv line 1: column "name" appears twice (columns 1 and 3)'


def test_csv_blank_column_name(tmp_path):
    path = write(tmp_path, "people.csv", "name, ,age\nAnn,x,3\n")
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == (
        "people.csv line 1: column 2 has no name; name it or delete the column"
    )


def test_csv_header_line_is_named_after_leading_blank_lines(tmp_path):
    path = write(tmp_path, "people.csv", "\n\nname,name\n")
    with pytest.raises(ImportFileError, match=r"^people\.csv line 3: column \"name\""):
        open_rows(path)


def test_csv_trailing_blank_header_cells_are_dropped(tmp_path):
    path = write(tmp_path, "people.csv", "name,age,,\nAnn,3,,\n")
    assert read_all(path) == (["name", "age"], [(2, ["Ann", "3"], None)])


def test_csv_empty_file(tmp_path):
    path = write(tmp_path, "people.csv", "\n\n")
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == "people.csv is empty; its first line must name the columns"


def test_csv_unclosed_quote(tmp_path):
    path = write(tmp_path, "people.csv", 'name,note\nAnn,x\nBob,"never closed\nCy,y\n')
    with pytest.raises(ImportFileError) as caught:
        read_all(path)
    assert str(caught.value) == (
        "people.csv line 3: a quoted cell that starts on this line is never closed"
    )


def test_csv_text_after_closing_quote(tmp_path):
    path = write(tmp_path, "people.csv", 'name,note\nAnn,"x"y\n')
    with pytest.raises(ImportFileError) as caught:
        read_all(path)
    assert str(caught.value) == (
        'people.csv line 2: a cell has text after its closing quote; '
        'a quote inside a quoted cell is written as two ("")'
    )


def test_csv_bytes_read_reaches_bytes_total(tmp_path):
    path = write(tmp_path, "people.csv", "name\n" + "Ann\n" * 1000)
    source = open_rows(path)
    assert source.bytes_total == 4005
    assert 0 < source.bytes_read <= 4005
    assert sum(1 for _ in source.rows()) == 1000
    assert source.bytes_read == 4005
    source.close()
    source.close()
    assert source.bytes_read == 4005


def test_csv_format_given_overrides_suffix(tmp_path):
    path = write(tmp_path, "export.txt", "name\nAnn\n")
    assert read_all(path, format="csv") == (["name"], [(2, ["Ann"], None)])


# Opening


def test_unsupported_suffix(tmp_path):
    path = write(tmp_path, "people.xls", "name\n")
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == (
        "people.xls has an unsupported file type; the importer reads .csv, .tsv, .txt, .jsonl, "
        ".ndjson, .xlsx"
    )


def test_suffix_is_case_insensitive(tmp_path):
    path = write(tmp_path, "PEOPLE.CSV", "name\nAnn\n")
    assert read_all(path)[0] == ["name"]


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == f"{path} does not exist"


def test_directory_is_not_a_file(tmp_path):
    path = tmp_path / "folder.csv"
    path.mkdir()
    with pytest.raises(ImportFileError, match="is not a file$"):
        open_rows(path)


def test_unknown_format_option(tmp_path):
    path = write(tmp_path, "people.csv", "name\n")
    with pytest.raises(UsageError, match="^unknown format 'tsv'"):
        open_rows(path, format="tsv")


def test_unknown_encoding_option(tmp_path):
    path = write(tmp_path, "people.csv", "name\n")
    with pytest.raises(UsageError, match="^unknown encoding 'klingon'"):
        open_rows(path, encoding="klingon")


# JSON Lines


def test_jsonl_values(tmp_path):
    data = (
        '{"name": "Ann", "age": 3, "amount": 1234.50, "vip": true, "note": null}\n'
        '{"age": 1e3, "vip": false, "name": "", "amount": -0.5}\n'
        '{"name": "Bob"}\n'
    )
    path = write(tmp_path, "people.jsonl", data)
    with open_rows(path) as source:
        assert source.format == "jsonl"
        assert source.header == ["name", "age", "amount", "vip", "note"]
        assert list(source.rows()) == [
            (1, ["Ann", "3", "1234.50", "true", None], None),
            (2, [None, "1000", "-0.5", "false", None], None),
            (3, ["Bob", None, None, None, None], None),
        ]
        assert source.bytes_read == source.bytes_total == len(data)


def test_jsonl_ndjson_suffix_blank_lines_and_bom(tmp_path):
    path = write(tmp_path, "people.ndjson", b'\xef\xbb\xbf{"name": "Ann"}\n\n  \n{"name": "Bob"}')
    assert read_all(path) == (["name"], [(1, ["Ann"], None), (4, ["Bob"], None)])


def test_jsonl_keys_are_stripped(tmp_path):
    path = write(tmp_path, "people.jsonl", '{" name ": "Ann"}\n{" name ": "Bob"}\n{"name": "Cy"}\n')
    assert read_all(path) == (
        ["name"],
        [(1, ["Ann"], None), (2, ["Bob"], None), (3, ["Cy"], None)],
    )


def test_jsonl_unknown_key(tmp_path):
    path = write(
        tmp_path,
        "people.jsonl",
        '{"name": "Ann"}\n{"name": "Bob", "x": 1}\n{"y": 1, "name": "Cy", "z": 2}\n',
    )
    assert read_all(path)[1] == [
        (1, ["Ann"], None),
        (2, ["Bob"], 'unknown column "x"'),
        (3, ["Cy"], 'unknown columns "y", "z"'),
    ]


def test_jsonl_line_that_is_not_an_object(tmp_path):
    path = write(
        tmp_path, "people.jsonl", '{"name": "Ann", "age": 3}\n["Bob", 4]\n"Cy"\n{"name": \n'
    )
    assert read_all(path)[1] == [
        (1, ["Ann", "3"], None),
        (2, [None, None], "the line is a list, not a JSON object"),
        (3, [None, None], "the line is a string, not a JSON object"),
        (4, [None, None], "not valid JSON: Expecting value at column 9"),
    ]


def test_jsonl_nested_value(tmp_path):
    data = '{"name": "Ann", "tags": null}\n{"name": "Bob", "tags": ["a"]}\n'
    path = write(tmp_path, "people.jsonl", data)
    assert read_all(path)[1][1] == (
        2,
        ["Bob", None],
        'column "tags" holds a list or an object; expected a plain value',
    )


def test_jsonl_nan_arrives_as_text(tmp_path):
    path = write(tmp_path, "people.jsonl", '{"amount": NaN}\n')
    assert read_all(path)[1] == [(1, ["NaN"], None)]


def test_jsonl_gb18030(tmp_path):
    path = write(tmp_path, "people.jsonl", '{"姓名": "王䶮"}\n'.encode("gb18030"))
    assert read_all(path, encoding="gb18030") == (["姓名"], [(1, ["王䶮"], None)])


def test_jsonl_bad_utf8_names_the_line(tmp_path):
    data = b'{"name": "Ann"}\n\n' + '{"name": "王"}\n'.encode("gb18030")
    path = write(tmp_path, "people.jsonl", data)
    with pytest.raises(ImportFileError) as caught:
        read_all(path, encoding="utf-8")
    assert str(caught.value) == (
        "people.jsonl line 3 is not valid UTF-8; a file saved by Chinese Excel "
        "is usually GB18030: try --encoding gb18030"
    )


def test_jsonl_first_line_not_an_object(tmp_path):
    path = write(tmp_path, "people.jsonl", '["name"]\n')
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == (
        "people.jsonl line 1 is not a JSON object; "
        'every line must be one object like {"name": "..."}'
    )


def test_jsonl_first_line_not_json(tmp_path):
    path = write(tmp_path, "people.jsonl", "\nname,age\n")
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == (
        "people.jsonl line 2 is not valid JSON (Expecting value at column 1); "
        "its first object names the columns"
    )


def test_jsonl_repeated_and_blank_keys(tmp_path):
    path = write(tmp_path, "people.jsonl", '{"name": 1, "name": 2}\n')
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == (
        'people.jsonl line 1: column "name" appears twice (columns 1 and 2)'
    )
    path = write(tmp_path, "blank.jsonl", '{"name": 1, " ": 2}\n')
    with pytest.raises(ImportFileError, match=r"^blank\.jsonl line 1: column 2 has no name"):
        open_rows(path)


def test_jsonl_empty_file(tmp_path):
    path = write(tmp_path, "people.jsonl", "\n")
    with pytest.raises(ImportFileError, match=r"^people\.jsonl is empty"):
        open_rows(path)


# xlsx


def write_xlsx(path, rows, cells=()):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for address, value in cells:
        sheet[address] = value
    workbook.save(path)
    return path


def test_xlsx_typed_cells_become_canonical_text(tmp_path):
    path = write_xlsx(
        tmp_path / "customers.xlsx",
        [
            ["姓名", "生日", "次数", "拜访", "金额", "VIP"],
            ["王䶮", dt.date(2026, 11, 23), 12, dt.datetime(2026, 11, 23, 9, 30), 1234.5, True],
            [None, None, None, None, None, None],
            ["李四", dt.date(2026, 1, 5), 3.0, "2026-01-05 08:00", -0.25, False],
        ],
    )
    with open_rows(path) as source:
        assert source.format == "xlsx"
        assert source.header == ["姓名", "生日", "次数", "拜访", "金额", "VIP"]
        assert list(source.rows()) == [
            (2, ["王䶮", "2026-11-23", "12", "2026-11-23T09:30:00", "1234.5", "true"], None),
            (4, ["李四", "2026-01-05", "3", "2026-01-05 08:00", "-0.25", "false"], None),
        ]
        assert source.bytes_read == source.bytes_total == 4


def test_xlsx_sheet_row_numbers_when_data_starts_lower(tmp_path):
    path = write_xlsx(
        tmp_path / "people.xlsx", [], [("B3", "name"), ("C3", "age"), ("B4", "Ann"), ("C6", 7)]
    )
    assert read_all(path) == (
        ["name", "age"],
        [(4, ["Ann", None], None), (6, [None, "7"], None)],
    )


def test_xlsx_cell_past_the_header_is_flagged(tmp_path):
    path = write_xlsx(tmp_path / "people.xlsx", [["name"], ["Ann"], ["Bob", "note"]])
    assert read_all(path) == (
        ["name"],
        [(2, ["Ann"], None), (3, ["Bob", "note"], "row has 2 cells, the header has 1")],
    )


def test_xlsx_repeated_column(tmp_path):
    path = write_xlsx(tmp_path / "people.xlsx", [[None], ["name", "name"]])
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == 'people.xlsx row 2: column "name" appears twice (columns 1 and 2)'


def test_xlsx_empty_sheet(tmp_path):
    path = write_xlsx(tmp_path / "people.xlsx", [])
    with pytest.raises(ImportFileError) as caught:
        open_rows(path)
    assert str(caught.value) == "people.xlsx has no rows; its first row must name the columns"


def test_xlsx_not_a_workbook(tmp_path):
    path = write(tmp_path, "people.xlsx", "name\nAnn\n")
    pattern = r"^people\.xlsx cannot be read as an \.xlsx workbook \(.+\)$"
    with pytest.raises(ImportFileError, match=pattern):
        open_rows(path)


def test_jsonl_first_line_empty_list_is_not_an_object(tmp_path):
    path = write(tmp_path, "people.jsonl", "[]\n")
    with pytest.raises(ImportFileError, match=r"^people\.jsonl line 1 is not a JSON object;"):
        open_rows(path)


def test_jsonl_nested_object_on_first_line(tmp_path):
    path = write(tmp_path, "people.jsonl", '{"name": "Ann", "address": {"city": "Xi\'an"}}\n')
    assert read_all(path)[1] == [
        (1, ["Ann", None], 'column "address" holds a list or an object; expected a plain value')
    ]


def test_format_option_is_case_insensitive(tmp_path):
    path = write(tmp_path, "export.txt", '{"name": "Ann"}\n')
    assert read_all(path, format="NDJSON") == (["name"], [(1, ["Ann"], None)])
