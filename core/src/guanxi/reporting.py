"""Reports of a declared kind (:class:`guanxi.ReportKind`) rendered to Markdown, HTML and xlsx.

The workspace builds a report (``Workspace.build_reports``: the kind's
figures for one period and author, and its tracked report); this module
renders what was built. All three formats come from the same figures:

- **Markdown** is the kind's Jinja2 template, rendered with each figure by
  its name, ``report`` (the :class:`ReportData`), the kind's filters, the
  ``cell`` filter (a value made safe inside a pipe table),
  ``table(headers, rows)`` (a pipe table, or ``None.`` when there are no
  rows) and ``row(cells)`` (one line of a table whose rows a loop writes).
  Runs of blank lines the template's conditionals leave are folded into one.
- **HTML** is made from that Markdown (headings, paragraphs, pipe tables:
  all a report template writes), every text escaped, one self-contained
  page (inline style, no script, nothing fetched), one ``<article>`` per
  report, so the two formats always say the same thing.
- **xlsx** holds the figures themselves, as numbers and dates rather than
  text: a ``report`` sheet with each single figure (its dotted path) per
  report, and one sheet per list of rows (``sales.by_grade``), with the
  author's id first.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import types
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from guanxi.errors import UsageError
from guanxi.periods import Period

FORMATS = ("markdown", "html", "xlsx")
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
            ".xlsx": "xlsx"}


@attrs.frozen(kw_only=True)
class ReportScope:
    """What a report kind's figure functions receive.

    :ivar ctx: the pack's query context (its settings, tables and SQL
        helpers), as of ``as_of``, with ``ctx.period`` the report's period.
    :ivar conn: an open connection, for a figure that reads step by step.
    :ivar author: the author's manager row (``id``, ``name``, ``territory``,
        ``team_id``, ``reports_to``), or None for a report for all.
    :ivar tracked: the tracked report (:class:`guanxi.service.report_api.Report`)
        of an authored kind: its due day and status.
    :ivar figures: the figures computed so far, by name (in declaration order).
    """

    workspace: Any
    kind: Any
    ctx: Any
    conn: Any
    period: Period
    as_of: dt.date
    author: Any = None
    tracked: Any = None
    figures: dict = attrs.field(factory=dict)

    @property
    def author_id(self) -> str | None:
        return None if self.author is None else self.author.id

    @property
    def settings(self) -> dict:
        """The pack's settings, by dotted option name."""
        return self.ctx.config


@attrs.frozen(kw_only=True)
class ReportData:
    """One built report: the kind, the period, the author and the figures.

    A figure reads as an attribute too (``data.sales``), as in the template.
    """

    kind: Any
    period: Period
    as_of: dt.date
    figures: Mapping[str, Any]
    author: Any = None
    tracked: Any = None

    @property
    def author_id(self) -> str | None:
        return None if self.author is None else self.author.id

    @property
    def author_name(self) -> str | None:
        return None if self.author is None else self.author.name

    @property
    def due_on(self) -> dt.date | None:
        return None if self.tracked is None else self.tracked.due_on

    @property
    def status(self) -> str | None:
        """The tracked report's status as of ``as_of``; None when untracked."""
        return None if self.tracked is None else self.tracked.status

    def __getattr__(self, name: str):
        # Only called when no attribute has the name: then it is a figure's.
        if name.startswith("__"):
            raise AttributeError(name)
        figures = object.__getattribute__(self, "figures")
        try:
            return figures[name]
        except KeyError:
            raise AttributeError(
                f"report {self.kind.name!r} has no attribute or figure {name!r}") from None


def format_of(path) -> str:
    """The format an output file's suffix asks for; a :class:`UsageError` for another."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"--output {str(path)!r}: write a .md, .html or .xlsx file")
    return SUFFIXES[suffix]


def render(reports: ReportData | Iterable[ReportData], format: str = "markdown"
           ) -> str | bytes:
    """Render built reports: Markdown or HTML text, or the bytes of an xlsx workbook.

    Several reports (one per author) make one document: Markdown parts
    separated by ``---``, one HTML page with an article each, one workbook.
    """
    reports = [reports] if isinstance(reports, ReportData) else list(reports)
    if format == "markdown":
        return "\n---\n\n".join(markdown(r) for r in reports)
    if format == "html":
        return html_page(reports)
    if format == "xlsx":
        return workbook(reports)
    raise UsageError(f"report format {format!r} is not one of {', '.join(FORMATS)}")


# -- Markdown -------------------------------------------------------------------------------


def cell(value) -> str:
    """A value inside a pipe table: a pipe or a line break in a note would break it."""
    if value is None:
        return ""
    return (str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ")
            .replace("\n", " "))


def row(cells) -> str:
    """One line of a pipe table, each value made safe by :func:`cell`."""
    return "| " + " | ".join(cell(v) for v in cells) + " |"


def table(headers, rows) -> str:
    """A pipe table; ``None.`` when there are no rows."""
    rows = list(rows)
    if not rows:
        return "None."
    lines = [row(headers), "|" + "|".join("---" for _ in headers) + "|"]
    lines += [row(r) for r in rows]
    return "\n".join(lines)


def _template(kind):
    # One environment per kind and process: compiling a template is the slow part.
    cached = _TEMPLATES.get(id(kind))
    if cached is not None and cached[0] is kind:
        return cached[1]
    import jinja2

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(cell=cell, **kind.filters)
    env.globals.update(table=table, row=row)
    source = kind.template or _package_text(kind.template_file)
    compiled = env.from_string(source)
    _TEMPLATES[id(kind)] = (kind, compiled)
    return compiled


_TEMPLATES: dict[int, tuple] = {}


def _package_text(where: str) -> str:
    from importlib import resources

    package, _, path = where.partition(":")
    return resources.files(package).joinpath(path).read_text(encoding="utf-8")


def markdown(report: ReportData) -> str:
    """One report as Markdown, from its kind's template."""
    text = _template(report.kind).render(report=report, **report.figures)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# -- HTML -------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em;
       color: #222; }
