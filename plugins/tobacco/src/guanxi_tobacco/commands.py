"""``guanxi tobacco``: the monthly sales analysis report and promotion recommendations.

- ``guanxi tobacco report --month 2026-10`` writes each manager's
  《客户月度销售情况分析报告》 (TOB-REPORT) as Markdown or HTML and expects
  it as a tracked report: the short form of ``guanxi reports show
  tobacco.monthly_sales``; submitting and reviewing it is ``guanxi reports``.
- ``guanxi tobacco promo candidates`` lists the retailers a promotion may
  go to, best first; ``guanxi tobacco promo recommend`` opens their
  ``tobacco.promotion`` cases (TOB-PROMO); approving the chain's steps is
  ``guanxi cases step``.

The commands only print: the work is the core's report kinds (the kind
declared in :mod:`guanxi_tobacco.report`) and :mod:`guanxi_tobacco.promotions`,
which a script calls the same way. The
promotion listings print through the core's :func:`guanxi.output.emit`
and take its ``--format table|json|csv`` like every listing.
"""

from __future__ import annotations

from pathlib import Path

import click

from guanxi.cli import pass_workspace
from guanxi.output import emit, format_option

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def tobacco():
    """Tobacco pack commands: the monthly sales analysis report, promotions."""


@tobacco.command("report")
@click.option("--month", required=True, metavar="YYYY-MM",
              help="The month reported on (2026-10): its report is due in the next month.")
@click.option("--manager", "managers", multiple=True, metavar="ID",
              help="Only this manager's report (repeatable; default: every active manager "
                   "owning retailers).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True, help="Markdown with pipe tables, or one self-contained HTML page.")
@click.option("--output", "output", type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR",
              help="Write one file per manager, DIR/<month>-<manager>.md or .html, instead of "
                   "printing.")
@click.option("--as-of", "as_of", type=DATE,
              help="The day the report's status (due or overdue) is judged on (default: today).")
@pass_workspace
def report_command(ws, month, managers, fmt, output, as_of):
    """Write the monthly sales analysis report (客户月度销售情况分析报告) per manager.

    The short form of `guanxi reports show tobacco.monthly_sales --period MONTH`.
    """
    from guanxi.reporting import render
    from guanxi_tobacco.report import monthly_reports

    found = monthly_reports(ws, month, list(managers) or None,
                            as_of=as_of.date() if as_of else None)
    if output is None:
        click.echo(render(found, fmt), nl=False)
        return
    output.mkdir(parents=True, exist_ok=True)
    suffix = ".html" if fmt == "html" else ".md"
    for r in found:
        path = output / f"{r.period.label}-{r.author_id}{suffix}"
        path.write_text(render(r, fmt), encoding="utf-8")
        click.echo(f"{path}  due {r.due_on.isoformat()}, {r.status}")


@tobacco.group("promo")
def promo():
    """Promotion recommendations (TOB-PROMO): candidates, and recommending them."""


@promo.command("candidates")
@click.option("--manager", metavar="ID", help="Only this manager's retailers.")
@click.option("--limit", type=int, metavar="N", help="At most N retailers.")
@format_option
@pass_workspace
def candidates_command(ws, manager, limit, fmt):
    """The retailers a promotion may go to, best first, each with its reason."""
    from guanxi_tobacco.promotions import candidates

    rows = [{"customer_id": c.customer_id, "name": c.name, "manager_id": c.manager_id,
             "territory": c.territory, "grade": c.grade, "score": c.score, "reason": c.reason}
            for c in candidates(ws, manager=manager, limit=limit)]
    emit(rows, ["customer_id", "name", "manager_id", "grade", "score", "reason"], fmt,
         empty="(no eligible retailer)")


@promo.command("recommend")
@click.argument("customers", nargs=-1, required=True, metavar="CUSTOMER...")
@click.option("--campaign", required=True, metavar="NAME",
              help="The promotion the retailers are recommended for.")
@click.option("--by", metavar="MANAGER",
              help="The recommending manager, who owns the cases (default: each retailer's "
                   "manager).")
@format_option
@pass_workspace
def recommend_command(ws, customers, campaign, by, fmt):
    """Recommend retailers for a promotion: one tobacco.promotion case each."""
    from guanxi_tobacco.promotions import recommend

    opened = recommend(ws, list(customers), campaign, by=by)
    rows = [{"case": c.id, "customer_id": c.customer_id, "owner_id": c.owner_id,
             "step": c.step_name, "waiting_for": ws.case_waiting_for(c.id),
             "summary": c.summary} for c in opened]
    emit(rows, ["case", "customer_id", "owner_id", "step", "waiting_for", "summary"], fmt,
         empty="(nothing opened)")
