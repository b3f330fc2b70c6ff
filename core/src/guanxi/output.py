"""The output kit: how a pack's command prints, as the core's commands print.

Public API for packs (see docs/writing-a-pack.md, "Printing: the output
kit"): one table printer that measures columns in terminal cells (Chinese
names line up), one JSON writer, the ``--format table|json|csv`` option, and
the one number formatter by unit (percent for shares, thousands separators,
money in ``[guanxi] currency``).

A pack imports from here, never from ``guanxi.cli.output`` or
``guanxi.formatting``, whose layout may change; these names are the contract.
"""

from __future__ import annotations

from guanxi.cli.output import (
    FORMATS,
    PERIOD,
    display_width,
    emit,
    format_option,
    pad,
    progress_for,
    table,
    to_json,
)
from guanxi.formatting import attainment, format_figure, is_money, is_share, plain

__all__ = [
    "FORMATS",
    "PERIOD",
    "attainment",
    "display_width",
    "emit",
    "format_figure",
    "format_option",
    "is_money",
    "is_share",
    "pad",
    "plain",
    "progress_for",
    "table",
    "to_json",
]
