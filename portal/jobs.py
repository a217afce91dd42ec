"""Every scheduled job in one place (SPEC JOB-*): name, task, default schedule.

`manage.py setup_schedules` stores them with django-celery-beat's database scheduler, where an
administrator can change times in the admin site (existing rows are left as the admin set them).
`manage.py runjob NAME` runs one now, in this process, and prints what it touched.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted name of the Celery task; the task returns a dict of counts
    description: str
    crontab: str | None = None  # "minute hour day_of_month month_of_year day_of_week"
    every_minutes: int | None = None


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


register(Job(
    name="security_housekeeping",
    task="portal.tasks.security_housekeeping",
    description="Remove expired login-failure records so lock-outs end on time (daily).",
    crontab="30 3 * * *",
))
