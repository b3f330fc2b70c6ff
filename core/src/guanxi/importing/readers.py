"""Streaming readers for the importer: CSV, JSON Lines and xlsx.

``open_rows(path)`` picks the reader from the file's suffix and returns a
``RowSource``, a context manager that has read the header already::

    with open_rows("customers.csv") as source:
        for line, values, problem in source.rows():
            ...

``rows()`` yields ``(line, values, problem)`` for every non-blank row:

- ``line``: where the row starts, 1-based; the physical line for CSV and
  JSON Lines (the header is line 1), the sheet row for xlsx.
- ``values``: a ``str | None`` per header column, in header order; an empty
  cell is None. Numbers, dates and booleans arrive as the canonical text the
  value converters read (``12``, ``2026-11-23``, ``true``), whatever the
  format.
- ``problem``: None, or the reason the importer must reject the row, e.g.
  ``row has 5 cells, the header has 4`` or ``unknown column "x"``. Such a
  row still carries what could be read; a CSV or xlsx row with too many
  cells keeps all of them, so only then is ``values`` longer than the header.

Rows whose cells are all empty or spaces are skipped.

Cells past the header that are all blank are dropped without a problem, and
so are blank cells at the end of the header: spreadsheets write both for
columns that were once used.

``bytes_total`` and ``bytes_read`` feed a progress bar: bytes of the file
for CSV and JSON Lines, sheet rows for xlsx (calamine loads the sheet whole).

Whatever makes the whole file unreadable (a missing file, a bad header, the
wrong encoding, broken CSV quoting) raises ``ImportFileError`` with one
sentence naming the file and line.
"""

from __future__ import annotations

import abc
import codecs
import csv
import io
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from guanxi.errors import ImportFileError, UsageError
from guanxi.importing.sniffing import (
    SAMPLE_SIZE,
    HeaderRule,
    detect_delimiter,
    detect_encoding,
)

__all__ = ["FORMATS", "SUFFIXES", "Chunk", "Row", "RowSource", "chunked", "open_rows"]

Row = tuple[int, list[str | None], str | None]
Chunk = tuple[list[int], list[list[str | None]], list[Row]]

SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".xlsx": "xlsx"}
FORMATS = ("csv", "jsonl", "xlsx")

_BUFFER_SIZE = 1 << 16


def open_rows(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    format: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    is_header: Any = None,
) -> RowSource:
    """Open a file to import and read its header.

    ``format`` ("csv", "jsonl" or "xlsx") overrides the suffix (``.tsv`` and
    ``.txt`` are delimited text); ``encoding`` applies to CSV and JSON Lines
    (default: found from a sample, see :mod:`.sniffing`) and is ignored for
    xlsx, which records its own; ``delimiter`` forces CSV's (default:
    sniffed). ``sheet`` picks an xlsx sheet by name or 1-based number.
    ``header_row`` (1-based line or sheet row) says where the header is;
    else it is the first of the first rows that ``is_header(cells)`` accepts,
    else the first non-blank row.
    """
    path = Path(path)
    if format is None:
        format = SUFFIXES.get(path.suffix.lower())
        if format is None:
            allowed = ", ".join(SUFFIXES)
            raise ImportFileError(
                f"{path.name} has an unsupported file type; the importer reads {allowed}"
            )
    else:
        format = format.lower()
        if format == "ndjson":
            format = "jsonl"
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    if not path.exists():
        raise ImportFileError(f"{path} does not exist")
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file")
    if format == "csv":
        return CsvSource(path, encoding, delimiter, HeaderRule(header_row, is_header))
    # Each other format's reader is a module of its own, loaded when used.
    if format == "jsonl":
        from guanxi.importing.read_jsonl import JsonLinesSource

        return JsonLinesSource(path, encoding)
    from guanxi.importing.read_xlsx import XlsxSource

    return XlsxSource(path, sheet, HeaderRule(header_row, is_header))


