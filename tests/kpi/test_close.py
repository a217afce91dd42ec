"""JOB-7: the monthly close freezes a month; late records do not move it; re-running is a no-op; an
administrator can reopen and re-close it, audited; policy edits take effect on the next run."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from portal.kpi.closing import month_close, month_reopen
from portal.kpi.models import KpiMonth, KpiSnapshot
from portal.kpi.periods import current_month, previous_month
from portal.kpi.scope import Scope
from portal.policy import override_policy
from tests.kpi.conftest import M, at

pytestmark = pytest.mark.django_db


def _numbers(report) -> dict:
    d = report.as_dict(people=100)
    return {k: d.get(k) for k in ("figures", "metrics", "units", "branches", "people")}


def test_closing_does_not_change_the_numbers(june, org, people, report_for):
    """The frozen rows add up to exactly what the live count gives, for every scope and person."""
    scopes = [
        Scope(node=org["province"]),
        Scope(node=org["b1"]),
        Scope(node=org["u12"]),
        Scope(node=org["province"], person=people["am1"]),
        Scope(node=org["u11"], person=people["am1"]),
    ]
    with override_policy({"kpi.live_refresh_seconds": 0}):  # counted from the records for the request
        before = [_numbers(report_for(s)) for s in scopes]
        assert report_for(scopes[0]).source == "live"
    counted = [_numbers(report_for(s)) for s in scopes]  # the open month's provisional rows
    assert json.loads(json.dumps(counted)) == json.loads(json.dumps(before))
    result = month_close(month=M)
    assert result["snapshot_rows"] > 0
    after = [report_for(s) for s in scopes]
    assert all(r.source == "snapshot" for r in after)
    for b, a in zip(before, after, strict=True):
        assert json.loads(json.dumps(_numbers(a))) == json.loads(json.dumps(b))


def test_closed_month_unchanged_after_new_records(june, people, province, client_for, api_for, report_for):
    from tickets.models import LedgerEntry, Ticket
    from tickets.services import ledger_record
    from visits.models import VisitLog

    month_close(month=M)
    url = "/kpi/?scope=P&month=2025-06"
    page_before = client_for(people["analyst1"]).get(url).context["report"].as_dict()
    api_before = api_for(people["analyst1"]).get("/api/v1/kpi/?scope=P&month=2025-06").json()
    # late records dated in June: a visit to the overdue g3, a ticket, a penalty
    v = VisitLog.objects.create(
        group=june["g3"],
        account_manager=people["am3"],
        started_at=at(20),
        notes="补录",
        next_visit_on=dt.date(2025, 7, 20),
    )
    v.contacts.set([june["x3"]])
    t = Ticket.objects.create(
        number="LATE1",
        group=june["g1"],
        site=june["hq"],
        unit=june["hq"].unit,
        product=june["product"],
        severity="minor",
        description="补录",
        reporter_name="客户",
        callback_number="13900000000",
        channel="call_centre",
        opened_by=people["agent1"],
        status="new",
    )
    Ticket.objects.filter(pk=t.pk).update(opened_at=at(21))
    entry = ledger_record(rule=LedgerEntry.Rule.AM_ABSENT, source=t, when=at(21), person=people["am1"], points=-2)

    page_after = client_for(people["analyst1"]).get(url).context["report"].as_dict()
    api_after = api_for(people["analyst1"]).get("/api/v1/kpi/?scope=P&month=2025-06").json()
    assert page_after["figures"] == page_before["figures"]
    assert api_after["figures"] == api_before["figures"]
    assert api_after["figures"]["visits_groups"]["C_overdue"] == 2
    # the penalty is booked in the open month, saying so
    assert entry.month == current_month() and "2025-06" in entry.note
    # … and the live count does see the new records
    month_reopen(month=M, by=people["admin"], reason="补录数据")
    live = report_for(province).figures
    assert live["visits_groups"]["C_overdue"] == 1 and live["tickets"]["total"] == 6


def test_rerunning_the_close_is_a_no_op(june):
    first = month_close(month=M)
    ids = sorted(KpiSnapshot.objects.filter(month=M).values_list("pk", flat=True))
    second = month_close(month=M)
    assert second == {"month": "2025-06", "already_closed": True}
    assert sorted(KpiSnapshot.objects.filter(month=M).values_list("pk", flat=True)) == ids
    assert first["snapshot_rows"] == len(ids)


def test_snapshot_has_rows_per_node_and_person(june, org, people):
    month_close(month=M)
    rows = KpiSnapshot.objects.filter(month=M)
    assert rows.filter(person__isnull=True).count() == 7  # province, 2 branches, 4 units
    am1_rows = rows.filter(person=people["am1"])
    assert set(am1_rows.values_list("org__code", flat=True)) == {"P", "B1", "U11"}
    assert am1_rows.get(org=org["province"]).is_am
    assert rows.get(person=people["mm1"], org=org["province"]).is_am is False  # an MM with a penalty
    assert rows.get(org=org["province"], person=None).penalty_points == -7.0


def test_reopen_and_reclose_are_audited(june, people, client_for):
    from portal.exceptions import ApplicationError
    from portal.models import AuditEvent

    month_close(month=M)
    with pytest.raises(ApplicationError):
        month_reopen(month=M, by=people["manager1"], reason="x")
    admin = client_for(people["admin"])
    r = admin.post("/kpi/months/2025-06/reopen/", {"reason": ""})
    assert KpiMonth.objects.get(month=M).status == "closed"  # no reason, no reopening
    r = admin.post("/kpi/months/2025-06/reopen/", {"reason": "质检更正"})
    assert r.status_code == 302
    state = KpiMonth.objects.get(month=M)
    assert state.status == "open" and state.reopened_by == people["admin"]
    assert not KpiSnapshot.objects.filter(month=M).exists()
    event = AuditEvent.objects.get(action="kpi_month_reopened")
    assert event.actor == people["admin"] and event.detail == {"month": "2025-06", "reason": "质检更正"}
    admin.post("/kpi/months/2025-06/close/")
    assert KpiMonth.objects.get(month=M).status == "closed"
    assert AuditEvent.objects.filter(action="kpi_month_closed", actor=people["admin"]).count() == 1
    # only administrators reach the page
    assert client_for(people["manager1"]).post("/kpi/months/2025-06/reopen/", {"reason": "x"}).status_code == 403
    assert client_for(people["manager1"]).get("/kpi/months/").status_code == 403


def test_policy_edits_take_effect_on_the_next_run(june, people):
    """A target changed in the policy values, and the C-class visit period changed in the frequency
    table, both show in the figures of the next close."""
    from portal.policy import policy_set
    from visits.models import VisitFrequency

    month_close(month=M)
    snap = KpiSnapshot.objects.get(month=M, org__code="P", person=None)
    assert snap.data["visits_groups"]["C_overdue"] == 2
    assert KpiMonth.objects.get(month=M).targets["visit_rate"] == 100.0

    policy_set(key="kpi.target_visit_compliance_percent", value=80, by=people["admin"])
    VisitFrequency.objects.filter(grade="C", target="group").update(period_months=1)
    month_close(month=M)  # closed: nothing changes until it is reopened
    assert KpiSnapshot.objects.get(month=M, org__code="P", person=None).data["visits_groups"]["C_overdue"] == 2

    month_reopen(month=M, by=people["admin"], reason="改了C类走访周期")
    month_close(month=M)
    snap = KpiSnapshot.objects.get(month=M, org__code="P", person=None)
    assert snap.data["visits_groups"]["C_overdue"] == 3
    assert KpiMonth.objects.get(month=M).targets["visit_rate"] == 80.0


def test_runjob_closes_last_month_once(db, org, capsys):
    call_command("runjob", "monthly_close")
    out = json.loads(capsys.readouterr().out)
    assert out["result"]["month"] == f"{previous_month():%Y-%m}"
    assert KpiMonth.objects.get(month=previous_month()).status == "closed"
    call_command("runjob", "monthly_close")
    assert json.loads(capsys.readouterr().out)["result"]["already_closed"] is True


def test_the_current_month_cannot_be_closed(db, org):
    from portal.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        month_close(month=current_month())


def test_the_close_is_scheduled_and_records_a_job_run(db, org):
    from portal.jobs import JOBS

    job = JOBS["monthly_close"]
    assert job.task == "portal.kpi.tasks.monthly_close_task" and job.crontab == "30 1 1 * *"
    from portal.jobs import job_task

    job_task("monthly_close").apply(kwargs={"month": "2025-06"}).get()
    from portal.models import JobRun

    run = JobRun.objects.filter(name="monthly_close").latest("started_at")
    assert run.status == "done" and run.counts["month"] == "2025-06"


def test_the_close_takes_the_arrears_snapshot(june, province, report_for):
    """JOB-7: the close freezes the month-end arrears (CC-9) with the KPI snapshot; the arrears
    figure of the closed month does not move when the account is paid afterwards."""
    from decimal import Decimal

    from groupclients.billing.models import ArrearsSnapshot, BillingAccount

    acc = BillingAccount.objects.create(
        external_id="CLOSE-1",
        group=june["g1"],
        kind="postpaid",
        amount_due=Decimal("120"),
        arrears_since=dt.date(2025, 4, 20),
    )
    result = month_close(month=M)
    assert result["arrears"] == 1
    snap = ArrearsSnapshot.objects.get(month=M)
    assert (snap.account, snap.amount_due) == (acc, Decimal("120"))
    figures = report_for(province).figures["arrears"]
    assert (figures["accounts"], figures["amount"]) == (1, 120.0)
    BillingAccount.objects.filter(pk=acc.pk).update(amount_due=0, arrears_since=None)
    assert month_close(month=M)["already_closed"] is True
    assert ArrearsSnapshot.objects.filter(month=M).count() == 1
    assert report_for(province).figures["arrears"]["amount"] == 120.0
