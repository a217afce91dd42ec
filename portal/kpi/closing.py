"""The monthly close (SPEC JOB-7): freeze last month's figures, arrears and performance ledger.

`month_close(month=…)`:
  1. marks the month CLOSING (committed at once), so from then on the performance ledger books late
     entries into the open month (`open_month_for`, called by `tickets.services.ledger_record`);
  2. takes the month-end arrears snapshot (issue 6's `arrears_snapshot_take`, when installed);
  3. counts every KPI of the month for the whole province, grouped by unit and person — one query
     per KPI — and adds the counts up into one row per organisation node and one per person and
     node (`KpiSnapshot`), with the policy targets in force;
  4. marks the month CLOSED.
A closed month is left alone by a second run (no-op). An administrator can reopen a month (its
dashboard is live again) and close it again; both are audited. Steps 2–4 are one transaction: a
close that fails leaves the month as it found it (no KpiMonth row if there was none, no arrears or
snapshot rows); a run whose process dies half-way leaves the month CLOSING with nothing of 2–4
written, and the next run does it from the start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.exceptions import ApplicationError

from .compute import add_into, ancestors_map, compact, finish, live_cells, rank_values
from .definitions import RANK_KPIS, available_kpis
from .models import RANK_FIELDS, KpiMonth, KpiSnapshot
from .periods import Window, current_month, month_start, previous_month
from .policies import current_targets
from .scope import Scope, province_root

logger = logging.getLogger(__name__)

AUDIT_CLOSED = "kpi_month_closed"
AUDIT_REOPENED = "kpi_month_reopened"


# ---- for the performance ledger ---------------------------------------------------------------


def is_frozen(month: dt.date) -> bool:
    return KpiMonth.objects.filter(
        month=month_start(month), status__in=[KpiMonth.Status.CLOSING, KpiMonth.Status.CLOSED]
    ).exists()


def open_month_for(month: dt.date, *, lock: bool = False) -> dt.date:
    """The month a ledger entry dated in `month` is booked in: that month while it is open, else the
    first open month after it (normally the current month). With `lock`, the month's close row is
    locked until the caller's transaction ends, so a close starting meanwhile waits for the entry."""
    month = month_start(month)
    qs = KpiMonth.objects.filter(month=month)
    if lock:
        qs = qs.select_for_update()
    row = qs.first()
    if row is None or not row.is_frozen:
        return month
    frozen = set(
        KpiMonth.objects.filter(
            month__gt=month, status__in=[KpiMonth.Status.CLOSING, KpiMonth.Status.CLOSED]
        ).values_list("month", flat=True)
    )
    candidate = max(current_month(), month)
    while candidate in frozen:
        candidate = (candidate + dt.timedelta(days=32)).replace(day=1)
    return candidate


# ---- the close ---------------------------------------------------------------------------------


def _job_lock():
    """portal.jobruns (JobRun rows + a named lock) when present; a plain context otherwise."""
    try:
        from portal.jobruns import job_run
    except ImportError:  # pragma: no cover - the job-run recorder belongs to another issue
        return contextlib.nullcontext(None)
    return job_run("monthly_close")


def _take_arrears_snapshot(month: dt.date) -> dict | int | None:
    try:
        from groupclients.billing.services import credit
    except ImportError:
        return None
    take = getattr(credit, "arrears_snapshot_take", None)
    if take is None:
        return None
    return take(month=month)


def month_close(*, month: dt.date | None = None, by: User | None = None, request=None) -> dict:
    """Close `month` (default: last month). Returns counts; `already_closed` when there was nothing to do."""
    month = month_start(month or previous_month())
    if month >= current_month():
        raise ApplicationError(_("Only a month that has ended can be closed."))
    with _job_lock() as run:
        result = _close(month, by=by, request=request)
        if run is not None:
            run.counts = result
    return result


def _close(month: dt.date, *, by, request) -> dict:
    started = time.monotonic()
    with transaction.atomic():
        state, created = KpiMonth.objects.select_for_update().get_or_create(month=month)
        if state.status == KpiMonth.Status.CLOSED:
            return {"month": f"{month:%Y-%m}", "already_closed": True}
        state.status = KpiMonth.Status.CLOSING
        state.save(update_fields=["status"])
    # From here the ledger books late entries into the open month (committed above).
    try:
        # The arrears snapshot, the KPI snapshot and the CLOSED mark are one transaction (issue 13
        # item 1): a close that fails writes nothing, and the next run does the whole month once.
        with transaction.atomic():
            arrears = _take_arrears_snapshot(month)
            rows = snapshot_write(month)
            state.status, state.closed_at, state.closed_by = KpiMonth.Status.CLOSED, timezone.now(), by
            state.targets = current_targets()
            state.seconds = round(time.monotonic() - started, 2)
            state.counts = {"snapshot_rows": rows, "arrears": arrears if isinstance(arrears, (int, dict)) else None}
            state.save()
    except Exception:
        # put the month back as it was: no row when this run made it, else open again
        leftover = KpiMonth.objects.filter(pk=state.pk, status=KpiMonth.Status.CLOSING)
        if created:
            leftover.delete()
        else:
            leftover.update(status=KpiMonth.Status.OPEN)
        raise
    if by is not None:
        from portal.audit import audit_log

        audit_log(action=AUDIT_CLOSED, actor=by, request=request, target=state, month=f"{month:%Y-%m}", rows=rows)
    logger.info("monthly close %s: %d snapshot rows in %.1f s", month, rows, state.seconds)
    return {
        "month": f"{month:%Y-%m}",
        "snapshot_rows": rows,
        "arrears": state.counts["arrears"],
        "seconds": state.seconds,
    }


