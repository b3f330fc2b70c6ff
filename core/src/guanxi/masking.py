"""Identity numbers shown masked: the first 3 and last 4 characters kept.

A resident identity card number, a credit code or a mobile number is
personal data (个人信息保护法): a manager needs to recognise it, not to copy
it. Every listing, the 360° view, its JSON and the log show the values of
the identity field types (``cn_ric``, ``cn_uscc``, ``cn_mobile``) masked,
``110***********002X``; only ``guanxi export`` (so a file round-trips) and
``guanxi customers show ID --unmask`` write them whole.

One module for the job: the command line, the views and the web pages
call these functions rather than masking on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guanxi.importing.identity import IDENTITY_TYPES

__all__ = ["IDENTITY_TYPES", "mask", "mask_attributes", "mask_rows", "masked_fields"]

#: Characters kept at each end.
KEEP_FIRST, KEEP_LAST = 3, 4


def mask(value: Any) -> Any:
    """``11010519491231002X`` -> ``110***********002X``; None stays None.

    A value of 7 characters or fewer is all stars: keeping 3 and 4 of it
    would show it whole.
    """
    if value is None:
        return None
    text = str(value)
    if len(text) <= KEEP_FIRST + KEEP_LAST:
        return "*" * len(text)
    return text[:KEEP_FIRST] + "*" * (len(text) - KEEP_FIRST - KEEP_LAST) + text[-KEEP_LAST:]


def masked_fields(fields: Iterable[Any], entity: str | None = None) -> frozenset[str]:
    """The names of the identity fields among ``fields`` (of ``entity``, when given)."""
    return frozenset(f.name for f in fields
                     if f.type in IDENTITY_TYPES and (entity is None or f.entity == entity))


def mask_attributes(attributes: Mapping[str, Any] | None,
                    names: Iterable[str]) -> dict[str, Any]:
    """A copy of an attributes document with the values of ``names`` masked."""
    doc = dict(attributes or {})
    for name in names:
        if doc.get(name) is not None:
            doc[name] = mask(doc[name])
    return doc


def mask_rows(rows: Iterable[dict], names: Iterable[str], key: str = "attributes") -> list[dict]:
    """Rows (dicts) with the identity values in ``row[key]`` masked, in place; returned."""
    names = frozenset(names)
    rows = list(rows)
    if names:
        for row in rows:
            if row.get(key):
                row[key] = mask_attributes(row[key], names)
    return rows
