"""Mainland-China working days (SPEC SAT-3): public holidays, adjusted weekend workdays, overrides.

Precedence for one day:
  1. a `WorkdayOverride` row an administrator entered (always wins);
  2. the State Council arrangement as published in the `chinesecalendar` package, for the years it
     knows (1.11.0: 2004–2026);
  3. otherwise Monday–Friday. A year the package does not know is not an error: the calendar falls
     back and the admin site warns that next year's arrangement is missing.
No date ever raises; only arithmetic that leaves `datetime.date`'s range (year 1–9999) overflows.

Caching: the package's data cannot change while the process runs, so each year's published
exceptions to Monday–Friday are computed once per process (`_published_exceptions`). Overrides
are read from the database once per year touched by each call (one indexed query, usually 0–30
rows), so an administrator's change is seen by the next call in every process — web, Celery
worker and beat — with nothing to invalidate. For many lookups in a loop (a list page, a job),
build one `WorkdayCalendar()` and use its methods: it reads each year's overrides only once.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_log
from .models import AuditEvent, WorkdayOverride

# The calendar is mainland China's whatever TIME_ZONE the servers run with.
CHINA_TZ = ZoneInfo("Asia/Shanghai")

ONE_DAY = timedelta(days=1)


# ---- the published arrangement (chinesecalendar) ---------------------------------------------


@cache
def is_year_published(year: int) -> bool:
    """Does the installed chinesecalendar know the holiday arrangement of `year`?"""
    if not 1 <= year <= 9999:
        return False
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:  # "no available data for year …"
        return False
    return True


@lru_cache(maxsize=1)
def last_published_year() -> int:
    """The last year the installed chinesecalendar knows (2026 for 1.11.0)."""
    this_year = timezone.localdate(timezone=CHINA_TZ).year
    known = [y for y in range(2000, this_year + 20) if is_year_published(y)]
    return max(known) if known else 0


@lru_cache(maxsize=64)
def _published_exceptions(year: int) -> dict[date, bool]:
    """Days of `year` where the published arrangement differs from Monday–Friday ({} if unknown)."""
    if not is_year_published(year):
        return {}
    exceptions: dict[date, bool] = {}
    day, end = date(year, 1, 1), date(year, 12, 31)
    while day <= end:
        worked = chinese_calendar.is_workday(day)
        if worked != (day.weekday() < 5):
            exceptions[day] = worked
        day += ONE_DAY
    return exceptions


def published_is_workday(d: date) -> bool:
    """The day without overrides: the published arrangement, else Monday–Friday. Never raises."""
    return _published_exceptions(d.year).get(d, d.weekday() < 5)


# ---- the calendar with overrides -----------------------------------------------------------


def _as_china_date(d: date | datetime) -> date:
    if isinstance(d, datetime):
        return d.astimezone(CHINA_TZ).date() if timezone.is_aware(d) else d.date()
    return d


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


class WorkdayCalendar:
    """A snapshot of the working-day calendar: published arrangement plus the overrides.

    Reads each year's overrides from the database at most once, on first use, so one instance
    serves a whole loop or request. Take a new one to see later changes.
    """

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}

    def _load(self, first_year: int, last_year: int) -> None:
        missing = [y for y in range(first_year, last_year + 1) if y not in self._overrides]
        if not missing:
            return
        for y in missing:
            self._overrides[y] = {}
        # One query for the span; years loaded earlier keep their snapshot.
        span = (_year_bounds(missing[0])[0], _year_bounds(missing[-1])[1])
        for day, worked in WorkdayOverride.objects.filter(date__range=span).values_list("date", "is_workday"):
            if day.year in missing:
                self._overrides[day.year][day] = worked

    def is_workday(self, d: date | datetime) -> bool:
        """Is `d` (a datetime is taken in China time) a working day? Never raises."""
        d = _as_china_date(d)
        self._load(d.year, d.year)
        override = self._overrides[d.year].get(d)
        return override if override is not None else published_is_workday(d)

    def add_workdays(self, start: date | datetime, n: int) -> date:
        """The n-th working day after `start` (before it when n < 0); `start` itself when n == 0.

        `start` need not be a working day: add_workdays(Friday, 1) is the next working day.
        """
        day = _as_china_date(start)
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        while remaining:
            day += step  # OverflowError only beyond year 9999 / before year 1
            if self.is_workday(day):
                remaining -= 1
        return day

    def deadline_end_of_nth_workday(self, when: datetime, n: int) -> datetime:
        """The end (23:59:59.999999, Asia/Shanghai, aware) of the n-th working day after `when`'s day.

        `when` is read in China time (a naive datetime is taken to be China time already), so a
        reply at 01:00 Beijing time on Saturday counts from Saturday, not from UTC's Friday.
        """
        if timezone.is_naive(when):
            when = when.replace(tzinfo=CHINA_TZ)
        day = self.add_workdays(when.astimezone(CHINA_TZ).date(), n)
        return datetime.combine(day, time.max, tzinfo=CHINA_TZ)

    def workdays_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days d with a < d ≤ b; when b < a, minus the working days d with b ≤ d < a.

        So it is the inverse of add_workdays for every n: workdays_between(a, add_workdays(a, n)) == n
        (counting moves away from `a`, the day of departure never counts, the day of arrival does).
        """
        a, b = _as_china_date(a), _as_china_date(b)
        sign, lo, hi = (1, a, b) if a <= b else (-1, b, a)
        self._load(lo.year, hi.year)
        span = (hi - lo).days
        # forward: lo+1 … hi; backward: lo … hi-1
        first = lo + ONE_DAY if sign > 0 else lo
        return sign * sum(1 for i in range(span) if self.is_workday(first + timedelta(days=i)))


