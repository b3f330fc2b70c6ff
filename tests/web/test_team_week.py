"""The lead's week in the browser (issue 21): tasks per manager as a chart, KPIs per team,
the packs' panels, handing customers over (audited, CSRF) and the week's visit plans."""

from __future__ import annotations

import csv
import io
import re


def test_a_lead_reads_the_teams_kpis_tasks_chart_and_week(org):
    lee, _ = org.browser("lee")
    page = lee.get("/team", params={"period": "2026-12"}).text
    # KPIs by team: T1 only (lee leads T1), with T1's open tasks: C1, C2, C4
    teams = set(re.findall(r'id="team-kpi-(\w+)-', page))
    assert teams == {"T1"}
    row = page.split('id="team-kpi-T1-core.open_tasks"')[1].split("</tr>")[0]
    assert re.search(r'class="num value">3<', row)
    # the week's plan: M1's two visits, not M3's (team T2)
    plan = page.split('id="week-plan"')[1].split("</table>")[0]
    assert plan.count("<tr>") == 1 + 2 and "C3" not in plan
    # the tasks chart's figures download as CSV: open and overdue per manager
    answer = lee.get("/team", params={"chart": "tasks", "download": "csv"})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows == [["Manager", "Open tasks", "Overdue"], ["L1", "0", "0"], ["M1", "1", "1"],
                    ["M2", "2", "0"]]


def test_a_lead_hands_customers_over_audited_as_the_lead(org):
    lee, csrf = org.browser("lee")
    form = {"from_manager": "M2", "to_manager": "M1", "customers": "C4",
            "reason": "Bob is on leave"}
    assert lee.post("/team/reassign", data=form).status_code == 403  # no CSRF token
    answer = lee.post("/team/reassign", data={"csrf": csrf, **form})
    assert answer.status_code == 200
    assert re.search(r'id="moved">M2 → M1: 1 customers handed over \(1 Tasks\)', answer.text)
    assert org.ws.customer("C4").manager_id == "M1"
    assert [t.manager_id for t in org.ws.tasks(customer="C4")] == ["M1"]  # its task followed
    entry = org.ws.audit_log(actor="lee")[-1]
    assert (entry.actor, entry.source) == ("lee", "web POST /team/reassign")
    # a manager of another team is refused, naming them, and nothing moves
    refused = lee.post("/team/reassign", data={"csrf": csrf, "from_manager": "M1",
                                               "to_manager": "M3"})
    assert refused.status_code == 422 and "no manager with id &#39;M3&#39;" in refused.text
    assert org.ws.customer("C1").manager_id == "M1"
    # a manager cannot hand over at all
    ann, ann_csrf = org.browser("ann")
    assert ann.post("/team/reassign", data={"csrf": ann_csrf, **form}).status_code == 403


def test_a_pack_adds_a_chart_and_a_table_to_the_team_page(org):
    lee, csrf = org.browser("lee")
    page = lee.get("/team").text
    chart = page.split('id="chart-web-1"')[1].split("</figure>")[0]
    assert "Visits" in chart and "<th scope=\"row\">2026-11</th><td>40</td>" in chart
    assert lee.get("/team", params={"chart": "web-1", "download": "csv"}).content.decode(
        "utf-8-sig") == "month,visits\r\n2026-11,40\r\n2026-12,12\r\n"
    # the pack hears who reads: the lead's managers
    seen = page.split('id="panel-web-')[1].split("</section>")[0]
    assert "L1, M1, M2" in seen
    lee.post("/language", data={"csrf": csrf, "language": "zh", "back": "/team"})
    assert "月份" in lee.get("/team").text
