"""The banking panels of the web workspace: BANK-REL on a customer's 360° view, the
team league table on the team lead's page.

The level (A key, B target, C potential, D general) is the one the
segmentation ``banking.relationship`` last gave, with its reason; a level
a manager set by hand says so.
"""

from __future__ import annotations

import guanxi

TITLE = {"en": "Relationship level (BANK-REL)", "zh": "客户关系等级（BANK-REL）"}
NONE = {"en": "No level yet: the segmentation has not run for this customer.",
        "zh": "尚无等级：该客户尚未参与分级。"}
MANUAL = {"en": " (set by a manager)", "zh": "（客户经理手工设定）"}


def customer_panels(workspace, customer_id: str, language: str) -> list:
    lang = "zh" if language == "zh" else "en"
    level = next((s for s in workspace.labels(customer_id)
                  if s.segmentation == "banking.relationship"), None)
    if level is None:
        return [guanxi.CustomerPanel(title=TITLE[lang], text=NONE[lang])]
    # The reason opens with the level's name ("A key: ..."), in [guanxi] language.
    text = f"{level.reason}{MANUAL[lang] if level.manual else ''} ({level.as_of})"
    return [guanxi.CustomerPanel(title=TITLE[lang], text=text)]


LEAGUE = {"en": "Team league table", "zh": "团队排名"}
LEAGUE_COLUMNS = {
    "en": ("team", "name", "customers maintained", "accounts opened", "reward", "fines"),
    "zh": ("团队", "名称", "维护客户数", "开户数", "奖励", "罚款"),
}


def page_panels(workspace, page: str, managers, language: str) -> list:
    """The league table of this month (read, not stored: the page answers during a batch)."""
    if page != "team":
        return []
    from guanxi_banking.commands import league

    lang = "zh" if language == "zh" else "en"
    names = LEAGUE_COLUMNS[lang]
    rows = [dict(zip(names, (r["team"], r["name"], r["customers_maintained"],
                             r["accounts_opened"], r["reward"], r["fines"])))
            for r in league(workspace, read=True)]
    return [guanxi.CustomerPanel(title=LEAGUE[lang], rows=rows, columns=names)]
