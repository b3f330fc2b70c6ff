"""The importer builds the attributes documents a column at a time: the
same text as the one JSON form guanxi writes (dump_json) for each row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.importing.staging import attributes_json
from guanxi.storage.connection import dump_json

COLUMNS = {
    "text": ["Ann", "王䶮", 'say "hi"', "back\\slash", "tab\there", "\u2028", None, ""],
    "integer": [0, -3, 10**18, None, 7, 1, 2, 3],
    "number": [0.5, -0.0, 1e-7, 123456789.125, None, float("inf"), 2.0, 3.25],
    "decimal": [Decimal("12.50"), Decimal("-0.1"), None, Decimal("0"), Decimal("1E+3"),
                Decimal("3.14159"), Decimal("2"), Decimal("7.7")],
    "flag": [True, False, None, True, False, True, None, False],
    "day": [dt.date(2026, 11, 23), None, dt.date(1, 1, 1), dt.date(2026, 2, 28),
            dt.date(2026, 1, 1), None, dt.date(2030, 12, 31), dt.date(2026, 11, 24)],
    "at": [dt.datetime(2026, 11, 23, 9, 30), None, dt.datetime(2026, 11, 23, 9, 30, 0, 500),
           dt.datetime(2026, 1, 1), None, None, dt.datetime(2026, 5, 5, 23, 59, 59),
           dt.datetime(2026, 11, 24)],
    "mixed": ["x", 1, 2.5, None, True, Decimal("1.5"), dt.date(2026, 1, 2), ["a", 1]],
}


def _by_row(names, columns):
    docs = []
    for row in zip(*columns):
        doc = {}
        for name, value in zip(names, row):
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = float(value)
            doc[name] = value
        docs.append(dump_json(doc))
    return docs


def test_each_row_is_the_text_dump_json_writes():
    # Names out of order: the keys come out sorted, as dump_json sorts them.
    names = ["text", "mixed", "at", "integer", "day", "number", "flag", "decimal"]
    columns = [COLUMNS[name] for name in names]
    assert attributes_json(names, columns) == _by_row(names, columns)


def test_a_row_of_empty_cells_sets_every_attribute_to_null():
    assert attributes_json(["b", "a"], [[None], [None]]) == ['{"a":null,"b":null}']


def test_exact_text_of_a_few_values():
    assert attributes_json(["grade", "since", "score"],
                           [["A"], [dt.date(2026, 11, 23)], [Decimal("12.50")]]) == [
        '{"grade":"A","score":12.5,"since":"2026-11-23"}']