class RowSource(abc.ABC):
    """One open file: its header, its rows, and how far reading has got.

    ``rows()`` streams: call it once.
    """

    format: str

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header: list[str] = []
        self.bytes_total = 0
        self._name = path.name

    @property
    @abc.abstractmethod
    def bytes_read(self) -> int:
        """How much of ``bytes_total`` has been read, for a progress bar."""

    @abc.abstractmethod
    def rows(self) -> Iterator[Row]:
        """Yield ``(line, values, problem)`` for every non-blank row after the header."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the file; safe to call twice."""

    def chunks(self, size: int) -> Iterator[Chunk]:
        """``rows()`` in chunks of at most ``size``: ``(lines, values, refused)``.

        ``lines`` and ``values`` are the rows without a problem;
        ``refused`` holds ``(line, values, problem)`` for the others. The
        importer converts a chunk column by column. In ``values`` an empty
        cell may be ``""`` as well as None (CSV leaves it as read).
        """
        return chunked(self.rows(), size)

    def __enter__(self) -> RowSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _set_header(self, cells: list[str], where: str, allow_trailing_blanks: bool) -> None:
        names = [cell.strip() for cell in cells]
        if allow_trailing_blanks:
            while names and not names[-1]:
                names.pop()
        if not names:
            raise ImportFileError(f"{self._name} {where}: the header names no columns")
        seen: dict[str, int] = {}
        for number, name in enumerate(names, 1):
            if not name:
                raise ImportFileError(
                    f"{self._name} {where}: column {number} has no name; "
                    "name it or delete the column"
                )
            if name in seen:
                raise ImportFileError(
                    f'{self._name} {where}: column "{name}" appears twice '
                    f"(columns {seen[name]} and {number})"
                )
            seen[name] = number
        self.header = names

    def _overflow(self, values: list[str | None]) -> tuple[list[str | None], str | None]:
        """A row longer than the header: drop blank extras, else flag the row."""
        width = len(self.header)
        while len(values) > width and (values[-1] is None or not values[-1].strip()):
            values.pop()
        if len(values) == width:
            return values, None
        return values, f"row has {len(values)} cells, the header has {width}"


class _TextFileSource(RowSource):
    """CSV and JSON Lines: a byte stream decoded with one encoding."""

    def __init__(self, path: Path, encoding: str | None) -> None:
        super().__init__(path)
        try:
            self._codec = codecs.lookup(encoding or "utf-8").name
        except LookupError:
            raise UsageError(f"unknown encoding {encoding!r}; try utf-8 or gb18030") from None
        try:
            # Unbuffered, so tell() on it is how far the buffered reader above
            # has got: a progress figure without counting anything per row.
            self._raw = open(path, "rb", buffering=0)
        except OSError as err:
            raise ImportFileError(f"{path} cannot be opened: {err.strerror}") from None
        # What close() closes: the outermost layer, which closes the rest.
        self._stream: io.IOBase = self._raw
        self.bytes_total = os.fstat(self._raw.fileno()).st_size
        self._bytes_at_close = 0
        # One sample, read once, tells the encoding (unless forced) and the
        # delimiter; then the reader starts from the first byte again.
        self._sample = self._raw.read(SAMPLE_SIZE)
        self._raw.seek(0)
        if encoding is None:
            try:
                self._codec = detect_encoding(self._sample, path.name,
                                              len(self._sample) >= self.bytes_total)
            except BaseException:
                self._raw.close()
                raise
        #: the encoding the file is read in, as the summary names it
        self.encoding = "utf-8" if self._codec == "utf-8-sig" else self._codec

    @property
    def bytes_read(self) -> int:
        if self._raw.closed:
            return self._bytes_at_close
        return self._raw.tell()

    def close(self) -> None:
        if not self._raw.closed:
            self._bytes_at_close = self._raw.tell()
            self._stream.close()

    def _encoding_error(self, fallback_line: int) -> ImportFileError:
        line = _undecodable_line(self.path, self._codec) or fallback_line
        if self._codec in ("utf-8", "utf-8-sig"):
            return ImportFileError(
                f"{self._name} line {line} is not valid UTF-8; a file saved by Chinese "
                "Excel is usually GB18030: try --encoding gb18030"
            )
        label = self._codec.upper()
        return ImportFileError(
            f"{self._name} line {line} is not valid {label}; "
            "pass the encoding the file was saved in with --encoding"
        )


