"""Issue 13 item 2: every registered job holds a lock (a concurrent second run skips and says so) and
leaves a JobRun whose counts are what it changed — done once, by the registry (portal.jobs /
portal.jobruns), for every job of `runjob --list` (SPEC JOB-1..7)."""
from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal.jobruns import _lock_key, run_job
from portal.jobs import JOBS, job_task
from portal.models import JobRun
from portal.sms.models import OutboxMessage

pytestmark = pytest.mark.django_db

ALL_JOBS = sorted(JOBS)
# the seven jobs that had no lock or no record before issue 13
WERE_MISSING = ["visit_frequency_warnings", "survey_housekeeping", "care_greetings", "ticket_sla_sweep",
                "kpi_live_refresh", "sms_outbox_flush", "security_housekeeping"]


@contextlib.contextmanager
def held_elsewhere(name: str):
    """The job's lock, held by another process would hold it: a second PostgreSQL session's advisory
    lock, or the cache key on SQLite."""
    if connection.vendor == "postgresql":
        import psycopg

        s = connection.settings_dict
        other = psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"],
                                password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)
        try:
            assert other.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(name)]).fetchone()[0]
            yield
        finally:
            other.close()
    else:
        assert cache.add(f"job-lock:{name}", "elsewhere", 60)
        try:
            yield
        finally:
            cache.delete(f"job-lock:{name}")


def test_issue13_item2_the_registry_lists_twelve_jobs_each_with_a_function():
    """issue 13 item 2: `runjob --list` is the registry; every job names the function doing its work."""
    assert set(WERE_MISSING) <= set(JOBS) and len(JOBS) == 12
    assert all(job.func for job in JOBS.values())


@pytest.mark.parametrize("name", ALL_JOBS)
def test_issue13_item2_a_second_concurrent_run_skips_and_says_so(name, org, monkeypatch):
    """issue 13 item 2: while another run holds a job's lock, the job's Celery task (what beat sends)
    and `runjob` do nothing, say they skipped, and record a skipped JobRun."""
    from django.utils.module_loading import import_string

    calls = []
    func = import_string(JOBS[name].func)
    module, attr = JOBS[name].func.rsplit(".", 1)
    monkeypatch.setattr(f"{module}.{attr}", lambda *a, **k: calls.append(1) or func(*a, **k))
    with held_elsewhere(name):
        result = job_task(name).apply().get()
        assert result == {"skipped": "another run holds the lock"}
        call_command("runjob", name)
    assert calls == []
    runs = JobRun.objects.filter(name=name)
    assert runs.count() == 2 and {r.status for r in runs} == {JobRun.Status.SKIPPED}
    assert all(r.finished_at for r in runs)


@pytest.mark.parametrize("name", ALL_JOBS)
def test_issue13_item2_every_run_leaves_a_job_run_with_its_counts(name, org, capsys):
    """issue 13 item 2: every job, run by `runjob`, leaves one JobRun (done, finished) whose counts are
    what runjob printed; the lock is free afterwards (a second run runs)."""
    call_command("runjob", name)
    printed = json.loads(capsys.readouterr().out)["result"]
    run = JobRun.objects.get(name=name)
    assert run.status == JobRun.Status.DONE and run.finished_at and run.error == ""
    assert printed.pop("job_run") == run.pk
    assert run.counts == printed
    run_job(name)
    assert JobRun.objects.filter(name=name, status=JobRun.Status.DONE).count() == 2


def test_issue13_item2_a_failing_job_is_recorded_and_frees_its_lock(org, monkeypatch):
    """issue 13 item 2: a job that raises leaves a failed JobRun with the error; the next run runs."""
    def boom(**kwargs):
        raise RuntimeError("gateway exploded")

    monkeypatch.setattr("tickets.sla.sla_sweep", boom)
    with pytest.raises(RuntimeError):
        run_job("ticket_sla_sweep")
    run = JobRun.objects.get(name="ticket_sla_sweep")
    assert run.status == JobRun.Status.FAILED and "gateway exploded" in run.error
    monkeypatch.undo()
    assert "skipped" not in run_job("ticket_sla_sweep")


def test_issue13_item2_care_greetings_reports_messages_queued_not_matches(book, people):
    """issue 13 item 2 (RET-6): care_greetings counts the greetings it queued: a contact greeted
    earlier today is not counted again, and a second run reports 0."""
    from tests.factories import ContactFactory

    today = timezone.localdate()
    bday = today.replace(year=1980)
    first = ContactFactory(group=book["g1"], type="decision_maker", mobile="13711110001", birthday=bday)
    ContactFactory(group=book["g1"], type="dept_head", mobile="13711110002", birthday=bday)
    from portal.sms.services import sms_queue

    sms_queue(to=first.mobile, text="生日快乐", dedupe_key=f"birthday:{first.pk}:{today.year}")
    result = run_job("care_greetings")
    assert result["birthday"] == 1 and OutboxMessage.objects.count() == 2
    assert JobRun.objects.get(pk=result["job_run"]).counts["birthday"] == 1
    again = run_job("care_greetings")
    assert again["birthday"] == 0 and OutboxMessage.objects.count() == 2


def test_issue13_item2_visit_warnings_report_digests_queued(book, people):
    """issue 13 item 2 (JOB-1): a second run the same day queues no digest and reports 0 warned."""
    from groupclients.models import GroupCustomer

    for key, mobile in (("am1", "13700000111"), ("leader1", "13700000222")):
        people[key].mobile = mobile
        people[key].save()
    GroupCustomer.objects.filter(pk=book["g1"].pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    first = run_job("visit_frequency_warnings")
    assert first["ams_warned"] >= 1 and first["supervisors_warned"] == 1
    second = run_job("visit_frequency_warnings")
    assert second["ams_warned"] == 0 and second["supervisors_warned"] == 0


def test_issue13_item2_the_on_commit_flush_is_not_held_by_the_job_lock(org):
    """issue 13 item 2: only the scheduled sms_outbox_flush takes the job's lock; the flush queued after
    each commit (portal.sms.tasks.flush_outbox) still sends while a scheduled flush runs."""
    from portal.sms.services import sms_queue
    from portal.sms.tasks import flush_outbox

    sms_queue(to="13800138000", text="不被锁住")
    with held_elsewhere("sms_outbox_flush"):
        assert run_job("sms_outbox_flush") == {"skipped": "another run holds the lock"}
        assert flush_outbox.apply().get()["sent"] == 1


def test_issue13_item2_setup_schedules_points_the_flush_at_its_locked_task(db, capsys):
    """issue 13 item 2: an existing beat row of sms_outbox_flush (the old, unlocked task) is pointed at
    the job's task; its schedule is kept."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every2 = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="sms_outbox_flush", task="portal.sms.tasks.flush_outbox", interval=every2)
    call_command("setup_schedules")
    row = PeriodicTask.objects.get(name="sms_outbox_flush")
    assert row.task == JOBS["sms_outbox_flush"].task == "portal.sms.jobs.sms_outbox_flush"
    assert row.interval == every2
    assert set(PeriodicTask.objects.values_list("task", flat=True)) >= {j.task for j in JOBS.values()}
