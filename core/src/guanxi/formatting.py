"""Figures for people and for scripts: one number formatter, by unit.

A KPI or metric declares its unit (see :class:`guanxi.Kpi`): ``share`` (a
fraction, 0.765), money (``money``, or a currency code such as ``CNY``,
which packs wrote before the currency was configurable), or a count's word
(``customers``, ``tasks``, ``carton``). The command line, pack summaries
and reports all format through here, so a share reads ``76.5%`` and money
``CNY 76,109.30`` everywhere, in ``[guanxi] currency``.

Plain Python: thousands separators and percent are all the table needs,
and the JSON keeps plain numbers (:func:`plain`).
"""

from __future__ import annotations

import math
import re

SHARE = "share"
MONEY = "money"
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def is_money(unit: str | None) -> bool:
    """Whether ``unit`` is money: ``money`` or a three-letter currency code."""
    return unit == MONEY or bool(unit and _CURRENCY_CODE.fullmatch(unit))


def is_share(unit: str | None) -> bool:
    return unit == SHARE


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def format_figure(value, unit: str | None = "", *, currency: str = "CNY",
                  with_unit: bool = True) -> str:
    """``value`` for people: ``76.5%``, ``CNY 76,109.30``, ``1,234 customers``; ``-`` for none.

    ``with_unit=False`` leaves a count's word out (a table with a unit column).
    """
    if not _finite(value):
        return "-"
    if is_share(unit):
        return f"{value:.1%}"
    if is_money(unit):
        return f"{currency} {value:,.2f}"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return f"{number} {unit}" if with_unit and unit else number


def plain(value, unit: str | None = ""):
    """``value`` for JSON: money to the cent, shares as fractions, whole counts as ints.

    ``76109.30000000022`` -> ``76109.3``; a share keeps six decimals
    (0.123457); a count of ``3.0`` -> ``3``.
    """
    if not _finite(value):
        return None
    if is_money(unit):
        return round(float(value), 2)
    if is_share(unit):
        return round(float(value), 6)
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def attainment(value, target) -> float | None:
    """``value / target``: the share of the target reached; None without both.

    For a KPI where lower is better (fines), under 100% is the good side.
    """
    if not _finite(value) or not _finite(target) or not target:
        return None
    return float(value) / float(target)
