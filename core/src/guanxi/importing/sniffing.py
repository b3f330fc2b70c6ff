"""What a text file to import is, found from one sample of its first bytes.

The importer reads :data:`SAMPLE_SIZE` bytes once, before the reader opens
the file for good; nothing here reads a file twice.

- **Binary**: a NUL byte, or the magic number of a zip (xlsx, docx), an old
  Excel workbook, a PDF or a gzip file, is called binary in one sentence.
- **Encoding**: a UTF-8 BOM, or a sample that decodes as UTF-8, is UTF-8
  (the common case costs one decode of the sample). Otherwise
  charset-normalizer ranks the candidates; any of the GB family (GB2312,
  GBK, GB18030) is read as GB18030, its superset, and so is a sample that
  GB18030 reads cleanly whatever the detector ranks first (a few Chinese
  names among ASCII read as well in a Western or Korean code page):
  mainland files are GB18030 far more often than anything else.
- **Delimiter**: the one of comma, tab, semicolon and ``|`` that splits the
  sample's lines into the same number of cells (more than one) most often;
  a title row above the header is a line of one cell and does not count.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Iterator
from typing import Any

from guanxi.errors import ImportFileError

__all__ = ["DELIMITERS", "HEADER_SEARCH", "SAMPLE_SIZE", "HeaderRule", "detect_delimiter", "detect_encoding"]

SAMPLE_SIZE = 1 << 16
DELIMITERS = (",", "\t", ";", "|")

_MAGIC = (
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook is one: give it the .xlsx suffix "
                    "or --input-format xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook (save it as .xlsx or CSV)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
#: how much of a sample may read as mess (charset-normalizer's "chaos", 0-1)
#: for GB18030 to be chosen over the detector's first answer: Shift-JIS
#: Japanese reads 0.125 as GB18030, short Chinese samples 0-0.03
GB18030_MAX_CHAOS = 0.1


def _binary_kind(sample: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if sample.startswith(magic):
            return kind
    if b"\x00" in sample:
        return "binary data (it holds NUL bytes; UTF-16 text is read as binary too)"
    return None


def _decodes(sample: bytes, codec: str, complete: bool) -> bool:
    # The sample may end inside a character: only a file read whole is final.
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, name: str, complete: bool = False) -> str:
    """The codec to read a file whose first bytes are ``sample``.

    :param complete: the sample is the whole file.
    :raises ImportFileError: the file is binary, not text.
    """
    kind = _binary_kind(sample)
    if kind:
        raise ImportFileError(f"{name} is binary, not a text file: it is {kind}")
    if sample.startswith(codecs.BOM_UTF8) or _decodes(sample, "utf-8", complete):
        return "utf-8"
    # Loaded only for files that are not UTF-8.
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    found = codecs.lookup(best.encoding).name if best is not None else ""
    if found in _GB_FAMILY:
        return "gb18030"
    # A sample with few Chinese characters reads as well in a Western or
    # Korean code page, which the detector may rank first; mainland files
    # are GB18030, so GB18030 wins whenever it reads the sample cleanly.
    gb = from_bytes(sample, cp_isolation=["gb18030"]).best()
    if gb is not None and gb.chaos <= GB18030_MAX_CHAOS and _decodes(sample, "gb18030", complete):
        return "gb18030"
    if found and not found.startswith(("utf-16", "utf-32")) and _decodes(sample, found, complete):
        return found
    raise ImportFileError(
        f"{name}: its encoding cannot be told from its first bytes; "
        "pass it with --encoding (gb18030, utf-8, big5)"
    )


def detect_delimiter(text: str) -> str:
    """The delimiter of CSV text (the sample, decoded); comma when none is clear."""
    lines = text.splitlines()
    if len(lines) > 1:
        lines = lines[:-1]  # the last may be cut by the sample's end
    lines = [line for line in lines[:50] if line.strip()]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        if not any(delimiter in line for line in lines):
            continue
        try:
            widths = Counter(len(cells) for cells in csv.reader(lines, delimiter=delimiter))
        except csv.Error:
            continue
        widths.pop(1, None)
        widths.pop(0, None)
        score = max(widths.values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


#: How many non-blank rows the header is looked for in (title rows above it).
HEADER_SEARCH = 20


class HeaderRule:
    """Where the header is: a row number given, or the first row ``test`` accepts."""

    def __init__(self, row: int | None, test: Any) -> None:
        self.row = row
        self.test = test

    def find(self, rows: Iterator[tuple[int, list]]) -> tuple[int, list | None, bool]:
        """``(row, cells, consumed)`` from ``(row, cells)`` pairs of non-blank rows.

        ``cells`` is None when the header is a row already passed (the reader
        starts again and stops at ``row``); ``consumed`` is False when the
        rows ran out before any was found.
        """
        first: int | None = None
        for count, (row, cells) in enumerate(rows):
            if self.row is not None:
                if row == self.row:
                    return row, cells, True
                if row > self.row:
                    break
                continue
            if first is None:
                first = row
                if self.test is None:
                    return row, cells, True
            if self.test(cells):
                return row, cells, True
            if count + 1 >= HEADER_SEARCH:
                break
        if self.row is not None:
            return self.row, None, False
        return (first, None, True) if first is not None else (0, None, False)