def snapshot_write(month: dt.date) -> int:
    """Replace the month's snapshot: one row per organisation node, one per person and node."""
    root = province_root()
    if root is None:
        return 0
    w = Window.for_month(month)
    kpis = available_kpis()
    rank_kpis = [k for k in kpis if k.code in RANK_KPIS]
    cells = live_cells(w, Scope(node=root), by_person="all", kpis=kpis)
    anc = ancestors_map()
    per_node: dict[int, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    per_person: dict[tuple[int, int], dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for code, rows in cells.items():
        for (unit, person), counters in rows:
            for node in anc.get(unit, anc[None]):
                add_into(per_node[node][code], counters)
                if person is not None:
                    add_into(per_person[(node, person)][code], counters)
    ams = set(User.objects.filter(roles__code="am").values_list("pk", flat=True))
    objs = []
    for node in [pk for pk in anc if pk is not None]:
        counters = per_node.get(node, {})
        objs.append(
            KpiSnapshot(month=month, org_id=node, data=compact(counters), **_rank_fields(finish(counters, w, kpis)))
        )
    for (node, person), counters in per_person.items():
        objs.append(
            KpiSnapshot(
                month=month,
                org_id=node,
                person_id=person,
                is_am=person in ams,
                data=compact(counters),
                **_rank_fields(finish(counters, w, rank_kpis)),
            )
        )
    KpiSnapshot.objects.filter(month=month).delete()
    KpiSnapshot.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def _rank_fields(figs: dict) -> dict:
    values = rank_values(figs)
    return {f: values.get(f) for f in RANK_FIELDS}


def month_count(month: dt.date, *, max_age: int = 0, force: bool = False) -> KpiMonth:
    """Count an open month's figures for the whole province into provisional snapshot rows.

    Whoever comes first counts; a second caller waits on the month's row and then finds the count
    fresh (unless `force`). A month being closed or closed is left alone."""
    month = month_start(month)
    with transaction.atomic():
        state, _created = KpiMonth.objects.select_for_update().get_or_create(month=month)
        if state.status != KpiMonth.Status.OPEN or (not force and state.is_counted(max_age)):
            return state
        snapshot_write(month)
        state.counted_at = timezone.now()
        state.save(update_fields=["counted_at"])
    return state


def open_months_stale(**_signal_kwargs) -> int:
    """A table the counting depends on changed (the visit frequency table, VIS-1): the provisional
    figures of open months are thrown away, so the next look recounts them with the new values
    instead of showing the old count for up to `kpi.live_refresh_seconds` (CFG-1: effective at
    once). Closed months keep their frozen figures until an administrator reopens them."""
    return KpiMonth.objects.filter(status=KpiMonth.Status.OPEN, counted_at__isnull=False).update(counted_at=None)


@transaction.atomic
def month_reopen(*, month: dt.date, by: User, reason: str, request=None) -> KpiMonth:
    """An administrator reopens a closed month: its figures are computed live again until the next
    close, and ledger entries dated in it are booked in it again. Audited with the reason."""
    if by is None or not by.is_administrator:
        raise ApplicationError(_("Only an administrator can reopen a month."), status_code=403)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for reopening the month."))
    state = KpiMonth.objects.select_for_update().filter(month=month_start(month)).first()
    if state is None or state.status == KpiMonth.Status.OPEN:
        raise ApplicationError(_("This month is not closed."), status_code=409)
    state.status = KpiMonth.Status.OPEN
    state.reopened_at, state.reopened_by, state.reopen_reason = timezone.now(), by, reason.strip()[:300]
    state.counted_at = None  # recounted from the records at the next look
    state.save()
    KpiSnapshot.objects.filter(month=state.month).delete()
    from portal.audit import audit_log

    audit_log(
        action=AUDIT_REOPENED,
        actor=by,
        request=request,
        target=state,
        month=f"{state.month:%Y-%m}",
        reason=state.reopen_reason,
    )
    return state
