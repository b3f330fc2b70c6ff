"""Converting a chunk of rows column by column: validation vectorised per chunk.

A file's cells arrive as text. Converting them one row at a time calls a
Python function per cell; a million measurements is ten million calls. Here
a chunk is taken a column at a time and each column is converted in one go
by C-level ``map`` (``str.strip``, ``date.fromisoformat``, ``Decimal``),
after checks on the whole column that keep to exactly the cells the
single-value converter would read the same way (a date of ten characters
with dashes at 4 and 7; a number without exponent, NaN or underscore). A
column holding anything else (a date written ``2026/11/23``, an offset, a
bad value) is converted cell by cell by the same converters a single value
goes through, so a bad cell gets the same reason either way. Required,
allowed and bounds are checked per column too (``None in``, set
differences, ``min``/``max``).

The result is the same as converting row by row, cell by cell: typed
values (dates, decimals, booleans), None for empty cells, and for each
refused row the first column that refused it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import attrgetter, itemgetter, methodcaller
from typing import Any

from guanxi.periods import GRAIN_WORDS, Period, ValueProblem, at_grain

_BOOLEANS = {
    "true": True, "false": False, "yes": True, "no": False, "y": True, "n": False,
    "1": True, "0": False, "是": True, "否": False,
}


class _Slow(Exception):
    """The column is not all in canonical form: convert it cell by cell."""


def _present(cells: Sequence) -> list:
    return [c for c in cells if c is not None] if None in cells else list(cells)


def _spread(cells: Sequence, converted: list) -> list:
    """Put converted non-empty cells back in place, None where cells were empty."""
    if None not in cells:
        return converted
    it = iter(converted)
    return [None if c is None else next(it) for c in cells]


def _joined(present: list) -> str:
    # One text for the column: substring tests on it are C-speed. NUL
    # separates cells; no test below looks for it.
    return "\x00".join(present)


def _dashes_at_4_and_7(present: list, shortest: int) -> bool:
    """Every cell at least ``shortest`` long with ``-`` at 4 and 7: ``2026-11-23...``."""
    if not present:
        return True
    if min(map(len, present)) < shortest:
        return False
    return (set(map(itemgetter(4), present)) == {"-"}
            and set(map(itemgetter(7), present)) == {"-"})


def _fast_text(cells: Sequence) -> list:
    if None in cells:
        values = [None if c is None else c.strip() for c in cells]
    else:
        values = list(map(str.strip, cells))
    if "" in values:  # blank text is an empty cell
        values = [v or None for v in values]
    return values


def _fast_integer(cells: Sequence) -> list:
    present = _present(cells)
    # int() also takes "1_000", which nobody writes in a spreadsheet.
    if "_" in _joined(present):
        raise _Slow
    try:
        return _spread(cells, list(map(int, present)))
    except ValueError:
        raise _Slow from None


def _fast_decimal(cells: Sequence) -> list:
    present = _present(cells)
    text = _joined(present)
    # Decimal() also takes NaN, Infinity (both hold an n), exponents and
    # underscores: the converter refuses those, cell by cell.
    if "e" in text or "E" in text or "_" in text or "n" in text or "N" in text:
        raise _Slow
    try:
        return _spread(cells, list(map(Decimal, present)))
    except ArithmeticError:  # decimal.InvalidOperation
        raise _Slow from None


def _fast_date(cells: Sequence) -> list:
    # The converter's own first try: ten characters, dashes at 4 and 7.
    present = _present(cells)
    if not _dashes_at_4_and_7(present, 10) or max(map(len, present), default=10) != 10:
        raise _Slow
    try:
        return _spread(cells, list(map(dt.date.fromisoformat, present)))
    except ValueError:  # a day that does not exist: let the converter say so
        raise _Slow from None


def _fast_datetime(cells: Sequence) -> list:
    # The converter's own first try (dashes at 4 and 7, then fromisoformat),
    # for cells without an offset; an offset moves the time to the
    # organisation's zone, which the converter does cell by cell.
    present = _present(cells)
    if not _dashes_at_4_and_7(present, 10):
        raise _Slow
    try:
        values = list(map(dt.datetime.fromisoformat, present))
    except ValueError:
        raise _Slow from None
    if values and set(map(attrgetter("tzinfo"), values)) != {None}:
        raise _Slow
    return _spread(cells, values)


def _fast_boolean(cells: Sequence) -> list:
    present = _present(cells)
    values = list(map(_BOOLEANS.get, present))
    if None in values:
        raise _Slow
    return _spread(cells, values)


#: Planned column type -> the whole-column converter for canonical text.
#: A period start written as a date is that date (its day), mapped to the
#: metric's grain by :func:`to_grain`; other period forms go cell by cell.
FAST: dict[str, Callable[[Sequence], list]] = {
    "text": _fast_text,
    "integer": _fast_integer,
    "decimal": _fast_decimal,
    "share": _fast_decimal,
    "date": _fast_date,
    "datetime": _fast_datetime,
    "boolean": _fast_boolean,
    "period_start": _fast_date,
}


def convert_column(pc, cells: Sequence) -> tuple[list, dict[int, tuple[str, Any, str]]]:
    """One planned column of a chunk: typed values, and ``{row: (column, cell, reason)}``.

    ``cells`` holds text or None; ``""`` counts as empty.
    """
    if "" in cells:
        cells = [c or None for c in cells]
    problems: dict[int, tuple[str, Any, str]] = {}
    # Known from the text, not asked of the values: ``None in values`` would
    # compare every Decimal with None, which is slow.
    has_empty = None in cells
    fast = FAST.get(pc.type)
    values = None
    if fast is not None:
        try:
            values = fast(cells)
        except _Slow:
            values = None
    if values is None:
        values = []
        convert = pc.convert
        for i, text in enumerate(cells):
            try:
                value = convert(text)
            except ValueProblem as problem:
                value = None
                problems[i] = (pc.name, text, str(problem))
            if value is None:
                has_empty = True
            values.append(value)
    if has_empty:
        empties = [i for i, v in enumerate(values) if v is None and i not in problems]
        if pc.required:
            for i in empties:
                problems[i] = (pc.name, cells[i], f"{pc.name} is required")
        elif pc.empty_as_blank or pc.default is not None:
            fill = "" if pc.empty_as_blank else pc.default
            for i in empties:
                values[i] = fill
    if pc.allowed:
        allowed = set(pc.allowed)
        unknown = set(values) - allowed
        unknown.discard(None)
        if pc.empty_as_blank:
            unknown.discard("")
        if pc.default is not None:
            unknown.discard(pc.default)
        if unknown:
            shown = ", ".join(map(str, pc.allowed)) or "nothing yet (none declared)"
            for i, v in enumerate(values):
                if i not in problems and v is not None and v in unknown:
                    problems[i] = (pc.name, cells[i], f"not allowed; use one of: {shown}")
    if pc.bounds:
        low, high = pc.bounds
        present = [v for v in values if v is not None]
        if present and ((low is not None and min(present) < low)
                        or (high is not None and max(present) > high)):
            for i, v in enumerate(values):
                if v is not None and i not in problems and (
                        (low is not None and v < low) or (high is not None and v > high)):
                    problems[i] = (pc.name, cells[i], f"must be between {low} and {high}")
    return values, problems


def to_grain(pc, values: list, metrics: Sequence, cells: Sequence, problems: dict) -> list:
    """A period column's values as the first day of the period of each row's metric's grain.

    ``values`` hold dates (a date read as its day) or periods as written;
    ``2026-11-30`` of a monthly metric is 2026-11-01, of a daily one that
    day; a quarter of a monthly metric is refused with its reason. A row
    whose metric is unknown keeps its value (the metric column refuses it).
    """
    grains = pc.grains
    # The common cases in one C-level pass: every cell a date, and every
    # metric daily (a date is its day) or every one monthly.
    if Period not in set(map(type, values)):
        used = {grains.get(m) for m in set(metrics)}
        if used == {"day"}:
            return values
        if used == {"month"}:
            if None in values:
                return [None if v is None else v.replace(day=1) for v in values]
            return list(map(methodcaller("replace", day=1), values))
    out = []
    for i, (value, metric) in enumerate(zip(values, metrics)):
        if value is None:
            out.append(None)
            continue
        period = value if isinstance(value, Period) else Period.containing(value, "day")
        grain = grains.get(metric)
        if grain is None:
            out.append(period.start)
            continue
        try:
            out.append(at_grain(period, grain).start)
        except ValueProblem as problem:
            out.append(None)
            problems.setdefault(i, (pc.name, cells[i],
                                    f"{problem} ({metric} is a {GRAIN_WORDS[grain]} metric)"))
    return out


def convert_chunk(plan, rows: Sequence[Sequence]) -> tuple[list[list], dict[int, tuple]]:
    """A chunk of rows (cells as read) -> typed columns in plan order, and refusals.

    A refused row is refused for its first column in the plan's order, as
    converting it cell by cell would. Rows have the header's width (the
    readers pad short rows); a planned column past it (a key column the file
    leaves out) is empty.
    """
    if not rows:
        return [[] for _ in plan.columns], {}
    width = min(map(len, rows))
    if width != max(map(len, rows)):
        width = max(map(len, rows))
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    empty = [None] * len(rows)
    columns: list[list] = []
    refused: dict[int, tuple] = {}
    by_name: dict[str, list] = {}
    for pc in plan.columns:
        # A column at a time (only the planned ones), by a C-level map.
        cells = list(map(itemgetter(pc.index), rows)) if pc.index < width else empty
        values, problems = convert_column(pc, cells)
        if pc.grain_column is not None:
            # The metric column comes before the period in every plan.
            values = to_grain(pc, values, by_name[pc.grain_column], cells, problems)
        by_name[pc.name] = values
        columns.append(values)
        for i, problem in problems.items():
            refused.setdefault(i, problem)
    return columns, refused


# -- the form values are staged in ----------------------------------------------

_SQLITE_DATETIME = methodcaller("isoformat", " ", "microseconds")


def _each(function: Callable[[Any], Any]) -> Callable[[list], list]:
    # ``function`` raises TypeError or AttributeError on None, so a column
    # without empty cells is converted by map() alone.
    def convert(values: list) -> list:
        try:
            return list(map(function, values))
        except (TypeError, AttributeError):
            return [None if v is None else function(v) for v in values]

    return convert


def _sqlite_value(value):
    # The same text SQLAlchemy's SQLite types store, so staged and stored
    # values compare equal.
    if isinstance(value, dt.datetime):
        return _SQLITE_DATETIME(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


_SQLITE_FORMS: dict[str, Callable[[list], list]] = {
    "date": _each(dt.date.isoformat),
    "period_start": _each(dt.date.isoformat),
    "datetime": _each(_SQLITE_DATETIME),
    "decimal": _each(Decimal.__str__),
    "boolean": _each(int),
}


def sqlite_form(planned_type: str, sql_type, values: list) -> list:
    """A column's values as SQLAlchemy's SQLite types store them."""
    from sqlalchemy import Boolean, Date, DateTime, Numeric

    if not isinstance(sql_type, (Boolean, Date, DateTime, Numeric)):
        return values
    form = _SQLITE_FORMS.get(planned_type)
    if form is not None:
        try:
            return form(values)
        except (TypeError, AttributeError):  # a value of another type than planned
            pass
    return [None if v is None else _sqlite_value(v) for v in values]
