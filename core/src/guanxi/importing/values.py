"""Text to typed values for the field types, and back.

The readers hand every cell over as text (or None), so one converter per
field type serves CSV, JSON Lines and xlsx alike. An import can hold a
million rows: fetch a converter per column once with ``converter_for`` and
call it per cell; each converter tries the cheap common form first and only
then the slower fallbacks.

Every converter maps None and blank text to None and raises ``ValueProblem``
with a short phrase saying what is allowed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from guanxi.importing.identity import IDENTITY_TYPES
from guanxi.periods import (
    DATE_COMPACT as _DATE_COMPACT,
    DATETIME_LOOSE as _DATETIME_LOOSE,
    Period,
    ValueProblem,
    parse_period,
    read_date,
)

__all__ = [
    "DEFAULT_TIME_ZONE",
    "TYPES",
    "Period",
    "ValueProblem",
    "convert",
    "converter_for",
    "format_value",
    "parse_period",
    "read_number",
]

TYPES = ("text", "integer", "decimal", "share", "boolean", "date", "datetime",
         "cn_ric", "cn_uscc", "cn_mobile")
DEFAULT_TIME_ZONE = "Asia/Shanghai"

Converter = Callable[[str | None], object]

_WHOLE_NUMBER = "expected a whole number"
_NUMBER = "expected a number"
_BOOLEAN = "expected true or false (also yes/no, 1/0, 是/否)"
_DATETIME = "expected a date and time like 2026-11-23 09:30"

# "12.0" is how a whole number often arrives from a spreadsheet.
_INTEGRAL_DECIMAL = re.compile(r"([+-]?\d+)\.0+", re.ASCII)

_BOOLEANS = {
    "true": True, "false": False,
    "yes": True, "no": False,
    "y": True, "n": False,
    "1": True, "0": False,
    "是": True, "否": False,
}


def _text(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None


def _integer(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        pass
    else:
        # int() also takes "1_000", which nobody writes in a spreadsheet.
        if "_" not in text:
            return value
        raise ValueProblem(_WHOLE_NUMBER)
    text = text.strip()
    if not text:
        return None
    match = _INTEGRAL_DECIMAL.fullmatch(text)
    if match is not None:
        return int(match[1])
    # Only now the forms people write: 1,234 / １２３ / 1.5E+05 / ¥1,234.
    number = read_number(text, problem=_WHOLE_NUMBER)
    if number != number.to_integral_value():
        raise ValueProblem(_WHOLE_NUMBER)
    return int(number)


def _decimal(text: str | None, *, percent: bool = False) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        if not text.strip():
            return None
        return read_number(text, percent=percent)
    if not value.is_finite() or "_" in text:
        # Decimal() also takes NaN, Infinity and underscores.
        raise ValueProblem(_NUMBER)
    if "e" in text or "E" in text:
        return _plain(value)
    return value


def _share(text: str | None) -> Decimal | None:
    """A share (0 to 1): a number, or a percentage (``12.5%`` is 0.125)."""
    return _decimal(text, percent=True)


def read_number(text: str, *, percent: bool = False, problem: str = _NUMBER) -> Decimal:
    """A number as people write it in spreadsheets; the slow path of the converters.

    Accepted, after full-width characters are read as their ASCII forms
    (``１２３．５`` is 123.5, ``－`` a minus): thousands separators in
    groups of three (``1,234.50``), an exponent (``1.5E+05``), a leading
    ``¥`` (``¥1,234``, ``-¥5``), and with ``percent`` a trailing ``%``
    divided by 100 (``12.5%`` is 0.125). Anything else raises
    :class:`ValueProblem` with ``problem``.
    """
    normal = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    match = _LOOSE_NUMBER.fullmatch(normal)
    if match is None:
        if normal.endswith("%") and not percent and _LOOSE_NUMBER.fullmatch(normal[:-1]):
            raise ValueProblem(f"{problem}; a percentage is read only where a share is expected")
        raise ValueProblem(problem)
    sign = match["sign"] or match["sign2"]
    digits, exponent, pct = match["digits"], match["exp"], match["pct"]
    if pct and not percent:
        raise ValueProblem(f"{problem}; a percentage is read only where a share is expected")
    value = Decimal((sign or "") + digits.replace(",", "") + (exponent or ""))
    if not value.is_finite():  # pragma: no cover - the pattern admits digits only
        raise ValueProblem(problem)
    if pct:
        value = value / 100
    return _plain(value, problem) if exponent else value


def _plain(value: Decimal, problem: str = _NUMBER) -> Decimal:
    # 1.5E+05 is stored and shown as 150000, as if written so. An exponent
    # past 28 digits is no figure anyone keeps (and 1E+400000000000 would
    # not fit in memory written out).
    if abs(value.adjusted()) > _MAX_DIGITS:
        raise ValueProblem(problem)
    return Decimal(format(value, "f"))


_MAX_DIGITS = 28


# Thousands separators only in groups of three (1,23 is refused: in some
# locales it is 1.23); the yuan sign before or after the minus sign.
_LOOSE_NUMBER = re.compile(
    r"(?P<sign>[+-])?(?:¥\s*)?(?P<sign2>(?(sign)|[+-]))?"
    r"(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"(?P<exp>[eE][+-]?\d+)?"
    r"\s*(?P<pct>%)?",
    re.ASCII,
)


def _boolean(text: str | None) -> bool | None:
    if text is None:
        return None
    value = _BOOLEANS.get(text)
    if value is not None:
        return value
    text = text.strip()
    if not text:
        return None
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise ValueProblem(_BOOLEAN)
    return value


# One reader of dates for cells and periods alike (guanxi.periods).
_date = read_date


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _datetime_converter(tz: ZoneInfo | None) -> Converter:
    def convert_datetime(text: str | None) -> dt.datetime | None:
        if text is None:
            return None
        value = None
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                pass
        if value is None:
            text = text.strip()
            if not text:
                return None
            value = _loose_datetime(text)
        if value.tzinfo is not None:
            # Offsets are moved to the organisation's zone; stored times are naive.
            zone = tz if tz is not None else _zone(DEFAULT_TIME_ZONE)
            value = value.astimezone(zone).replace(tzinfo=None)
        return value

    return convert_datetime


def _loose_datetime(text: str) -> dt.datetime:
    match = _DATETIME_LOOSE.fullmatch(text)
    if match is None:
        match = _DATE_COMPACT.fullmatch(text)
        if match is None:
            raise ValueProblem(_DATETIME)
        try:
            return dt.datetime(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueProblem(_DATETIME) from None
    year, _, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        tzinfo = None if offset is None else _offset(offset)
        return dt.datetime(
            int(year), int(month), int(day),
            int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tzinfo,
        )
    except ValueError:
        raise ValueProblem(_DATETIME) from None


def _offset(text: str) -> dt.tzinfo:
    if text in ("Z", "z"):
        return dt.timezone.utc
    digits = text[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    # timezone() raises ValueError for offsets of a day or more.
    return dt.timezone(-delta if text[0] == "-" else delta)


_CONVERTERS: dict[str, Converter] = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
    "share": _share,
}


def converter_for(type_name: str, tz: ZoneInfo | None = None) -> Converter:
    """The converter for one field type; fetch it once per column.

    ``tz`` is the organisation's time zone, used only by "datetime" to turn
    an offset such as +08:00 or Z into local time; default Asia/Shanghai.
    """
    if type_name == "datetime":
        return _datetime_converter(tz)
    if type_name in IDENTITY_TYPES:
        from guanxi.importing.identity import CONVERTERS

        return CONVERTERS[type_name]
    try:
        return _CONVERTERS[type_name]
    except KeyError:
        raise ValueError(
            f"unknown field type {type_name!r}; expected one of {', '.join(TYPES)}"
        ) from None


def convert(type_name: str, text: str | None, *, tz: ZoneInfo | None = None) -> object:
    """Convert one cell; for many cells use ``converter_for``."""
    return converter_for(type_name, tz)(text)


def format_value(value: object) -> str:
    """The canonical text of a value, as export writes it and import reads it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: True is an int too
        return "true" if value else "false"
    if isinstance(value, dt.datetime):  # before date: a datetime is a date too
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        # "f" keeps the digits as written (1234.50) and never uses an exponent.
        return format(value, "f")
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    # Spreadsheets store whole numbers as floats: 12.0 means 12.
    if value.is_integer():
        return str(int(value))
    # 15 significant digits is what Excel shows, which drops binary noise
    # such as 0.30000000000000004.
    text = format(value, ".15g")
    if "e" in text:
        text = format(Decimal(text), "f")
    return text