def is_workday(d: date | datetime) -> bool:
    """Is `d` a mainland-China working day (overrides, then the published arrangement, then Mon–Fri)?"""
    return WorkdayCalendar().is_workday(d)


def add_workdays(start: date | datetime, n: int) -> date:
    """The n-th working day after `start` (see WorkdayCalendar.add_workdays)."""
    return WorkdayCalendar().add_workdays(start, n)


def deadline_end_of_nth_workday(when: datetime, n: int) -> datetime:
    """End of the n-th working day after the day of `when`, aware in Asia/Shanghai (SAT-3 due dates)."""
    return WorkdayCalendar().deadline_end_of_nth_workday(when, n)


def workdays_between(a: date | datetime, b: date | datetime) -> int:
    """Working days from a to b, a excluded and b included (see WorkdayCalendar.workdays_between)."""
    return WorkdayCalendar().workdays_between(a, b)


# ---- is next year's arrangement there? ------------------------------------------------------


def today_in_china() -> date:
    """Today's date in Beijing. Tests replace this to move "today"."""
    return timezone.localdate(timezone=CHINA_TZ)


def missing_arrangement_years(today: date | None = None) -> list[int]:
    """This year and next year, where neither chinesecalendar nor any override gives an arrangement.

    The State Council publishes next year's holidays around November; until the package is upgraded
    or an administrator enters them as overrides, those days would count as plain Monday–Friday.
    """
    today = today or today_in_china()
    missing = []
    for year in (today.year, today.year + 1):
        if year > 9999 or is_year_published(year):
            continue
        if not WorkdayOverride.objects.filter(date__range=_year_bounds(year)).exists():
            missing.append(year)
    return missing


def missing_arrangement_warning(today: date | None = None) -> str:
    """The admin site's warning text, or "" when the calendar is complete for this and next year."""
    years = missing_arrangement_years(today)
    if not years:
        return ""
    return _(
        "The working-day calendar has no holiday arrangement for %(years)s: those days count as plain "
        "Monday–Friday. Load the State Council's arrangement from a CSV file (Working-day overrides → "
        "Import a year), enter it day by day as overrides (days off and adjusted weekend workdays), or "
        "upgrade the chinesecalendar package. "
        "工作日历缺少%(years_zh)s年的节假日安排：这些日期暂按周一至周五计算。请在“工作日调整 → 导入全年安排”上传"
        "国务院通知的放假日和调休上班日（CSV），或逐日录入，或升级 chinesecalendar。"
    ) % {"years": ", ".join(map(str, years)), "years_zh": "、".join(map(str, years))}


# ---- writing overrides (audited like every policy change, SPEC CFG-1) -----------------------


@transaction.atomic
def workday_override_set(
    *, day: date, is_workday: bool, note: str = "", by=None, request=None
) -> WorkdayOverride:
    """Make `day` a working day or a day off, above the published calendar.

    Guarantees: one row per date (created or updated), validated; every process sees it from its
    next calendar lookup; a change of the day's status or note writes one POLICY_CHANGED audit
    event with the old and new ruling.
    """
    row = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    old = None if row is None else {"is_workday": row.is_workday, "note": row.note}
    new = {"is_workday": bool(is_workday), "note": note}
    if old == new:
        return row
    row = row or WorkdayOverride(date=day)
    row.is_workday, row.note, row.updated_by = bool(is_workday), note, by
    row.full_clean()
    row.save()
    audit_log(
        action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request, target=row,
        key=f"workday:{day.isoformat()}", old=old, new=new,
    )
    return row


@transaction.atomic
def workday_override_delete(*, day: date, by=None, request=None) -> bool:
    """Remove the override of `day` (back to the published calendar). Audited; False if there was none."""
    row = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    if row is None:
        return False
    old = {"is_workday": row.is_workday, "note": row.note}
    pk = row.pk
    row.delete()
    audit_log(
        action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request,
        target_type=WorkdayOverride._meta.label_lower, target_id=pk,
        key=f"workday:{day.isoformat()}", old=old, new=None,
    )
    return True
