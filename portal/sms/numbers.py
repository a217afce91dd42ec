"""Phone numbers as the gateway and the database see them: 11-digit mainland mobiles."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

_SEPARATORS = re.compile(r"[\s\-().\u3000]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def clean_number(value: str) -> str:
    """Strip separators and a +86 / 0086 / 86 country prefix; keep anything else (short codes).

    A number with another country code keeps its "+", so it can never pass for a mainland mobile.
    """
    number = _SEPARATORS.sub("", str(value or ""))
    international = number[1:] if number.startswith("+") else number[2:] if number.startswith("00") else None
    if international is not None:
        return international[2:] if international.startswith("86") else f"+{international}"
    if number.startswith("86") and len(number) == 13:
        return number[2:]
    return number


def normalise_mobile(value: str) -> str:
    """`+86 138-0013 8000` → `13800138000`; ApplicationError unless an 11-digit mainland mobile."""
    number = clean_number(value)
    if not _MOBILE.match(number):
        raise ApplicationError(_("Not a mainland mobile number: %(number)s") % {"number": value})
    return number
