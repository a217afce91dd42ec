"""The current month is computed live; its visit compliance comes from the derived last-visit columns,
which must give the same answer as counting the visit logs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from portal.kpi.definitions import KPI_BY_CODE
from portal.kpi.periods import Window, current_month
from portal.kpi.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_month(book, people):
    """Visits logged through the real service this month and last month (it keeps last_visited_on)."""
    from groupclients.services import group_refresh_quality
    from tests.factories import ContactFactory
    from visits.services import visit_log_create

    g1, g2, g4 = book["g1"], book["g2"], book["g4"]
    primary = ContactFactory(group=g1, name="王主联系", type="contact", is_primary=True)
    p4 = ContactFactory(group=g4, name="西湖主联系", type="contact", is_primary=True)
    group_refresh_quality([g1.pk, g2.pk, g4.pk])
    now = timezone.now()
    start = timezone.make_aware(dt.datetime.combine(current_month(), dt.time(0, 5)))

    def log(group, am, when, contacts):
        return visit_log_create(
            group=group,
            by=am,
            contacts=contacts,
            kind="routine",
            notes="走访",
            started_at=when,
            next_visit_on=timezone.localtime(when).date() + dt.timedelta(days=40),
            purposes=["relationship"],
        )

    log(g1, people["am1"], min(start + dt.timedelta(hours=1), now - dt.timedelta(minutes=5)), [book["c1"]])
    from portal.policy import override_policy

    with override_policy({"visit.log_backdate_days": 200}):  # late logs of old visits (issue 12 item 10)
        log(g2, people["am2"], start - dt.timedelta(days=20), [book["c2"]])
        log(g4, people["am1b"], start - dt.timedelta(days=75), [p4])
    return {"primary": primary}


@pytest.mark.parametrize("code", ["visits_groups", "visits_contacts"])
def test_derived_columns_agree_with_the_visit_logs(this_month, org, code):
    kpi = KPI_BY_CODE[code]
    live = Window.for_month(current_month())
    assert live.live
    from_logs = dataclasses.replace(live, live=False)  # same moment, counted from the visit logs
    scope = Scope(node=org["province"])
    for dims in ((), ("unit",), ("unit", "person")):
        a = sorted(kpi.cells(live, scope, dims), key=repr)
        b = sorted(kpi.cells(from_logs, scope, dims), key=repr)
        assert a == b, dims
    assert kpi.cells(live, scope)[0][1]["A_done"] == 1  # g1, or its decision-maker c1


def test_current_month_is_counted_and_moves(this_month, people, client_for, book):
    """An open month is counted for the whole province and kept `kpi.live_refresh_seconds`; "recount
    now" (or the job) moves it; with the policy at 0 every view counts from the records."""
    from portal.policy import override_policy
    from visits.services import visit_log_create

    c = client_for(people["leader1"])
    url = "/kpi/?month=" + f"{current_month():%Y-%m}"
    report = c.get(url).context["report"]
    assert report.source == "counted" and report.window.live and report.counted_at is not None
    before = report.figures
    visit_log_create(group=book["g1"], by=people["am1"], contacts=[this_month["primary"]], kind="routine",
                     notes="走访", started_at=timezone.now() - dt.timedelta(minutes=1),
                     next_visit_on=timezone.localdate() + dt.timedelta(days=30), purposes=["relationship"])
    kept = c.get(url).context["report"].figures
    assert kept == before  # the kept count, until it is recounted
    r = c.post("/kpi/refresh/", {"month": f"{current_month():%Y-%m}", "next": url})
    assert r.status_code == 302 and r["Location"] == url
    recounted = c.get(url).context["report"].figures
    assert recounted["visits_contacts"]["done"] == before["visits_contacts"]["done"] + 1
    assert recounted["surveys"]["sent"] == before["surveys"]["sent"] + 1
    analyst = client_for(people["analyst1"])
    api_url = "/api/v1/kpi/?scope=P&month=" + f"{current_month():%Y-%m}"
    with override_policy({"kpi.live_refresh_seconds": 0}):
        province_before = analyst.get(api_url).json()["figures"]["visits_groups"]["done"]
        visit_log_create(group=book["g2"], by=people["am2"], contacts=[book["c2"]], kind="routine", notes="走访",
                         started_at=timezone.now() - dt.timedelta(minutes=1),
                         next_visit_on=timezone.localdate() + dt.timedelta(days=30), purposes=["relationship"])
        data = analyst.get(api_url).json()
    assert data["source"] == "live" and data["counted_at"] is None
    assert data["figures"]["visits_groups"]["done"] == province_before + 1  # g2 (class B) visited this month


def test_counted_figures_expire(this_month, people, org):
    from portal.kpi.compute import kpi_report
    from portal.kpi.models import KpiMonth

    scope = Scope(node=org["province"])
    kpi_report(scope, current_month())
    first = KpiMonth.objects.get(month=current_month()).counted_at
    kpi_report(scope, current_month())
    assert KpiMonth.objects.get(month=current_month()).counted_at == first  # still fresh: kept
    KpiMonth.objects.filter(month=current_month()).update(counted_at=timezone.now() - dt.timedelta(seconds=901))
    kpi_report(scope, current_month())
    assert KpiMonth.objects.get(month=current_month()).counted_at > timezone.now() - dt.timedelta(seconds=60)


def test_live_refresh_job(this_month, org):
    from portal.jobs import JOBS
    from portal.kpi.models import KpiMonth, KpiSnapshot
    from portal.kpi.tasks import live_refresh_task

    assert JOBS["kpi_live_refresh"].every_minutes == 5
    result = live_refresh_task.apply().get()
    assert f"{current_month():%Y-%m}" in result["counted"]
    assert KpiMonth.objects.get(month=current_month()).counted_at is not None
    assert KpiSnapshot.objects.filter(month=current_month(), org=org["province"], person=None).exists()


def test_the_dashboard_defaults_to_last_month_and_the_scorecard_to_this_month(people, client_for, org):
    from portal.kpi.periods import previous_month

    assert client_for(people["manager1"]).get("/kpi/").context["report"].window.month == previous_month()
    assert client_for(people["am1"]).get("/kpi/scorecard/").context["report"].window.month == current_month()
    assert client_for(people["manager1"]).get("/kpi/?month=2999-01").status_code == 404
