"""Printing listings as a table, JSON or CSV: one place for every command."""

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


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def emit(rows: Iterable[dict], columns: Sequence[str], fmt: str, *, empty: str = "") -> None:
    """Print rows (dicts) in the chosen format; JSON keeps every key of each row."""
    rows = list(rows)
    if fmt == "json":
        click.echo(to_json([{k: _plain(v) for k, v in row.items()} for row in rows]))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    elif rows:
        click.echo(table(rows, columns))
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
                      "a year 2026 or a day 2026-10-05", param, ctx)


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
