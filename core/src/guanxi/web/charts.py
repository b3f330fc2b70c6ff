"""Charts: a figure table drawn by the vendored Chart.js, downloadable as CSV or xlsx.

A :class:`Chart` is a table: its first column labels the points, each
other column is a series. The page shows the table beside the chart
(screen readers read it, a copy takes it) and the chart is drawn from the
same figures by ``static/charts.js`` (no inline script: the page's CSP
allows our own files only). Any page's chart downloads as
``?chart=ID&download=csv`` or ``xlsx``: the page's figures, not a second query.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import attrs
from fastapi import Request
from fastapi.responses import Response

KINDS = ("line", "bar")
DOWNLOADS = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@attrs.frozen(kw_only=True)
class Chart:
    """One chart and its figures.

    :param id: unique on its page, the download's name (letters, digits, ``-_.``).
    :param title: the heading, in the reader's language.
    :param columns: the table's headings: the labels' column, then one per series.
    :param rows: one per point: its label, then one figure per series (None: no figure).
    :param kind: ``line`` or ``bar``.
    """

    id: str = attrs.field(converter=lambda v: re.sub(r"[^A-Za-z0-9_.-]+", "-", v))
    title: str
    columns: tuple[str, ...] = attrs.field(converter=tuple)
    rows: tuple[tuple, ...] = attrs.field(converter=lambda rows: tuple(tuple(r) for r in rows))
    kind: str = attrs.field(default="line", validator=attrs.validators.in_(KINDS))

    def spec(self) -> dict:
        """What ``static/charts.js`` draws: labels and series."""
        return {"type": self.kind, "title": self.title,
                "labels": [str(r[0]) for r in self.rows],
                "series": [{"label": name, "data": [_number(r[i]) for r in self.rows]}
                           for i, name in enumerate(self.columns[1:], start=1)]}


def _number(value):
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def from_panel(panel, number: int) -> Chart:
    """A pack's panel with ``chart`` set (``guanxi.CustomerPanel``) as a chart."""
    columns = panel.columns
    return Chart(id=f"{panel.pack}-{number}", title=panel.title, columns=columns,
                 rows=[[r.get(c) for c in columns] for r in panel.rows], kind=panel.chart)


def download(request: Request, charts: Sequence[Chart]) -> Response | None:
    """The chart named by ``?chart=`` as ``?download=csv|xlsx``; None when none is asked."""
    from guanxi.errors import NotFoundError, UsageError

    wanted, form = request.query_params.get("chart"), request.query_params.get("download")
    if not wanted and not form:
        return None
    if form not in DOWNLOADS:
        raise UsageError(f"download={form!r} is not offered; use csv or xlsx")
    chart = next((c for c in charts if c.id == wanted), None)
    if chart is None:
        raise NotFoundError(f"no chart {wanted!r} on this page; charts: "
                            f"{', '.join(c.id for c in charts) or 'none'}")
    body = _csv(chart) if form == "csv" else _xlsx(chart)
    return Response(body, media_type=DOWNLOADS[form], headers={
        "Content-Disposition": f'attachment; filename="{chart.id}.{form}"'})


def _csv(chart: Chart) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart.columns)
    writer.writerows(["" if v is None else v for v in row] for row in chart.rows)
    # A byte-order mark: Excel on a Chinese Windows then reads the UTF-8 as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(chart: Chart) -> bytes:
    from guanxi.workbooks import Workbook

    with Workbook() as book:
        book.sheet(chart.id, chart.columns).write_rows(chart.rows)
    return book.getvalue()
