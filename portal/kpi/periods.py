"""Months and the time window a month's figures are measured over (local time, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    m = month.month - 1 + n
    return dt.date(month.year + m // 12, m % 12 + 1, 1)


def parse_month(value: str | None) -> dt.date | None:
    """'2025-05' → date(2025, 5, 1); None for anything else."""
    m = _MONTH_RE.match((value or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1901:
        return None  # before 1901 the twelve-month trend would step out of the calendar (year 0)
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def current_month(now: dt.datetime | None = None) -> dt.date:
    return month_start(timezone.localtime(now or timezone.now()).date())


def previous_month(now: dt.datetime | None = None) -> dt.date:
    return add_months(current_month(now), -1)


def local_midnight(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time.min))


@dataclass(frozen=True)
class Window:
    """What a month's figures are measured over.

    `start`/`end`: the month in local time. `ref`: the moment the state-type figures are taken at
    ("as of") — the end of the month for a past month, now for the current month. `live` is true
    for the current month: its figures keep moving.
    """

    month: dt.date
    start: dt.datetime
    end: dt.datetime
    ref: dt.datetime
    live: bool

    @classmethod
    def for_month(cls, month: dt.date, *, now: dt.datetime | None = None) -> Window:
        now = now or timezone.now()
        month = month_start(month)
        start, end = local_midnight(month), local_midnight(add_months(month, 1))
        if start > now:
            raise ValueError("a future month has no figures yet")
        live = end > now
        return cls(month=month, start=start, end=end, ref=now if live else end, live=live)

    @property
    def ref_date(self) -> dt.date:
        """The last day the figures cover: today for the current month, the month's last day otherwise."""
        return timezone.localtime(self.ref - dt.timedelta(microseconds=1)).date()

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"
