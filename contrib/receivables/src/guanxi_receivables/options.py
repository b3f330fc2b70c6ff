"""What the receivables pack declares: its settings, fields and the names the
other modules share.

Every number here is a default (ours: the seed, 000 范文1, names the
practices, not the figures) that an organization overrides in
``guanxi.toml`` (``[receivables.collection] days = [0, 10, 30, 60, 90]``).
"""

from __future__ import annotations

from guanxi import ConfigOption, Field

#: Interaction kinds of the ledger (应收账款台账).
INVOICE, PAYMENT, CREDIT_NOTE, WRITE_OFF = "invoice", "payment", "credit_note", "write_off"
#: What closes an amount an invoice names in ``bill_id`` (partial ones add up).
SETTLEMENTS = (PAYMENT, CREDIT_NOTE, WRITE_OFF)
LEDGER_KINDS = (INVOICE, *SETTLEMENTS)
#: The interaction a manager records to ask for legal action (REC-COLLECT, stage 5).
LEGAL_REQUEST = "legal_request"

#: Aging buckets (REC-AGING): name, first and last day past due (None: open-ended).
#: ``current`` is not yet past due: before and on the due day.
BUCKETS = (
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_180", 91, 180),
    ("181_365", 181, 365),
    ("over_365", 366, None),
)

#: Collection stages (REC-COLLECT, 分阶段加紧追收): the task kind of each, in
#: order; their days past due are ``[receivables.collection] days``.
STAGES = ("reminder", "call", "visit", "letter", "legal")
#: Their names in a Chinese reader's reasons.
STAGE_NAMES_ZH = {"reminder": "到期提醒", "call": "电话催收", "visit": "上门催收",
                  "letter": "催收函", "legal": "法律催收"}

#: The 3C grades (REC-3C), best first.
GRADES = ("A", "B", "C", "D")

RATING = "receivables.rating"


def _ascending(count: int, what: str, example: str):
    def problem(value) -> str | None:
        ok = (len(value) == count and all(float(v) == int(v) and v >= 0 for v in value)
              and all(a < b for a, b in zip(value, value[1:])))
        return None if ok else f"must be {count} whole numbers of {what}, rising, e.g. {example}"
    return problem


def _descending(value) -> str | None:
    ok = len(value) == 3 and all(float(v) == int(v) for v in value) and value[0] > value[1] > value[2]
    return None if ok else "must be the lowest sums of grades A, B and C, falling, e.g. [13, 10, 7]"


def _per_grade(what: str, example: str, share: bool = False):
    def problem(value) -> str | None:
        ok = len(value) == 4 and all(v >= 0 and (not share or v < 1) for v in value)
        return None if ok else f"must be four {what}, for grades A, B, C and D, e.g. {example}"
    return problem


def _o(name, type, default, description, **extra) -> ConfigOption:
    return ConfigOption(name=name, type=type, default=default, description=description, **extra)


OPTIONS = [
    _o("collection.days", "number list", [0, 15, 30, 60, 90],
       "REC-COLLECT: days past the due day of the reminder, call, visit, letter and legal "
       "action stages.", check=_ascending(5, "days", "[0, 15, 30, 60, 90]")),
    _o("dso.days", "integer", 90,
       "REC-DSO: the days before the period's end whose invoices DSO divides by.",
       minimum=1, maximum=3650),
    _o("rating.months", "integer", 12,
       "REC-3C: the months up to the as-of day character and capacity are read over.",
       minimum=1, maximum=120),
    _o("rating.grades", "number list", [13, 10, 7],
       "REC-3C: the lowest sum of the three scores for grades A, B and C (below: D).",
       check=_descending),
    _o("credit.unrated", "text", "C",
       "REC-POLICY: the grade whose policy a customer without a 3C rating gets.",
       allowed=GRADES),
    _o("credit.standard", "text list",
       ["open account", "open account", "open account with guarantee", "cash on delivery"],
       "REC-POLICY: the credit standard of grades A, B, C and D (信用标准), shown with the grade.",
       check=lambda v: None if len(v) == 4 else "must be four texts, for grades A, B, C and D"),
    _o("credit.limit", "number list", [1000000, 500000, 200000, 0],
       "REC-POLICY: the most a customer of grade A, B, C, D may owe (信用额度).",
       check=_per_grade("amounts", "[1000000, 500000, 200000, 0]")),
    _o("credit.period_days", "number list", [90, 60, 30, 0],
       "REC-POLICY: the longest credit period of grades A, B, C, D: invoice day to due day "
       "(信用期限).", check=_per_grade("day counts", "[90, 60, 30, 0]")),
    _o("credit.discount", "number list", [0.02, 0.01, 0, 0],
       "REC-POLICY: the cash discount of grades A, B, C, D, a share (现金折扣).",
       check=_per_grade("shares below 1", "[0.02, 0.01, 0, 0]", share=True)),
    _o("credit.discount_days", "integer", 10,
       "REC-POLICY: paid within this many days of the invoice day earns the cash discount.",
       minimum=0),
    _o("approval.hours", "number", 48,
       "REC-POLICY, REC-COLLECT: hours each approval step of a credit exception or a legal "
       "action has.", minimum=1),
]

FIELDS = [
    Field(name="due_on", entity="interactions", type="date",
          description="Of an invoice: its due day (REC-LEDGER, REC-AGING)."),
    Field(name="bill_id", entity="interactions", type="text",
          description="Of a payment, credit note or write-off: the invoice it settles "
                      "(partial settlements add up; REC-LEDGER)."),
    Field(name="contract", entity="interactions", type="text",
          description="Of an invoice: the contract it bills (合同履约, REC-LEDGER)."),
    Field(name="registered_capital", entity="customers", type="decimal",
          description="REC-3C: the customer's registered capital (注册资本), the 3C capital."),
]
