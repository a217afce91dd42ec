"""Reading the cells of an import row: text, dates, numbers, yes/no and choices, each error as a
`RowError` naming its column (SPEC GC-8)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    en: str
    required: bool = False
    example: Any = ""


class RowError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        v = v.date()
    return str(v).strip()


def _date(v: Any, field: str) -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise RowError({field: [_("Not a date (use YYYY-MM-DD): %(v)s") % {"v": s}]}) from None


def _int(v: Any, field: str) -> int | None:
    s = _text(v).replace(",", "")
    if not s:
        return None
    try:
        return int(Decimal(s))
    except (InvalidOperation, ValueError):
        raise RowError({field: [_("Not a whole number: %(v)s") % {"v": s}]}) from None


def _decimal(v: Any, field: str) -> Decimal | None:
    s = _text(v).replace(",", "")
    if not s:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        raise RowError({field: [_("Not a number: %(v)s") % {"v": s}]}) from None


def _bool(v: Any) -> bool:
    return _text(v).lower() in ("1", "y", "yes", "true", "是", "√", "x")


def _choice(v: Any, choices, field: str, default: str | None = None) -> str:
    s = _text(v)
    if not s:
        if default is not None:
            return default
        raise RowError({field: [_("This field is required.")]})
    for value, label in choices:
        if s.lower() in (str(value).lower(), str(label).lower()):
            return value
    raise RowError({field: [_("Unknown value %(v)s; use one of: %(c)s") % {
        "v": s, "c": ", ".join(str(v) for v, _l in choices if v)}]})


def _resolve(pairs) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Run each (field, parser) of a row; collect every field's error rather than stop at the first."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, fn in pairs:
        try:
            values[key] = fn()
        except RowError as e:
            errors.update(e.errors)
    return values, errors
