"""Writing xlsx workbooks: the one writer behind every ``.xlsx`` guanxi writes.

``guanxi export ENTITY FILE.xlsx``, ``tasks list --output``, ``plan show
--output``, ``kpi --output`` and ``reports show --output`` all write through
:class:`Workbook`. Cells keep their types, so Excel sorts and sums them:

- text stays text (an id ``000123`` keeps its zeros; Excel would read it
  as the number 123), numbers are numbers (``Decimal`` too), booleans are
  booleans;
- a date is a date cell shown ``yyyy-mm-dd``, a datetime one shown
  ``yyyy-mm-dd hh:mm:ss`` (a time zone is dropped: Excel has none);
- a sheet may open with a title row and a line of notes (the period, the
  units) above its header; the header row is frozen, so it stays in view;
- a column may carry an Excel number format for its numbers (``formats``:
  ``{"share": "0.0%"}`` shows 0.5 as 50.0% and keeps the cell the number 0.5).

Rows are streamed: xlsxwriter's ``constant_memory`` mode flushes each row to
a temporary file once the next starts, so writing a whole base holds one row.
Column widths are measured in display cells (a CJK character takes two,
like the terminal tables) over the first :data:`MEASURED` rows.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

#: Rows measured for column widths; later rows are written as they come.
MEASURED = 1000
#: The widest column, in display cells.
MAX_WIDTH = 60
#: Integers beyond this lose digits as an Excel number (a double); written as text.
_EXACT = 2**53


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:.15g}")
    text = str(value)
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth

    # wcwidth's measure, as the terminal tables use: two cells a CJK character.
    return max(wcswidth(text), len(text))


class Sheet:
    """One sheet being written: :meth:`row` appends rows below the header."""

    def __init__(self, book: Workbook, name: str, columns: Sequence[str], *,
                 title: str | None = None, notes: Sequence[str] = (),
                 formats: Mapping[str, str] | None = None) -> None:
        formats = formats or {}
        unknown = set(formats) - set(columns)
        if unknown:
            raise ValueError(f"formats name no column of the sheet: {', '.join(sorted(unknown))}")
        self._book = book
        # A column's number format, by position: None where it has none.
        self._formats = [book._number_format(formats[c]) if c in formats else None
                         for c in columns]
        self._sheet = book._book.add_worksheet(_sheet_name(name, book._names))
        self._row = 0
        self._widths = [_width(c) for c in columns]
        self.rows = 0
        if title:
            self._sheet.write_string(self._row, 0, title, book._title)
            self._row += 1
        for note in notes:
            self._sheet.write_string(self._row, 0, note)
            self._row += 1
        for col, name_ in enumerate(columns):
            self._sheet.write_string(self._row, col, str(name_), book._header)
        self._sheet.freeze_panes(self._row + 1, 0)
        self._row += 1

    def row(self, values: Iterable[Any]) -> None:
        """Append one row, each cell typed by its value (see the module docstring)."""
        write = self._write
        measure = self.rows < MEASURED
        for col, value in enumerate(values):
            if value is None:
                continue
            write(col, value)
            if measure:
                width = _width(value)
                if col >= len(self._widths):
                    self._widths.append(width)
                elif width > self._widths[col]:
                    self._widths[col] = width
        self._row += 1
        self.rows += 1

    def write_rows(self, rows: Iterable[Iterable[Any]]) -> int:
        """Append every row of ``rows``; the number written."""
        for values in rows:
            self.row(values)
        return self.rows

    def _write(self, col: int, value: Any) -> None:
        sheet, row, book = self._sheet, self._row, self._book
        if isinstance(value, str):
            sheet.write_string(row, col, value)
        elif isinstance(value, bool):  # before int: True is an int too
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int) and abs(value) < _EXACT:
            sheet.write_number(row, col, value, self._format_of(col))
        elif isinstance(value, (float, Decimal)):
            sheet.write_number(row, col, float(value), self._format_of(col))
        elif isinstance(value, dt.datetime):  # before date: a datetime is a date too
            sheet.write_datetime(row, col, value, book._datetime)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, book._date)
        elif isinstance(value, dt.time):
            sheet.write_datetime(row, col, value, book._time)
        else:
            sheet.write_string(row, col, str(value))

    def _format_of(self, col: int):
        return self._formats[col] if col < len(self._formats) else None

    def _finish(self) -> None:
        for col, width in enumerate(self._widths):
            self._sheet.set_column(col, col, min(max(width, 4), MAX_WIDTH) + 2)


class Workbook:
    """An xlsx workbook written to a path (streamed) or to bytes (:meth:`getvalue`).

    Use as a context manager; :meth:`sheet` adds a sheet, written in order.
    """

    def __init__(self, target: str | os.PathLike | None = None) -> None:
        import xlsxwriter

        self._buffer = io.BytesIO() if target is None else None
        options = {"remove_timezone": True, "strings_to_numbers": False,
                   "strings_to_formulas": False, "strings_to_urls": False}
        if target is None:
            options["in_memory"] = True
        else:
            options["constant_memory"] = True
        self._book = xlsxwriter.Workbook(self._buffer if target is None else os.fspath(target),
                                         options)
        self._names: set[str] = set()
        self._sheets: list[Sheet] = []
        self._title = self._book.add_format({"bold": True, "font_size": 14})
        self._header = self._book.add_format({"bold": True, "bottom": 1})
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._datetime = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self._time = self._book.add_format({"num_format": "hh:mm:ss"})
        self._number_formats: dict[str, Any] = {}

    def _number_format(self, code: str):
        # One format object a code: xlsxwriter writes each one into the file.
        if code not in self._number_formats:
            self._number_formats[code] = self._book.add_format({"num_format": code})
        return self._number_formats[code]

    def sheet(self, name: str, columns: Sequence[str], *, title: str | None = None,
              notes: Sequence[str] = (), formats: Mapping[str, str] | None = None) -> Sheet:
        """A new sheet named ``name`` (made valid for Excel) with ``columns`` as its header.

        ``title`` (bold) and ``notes`` (one a row) go above the header;
        ``formats`` gives columns an Excel number format (``"0.0%"``).
        """
        sheet = Sheet(self, name, columns, title=title, notes=notes, formats=formats)
        self._sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self._sheets:
            sheet._finish()
        self._sheets.clear()
        self._book.close()

    def getvalue(self) -> bytes:
        """The workbook's bytes, once closed (for a workbook made without a path)."""
        assert self._buffer is not None, "written to a file"
        return self._buffer.getvalue()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sheet_name(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\, unique ignoring case.
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    candidate, n = clean, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{clean[:31 - len(str(n)) - 1]}~{n}"
    used.add(candidate.lower())
    return candidate


def write_table(path: str | os.PathLike, rows: Iterable[dict], columns: Sequence[str], *,
                sheet: str, title: str | None = None, notes: Sequence[str] = (),
                formats: Mapping[str, str] | None = None) -> int:
    """Write ``rows`` (dicts) as one sheet of a workbook at ``path``; the rows written.

    What ``--output FILE.xlsx`` of a listing writes: the title, the notes,
    then the columns named in ``columns``.
    """
    with Workbook(path) as book:
        out = book.sheet(sheet, columns, title=title, notes=notes, formats=formats)
        return out.write_rows([row.get(c) for c in columns] for row in rows)