article + article { border-top: 2px solid #888; margin-top: 3em; padding-top: 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
"""
_HEADING = re.compile(r"(#{1,6}) (.*)")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _cells(line: str) -> list[str]:
    # A cell's pipe is escaped (\|) and so is its backslash (\\): undo both.
    parts = _CELL_SPLIT.split(line.strip()[1:-1])
    return [re.sub(r"\\([\\|])", r"\1", p.strip()) for p in parts]


def markdown_html(text: str) -> str:
    """The Markdown a report template writes (headings, paragraphs, pipe tables) as HTML."""
    e = html.escape
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif heading := _HEADING.fullmatch(line):
            n = len(heading[1])
            out.append(f"<h{n}>{e(heading[2])}</h{n}>")
            i += 1
        elif line.strip() == "---":
            out.append("<hr>")
            i += 1
        elif line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            out.append("<table>")
            header, body = rows[0], rows[2:] if len(rows) > 1 else []
            if any(header):
                out.append("<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in body]
            out.append("</table>")
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _HEADING.fullmatch(lines[i]) \
                    and not lines[i].startswith("|"):
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{e(' '.join(paragraph))}</p>")
    return "\n".join(out)


def html_page(reports: list[ReportData]) -> str:
    """One self-contained HTML page, one article per report."""
    title = " ".join([reports[0].kind.title if reports else "Report",
                      *sorted({r.period.label for r in reports})])
    return "\n".join([
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *[f"<article>\n{markdown_html(markdown(r))}\n</article>" for r in reports],
        "</body>",
        "</html>",
        "",
    ])


# -- xlsx ------------------------------------------------------------------------------------


def _fields(value) -> Mapping[str, Any] | None:
    """A record's fields by name, or None for a value that is not a record."""
    from sqlalchemy.engine import Row

    if isinstance(value, Row):
        return value._mapping
    if isinstance(value, Mapping):
        return value
    if isinstance(value, types.SimpleNamespace):
        return vars(value)
    if attrs.has(type(value)):
        return {a.name: getattr(value, a.name) for a in attrs.fields(type(value))}
    return None


def _flatten(value, path: str, scalars: list, tables: dict) -> None:
    fields = _fields(value)
    if fields is not None:
        for key, item in fields.items():
            _flatten(item, f"{path}.{key}" if path else str(key), scalars, tables)
    elif isinstance(value, (list, tuple)):
        if value and all(_fields(item) is not None for item in value):
            tables.setdefault(path, []).extend(dict(_fields(item)) for item in value)
        elif not value:
            tables.setdefault(path, [])
        else:
            for n, item in enumerate(value):
                _flatten(item, f"{path}[{n}]", scalars, tables)
    else:
        scalars.append((path, value))


def _cell_value(value):
    if value is None or isinstance(value, (str, int, float, Decimal, dt.date, bool)):
        return value
    return str(value)


def workbook(reports: list[ReportData]) -> bytes:
    """The reports' figures as an xlsx workbook (see the module docstring).

    Written by :mod:`guanxi.workbooks`, the one xlsx writer.
    """
    from guanxi.workbooks import Workbook

    authored = bool(reports) and reports[0].kind.authored
    scalars_of, tables = [], {}
    for r in reports:
        scalars: list = [("kind", r.kind.name), ("period", r.period.label),
                         ("as_of", r.as_of)]
        if authored:
            scalars += [("author_id", r.author_id), ("author_name", r.author_name),
                        ("due_on", r.due_on), ("status", r.status)]
        own: dict = {}
        _flatten(r.figures, "", scalars, own)
        scalars_of.append(scalars)
        for path, rows in own.items():
            rows = [({"author_id": r.author_id} if authored else {}) | row for row in rows]
            tables.setdefault(path, []).extend(rows)
    book = Workbook()
    with book:
        summary = book.sheet("report", ["figure", *(["value"] if len(reports) == 1 else
                                                    [r.author_id or r.period.label
                                                     for r in reports])])
        names = list(dict.fromkeys(name for scalars in scalars_of for name, _ in scalars))
        values = [dict(scalars) for scalars in scalars_of]
        for name in names:
            summary.row([name, *(_cell_value(v.get(name)) for v in values)])
        for path, rows in tables.items():
            columns = list(dict.fromkeys(k for row in rows for k in row)) or (
                ["author_id"] if authored else [])
            sheet = book.sheet(path, columns)
            for row in rows:
                sheet.row([_cell_value(row.get(c)) for c in columns])
    return book.getvalue()
