"""Ids given as text (query strings, feeds that take "id or code")."""
import re

_ID = re.compile(r"[0-9]{1,18}")


def is_id(value) -> bool:
    """ASCII digits that fit a bigint. (`str.isdigit()` is true for "³", which int() refuses: that was
    a 500 in the billing and member feeds, issue 12 item 6.)"""
    return isinstance(value, str) and _ID.fullmatch(value) is not None
