"""``guanxi value``: the cohort grid (VAL-COHORT) and the model fit (VAL-BGNBD).

- ``guanxi value cohorts [--months 12] [--as-of DATE] [--output FILE.csv|.xlsx]``
  prints (or writes) retention by first-purchase month;
- ``guanxi value fit [--as-of DATE] [--no-store]`` fits BG/NBD and
  Gamma-Gamma on the whole base, prints the parameters and stores each
  customer's expected purchases, probability of being active and expected
  value as measurements of the as-of month.

The work is :mod:`guanxi_value.cohorts` and :mod:`guanxi_value.fitting`,
which a script calls the same way; the commands only print.
"""

from __future__ import annotations

from pathlib import Path

import click

from guanxi.cli import pass_workspace
from guanxi.output import emit, format_figure, format_option

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def value():
    """Customer value commands: the cohort grid, the BG/NBD and Gamma-Gamma fit."""


@value.command("cohorts")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 120),
              help="Cohorts of this many months up to the as-of month, and as many months after each.")
@click.option("--as-of", "as_of", type=DATE, help="The last day counted (default: today).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the grid to FILE.csv (shares as fractions) or FILE.xlsx instead of printing.")
@format_option
@pass_workspace
def cohorts_command(ws, months, as_of, output, fmt):
    """Retention by first-purchase month (VAL-COHORT): the share of each cohort's
    customers buying again in each month after their first."""
    from guanxi import UsageError
    from guanxi_value import cohorts

    if output is not None and output.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"--output {str(output)!r}: write a .csv or .xlsx file")
    ctx = ws.query_context("value", as_of.date() if as_of else None)
    rows = cohorts.grid(ws, ctx, months)
    names = cohorts.columns(months)
    if output is not None:
        cohorts.write(rows, months, output)
        click.echo(f"{len(rows)} cohort(s) written to {output}")
        return
    if fmt == "table":
        rows = [{**row, **{n: format_figure(row[n], "share") for n in names[2:]}} for row in rows]
    emit(rows, names, fmt, empty=f"No purchases in the {months} months up to {ctx.as_of}.",
         right=names[1:])


@value.command("fit")
@click.option("--as-of", "as_of", type=DATE,
              help="The end of the purchase history fitted (default: today).")
@click.option("--store/--no-store", default=True, show_default=True,
              help="Store each customer's expected purchases, P(alive) and expected value.")
@format_option
@pass_workspace
def fit_command(ws, as_of, store, fmt):
    """Fit BG/NBD and Gamma-Gamma by maximum likelihood (VAL-BGNBD) and show the parameters."""
    from guanxi_value import fitting

    result = fitting.fit(ws, as_of.date() if as_of else None)
    rows = parameter_rows(result)
    if store:
        stored = fitting.store(ws, result)
        rows.append({"model": "stored", "parameter": "customers", "value": stored})
    emit(rows, ["model", "parameter", "value"], fmt, right=["value"])


def parameter_rows(result) -> list[dict]:
    b, g = result.bgnbd, result.gamma_gamma
    rows = [{"model": "BG/NBD", "parameter": name, "value": round(value, 4)}
            for name, value in (("r", b.r), ("alpha", b.alpha), ("a", b.a), ("b", b.b),
                                ("log-likelihood", b.log_likelihood))]
    rows.append({"model": "BG/NBD", "parameter": "customers", "value": b.customers})
    if g is not None:
        rows += [{"model": "Gamma-Gamma", "parameter": name, "value": round(value, 4)}
                 for name, value in (("p", g.p), ("q", g.q), ("gamma", g.gamma),
                                     ("log-likelihood", g.log_likelihood))]
        rows.append({"model": "Gamma-Gamma", "parameter": "customers", "value": g.customers})
    rows.append({"model": "horizon", "parameter": "days", "value": result.horizon_days})
    rows.append({"model": "as of", "parameter": "day", "value": result.as_of.isoformat()})
    return rows
