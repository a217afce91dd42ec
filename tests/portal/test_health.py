"""Issue 13 item 6: failures somebody sees — /health/ (django-health-check) for a load balancer and the
admin index for the administrator: a failed job, a job not run on time, an old outbox, a gateway
refusing messages, beat silent, no Celery worker, Kannel down."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal import health
from portal.models import JobRun
from portal.sms.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_well(monkeypatch, settings):
    """Every job ran just now, beat ticked, a worker answers: the baseline each failure departs from."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from portal.jobs import JOBS

    now = timezone.now()
    for name in JOBS:
        JobRun.objects.create(name=name, status=JobRun.Status.DONE, finished_at=now)
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="sms_outbox_flush", task="x", interval=every, last_run_at=now)
    monkeypatch.setattr(health.Workers, "run", lambda self: None)
    settings.SMS_BACKEND = "memory"


def _json(client):
    r = client.get("/health/", HTTP_ACCEPT="application/json")
    return r.status_code, r.json()


def test_issue13_item6_all_well_answers_200_with_each_component(client, all_well):
    """issue 13 item 6: unauthenticated, each component with its state; 200 when all is well."""
    status, body = _json(client)
    assert status == 200, body
    assert {"database", "cache", "celery_workers", "celery_beat", "jobs", "sms_outbox"} <= set(body)
    assert all(v["ok"] for v in body.values())
    assert client.get("/health/").status_code == 200  # the HTML page too


def test_issue13_item6_a_failed_job_shows(client, all_well, people, client_for):
    """issue 13 item 6: the latest run of a job failed → /health/ 503 naming the job, and the admin index."""
    JobRun.objects.create(name="credit_control", status=JobRun.Status.FAILED, error="secret traceback 13800138000")
    status, body = _json(client)
    assert status == 503 and not body["jobs"]["ok"] and "credit_control failed" in body["jobs"]["state"]
    assert "13800138000" not in str(body)  # no details that leak data
    admin = people["admin"]
    admin.is_staff = True
    admin.save()
    page = client_for(admin).get("/admin/").content.decode()
    assert "credit_control failed" in page


def test_issue13_item6_a_job_not_run_on_time_shows(client, all_well):
    """issue 13 item 6: a job whose last run is older than its schedule plus the grace is late."""
    JobRun.objects.filter(name="ticket_sla_sweep").update(started_at=timezone.now() - dt.timedelta(hours=2))
    status, body = _json(client)
    assert status == 503 and "ticket_sla_sweep has not run since" in body["jobs"]["state"]


def test_issue13_item6_an_old_outbox_shows(client, all_well, settings):
    """issue 13 item 6: a due SMS waiting longer than HEALTH_OUTBOX_MAX_AGE_MINUTES."""
    OutboxMessage.objects.create(to="13800138000", text="等待", created_at=timezone.now() - dt.timedelta(minutes=40))
    status, body = _json(client)
    assert status == 503 and "oldest unsent SMS waits 40 min" in body["sms_outbox"]["state"]
    assert "13800138000" not in str(body)
    settings.HEALTH_OUTBOX_MAX_AGE_MINUTES = 60
    assert _json(client)[0] == 200


def test_issue13_item6_a_gateway_refusing_messages_shows(client, all_well):
    """issue 13 item 6: sends that ended in an error lately (retrying or failed)."""
    OutboxMessage.objects.create(to="13800138000", text="拒绝", status="failed", attempts=1,
                                 last_error="403 Forbidden", claimed_at=timezone.now())
    status, body = _json(client)
    assert status == 503 and "gateway refused 1 messages" in body["sms_outbox"]["state"]


def test_issue13_item6_beat_silent_shows(client, all_well):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.update(last_run_at=timezone.now() - dt.timedelta(minutes=30))
    status, body = _json(client)
    assert status == 503 and "last tick 30 min ago" in body["celery_beat"]["state"]


def test_issue13_item6_no_celery_worker_shows(client, all_well, monkeypatch, settings):
    """issue 13 item 6: no worker answers the ping (none runs in the test process)."""
    monkeypatch.undo()
    settings.HEALTH_CELERY_TIMEOUT_SECONDS = 0.5
    settings.SMS_BACKEND = "memory"
    status, body = _json(client)
    assert status == 503 and not body["celery_workers"]["ok"]


def test_issue13_item6_kannel_down_shows(client, all_well, settings):
    """issue 13 item 6: with SMS_BACKEND=kannel, a status page that does not answer."""
    from tests.checks.demo_site import free_port

    settings.SMS_BACKEND = "kannel"
    settings.KANNEL_STATUS_URL = f"http://127.0.0.1:{free_port()}/status.txt"
    status, body = _json(client)
    assert status == 503 and body["kannel"] == {"ok": False, "state": "Unavailable: Kannel status page does not answer"}


def test_a_survey_held_through_quiet_hours_is_not_an_old_outbox(client, all_well):
    """issue 13 item 6 × issue 16 item 4: a message not yet due (held until 08:00) is not late."""
    OutboxMessage.objects.create(to="13800138000", text="调查", template_key="survey",
                                 created_at=timezone.now() - dt.timedelta(hours=3),
                                 next_attempt_at=timezone.now() + dt.timedelta(hours=7))
    status, body = _json(client)
    assert status == 200 and body["sms_outbox"]["ok"], body
