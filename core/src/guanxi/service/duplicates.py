"""Duplicate customers: candidate pairs for ``guanxi customers merge`` (``customers duplicates``).

Two customers are a candidate pair when they have

1. **the same identity number**: the same value in a customer field of
   type ``cn_ric`` or ``cn_uscc``, or in a text field named ``id_number``,
   ``id_card``, ``ric``, ``uscc`` or ``credit_code`` (compared without
   spaces, full-width characters as half-width, letters in capitals:
   ``11010519491231002x`` = ``11010519491231002X``); or
2. **the same normalized name and the same phone**: names compared with
   full-width characters as half-width (``ＡＢＣ`` = ``ABC``), without
   spaces (also the ideographic space), letters in lower case, and a
   company-form suffix dropped: ``股份有限公司``, ``有限责任公司``,
   ``(有限)责任公司``, ``有限公司``, ``责任公司``, ``公司`` (the longest
   that ends the name), so ``华北机械有限公司`` = ``华北机械（有限）责任公司``
   = ``华北机械``; phones compared with spaces, ``-``, ``(``, ``)`` and
   ``+`` removed and a leading ``86`` of a 13-digit number dropped
   (``+86 138-0013-8000`` = ``13800138000``). A customer's phones are its
   fields of type ``cn_mobile`` or named ``phone`` or ``mobile``, and its
   contacts' phones.

Everything is one SQL statement over the base (set-based: no customer is
read into Python but those paired). Each group of customers sharing a key
gives pairs of its first id (the one to keep, by default) with each other
id; merged customers are left out.
"""

from __future__ import annotations

import attrs
from sqlalchemy import String, and_, case, cast, func, literal, literal_column, select, union_all

from guanxi.masking import mask
from guanxi.storage import tables as t

#: Text fields taken for an identity number by their name.
IDENTITY_NAMES = ("id_number", "id_card", "ric", "uscc", "credit_code")
IDENTITY_TYPES = ("cn_ric", "cn_uscc")
PHONE_NAMES = ("phone", "mobile")
PHONE_TYPES = ("cn_mobile",)
#: Company-form suffixes dropped from a name, longest first.
SUFFIXES = ("股份有限公司", "有限责任公司", "(有限)责任公司", "有限公司", "责任公司", "公司")


@attrs.frozen(kw_only=True)
class DuplicatePair:
    """Two customers that look like one: ``keep`` (the lower id) and ``drop``."""

    keep: str
    keep_name: str
    drop: str
    drop_name: str
    rules: tuple
    reason: str

    def as_json(self) -> dict:
        return {**attrs.asdict(self), "rules": list(self.rules)}


def _lit(ch: str):
    # Written into the SQL, not bound: ~200 parameters a statement otherwise.
    # A quote, a percent sign or a backslash is bound (quoting, psycopg's %).
    if ch in "'%\\":
        return literal(ch)
    return literal_column(f"'{ch}'")


#: Full-width ASCII (U+FF01-U+FF5E) as ASCII, the ideographic space as a space.
_WIDE = [("\u3000", " ")] + [(chr(code), chr(code - 0xFEE0)) for code in range(0xFF01, 0xFF5F)]
#: Replacements per step: each step is a CTE of its own, so that no expression
#: nests deeper than SQLite's parser stack (and the SQL compiler's recursion) allows.
_LAYER = 8


#: A full-width character or the ideographic space, as a GLOB class (SQLite).
_WIDE_CLASS = "[\u3000\uff01-\uff5e]"


def _half_width_layers(rows, dialect: str):
    """``rows`` (customer_id, rule, name, value) with name and value half-width, as a CTE.

    PostgreSQL: one ``translate``. SQLite has none: REPLACE calls, only for
    a value that holds a full-width character (most hold none: a GLOB
    spares them ~95 calls each), in steps of :data:`_LAYER`.
    """
    rows = rows.cte("raw_keys")
    if dialect == "postgresql":
        wide_from = literal("".join(old for old, _ in _WIDE))
        wide_to = literal("".join(new for _, new in _WIDE))
        return select(rows.c.customer_id, rows.c.rule,
                      func.translate(rows.c.name, wide_from, wide_to).label("name"),
                      func.translate(rows.c.value, wide_from, wide_to).label("value")
                      ).cte("wide")
    pattern = literal(f"*{_WIDE_CLASS}*")
    glob = rows.c.name.op("GLOB", is_comparison=True)
    holds_wide = glob(pattern) | rows.c.value.op("GLOB", is_comparison=True)(pattern)
    plain = select(rows.c.customer_id, rows.c.rule, rows.c.name, rows.c.value).where(
        holds_wide.is_not(True))
    wide_rows = select(rows.c.customer_id, rows.c.rule, rows.c.name, rows.c.value).where(
        holds_wide.is_(True))
    # Each step names the one before once: nothing is evaluated twice.
    for n, start in enumerate(range(0, len(_WIDE), _LAYER)):
        step = wide_rows.cte(f"wide_{n}")
        name, value = step.c.name, step.c.value
        for old, new in _WIDE[start:start + _LAYER]:
            name = func.replace(name, _lit(old), _lit(new))
            value = func.replace(value, _lit(old), _lit(new))
        wide_rows = select(step.c.customer_id, step.c.rule, name.label("name"),
                           value.label("value"))
    return union_all(plain, wide_rows).cte("wide")


