"""The tobacco panel of a retailer's 360° view: the last visit's checklist (TOB-CHECKLIST).

Every visit records the items of 《营销人员市场走访签到记录簿》 (§4.1.3–4):
information given and collected, stock checked with an order suggestion,
display helped, lawful operation observed, price checked, signed by the
manager and the retailer. The panel shows the last visit's items, each
done, not done or not recorded; a visit without all of them is incomplete.
"""

from __future__ import annotations

import guanxi
from guanxi import tables
from sqlalchemy import desc, select

from guanxi_tobacco.options import CHECKLIST, VISIT

TITLE = {"en": "Last visit's checklist (TOB-CHECKLIST)",
         "zh": "最近一次走访记录（TOB-CHECKLIST）"}
MARKS = {True: {"en": "done", "zh": "已做"}, False: {"en": "not done", "zh": "未做"},
         None: {"en": "not recorded", "zh": "未记录"}}


def customer_panels(workspace, customer_id: str, language: str) -> list:
    lang = "zh" if language == "zh" else "en"
    i = tables.interactions
    with workspace.engine.connect() as conn:
        last = conn.execute(select(i.c.occurred_at, i.c.manager_id, i.c.attributes)
                            .where(i.c.customer_id == customer_id, i.c.kind == VISIT)
                            .order_by(desc(i.c.occurred_at), desc(i.c.id)).limit(1)).first()
    if last is None:
        text = "还没有走访记录。" if lang == "zh" else "No visit recorded yet."
        return [guanxi.CustomerPanel(title=TITLE[lang], text=text)]
    attributes = dict(last.attributes or {})
    rows = []
    for name, english, chinese in CHECKLIST:
        value = attributes.get(name)
        rows.append({"item": chinese if lang == "zh" else english,
                     "status": MARKS[value if isinstance(value, bool) else None][lang]})
    missing = sum(1 for name, _, _ in CHECKLIST if attributes.get(name) is not True)
    day = f"{last.occurred_at:%Y-%m-%d}"
    if lang == "zh":
        text = f"{day} 由 {last.manager_id or '-'} 走访：" + (
            "记录完整。" if not missing
            else f"记录不完整，{len(CHECKLIST)} 项中 {missing} 项未完成。")
    else:
        text = (f"Visited on {day} by {last.manager_id or '-'}: " +
                ("the record is complete." if not missing
                 else f"incomplete, {missing} of {len(CHECKLIST)} items not done."))
    return [guanxi.CustomerPanel(title=TITLE[lang], text=text, rows=rows,
                                 columns=("item", "status"))]
