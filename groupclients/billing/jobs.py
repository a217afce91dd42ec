"""Scheduled sweeps over the subscriber base (SPEC JOB-4, JOB-5, JOB-6). The registry
(`portal.jobs`) runs each under its lock and records a JobRun with the counts returned here; each is
idempotent. `python manage.py runjob NAME` runs one now."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.jobs import Job, register
from portal.policy import policy

from ..models import Member
from .models import BillingAccount, RetentionAlert
from .services import credit, retention


def credit_control(*, run=None) -> dict:
    """JOB-5; the work orders it writes name the run (CreditOrder.job_run)."""
    return credit.credit_control_sweep(run=run)


def retention_monthly(month: dt.date | None = None) -> dict:
    """JOB-4 monthly cadence: last month's usage against the three months before it."""
    month = month or retention.add_months(timezone.localdate().replace(day=1), -1)
    return {**retention.retention_scan_members(month=month), **retention.retention_scan_groups(month=month),
            "month": month.isoformat()}


def retention_daily() -> dict:
    """JOB-4 daily cadence: competitor-hotline calls (level 1) on the month so far, payments about to go
    overdue and suspensions with number retention of VIP members. `vip_alerts_new` counts alerts
    raised, not the members matched (a second run the same day raises none)."""
    if True:  # one block, as the job's body
        today = timezone.localdate()
        out = retention.retention_scan_members(month=today.replace(day=1), types=[RetentionAlert.Type.COMPETITOR_HOTLINE])
        soon = today + dt.timedelta(days=int(policy("credit.reminder_days_before_due")))
        vip = Member.objects.filter(status="active").exclude(vip_tier="").select_related("group", "account")
        n = 0
        for m in vip.filter(account__amount_due__gt=0, account__due_date__gte=today, account__due_date__lte=soon,
                            account__exempt=False):
            _alert, created = retention.alert_raise_once(
                type=RetentionAlert.Type.PAYMENT_DUE, group=m.group, member=m, level=1, period=str(m.account.due_date),
                evidence={"amount_due": str(m.account.amount_due), "due_date": str(m.account.due_date)})
            n += created
        for m in vip.filter(account__status=BillingAccount.Status.SUSPENDED):
            _alert, created = retention.alert_raise_once(
                type=RetentionAlert.Type.SUSPENDED_RETAINED, group=m.group, member=m, level=1,
                period=today.strftime("%Y-%m"), evidence={"since": str(m.account.status_since)})
            n += created
        return {**out, "vip_alerts_new": n}


def key_moments() -> dict:
    return retention.key_moments_scan()


register(Job("credit_control", "groupclients.tasks.credit_control_task",
             "JOB-5: reminders, half-suspension, suspension, resume, disconnect work orders (hourly).",
             crontab="15 * * * *", func="groupclients.billing.jobs.credit_control"))
register(Job("retention_daily", "groupclients.tasks.retention_daily_task",
             "JOB-4: daily warnings — competitor hotline calls, VIP payments due, VIP suspensions.",
             crontab="0 7 * * *", func="groupclients.billing.jobs.retention_daily"))
register(Job("retention_monthly", "groupclients.tasks.retention_monthly_task",
             "JOB-4: monthly warnings over last month's usage (ARPU/MOU/data drops, zero charge, forwarding, groups).",
             crontab="0 6 2 * *", func="groupclients.billing.jobs.retention_monthly"))
register(Job("key_moments", "groupclients.tasks.key_moments_task",
             "JOB-6/RET-5: key-moment reminders to AMs (competitor contracts expiring).", crontab="10 7 * * *",
             func="groupclients.billing.jobs.key_moments"))
