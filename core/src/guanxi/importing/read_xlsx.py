"""Reading xlsx workbooks to import: one sheet (the first, or ``--sheet``).

A :class:`~guanxi.importing.readers.RowSource` of the importer's readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guanxi.errors import ImportFileError, did_you_mean
from guanxi.importing.readers import Row, RowSource, _is_blank
from guanxi.importing.sniffing import HeaderRule
from guanxi.importing.values import format_value



class XlsxSource(RowSource):
    """One sheet of a workbook; the header row as :class:`HeaderRule` finds it.

    The sheet is loaded whole by calamine, so ``bytes_total`` and
    ``bytes_read`` count sheet rows rather than bytes.
    """

    format = "xlsx"

    encoding = None

    def __init__(self, path: Path, sheet: str | int | None = None,
                 header: HeaderRule | None = None) -> None:
        super().__init__(path)
        # Imported here: only xlsx files need the extension module loaded.
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            try:
                sheet = _pick_sheet(workbook, sheet, self._name)
            finally:
                # The sheet is in memory now; let go of the file.
                if hasattr(workbook, "close"):
                    workbook.close()
        except (CalamineError, OSError, ValueError, IndexError) as err:
            raise ImportFileError(
                f"{self._name} cannot be read as an .xlsx workbook ({err})"
            ) from None
        self._row = 0
        self._sheet = sheet
        if sheet.start is None:
            # An empty sheet: calamine's row iterator fails on it.
            self._iter: Iterator[list[Any]] = iter(())
        else:
            self.bytes_total = sheet.end[0] + 1
            # Both start at row 1 even when the data starts lower, so the
            # position in the iteration is the sheet row number.
            self._iter = self._rows_iter()
        self._read_header(header or HeaderRule(None, None))

    def _rows_iter(self) -> Iterator[list[Any]]:
        sheet = self._sheet
        if hasattr(sheet, "iter_rows"):
            return iter(sheet.iter_rows())
        return iter(sheet.to_python(skip_empty_area=False))

    @property
    def bytes_read(self) -> int:
        return self._row

    def close(self) -> None:
        self._iter = iter(())

    def _records(self) -> Iterator[tuple[int, list[str | None]]]:
        for row, cells in enumerate(self._iter, 1):
            values = [_xlsx_cell(cell) for cell in cells]
            if not _is_blank(values):
                yield row, values

    def _read_header(self, rule: HeaderRule) -> None:
        row, values, found = rule.find(self._records())
        if values is None and found:
            # A row the search passed: start the sheet again and stop there.
            self._iter = self._rows_iter()
            values = next((v for r, v in self._records() if r == row), None)
        if values is None:
            if rule.row is not None:
                raise ImportFileError(
                    f"{self._name} row {rule.row} is blank or past the end; "
                    "--header-row names the sheet row of the column names, counting from 1"
                )
            raise ImportFileError(f"{self._name} has no rows; its first row must name the columns")
        self._row = row
        names = [value or "" for value in values]
        self._set_header(names, f"row {row}", allow_trailing_blanks=True)

    def rows(self) -> Iterator[Row]:
        width = len(self.header)
        for row, cells in enumerate(self._iter, self._row + 1):
            self._row = row
            values = [_xlsx_cell(cell) for cell in cells]
            first = values[0] if values else None
            if (first is None or first.isspace()) and _is_blank(values):
                continue
            if len(values) == width:
                yield row, values, None
            elif len(values) < width:
                values.extend([None] * (width - len(values)))
                yield row, values, None
            else:
                values, problem = self._overflow(values)
                yield row, values, problem


def _xlsx_cell(value: object) -> str | None:
    if type(value) is str:
        return value or None
    if value is None:
        return None
    # Floats (Excel stores every number as one), dates, times and booleans.
    return format_value(value)


def _pick_sheet(workbook: Any, sheet: str | int | None, name: str) -> Any:
    """The sheet named, or numbered from 1; the first when None."""
    names = list(workbook.sheet_names)
    if sheet is None:
        return workbook.get_sheet_by_index(0)
    text = str(sheet).strip()
    if text in names:
        return workbook.get_sheet_by_name(text)
    if text.isdigit() and 1 <= int(text) <= len(names):
        return workbook.get_sheet_by_index(int(text) - 1)
    listed = ", ".join(f"{i} {n}" for i, n in enumerate(names, 1))
    raise ImportFileError(
        f"{name} has no sheet {text!r}{did_you_mean(text, names)}; "
        f"its sheets, by number and name: {listed}"
    )
