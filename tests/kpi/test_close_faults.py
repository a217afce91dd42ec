"""Issue 13 item 1: the monthly close on arrears that began after the month's end (CC-9, JOB-7), and a
close that fails half-way leaves nothing behind (one transaction; the next run does it whole)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from groupclients.billing.models import ArrearsSnapshot, BillingAccount
from portal.kpi.closing import month_close
from portal.kpi.models import KpiMonth, KpiSnapshot
from portal.models import JobRun
from tests.kpi.conftest import M

pytestmark = pytest.mark.django_db


def _accounts(june):
    # in arrears since before the end of June: 2 months and 11 days at 2025-06-30
    before = BillingAccount.objects.create(external_id="AGE-1", group=june["g1"], kind="postpaid",
                                           amount_due=Decimal("50"), arrears_since=dt.date(2025, 4, 20))
    # in arrears since July: not in arrears at the end of June (seed_demo --scale 5 has thousands)
    after = BillingAccount.objects.create(external_id="AGE-2", group=june["g1"], kind="postpaid",
                                          amount_due=Decimal("80"), arrears_since=dt.date(2025, 7, 15))
    return before, after


def test_issue13_item1_arrears_after_month_end_are_not_in_the_snapshot(june, province):
    """issue 13 item 1 (CC-9): an account whose arrears began after the month's end was not in arrears
    at the month's end — it is not in that month's ageing snapshot, and the close does not fail on the
    ageing_months check (IntegrityError on PostgreSQL; dropped silently on SQLite before)."""
    before, _after = _accounts(june)
    result = month_close(month=M)
    assert result["arrears"] == 1
    snap = ArrearsSnapshot.objects.get(month=M)
    assert snap.account == before and snap.ageing_months == 2 and snap.overdue_days == 71
    assert KpiMonth.objects.get(month=M).status == KpiMonth.Status.CLOSED


def test_issue13_item1_a_failed_close_leaves_nothing_behind(june, province, monkeypatch):
    """issue 13 item 1 (JOB-7): a close that fails after the arrears snapshot leaves no KPI month row,
    no snapshot rows and no arrears rows; the JobRun says failed; the next close does the whole month
    once (no doubles)."""
    from portal.jobruns import run_job
    from portal.kpi import closing

    _accounts(june)
    assert not KpiMonth.objects.filter(month=M).exists()

    def broken(month):
        raise RuntimeError("disk full")

    monkeypatch.setattr(closing, "snapshot_write", broken)
    with pytest.raises(RuntimeError):
        run_job("monthly_close", month="2025-06")
    assert not KpiMonth.objects.filter(month=M).exists()
    assert not KpiSnapshot.objects.filter(month=M).exists()
    assert not ArrearsSnapshot.objects.filter(month=M).exists()
    assert JobRun.objects.get(name="monthly_close").status == JobRun.Status.FAILED
    monkeypatch.undo()

    result = run_job("monthly_close", month="2025-06")
    assert result["arrears"] == 1 and result["snapshot_rows"] > 0
    assert ArrearsSnapshot.objects.filter(month=M).count() == 1
    assert KpiMonth.objects.get(month=M).status == KpiMonth.Status.CLOSED
    assert run_job("monthly_close", month="2025-06")["already_closed"] is True


def test_issue13_item1_a_failed_close_of_a_counted_month_keeps_its_provisional_rows(june, province, monkeypatch):
    """issue 13 item 1: when the month had been counted (an open month's provisional rows), a failed
    close puts it back as it was: open, with the same rows."""
    from portal.kpi import closing

    closing.month_count(M, force=True)
    rows = KpiSnapshot.objects.filter(month=M).count()
    assert rows > 0
    monkeypatch.setattr(closing, "_take_arrears_snapshot", lambda month: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        month_close(month=M)
    state = KpiMonth.objects.get(month=M)
    assert state.status == KpiMonth.Status.OPEN and state.counted_at is not None
    assert KpiSnapshot.objects.filter(month=M).count() == rows