class CsvSource(_TextFileSource):
    """Comma-separated values, the header on the first non-blank line."""

    format = "csv"

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None = None,
                 header: HeaderRule | None = None) -> None:
        super().__init__(path, encoding)
        # utf-8-sig drops the BOM Excel writes and reads BOM-less UTF-8 alike.
        self._text_codec = "utf-8-sig" if self._codec == "utf-8" else self._codec
        if delimiter is None:
            text = self._sample.decode(self._text_codec, errors="replace")
            delimiter = detect_delimiter(text)
        elif len(delimiter) != 1:
            delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
            if len(delimiter) != 1:
                raise UsageError(f"--delimiter {delimiter!r} is not one character; "
                                 "use , or tab or ; or |")
        #: the delimiter cells are split at
        self.delimiter = delimiter
        try:
            self._open_reader()
            self._read_header(header or HeaderRule(None, None))
        except BaseException:
            self.close()
            raise

    def _open_reader(self) -> None:
        self._stream = io.TextIOWrapper(
            io.BufferedReader(self._raw, _BUFFER_SIZE), encoding=self._text_codec, newline=""
        )
        # strict: an unclosed quote would otherwise swallow the rest of
        # the file into one cell without a word.
        self._reader = csv.reader(self._stream, strict=True, delimiter=self.delimiter)

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not _is_blank(cells):
                yield start, cells

    def _read_header(self, rule: HeaderRule) -> None:
        try:
            line, cells, found = rule.find(self._records())
            if cells is None and found:
                # The header is a row the search passed: read again up to it.
                self._stream.detach().detach().seek(0)
                self._open_reader()
                cells = next((c for start, c in self._records() if start == line), None)
        except UnicodeDecodeError:
            raise self._encoding_error(self._reader.line_num + 1) from None
        except csv.Error as err:
            raise self._csv_error(err, self._reader.line_num + 1) from None
        if cells is None:
            if rule.row is not None:
                raise ImportFileError(
                    f"{self._name} line {rule.row} is blank or past the end; "
                    "--header-row names the line of the column names, counting from 1"
                )
            raise ImportFileError(
                f"{self._name} is empty; its first line must name the columns"
            )
        start = line
        # A BOM in an encoding other than UTF-8 (GB18030 has one) decodes to
        # U+FEFF, which strip() keeps.
        cells[0] = cells[0].lstrip("\ufeff")
        self._set_header(cells, f"line {start}", allow_trailing_blanks=True)

    def rows(self) -> Iterator[Row]:
        reader = self._reader
        width = len(self.header)
        line = reader.line_num
        try:
            for cells in reader:
                # line_num counts physical lines, so a quoted cell spanning
                # several lines still gives the line the row starts on.
                start, line = line + 1, reader.line_num
                # The first cell settles almost every row without a call.
                if not cells:
                    continue
                first = cells[0]
                if (not first or first.isspace()) and _is_blank(cells):
                    continue
                count = len(cells)
                values: list[str | None] = [cell or None for cell in cells]
                if count == width:
                    yield start, values, None
                elif count < width:
                    values.extend([None] * (width - count))
                    yield start, values, None
                else:
                    values, problem = self._overflow(values)
                    yield start, values, problem
        except UnicodeDecodeError:
            raise self._encoding_error(line + 1) from None
        except csv.Error as err:
            raise self._csv_error(err, line + 1) from None

    def chunks(self, size: int) -> Iterator[Chunk]:
        # rows(), with the per-row work done by C where it can be: csv reads
        # a chunk in one call (islice), and a chunk whose rows all have the
        # header's width and a first cell gives its rows as csv read them
        # (empty cells stay "", which the importer treats as empty). Line
        # numbers are counted from the reader's position; a row whose quoted
        # cells hold line breaks moves it by as many lines.
        reader = self._reader
        width = len(self.header)
        try:
            while True:
                before = reader.line_num
                rows = list(itertools.islice(reader, size))
                if not rows:
                    return
                read = reader.line_num - before
                if read == len(rows):
                    lines = list(range(before + 1, before + read + 1))
                else:
                    lines = _start_lines(rows, before)
                if (min(map(len, rows)) == width == max(map(len, rows))
                        and all(f and not f.isspace() for f in set(map(_first, rows)))):
                    yield lines, rows, []
                    continue
                yield self._sort_rows(lines, rows, width)
        except UnicodeDecodeError:
            raise self._encoding_error(reader.line_num + 1) from None
        except csv.Error as err:
            # Where the bad row starts is known to the row-by-row reader:
            # read the file again that way to say which line it is.
            with CsvSource(self.path, self._codec, self.delimiter) as again:
                for _ in again.rows():
                    pass
            raise self._csv_error(err, reader.line_num) from None  # pragma: no cover

    def _sort_rows(self, lines: list[int], rows: list[list[str]], width: int) -> Chunk:
        """A chunk with blank, short or long rows: what rows() does, row by row."""
        good_lines: list[int] = []
        good: list[list[str | None]] = []
        refused: list[Row] = []
        for start, cells in zip(lines, rows):
            if not cells or _is_blank(cells):
                continue
            if len(cells) == width:
                good_lines.append(start)
                good.append(cells)
                continue
            values: list[str | None] = [cell or None for cell in cells]
            if len(values) < width:
                values.extend([None] * (width - len(values)))
                good_lines.append(start)
                good.append(values)
                continue
            values, problem = self._overflow(values)
            if problem:
                refused.append((start, values, problem))
            else:
                good_lines.append(start)
                good.append(values)
        return good_lines, good, refused

    def _csv_error(self, err: csv.Error, line: int) -> ImportFileError:
        message = str(err)
        if "end of data" in message:
            reason = "a quoted cell that starts on this line is never closed"
        elif "expected after" in message:
            reason = (
                "a cell has text after its closing quote; "
                'a quote inside a quoted cell is written as two ("")'
            )
        elif "field limit" in message:
            reason = (
                f"a cell is longer than {csv.field_size_limit()} characters; "
                "a quote that is never closed is the usual cause"
            )
        else:
            reason = f"it cannot be read as CSV ({message})"
        return ImportFileError(f"{self._name} line {line}: {reason}")


