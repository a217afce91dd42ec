"""Loading a year's official holiday arrangement from a CSV file (issue 16 item 6, SPEC SAT-3, CFG-1).

chinesecalendar only knows the years it was released with; for a later year the State Council's
notice (放假安排) is entered here: one row per day that differs from plain Monday–Friday — the days
off (holidays, including the weekdays of a long break) and the adjusted weekend working days (调休
上班). The administrator uploads the file, sees a preview against what the calendar says now, and
applies it; nothing is written until then, and a file with any bad row applies nothing.

Accepted file: CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Excel writes for Chinese),
comma, semicolon or tab separated, with or without a header. Columns: date (2027-01-01, 2027/1/1,
20270101 or 2027年1月1日), kind (休/放假/假/off/holiday/0 = day off; 班/上班/调休上班/work/
workday/1 = working day), note (optional, e.g. 元旦).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from . import workdays
from .audit import audit_log
from .models import AuditEvent, WorkdayOverride

MAX_ROWS = 400  # a year has 366 days; a file longer than that is not an arrangement
OFF = {"休", "休息", "放假", "假", "假日", "节假日", "off", "holiday", "dayoff", "day off", "0", "否", "false", "no"}
WORK = {"班", "上班", "调休", "调休上班", "补班", "工作日", "work", "workday", "working day", "1", "是", "true", "yes"}
_DATE_FORMS = [re.compile(p) for p in (
    r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{4})/(\d{1,2})/(\d{1,2})$", r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$",
    r"^(\d{4})(\d{2})(\d{2})$", r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$",
)]


@dataclass
class PlanRow:
    line: int
    day: dt.date
    is_workday: bool
    note: str
    now_workday: bool  # what the calendar says today (published + current override)
    current_override: bool | None

    @property
    def change(self) -> str:
        """new (no override yet), changed (an override says otherwise), same (nothing changes)."""
        if self.current_override is None:
            return "same" if self.now_workday == self.is_workday else "new"
        return "same" if self.current_override == self.is_workday else "changed"


@dataclass
class Plan:
    rows: list[PlanRow]
    errors: list[str]
    years: list[int]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode(raw: bytes) -> str:
    """UTF-8 first (BOM or not), then GB18030 (a superset of GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("The file is neither UTF-8 nor GBK/GB18030 text: save it from Excel as “CSV (UTF-8)”."))


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    for form in _DATE_FORMS:
        m = form.match(value)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _kind(value: str) -> bool | None:
    v = value.strip().lower()
    if v in OFF:
        return False
    if v in WORK:
        return True
    return None


def plan_from_text(text: str) -> Plan:
    """Parse and check a file's text; nothing is written."""
    errors: list[str] = []
    rows: list[PlanRow] = []
    if "\x00" in text:
        return Plan([], [_("The file contains a NUL byte: it is not a text CSV file.")], [])
    sample = text[:2000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    seen: dict[dt.date, int] = {}
    parsed: list[tuple[int, dt.date, bool, str]] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if len(parsed) + len(errors) >= MAX_ROWS:
            errors.append(_("More than %(n)d rows: a year's arrangement is shorter. Nothing was read past here.")
                          % {"n": MAX_ROWS})
            break
        day = _parse_date(cells[0]) if cells else None
        if day is None:
            if number == 1 and not parsed:
                continue  # a header row
            errors.append(_("Line %(line)d: “%(value)s” is not a date (write 2027-01-01).")
                          % {"line": number, "value": cells[0][:40]})
            continue
        if len(cells) < 2 or _kind(cells[1]) is None:
            errors.append(_("Line %(line)d: the second column must say 休 (day off) or 班 (working day), "
                            "not “%(value)s”.") % {"line": number, "value": (cells[1] if len(cells) > 1 else "")[:40]})
            continue
        if day in seen:
            errors.append(_("Line %(line)d: %(day)s is already on line %(first)d.")
                          % {"line": number, "day": day.isoformat(), "first": seen[day]})
            continue
        seen[day] = number
        note = (cells[2] if len(cells) > 2 else "")[:200]
        parsed.append((number, day, bool(_kind(cells[1])), note))
    if not parsed and not errors:
        errors.append(_("The file has no rows of dates."))
    overrides = dict(WorkdayOverride.objects.filter(date__in=[p[1] for p in parsed]).values_list("date", "is_workday"))
    for number, day, is_workday, note in parsed:
        rows.append(PlanRow(number, day, is_workday, note, workdays.is_workday(day), overrides.get(day)))
    return Plan(rows, errors, sorted({r.day.year for r in rows}))


@transaction.atomic
def plan_apply(plan: Plan, *, by, request=None) -> int:
    """Write every row of a checked plan as an override (each audited, CFG-1), all or nothing.
    Returns the number of days whose ruling changed."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    changed = 0
    for row in plan.rows:
        before = WorkdayOverride.objects.filter(date=row.day).values_list("is_workday", "note").first()
        workday_row = workdays.workday_override_set(day=row.day, is_workday=row.is_workday, note=row.note,
                                                    by=by, request=request)
        if before != (workday_row.is_workday, workday_row.note):
            changed += 1
    audit_log(action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request,
              target_type=WorkdayOverride._meta.label_lower, target_id="import",
              key="workday:import", years=plan.years, rows=len(plan.rows), changed=changed)
    return changed
