"""The server's log never shows a phone or identity number in full.

A mainland mobile number keeps its first 3 and last 4 digits
(138****5678); an 18-character resident identity number or unified
social credit code its first 6 and last 4. Passwords and tokens are never
logged at all: no request body or ``Authorization`` header is.
"""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{4})[0-9A-HJ-NPQRTUWXY]{8}"
                          r"([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])")
_MOBILE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)\d{3,4}(\d{4})(?!\d)")


def mask(text: str) -> str:
    """``text`` with phone and identity numbers masked."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _CREDIT_CODE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


_FILTER = MaskingFilter()
LOGGERS = ("guanxi.web", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi")


def install_masking() -> None:
    """Mask what the server's loggers write (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    if logging.getLogger("guanxi.web").level == logging.NOTSET:
        logging.getLogger("guanxi.web").setLevel(logging.INFO)