def _first(cells: list[str]) -> str:
    return cells[0] if cells else ""


def _start_lines(rows: list[list[str]], before: int) -> list[int]:
    """The line each row starts on, when quoted cells hold line breaks.

    The reader splits lines at \\n, \\r\\n and a lone \\r; a row takes one
    line and one more for each break inside its cells.
    """
    lines = []
    line = before + 1
    for cells in rows:
        lines.append(line)
        line += 1
        for cell in cells:
            if "\n" in cell or "\r" in cell:
                line += cell.count("\n") + cell.count("\r") - cell.count("\r\n")
    return lines


def chunked(rows: Iterator[Row] | Any, size: int) -> Iterator[Chunk]:
    """Group ``(line, values, problem)`` rows into chunks (see ``RowSource.chunks``)."""
    lines: list[int] = []
    good: list[list[str | None]] = []
    refused: list[Row] = []
    for line, values, problem in rows:
        if problem:
            refused.append((line, values, problem))
        else:
            lines.append(line)
            good.append(values)
        if len(lines) + len(refused) >= size:
            yield lines, good, refused
            lines, good, refused = [], [], []
    if lines or refused:
        yield lines, good, refused


def _is_blank(cells: list[str] | list[str | None]) -> bool:
    return not any(cell and not cell.isspace() for cell in cells)


def _undecodable_line(path: Path, codec: str) -> int | None:
    """The physical line of the first byte ``codec`` cannot decode.

    The text layer decodes in blocks, so its position says little about where
    the bad byte is; read again in binary, a line at a time.
    """
    decoder = codecs.getincrementaldecoder(codec)()
    line = 0
    # Splitting on b"\n" is safe for UTF-8 and GB18030, whose multi-byte
    # characters never contain that byte; lone "\r" still ends a line.
    extra = 0
    with open(path, "rb") as file:
        for line, data in enumerate(file, 1):
            try:
                decoder.decode(data)
            except UnicodeDecodeError as err:
                head = data[: err.start]
                return line + extra + head.count(b"\r") - head.count(b"\r\n")
            extra += data.count(b"\r") - data.count(b"\r\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return max(line + extra, 1)
    return None