def _normalized(rows):
    """Names spaces removed, lower case; phones and identity numbers stripped (a CTE)."""
    name = func.lower(func.replace(func.replace(rows.c.name, " ", ""), "\t", ""))
    phone = rows.c.value
    for ch in (" ", "-", "(", ")", "+"):
        phone = func.replace(phone, ch, "")
    identity = func.upper(func.replace(rows.c.value, " ", ""))
    # Materialized: computed once a row; a CTE folded into the next query would
    # repeat the chain of REPLACE calls wherever the value is named (a dozen times).
    return select(rows.c.customer_id, rows.c.rule, name.label("name"), phone.label("phone"),
                  identity.label("identity")).cte("normalized").prefix_with("MATERIALIZED")


def normalized_name(name):
    """SQL: a name, already half-width without spaces and in lower case, its suffix dropped."""
    return case(*[(name.like(f"%{s}"), func.substr(name, 1, func.length(name) - len(s)))
                  for s in SUFFIXES], else_=name)


def normalized_phone(phone):
    """SQL: a phone, already stripped, without the 86 of a 13-digit number."""
    return case((and_(func.length(phone) == 13, phone.like("86%")), func.substr(phone, 3)),
                else_=phone)


def _attribute(dialect: str, table, name: str):
    column = table.c.attributes
    if dialect == "sqlite":
        return cast(func.json_extract(column, f"$.{name}"), String)
    return column.op("->>", return_type=String)(literal(name))


def _raw(dialect: str, fields):
    """(customer_id, rule, name, value) for every identity number and phone a customer has."""
    c, ct = t.customers, t.contacts
    live = c.c.status != "merged"
    none = literal(None, String)
    parts = []
    for f in fields:
        if f.type in IDENTITY_TYPES or f.name in IDENTITY_NAMES:
            raw = _attribute(dialect, c, f.name)
            parts.append(select(c.c.id.label("customer_id"),
                                literal(f"identity:{f.name}").label("rule"), none.label("name"),
                                raw.label("value")).where(live, raw.is_not(None)))
        if f.type in PHONE_TYPES or f.name in PHONE_NAMES:
            raw = _attribute(dialect, c, f.name)
            parts.append(select(c.c.id.label("customer_id"), literal("name_phone").label("rule"),
                                c.c.name.label("name"), raw.label("value"))
                         .where(live, raw.is_not(None)))
    parts.append(select(c.c.id.label("customer_id"), literal("name_phone").label("rule"),
                        c.c.name.label("name"), ct.c.phone.label("value"))
                 .join_from(c, ct, ct.c.customer_id == c.c.id)
                 .where(live, ct.c.phone.is_not(None)))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _keys(dialect: str, fields):
    """(customer_id, rule, key): each customer's identity numbers and name-and-phone keys."""
    rows = _normalized(_half_width_layers(_raw(dialect, fields), dialect))
    is_identity = rows.c.rule.like("identity:%")
    keyed = select(rows.c.customer_id, rows.c.rule,
                   normalized_name(rows.c.name).label("name"),
                   normalized_phone(rows.c.phone).label("phone"),
                   rows.c.identity, is_identity.label("is_identity")).cte("keyed")
    key = case((keyed.c.is_identity, keyed.c.identity),
               else_=keyed.c.name + literal("|") + keyed.c.phone)
    usable = case((keyed.c.is_identity, keyed.c.identity != ""),
                  else_=and_(keyed.c.name != "", keyed.c.phone != ""))
    return select(keyed.c.customer_id, keyed.c.rule, key.label("key")).where(usable).distinct()


def duplicate_pairs(conn, fields) -> list[DuplicatePair]:
    """Candidate pairs, ordered by ``keep`` then ``drop``; ``fields``: the customer fields."""
    keys = _keys(conn.dialect.name, fields).subquery("keys")
    window = {"partition_by": [keys.c.rule, keys.c.key]}
    grouped = select(keys.c.customer_id, keys.c.rule, keys.c.key,
                     func.min(keys.c.customer_id).over(**window).label("first")).subquery("grouped")
    c, k = t.customers, t.customers.alias("kept")
    rows = conn.execute(
        select(grouped.c.first, k.c.name, grouped.c.customer_id, c.c.name, grouped.c.rule,
               grouped.c.key)
        .join_from(grouped, c, c.c.id == grouped.c.customer_id)
        .join(k, k.c.id == grouped.c.first)
        .where(grouped.c.customer_id != grouped.c.first)
        .order_by(grouped.c.first, grouped.c.customer_id, grouped.c.rule, grouped.c.key)
    ).all()
    pairs: dict[tuple, dict] = {}
    for keep, keep_name, drop, drop_name, rule, key in rows:
        pair = pairs.setdefault((keep, drop), {"keep_name": keep_name, "drop_name": drop_name,
                                               "rules": [], "why": []})
        if rule not in pair["rules"]:
            pair["rules"].append(rule)
            pair["why"].append(_why(rule, key))
    return [DuplicatePair(keep=keep, keep_name=p["keep_name"], drop=drop,
                          drop_name=p["drop_name"], rules=tuple(p["rules"]),
                          reason="; ".join(p["why"]))
            for (keep, drop), p in pairs.items()]


def _why(rule: str, key: str) -> str:
    if rule.startswith("identity:"):
        return f"the same {rule.split(':', 1)[1]} {mask(key)}"
    name, _, phone = key.rpartition("|")
    return f"the same name {name!r} and phone {mask(phone)}"
