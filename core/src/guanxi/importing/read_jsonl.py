"""Reading JSON Lines files to import: one object per line, keys as the header.

A :class:`~guanxi.importing.readers.RowSource` of the importer's readers.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from guanxi.errors import ImportFileError, did_you_mean
from guanxi.importing.readers import _BUFFER_SIZE, Row, _TextFileSource



class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object's (key, value) pairs, as the first line is read."""


def _json_float(text: str) -> str:
    # Numbers keep the digits as written (1234.50 stays 1234.50); exponents
    # are spelled out because the decimal converter refuses them.
    if "e" in text or "E" in text:
        return format(Decimal(text), "f")
    return text


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return "a number"


class JsonLinesSource(_TextFileSource):
    """One JSON object per line; the first object's keys are the header."""

    format = "jsonl"

    def __init__(self, path: Path, encoding: str | None) -> None:
        super().__init__(path, encoding)
        self._file = self._stream = io.BufferedReader(self._raw, _BUFFER_SIZE)
        self._decoder = json.JSONDecoder(parse_float=_json_float, parse_constant=str)
        self._line = 0
        self._index: dict[str, int] = {}
        self._first: Row | None = None
        try:
            self._read_header()
        except BaseException:
            self.close()
            raise

    def _decode(self, data: bytes, line: int) -> str:
        try:
            return data.decode(self._codec)
        except UnicodeDecodeError:
            raise self._encoding_error(line) from None

    def _read_header(self) -> None:
        for line, data in enumerate(self._file, 1):
            if data.strip():
                break
        else:
            raise ImportFileError(f"{self._name} is empty; its first line must be a JSON object")
        self._line = line
        text = self._decode(data, line).lstrip("\ufeff")
        try:
            # Pairs rather than a dict, so a repeated key is seen, not merged.
            pairs = json.loads(
                text,
                object_pairs_hook=_Pairs,
                parse_float=_json_float,
                parse_constant=str,
            )
        except ValueError as err:
            raise ImportFileError(
                f"{self._name} line {line} is not valid JSON ({_json_reason(err, text)}); "
                "its first object names the columns"
            ) from None
        if not isinstance(pairs, _Pairs):
            raise ImportFileError(
                f"{self._name} line {line} is not a JSON object; "
                'every line must be one object like {"name": "..."}'
            )
        self._set_header([key for key, _ in pairs], f"line {line}", allow_trailing_blanks=False)
        self._index = {name: number for number, name in enumerate(self.header)}
        # Keys as written, so lines repeating " name " find it without a strip.
        for number, (key, _) in enumerate(pairs):
            self._index.setdefault(key, number)
        self._first = (line, *self._values(pairs))

    def rows(self) -> Iterator[Row]:
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        width = len(self.header)
        decode = self._decoder.decode
        for line, data in enumerate(self._file, self._line + 1):
            if not data.strip():
                continue
            text = self._decode(data, line)
            try:
                obj = decode(text)
            except ValueError as err:
                yield line, [None] * width, f"not valid JSON: {_json_reason(err, text)}"
                continue
            if type(obj) is not dict:
                yield line, [None] * width, f"the line is {_json_kind(obj)}, not a JSON object"
                continue
            values, problem = self._values(obj.items())
            yield line, values, problem

    def _values(self, items: Any) -> tuple[list[str | None], str | None]:
        index = self._index
        values: list[str | None] = [None] * len(self.header)
        unknown: list[str] = []
        nested: list[str] = []
        for key, value in items:
            number = index.get(key)
            if number is None:
                number = index.get(key.strip())
                if number is None:
                    unknown.append(key)
                    continue
            kind = type(value)
            if kind is str:
                values[number] = value or None
            elif value is None:
                pass
            elif kind is bool:
                values[number] = "true" if value else "false"
            elif kind is int:
                values[number] = str(value)
            else:
                nested.append(self.header[number])
        problems = []
        if unknown:
            names = ", ".join(f'"{key}"{did_you_mean(key, self.header)}' for key in unknown)
            problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {names}")
        for name in nested:
            problems.append(f'column "{name}" holds a list or an object; expected a plain value')
        return values, "; ".join(problems) or None


def _json_reason(err: ValueError, text: str) -> str:
    if isinstance(err, json.JSONDecodeError):
        # Counted within the line without its newline, which colno would
        # count as the start of a line 2.
        return f"{err.msg} at column {min(err.pos, len(text.rstrip())) + 1}"
    return str(err)
