"""The figures of the monthly sales analysis (rule TOB-REPORT), one grouped query each.

Each figure is a function of the core's report scope
(:class:`guanxi.reporting.ReportScope`: the query context, the month, the
author, the tracked report), declared in :mod:`guanxi_tobacco.report`.
Every figure is one set-based statement over the manager's retailers (the
customers whose owner the manager is now and whom the pack serves: the
``tobacco.retailers`` filter, ``ctx.served``, keeps out a customer without
a licence number); Python only shapes the rows a section shows (a handful
of grades, five movers, the month's incidents), never a row per customer
of the base. Figures are plain records (``SimpleNamespace``) holding
Decimals: cartons and values to 0.01, ratios (环比, 同比, falls, factors)
to 0.0001, so a test compares them exactly on both databases.

The sections live in their modules: :mod:`guanxi_tobacco.report_sales`
(a), :mod:`guanxi_tobacco.report_problems` (b),
:mod:`guanxi_tobacco.report_outlook` (c and d); who reports and the pieces
they share are :mod:`guanxi_tobacco.report_scope`'s, the decimals and the
month window :mod:`guanxi_tobacco.report_numbers`'. This module gathers the
names :mod:`guanxi_tobacco.report` and the rules read.
"""

from __future__ import annotations

from guanxi_tobacco.report_numbers import factor_text, sharp_drop
from guanxi_tobacco.report_outlook import forecast, opinions
from guanxi_tobacco.report_problems import problems
from guanxi_tobacco.report_sales import sales
from guanxi_tobacco.report_scope import authors, months, reviewer


__all__ = [
    "authors",
    "factor_text",
    "forecast",
    "months",
    "opinions",
    "problems",
    "reviewer",
    "sales",
    "sharp_drop",
]
