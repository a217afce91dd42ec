"""What an administrator and a load balancer see of failures (issue 13 item 6).

`/health/` (django-health-check) answers 200 when every component is well and 503 otherwise, as
JSON (`Accept: application/json` or `?format=json`), text or HTML. Unauthenticated: it names each
component and its state with a short reason (a job's name, an age in minutes) — never a recipient,
a text or a host. The same problems are shown on the admin index (`problems()`).

Components: database, cache, Redis (when REDIS_URL is set), Celery workers (ping), beat's last tick
(django-celery-beat's newest `last_run_at`), Kannel's status page (when SMS_BACKEND is kannel), the
outbox's oldest due message, messages the gateway refused lately, and the jobs: the latest run of a
job failed, or it has not run since its schedule said it should (plus a grace period).
Thresholds: settings in portal/settings/health.py (environment variables).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.utils import timezone
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def job_problems(now: dt.datetime | None = None) -> list[str]:
    """Jobs whose latest run failed, or that have not run on time."""
    from celery.schedules import crontab

    from portal.jobs import JOBS
    from portal.models import JobRun

    now = now or timezone.now()
    grace = dt.timedelta(minutes=settings.HEALTH_JOB_GRACE_MINUTES)
    first = JobRun.objects.order_by("started_at").values_list("started_at", flat=True).first()
    out = []
    for job in JOBS.values():
        last = (JobRun.objects.filter(name=job.name).exclude(status=JobRun.Status.SKIPPED)
                .order_by("-started_at").first())
        if last is not None and last.status == JobRun.Status.FAILED:
            out.append(f"job {job.name} failed at {timezone.localtime(last.started_at):%Y-%m-%d %H:%M}")
            continue
        if last is not None and last.status == JobRun.Status.RUNNING:
            continue  # a run in progress; a dead one shows as late at its next slot
        since = last.started_at if last is not None else first  # never run: late once jobs have been running
        if since is None:
            continue
        if job.every_minutes:
            due = since + dt.timedelta(minutes=job.every_minutes)
        else:
            minute, hour, dom, month, dow = job.crontab.split()
            sched = crontab(minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow,
                            nowfun=lambda: now)
            due = now + sched.remaining_estimate(since)
        if now > due + grace:
            out.append(f"job {job.name} has not run since {timezone.localtime(since):%Y-%m-%d %H:%M} "
                       f"({_minutes(now - due)} min late)")
    return out


def outbox_problems(now: dt.datetime | None = None) -> list[str]:
    """The oldest due SMS waiting longer than allowed; messages the gateway refused lately."""
    from portal.sms.models import OutboxMessage

    now = now or timezone.now()
    out = []
    # Only what is due: a survey held through quiet hours (issue 16 item 4) or a row waiting for its
    # back-off is not late (refused sends are reported below).
    waiting = OutboxMessage.objects.filter(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
                                           next_attempt_at__lte=now)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is not None and now - oldest > dt.timedelta(minutes=settings.HEALTH_OUTBOX_MAX_AGE_MINUTES):
        out.append(f"outbox: oldest unsent SMS waits {_minutes(now - oldest)} min "
                   f"(limit {settings.HEALTH_OUTBOX_MAX_AGE_MINUTES})")
    since = now - dt.timedelta(minutes=settings.HEALTH_GATEWAY_WINDOW_MINUTES)
    # refused: a send attempt in the window ended in an error (retrying or failed), not in "sent"
    refused = OutboxMessage.objects.filter(claimed_at__gte=since, attempts__gt=0).exclude(last_error="").filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED]).count()
    if refused:
        out.append(f"SMS gateway refused {refused} messages in the last {settings.HEALTH_GATEWAY_WINDOW_MINUTES} min")
    return out


def beat_problems(now: dt.datetime | None = None) -> list[str]:
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    last = PeriodicTask.objects.filter(enabled=True).exclude(last_run_at=None).order_by("-last_run_at").values_list(
        "last_run_at", flat=True).first()
    if last is None:
        return ["beat: no scheduled job has been sent yet"]
    if now - last > dt.timedelta(minutes=settings.HEALTH_BEAT_MAX_SILENCE_MINUTES):
        return [f"beat: last tick {_minutes(now - last)} min ago"]
    return []


def problems() -> list[str]:
    """Every failure an administrator should see now (the admin index); cheap: database reads only."""
    return [*job_problems(), *outbox_problems(), *beat_problems()]


def _raise(found: list[str], *, warning: bool = False) -> None:
    if found:
        raise (ServiceWarning if warning else ServiceUnavailable)("; ".join(found))


@dataclasses.dataclass
class Jobs(HealthCheck):
    def run(self):
        _raise(job_problems())


@dataclasses.dataclass
class Outbox(HealthCheck):
    def run(self):
        _raise(outbox_problems())


@dataclasses.dataclass
class Beat(HealthCheck):
    def run(self):
        _raise(beat_problems())


@dataclasses.dataclass
class Kannel(HealthCheck):
    """bearerbox's status page answers and no SMSC is down (only with SMS_BACKEND=kannel)."""

    def run(self):
        import requests

        try:
            r = requests.get(settings.KANNEL_STATUS_URL, timeout=3)
        except requests.RequestException as e:
            raise ServiceUnavailable("Kannel status page does not answer") from e
        if r.status_code != 200:
            raise ServiceUnavailable(f"Kannel status page answered {r.status_code}")
        if "running" not in r.text[:400]:
            raise ServiceUnavailable("bearerbox is not running")
        if "(dead" in r.text or "(re-connecting" in r.text or "(connecting" in r.text:
            raise ServiceUnavailable("an SMSC connection is down")


