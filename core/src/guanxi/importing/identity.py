"""The identity field types: resident identity cards, credit codes, mobile numbers.

``cn_ric`` (居民身份证号码, GB 11643-1999), ``cn_uscc`` (统一社会信用代码,
GB 32100-2015) and ``cn_mobile`` (a mainland mobile number). Each
converter returns the normalized form that is stored (upper-case ``X``,
no spaces or dashes, a mobile number without ``+86``) and refuses a value
with what is wrong with it: its length, its characters, its birth date or
its check digit. python-stdnum computes the check digits and birth dates.

The values are personal data: listings and views show them masked
(:mod:`guanxi.masking`).
"""

from __future__ import annotations

import re
import unicodedata

from guanxi.periods import ValueProblem

#: The field types holding identity numbers; masked wherever they are shown.
IDENTITY_TYPES = ("cn_ric", "cn_uscc", "cn_mobile")

# Spaces and dashes are how people group these numbers when they type them.
_GROUPING = re.compile(r"[\s\-]+")
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)


def _normal(text: str | None) -> str | None:
    if text is None:
        return None
    # Full-width digits and letters (１１０１０１…Ｘ) are the same number.
    text = _GROUPING.sub("", unicodedata.normalize("NFKC", text)).upper()
    return text or None


def cn_ric(text: str | None) -> str | None:
    """A resident identity card number: 18 characters, birth date, check digit."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    number = _normal(text)
    if number is None:
        return None
    if len(number) != 18:
        raise ValueProblem(f"an identity card number has 18 characters, not {len(number)}")
    if not number[:17].isascii() or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValueProblem("an identity card number is 17 digits and a last digit or X")
    try:
        ric.get_birth_date(number)
    except ValidationError:
        raise ValueProblem(
            f"the birth date {number[6:10]}-{number[10:12]}-{number[12:14]} "
            "(characters 7 to 14) is not a date") from None
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValueProblem(f"the check digit is {number[17]}, but the first 17 digits "
                           f"give {expected}")
    return number


def cn_uscc(text: str | None) -> str | None:
    """A unified social credit code: 18 characters and its check character."""
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, ValidationError

    number = _normal(text)
    if number is None:
        return None
    if len(number) != 18:
        raise ValueProblem(f"a unified social credit code has 18 characters, not {len(number)}")
    try:
        uscc.validate(number)
    except InvalidChecksum:
        expected = uscc.calc_check_digit(number[:17])
        raise ValueProblem(f"the check character is {number[17]}, but the first 17 "
                           f"characters give {expected}") from None
    except ValidationError:
        raise ValueProblem("a unified social credit code is digits and capital letters "
                           "other than I, O, S, V and Z, the area code (characters 3 "
                           "to 8) digits") from None
    return number


def cn_mobile(text: str | None) -> str | None:
    """A mainland mobile number: 11 digits from 13 to 19, stored without ``+86``."""
    number = _normal(text)
    if number is None:
        return None
    number = number.replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
            break
    if not _MOBILE.fullmatch(number):
        raise ValueProblem("expected a mainland mobile number: 11 digits starting 13 to 19, "
                           "optionally after +86")
    return number


CONVERTERS = {"cn_ric": cn_ric, "cn_uscc": cn_uscc, "cn_mobile": cn_mobile}
