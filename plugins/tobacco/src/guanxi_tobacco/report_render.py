"""The monthly sales analysis (rule TOB-REPORT) as Markdown or as one HTML page.

Both renderings read the same :class:`~guanxi_tobacco.report.MonthlyReport`
through one list of blocks (headings, paragraphs, tables), so Markdown and
HTML always say the same thing. HTML escapes every text that came from the
data (a retailer's name, a manager's note) and needs no file beside it.
"""

from __future__ import annotations

import html
from decimal import Decimal

from guanxi_tobacco.report import MonthlyReport
from guanxi_tobacco.report_figures import factor_text

TITLE = "客户月度销售情况分析报告"
STATUS = {
    "due": "due, not yet submitted",
    "overdue": "overdue: not submitted by its due day",
    "submitted": "submitted on time, awaiting review",
    "late": "submitted late, awaiting review",
    "reviewed": "submitted on time, reviewed",
    "late, reviewed": "submitted late, reviewed",
}
KIND = {"complaint": "complaint", "quality_complaint": "quality complaint"}

# -- figures as text ---------------------------------------------------------------------


def number(value: Decimal | None) -> str:
    """1,234 or 1,234.5: cartons without a needless .00."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def percent(ratio: Decimal | None) -> str:
    """+12.5%; a dash when there is nothing to compare with."""
    return "—" if ratio is None else f"{ratio * 100:+.1f}%"


def share(ratio: Decimal) -> str:
    """30.0%: a share, without a sign."""
    return f"{ratio * 100:.1f}%"


def _text(value) -> str:
    return "" if value is None else str(value)


# -- blocks --------------------------------------------------------------------------------


def blocks(report: MonthlyReport) -> list[tuple]:
    """The report as ("h1"|"h2"|"h3"|"p", text) and ("table", headers, rows) blocks."""
    r = report
    out: list[tuple] = [("h1", f"《{TITLE}》 {r.month}: {r.manager_name} ({r.manager_id})")]
    tracked = r.tracked
    status = STATUS[r.status]
    if tracked.submitted_at is not None:
        status += f"; submitted {tracked.submitted_at:%Y-%m-%d %H:%M}"
    if tracked.reviewed_at is not None:
        status += f", reviewed by {tracked.reviewer_id} {tracked.reviewed_at:%Y-%m-%d %H:%M}"
    reviewer = (f"{r.reviewer_name} ({r.reviewer_id})" if r.reviewer_id
                else "nobody: no regional market manager in the territory, no reports_to")
    out.append(("table", ("", ""), [
        ("Manager", f"{r.manager_name} ({r.manager_id})"
                    + (f", territory {r.territory}" if r.territory else "")),
        ("Month", r.month),
        ("Due", f"{r.due_on.isoformat()} (TOB-REPORT: by the 5th of the next month, moved to "
                f"the next working day past holidays)"),
        ("Reviewed by", reviewer),
        ("Status", f"{status} (as of {r.as_of.isoformat()})"),
    ]))
    out += _sales(r) + _problems(r) + _opinions(r) + _forecast(r)
    return out


def _sales(r: MonthlyReport) -> list[tuple]:
    s = r.sales
    out: list[tuple] = [
        ("h2", "1. Overall sales of the month (整体销售情况)"),
        ("p", f"{s.ordering} of {s.retailers} retailers ordered in {r.month}."),
        ("table", ("measure", r.month, r.previous_month, "环比 (on the month before)",
                   r.last_year_month, "同比 (on last year)"), [
            ("cartons", number(s.cartons.current), number(s.cartons.previous),
             percent(s.cartons.mom), number(s.cartons.last_year), percent(s.cartons.yoy)),
            ("order value", money(s.sales.current), money(s.sales.previous),
             percent(s.sales.mom), money(s.sales.last_year), percent(s.sales.yoy)),
        ]),
        ("h3", "By grade"),
        ("table", ("grade", "retailers", "ordering", "cartons", "order value",
                   f"cartons {r.previous_month}", "环比"),
         [(g.grade, g.retailers, g.ordering, number(g.cartons), money(g.sales),
           number(g.previous_cartons), percent(g.mom)) for g in s.by_grade]),
    ]
    for title, movers in (("Top risers", s.risers), ("Top fallers", s.fallers)):
        out.append(("h3", f"{title} (cartons on {r.previous_month})"))
        out.append(("table", ("retailer", "name", "grade", r.month, r.previous_month, "change",
                              "环比"),
                    [(m.customer_id, m.name, m.grade, number(m.cartons), number(m.previous),
                      ("+" if m.change > 0 else "") + number(m.change), percent(m.ratio))
                     for m in movers]))
    return out


def _measure(item) -> str:
    if item.measured_on is None:
        return "no special visit yet"
    return f"{item.measured_on.isoformat()}: {_text(item.measure) or '(no note)'}"


def _problems(r: MonthlyReport) -> list[tuple]:
    p = r.problems
    before = f"the three months before ({_months_before(r)})"
    return [
        ("h2", "2. Problems, causes and measures (存在的问题、原因及对策措施)"),
        ("h3", "Sharp sales drops"),
        ("p", f"Retailers whose cartons fell by {share(p.sales_drop)} or more "
              f"against the mean of {before}."),
        ("table", ("retailer", "name", "grade", "cartons", "mean before", "fall", "measure"),
         [(d.customer_id, d.name, d.grade, number(d.cartons), number(d.average),
           share(d.fall), _measure(d)) for d in p.drops]),
        ("h3", "Stock-outs (断货)"),
        ("table", ("retailer", "name", "grade", "stock-out days", "cartons short", "measure"),
         [(x.customer_id, x.name, x.grade, x.days, number(x.shortfall), _measure(x))
          for x in p.stock_outs]),
        ("h3", "Price violations (below the minimum retail guide price)"),
        ("table", ("date", "retailer", "name", "brand", "price", "guide price", "note",
                   "downgrade case", "measure"),
         [(x.day.isoformat(), x.customer_id, x.name, _text(x.brand), money(x.retail_price),
           money(x.guide_price), _text(x.note), _downgrade(x), _measure(x))
          for x in p.price_violations]),
        ("h3", "Unlicensed selling reported (无证经营)"),
        ("table", ("date", "retailer", "name", "note", "case", "measure"),
         [(x.day.isoformat(), x.customer_id, x.name, _text(x.note),
           _case(x.case_id, x.case_status), _measure(x)) for x in p.unlicensed]),
        ("h3", "Measures taken: special visits (特殊访问记录)"),
        ("p", f"Special visits from {r.month}-01 to the due day {r.due_on.isoformat()}."),
        ("table", ("date", "retailer", "name", "manager", "note"),
         [(v.day.isoformat(), v.customer_id, v.name, _text(v.manager_id), _text(v.note))
          for v in p.special_visits]),
        ("h3", "Problems still without a special visit"),
        ("p", ", ".join(p.without_measure) if p.without_measure else "None."),
    ]


def _months_before(r: MonthlyReport) -> str:
    from guanxi_tobacco.report import Month

    month = Month.parse(r.month)
    return f"{month.plus(-3).label} to {month.plus(-1).label}"


def _downgrade(incident) -> str:
    # rule TOB-PRICE: what matters is whether the regional market manager approved it.
    if incident.chain_complete:
        return f"#{incident.case_id} downgrade approved ({incident.case_status.split(',')[0]})"
    return _case(incident.case_id, incident.case_status)


def _case(case_id, status: str) -> str:
    return status if case_id is None else f"#{case_id} {status}"


def _opinions(r: MonthlyReport) -> list[tuple]:
    o = r.opinions
    s = o.satisfaction
    if s.answers:
        summary = (f"{s.answers} survey answer(s), mean satisfaction {number(s.mean)} of 5; "
                   f"{s.below} below {s.threshold}.")
    else:
        summary = "No survey answers this month."
    remarks = [("table", ("date", "retailer", "name", "satisfaction", "note"),
                [(a.day.isoformat(), a.customer_id, a.name, _text(a.satisfaction),
                  _text(a.note)) for a in o.remarks])]
    if not s.answers and not o.remarks:
        remarks = []   # the summary says it all: no "None." under it
    return [
        ("h2", "3. Customers' opinions on quality and service (商品质量和服务的意见和建议)"),
        ("h3", "Complaints and quality complaints"),
        ("table", ("date", "retailer", "name", "kind", "brand", "note", "case"),
         [(c.day.isoformat(), c.customer_id, c.name, KIND.get(c.kind, c.kind), _text(c.brand),
           _text(c.note), _case(c.case_id, c.case_status)) for c in o.complaints]),
        ("h3", "Satisfaction (满意度)"),
        ("p", summary),
        *remarks,
    ]


def _forecast(r: MonthlyReport) -> list[tuple]:
    f = r.forecast
    headers = ("measure", *f.months, "mean", *f.last_year_months, "seasonal factor",
               f"forecast {f.month}")
    rows = []
    for name, line, show in (("cartons", f.cartons, number), ("order value", f.sales, money)):
        rows.append((name, *[show(v) for v in line.history], show(line.mean),
                     *[show(v) for v in line.last_year], factor_text(line.factor),
                     show(line.forecast)))
    return [
        ("h2", f"4. Forecast for {f.month} (次月销售预测)"),
        ("table", headers, rows),
        ("p", f"Method: {f.method}"),
    ]


# -- Markdown --------------------------------------------------------------------------------


def _md_cell(value) -> str:
    # A pipe or a line break inside a note would break the table.
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ") \
        .replace("\n", " ")


def markdown(report: MonthlyReport) -> str:
    """The report as Markdown: headings and pipe tables."""
    lines: list[str] = []
    for block in blocks(report):
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + block[1], ""]
        elif kind == "p":
            lines += [block[1], ""]
        else:
            headers, rows = block[1], block[2]
            if not rows:
                lines += ["None.", ""]
                continue
            lines.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
            lines.append("|" + "|".join("---" for _ in headers) + "|")
            lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- HTML ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em;
       color: #222; }
article + article { border-top: 2px solid #888; margin-top: 3em; padding-top: 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
"""


def _article(report: MonthlyReport) -> str:
    e = html.escape
    parts = ["<article>"]
    for block in blocks(report):
        kind = block[0]
        if kind in ("h1", "h2", "h3", "p"):
            parts.append(f"<{kind}>{e(block[1])}</{kind}>")
            continue
        headers, rows = block[1], block[2]
        if not rows:
            parts.append("<p>None.</p>")
            continue
        parts.append("<table>")
        if any(headers):
            parts.append("<tr>" + "".join(f"<th>{e(str(h))}</th>" for h in headers) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>"
                  for row in rows]
        parts.append("</table>")
    parts.append("</article>")
    return "\n".join(parts)


def html_page(reports) -> str:
    """One self-contained HTML page holding the given reports, one article each."""
    reports = [reports] if isinstance(reports, MonthlyReport) else list(reports)
    months = sorted({r.month for r in reports})
    title = f"{TITLE} {', '.join(months)}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *[_article(r) for r in reports],
        "</body>",
        "</html>",
        "",
    ])
