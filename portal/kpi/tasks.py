from __future__ import annotations

from celery import shared_task

try:
    from portal.jobruns import JobSkipped
except ImportError:  # pragma: no cover - the job-run recorder belongs to another issue

    class JobSkipped(Exception):
        pass


@shared_task(name="portal.kpi.tasks.monthly_close_task")
def monthly_close_task(month: str | None = None) -> dict:
    """JOB-7. `month` as YYYY-MM (default: last month). A second run for a closed month is a no-op;
    a run while another holds the lock records itself as skipped and does nothing."""
    from .closing import month_close
    from .periods import parse_month

    try:
        return month_close(month=parse_month(month) if month else None)
    except JobSkipped:
        return {"skipped": "another monthly close is running"}


@shared_task(name="portal.kpi.tasks.live_refresh_task")
def live_refresh_task() -> dict:
    """Recount the open months' figures (the current month, and last month until it is closed)."""
    import time

    from .closing import month_count
    from .models import KpiMonth
    from .periods import current_month, previous_month

    out = {}
    for month in (previous_month(), current_month()):
        state = KpiMonth.objects.filter(month=month).first()
        if month != current_month() and (state is None or state.status != KpiMonth.Status.OPEN):
            continue  # last month: only while it is open and has been looked at
        started = time.monotonic()
        month_count(month, force=True)
        out[f"{month:%Y-%m}"] = round(time.monotonic() - started, 2)
    return {"counted": out}
