"""The cohort grid (VAL-COHORT) as a chart on the team lead's page of the web workspace.

One line per cohort (the month of a customer's first purchase), the share of its
customers buying again in each month after the first, in percent; the page shows
the figures beside the chart and downloads them. The organization's grid, as
``guanxi value cohorts`` prints it: shares of whole cohorts, no customer named.
"""

from __future__ import annotations

import guanxi

MONTHS = 12
TITLE = {"en": "Retention by first-purchase month (VAL-COHORT), %",
         "zh": "按首购月份的复购留存（VAL-COHORT），%"}
AFTER = {"en": "months after the first", "zh": "首购后月数"}


def page_panels(workspace, page: str, managers, language: str) -> list:
    if page != "team":
        return []
    from guanxi_value import cohorts

    lang = "zh" if language == "zh" else "en"
    grid = cohorts.grid(workspace, workspace.query_context("value"), MONTHS)
    if not grid:
        return []
    # The chart's points are the months after the first purchase, a series per cohort.
    names = [row["cohort"] for row in grid]
    rows = [{AFTER[lang]: f"m{m}", **{row["cohort"]: (None if row[f"m{m}"] is None
                                                      else round(row[f"m{m}"] * 100, 1))
                                      for row in grid}} for m in range(MONTHS)]
    return [guanxi.CustomerPanel(title=TITLE[lang], rows=rows, columns=[AFTER[lang], *names],
                                 chart="line")]
