"""Printing listings as a table, JSON or CSV: one place for every command.

Packs reach this through :mod:`guanxi.output` (the public output kit), so a
pack's command prints what the core's commands print. Table columns are
measured in terminal cells by ``wcwidth`` (what tabulate and rich use), so
Chinese names, which take two cells a character, line up.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import click

FORMATS = ("table", "json", "csv")


def format_option(func: Callable) -> Callable:
    """The ``--format table|json|csv`` option every listing takes."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="How to print: a table for people, JSON or CSV for scripts.",
    )(func)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def to_json(data: Any) -> str:
    """``data`` as indented JSON, dates ISO, Chinese as written (not ``\\u`` escapes)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def display_width(text: str) -> int:
    """How many terminal cells ``text`` takes: two for a CJK character, one for ``a``.

    A character ``wcwidth`` cannot measure (a control character) counts as none.
    """
    if text.isascii() and text.isprintable():
        return len(text)
    # Imported on the first wide text: it costs a command ~20 ms at start.
    from wcwidth import wcswidth, wcwidth

    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(ch), 0) for ch in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal cells (on the left when ``right``)."""
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def table(rows: Sequence[dict], columns: Sequence[str], *, right: Sequence[str] = ()) -> str:
    """Rows as a plain-text table: a header, a rule, one line per row.

    Columns are as wide as their widest cell in terminal cells; the columns
    named in ``right`` (figures) are right-aligned. Cells read like the
    core's listings: dates ISO, booleans yes/no, lists comma-separated.
    """
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells])
              for i, c in enumerate(columns)]
    aligned = [c in right for c in columns]

    def line(values):
        return "  ".join(pad(v, w, right=a) for v, w, a in zip(values, widths, aligned)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def emit(rows: Iterable[dict], columns: Sequence[str], fmt: str, *, empty: str = "",
         right: Sequence[str] = ()) -> None:
    """Print rows (dicts) in the chosen format; JSON keeps every key of each row.

    :param fmt: ``table``, ``json`` or ``csv`` (:func:`format_option`).
    :param empty: what a table prints when there are no rows.
    :param right: table columns to right-align (figures).
    """
    rows = list(rows)
    if fmt == "json":
        click.echo(to_json([{k: _plain(v) for k, v in row.items()} for row in rows]))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    elif rows:
        click.echo(table(rows, columns, right=right))
    elif empty:
        click.echo(empty)


# -- options that parse a value --------------------------------------------------------


class PeriodParam(click.ParamType):
    """A period option (``--period 2026-11``): a wrong value is a usage error naming the forms."""

    name = "period"

    def convert(self, value, param, ctx):
        from guanxi.periods import Period, ValueProblem, parse_period

        if value is None or isinstance(value, Period):
            return value
        try:
            return parse_period(value)
        except ValueProblem:
            self.fail(f"{value!r} is not a period; write a month 2026-10, a quarter 2026-Q3, "
                      "a week 2026-W48, a year 2026 or a day 2026-10-05", param, ctx)


PERIOD = PeriodParam()


# -- progress -----------------------------------------------------------------------------


def progress_enabled() -> bool:
    """Whether to show progress: stderr is a terminal and no ``--quiet`` was given."""
    ctx = click.get_current_context(silent=True)
    quiet = False
    if ctx is not None:
        state = ctx.find_root().obj
        quiet = bool(getattr(state, "quiet", False))
    return not quiet and sys.stderr.isatty()


class Progress:
    """Progress of long work on stderr, for people at a terminal: one mechanism for all.

    Call it as ``progress(done, total, step=None)``, the callback the
    importer, the batch and the demo take. Steps (``step`` named: the batch's
    jobs) get a line each, with the elapsed time once the next one starts:
    ``  [3/12] rule banking.churn  1.2 s``. Without steps it is a bar of
    done/total (an import's rows). Nothing is written when disabled (output
    not a terminal, or ``--quiet``): use :func:`progress_for`.
    """

    def __init__(self, label: str, *, enabled: bool, stream=None) -> None:
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._bar = None
        self._step: tuple[int, int, str, float] | None = None

    def __call__(self, done: int, total: int, step: str | None = None) -> None:
        if not self.enabled:
            return
        import time

        if step is not None or self._step is not None:
            self._finish_step()
            if step is not None:
                if done == 0 and self.label:
                    self._write(f"{self.label}\n")
                self._step = (done + 1, total, step, time.monotonic())
                self._write(f"\r\x1b[K  [{done + 1}/{total}] {step} ...")
            return
        if total:
            if self._bar is None:
                self._bar = click.progressbar(length=total, label=self.label, file=self.stream)
                self._bar.__enter__()
            self._bar.length = total
            self._bar.update(done - self._bar.pos)

    def _finish_step(self) -> None:
        import time

        if self._step is None:
            return
        number, total, name, started = self._step
        self._write(f"\r\x1b[K  [{number}/{total}] {name}  {time.monotonic() - started:.1f} s\n")
        self._step = None

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        self._finish_step()
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __bool__(self) -> bool:
        # False when nothing is shown: a caller skips work done only for it
        # (counting an export's rows first).
        return self.enabled

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress_for(label: str) -> Progress:
    """A :class:`Progress` for the running command: shown only at a terminal without --quiet."""
    return Progress(label, enabled=progress_enabled())


def xlsx_option(func: Callable) -> Callable:
    """``--output FILE.xlsx``: a listing written as a workbook (:mod:`guanxi.workbooks`)."""
    return click.option(
        "--output", "output", type=click.Path(dir_okay=False), metavar="FILE.xlsx",
        help="Write the listing to an .xlsx workbook (a title, typed cells) instead of printing.",
    )(func)


def write_xlsx(path: str, rows: Iterable[dict], columns: Sequence[str], *, sheet: str,
               title: str, notes: Sequence[str] = ()) -> None:
    """Write ``rows`` to the workbook ``path`` and say so in one line."""
    from guanxi.workbooks import write_table

    if not path.lower().endswith(".xlsx"):
        raise click.UsageError(f"--output {path!r}: write a .xlsx file")
    n = write_table(path, rows, columns, sheet=sheet, title=title, notes=notes)
    click.echo(f"Wrote {n} row(s) to {path}")
