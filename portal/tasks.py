from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def expire_login_failures() -> dict:
    """The security_housekeeping job (portal.jobs): login-failure records past the cool-off go."""
    from axes.models import AccessAttempt

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return {"expired_login_failures_deleted": deleted}


@shared_task(name="portal.tasks.ping")
def ping(token: str) -> str:
    """Round trip through the broker, used by the health check and its test."""
    cache.set(f"celery-ping:{token}", "pong", 60)
    return "pong"