@dataclasses.dataclass
class Workers(HealthCheck):
    """Celery workers answer a ping (health_check.contrib.celery.Ping, with the portal's timeout)."""

    def run(self):
        from health_check.contrib.celery import Ping

        from portal.celery import app

        Ping(app=app, timeout=dt.timedelta(seconds=settings.HEALTH_CELERY_TIMEOUT_SECONDS)).run()


def checks() -> list:
    found = ["health_check.checks.Database", "health_check.checks.Cache", Workers, Beat, Jobs, Outbox]
    if settings.REDIS_URL:
        found.insert(2, (f"{__name__}.RedisPing", {}))
    if settings.SMS_BACKEND == "kannel":
        found.append(Kannel)
    return found


@dataclasses.dataclass
class RedisPing(HealthCheck):
    """The broker's Redis answers (REDIS_URL); its address is not shown."""

    def run(self):
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
        except redis.RedisError as e:
            raise ServiceUnavailable("Redis does not answer") from e


NAMES = {"Database": "database", "Cache": "cache", "RedisPing": "redis", "Workers": "celery_workers",
         "Beat": "celery_beat", "Jobs": "jobs", "Outbox": "sms_outbox", "Kannel": "kannel"}


class HealthView(HealthCheckView):
    """/health/: 200 when all is well, 503 otherwise (what a load balancer expects).

    Synchronous, unlike the library's async view: the checks read the database through the ORM,
    which must run in the request's own thread (and, in tests, in the test's transaction)."""

    def get_checks(self):
        self.checks = checks()
        return super().get_checks()

    def dispatch(self, request, *args, **kwargs):
        from django.utils.cache import add_never_cache_headers, patch_vary_headers
        from django.views.generic import View

        response = View.dispatch(self, request, *args, **kwargs)
        patch_vary_headers(response, ["Accept"])
        add_never_cache_headers(response)
        return response

    def _result(self, check) -> HealthCheckResult:
        import inspect
        import logging
        import timeit

        from asgiref.sync import async_to_sync
        from health_check.exceptions import HealthCheckException

        start = timeit.default_timer()
        try:
            async_to_sync(check.run)() if inspect.iscoroutinefunction(check.run) else check.run()
            error = None
        except HealthCheckException as e:
            error = e
        except Exception:
            logging.getLogger(__name__).exception("health check %s", type(check).__name__)
            error = ServiceUnavailable("unknown error")
        return HealthCheckResult(check=check, error=error, time_taken=timeit.default_timer() - start)

    def get(self, request, *args, **kwargs):
        self.results = [self._result(c) for c in self.get_checks()]
        status = 503 if any(r.error for r in self.results) else 200
        wanted = request.GET.get("format") or ""
        accept = request.headers.get("accept", "*/*")
        if wanted == "json" or (not wanted and "json" in accept):
            return self.render_to_response_json(status)
        if wanted == "text" or (not wanted and accept.startswith("text/plain")):
            return self.render_to_response_text(status)
        return self.render_to_response(self.get_context_data(**kwargs), status=status)

    def render_to_response_json(self, status):
        from django.http import JsonResponse

        return JsonResponse({_name(r.check): {"ok": r.error is None, "state": _state(r)} for r in self.results},
                            status=status)

    def render_to_response_text(self, status):
        from django.http import HttpResponse

        lines = "".join(f"{_name(r.check)}: {_state(r)}\n" for r in self.results)
        return HttpResponse(lines, content_type="text/plain; charset=utf-8", status=status)


def _name(check) -> str:
    return NAMES.get(type(check).__name__, type(check).__name__)


def _state(result) -> str:
    return "OK" if result.error is None else str(result.error)
