"""Masking of personal data for people who do not own the record (SPEC ORG-4)."""
from __future__ import annotations

import datetime as dt

MASK = "*"


def mask_mobile(value: str | None) -> str:
    """'13812345678' → '138****5678'. Short or empty values are masked whole."""
    if not value:
        return ""
    digits = str(value)
    if len(digits) >= 7:
        return digits[:3] + MASK * 4 + digits[-4:]
    return MASK * len(digits)


def mask_id_number(value: str | None) -> str:
    """ID card numbers keep the first 4 and last 4 characters."""
    if not value:
        return ""
    v = str(value)
    if len(v) <= 8:
        return MASK * len(v)
    return v[:4] + MASK * (len(v) - 8) + v[-4:]


def mask_date(value: dt.date | str | None) -> str:
    """Birthdays and personal dates: nothing of the date is shown."""
    return "****-**-**" if value else ""


def mask_name(value: str | None) -> str:
    """Chinese names keep the family name: '张三丰' → '张**'."""
    if not value:
        return ""
    return value[0] + MASK * (len(value) - 1)
