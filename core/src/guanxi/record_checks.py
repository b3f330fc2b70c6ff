"""The checks the contribution records share: names and tuple fields.

A module of its own so that the records of the core's contributions
(:mod:`guanxi.contributions`) and of its service machinery
(:mod:`guanxi.service_records`) validate names alike.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DOTTED = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def plain_name(instance, attribute, value):
    if not _NAME.match(value):
        raise ValueError(
            f"{type(instance).__name__} {attribute.name} {value!r} must be lower-case letters, "
            "digits and underscores, starting with a letter"
        )


def dotted_name(instance, attribute, value):
    if not _DOTTED.match(value):
        raise ValueError(
            f"{type(instance).__name__} name {value!r} must be dotted, starting with the "
            "pack's name, like 'banking.abc'"
        )


def option_name(instance, attribute, value):
    if not all(_NAME.match(part) for part in value.split(".")):
        raise ValueError(
            f"config option name {value!r} must be dotted lower-case words, like 'abc.a_share'"
        )


def as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)
