"""Reading xlsx workbooks to import: the first sheet, streamed read-only.

A :class:`~guanxi.importing.readers.RowSource` of the importer's readers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guanxi.errors import ImportFileError
from guanxi.importing.readers import Row, RowSource, _is_blank
from guanxi.importing.values import format_value



class XlsxSource(RowSource):
    """The first sheet of a workbook; the header is its first non-blank row.

    The sheet is loaded whole by calamine, so ``bytes_total`` and
    ``bytes_read`` count sheet rows rather than bytes.
    """

    format = "xlsx"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        # Imported here: only xlsx files need the extension module loaded.
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
            try:
                sheet = workbook.get_sheet_by_index(0)
            finally:
                # The sheet is in memory now; let go of the file.
                if hasattr(workbook, "close"):
                    workbook.close()
        except (CalamineError, OSError, ValueError, IndexError) as err:
            raise ImportFileError(
                f"{self._name} cannot be read as an .xlsx workbook ({err})"
            ) from None
        self._row = 0
        if sheet.start is None:
            # An empty sheet: calamine's row iterator fails on it.
            self._iter: Iterator[list[Any]] = iter(())
        else:
            self.bytes_total = sheet.end[0] + 1
            # Both start at row 1 even when the data starts lower, so the
            # position in the iteration is the sheet row number.
            if hasattr(sheet, "iter_rows"):
                self._iter = iter(sheet.iter_rows())
            else:
                self._iter = iter(sheet.to_python(skip_empty_area=False))
        self._read_header()

    @property
    def bytes_read(self) -> int:
        return self._row

    def close(self) -> None:
        self._iter = iter(())

    def _read_header(self) -> None:
        for row, cells in enumerate(self._iter, 1):
            values = [_xlsx_cell(cell) for cell in cells]
            if not _is_blank(values):
                break
        else:
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
