"""Panels packs add to a customer's 360° view (the ``guanxi_customer_panels`` hook).

A panel is a title and either a sentence, rows (dicts) with the columns to
show, or both; the web workspace renders each under the core's sections
(``/customers/{id}``), the pack's name beside it.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from guanxi.errors import PackError


@attrs.frozen(kw_only=True)
class CustomerPanel:
    """One panel of a customer's 360° view.

    :param title: the heading, in the language asked for.
    :param text: a sentence (a relationship level and why), or None.
    :param rows: dicts, one per table row (a visit checklist's items).
    :param columns: which keys of ``rows`` to show, in order (default: the first row's).
    :param pack: stamped by the core with the pack that gave it.
    :param chart: ``line`` or ``bar`` to draw the rows as a chart (on a page of
        ``guanxi_page_panels``): the first column labels the points, the others
        are series; None (the default) shows the rows as a table.
    """

    title: str
    text: str | None = None
    rows: tuple[Mapping, ...] = attrs.field(default=(), converter=tuple)
    columns: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    pack: str = ""
    chart: str | None = attrs.field(default=None, validator=attrs.validators.in_(
        (None, "line", "bar")))

    def __attrs_post_init__(self) -> None:
        if not self.columns and self.rows:
            object.__setattr__(self, "columns", tuple(self.rows[0]))

    def as_json(self) -> dict:
        return {"pack": self.pack, "title": self.title, "text": self.text,
                "rows": [dict(r) for r in self.rows], "columns": list(self.columns),
                **({"chart": self.chart} if self.chart else {})}


def customer_panels(ws, customer_id: str, language: str | None = None) -> list[CustomerPanel]:
    """Every enabled pack's panels for one customer, packs in the config's order."""
    return _collect(ws, "guanxi_customer_panels", language, customer_id=customer_id)


def page_panels(ws, page: str, managers, language: str | None = None) -> list[CustomerPanel]:
    """Every enabled pack's panels for a web page (``guanxi_page_panels``), in config order."""
    return _collect(ws, "guanxi_page_panels", language, page=page, managers=managers)


def _collect(ws, hook: str, language: str | None, **arguments) -> list[CustomerPanel]:
    panels: list[CustomerPanel] = []
    for pack, result in ws.plugins.call_each(hook, workspace=ws,
                                             language=language or ws.config.language,
                                             **arguments):
        for panel in result or ():
            if not isinstance(panel, CustomerPanel):
                raise PackError(f"pack {pack!r} returned {type(panel).__name__} from "
                                f"{hook}; return guanxi.CustomerPanel records")
            panels.append(attrs.evolve(panel, pack=pack))
    return panels
