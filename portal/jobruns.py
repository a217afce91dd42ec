"""Recording job runs and keeping a job from running twice at once (JOB-4..7).

`with job_run("credit_control") as run:` takes a lock named after the job — a PostgreSQL advisory
lock when the database is PostgreSQL (held by this session, released even if the process dies),
otherwise an atomic `cache.add` with a timeout — and records a JobRun row with the counts the
body puts in `run.counts`. A second concurrent run finds the lock taken, records itself as
skipped and does nothing.
"""
from __future__ import annotations

import contextlib
import hashlib
import traceback
from collections.abc import Iterator

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .models import JobRun


class JobSkipped(Exception):
    pass


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha1(name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def _lock(name: str, ttl: int = 3600) -> Iterator[bool]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(name)])
            got = cur.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(name)])
    else:
        key = f"job-lock:{name}"
        got = cache.add(key, timezone.now().isoformat(), ttl)
        try:
            yield got
        finally:
            if got:
                cache.delete(key)


@contextlib.contextmanager
def job_run(name: str) -> Iterator[JobRun]:
    with _lock(name) as got:
        if not got:
            JobRun.objects.create(name=name, status=JobRun.Status.SKIPPED, finished_at=timezone.now())
            raise JobSkipped(name)
        run = JobRun.objects.create(name=name)
        try:
            yield run
        except Exception:
            run.status, run.error, run.finished_at = JobRun.Status.FAILED, traceback.format_exc()[-4000:], timezone.now()
            run.save()
            raise
        run.status, run.finished_at = JobRun.Status.DONE, timezone.now()
        run.save()
