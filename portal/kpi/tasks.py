"""The KPI jobs' work (JOB-7, KPI-1). Their Celery tasks ("portal.kpi.tasks.monthly_close_task",
"portal.kpi.tasks.live_refresh_task") are made by the job registry (portal/kpi/jobs.py), which runs
these under the job's lock and records a JobRun with what they return."""
from __future__ import annotations


def monthly_close(month: str | None = None) -> dict:
    """JOB-7. `month` as YYYY-MM (default: last month). A second run for a closed month is a no-op."""
    from .closing import month_close
    from .periods import parse_month

    return month_close(month=parse_month(month) if month else None)


def live_refresh() -> dict:
    """Recount the open months' figures (the current month, and last month until it is closed).
    Returns the provisional snapshot rows rewritten per month."""
    from .closing import month_count
    from .models import KpiMonth, KpiSnapshot
    from .periods import current_month, previous_month

    out = {}
    for month in (previous_month(), current_month()):
        state = KpiMonth.objects.filter(month=month).first()
        if month != current_month() and (state is None or state.status != KpiMonth.Status.OPEN):
            continue  # last month: only while it is open and has been looked at
        state = month_count(month, force=True)
        if state.status == KpiMonth.Status.OPEN:
            out[f"{month:%Y-%m}"] = KpiSnapshot.objects.filter(month=month).count()
    return {"snapshot_rows_rewritten": out}
