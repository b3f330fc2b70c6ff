"""The banking panel of a customer's 360° view: BANK-REL, the relationship level.

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
