"""Running an import job: read the file within limits, check every row, then apply all rows in one
transaction or none; progress in the cache, stale jobs expired (SPEC GC-8, issue 12 item 8)."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..import_files import read_table
from ..models import ImportJob
from .cells import RowError, _text
from .kinds import KINDS, Kind, Lookups

logger = logging.getLogger(__name__)


def _header_map(kind: Kind, header: Iterable[Any]) -> tuple[dict[int, str], list[str]]:
    names = {}
    for c in kind.columns:
        for alias in (c.key, c.zh, c.en):
            names[alias.strip().lower()] = c.key
    mapping = {}
    for i, h in enumerate(header):
        key = names.get(_text(h).rstrip("*").strip().lower())
        if key:
            mapping[i] = key
    missing = [c.zh + " / " + c.en for c in kind.columns if c.required and c.key not in mapping.values()]
    return mapping, missing


def read_rows(kind: Kind, fileobj, filename: str, *, progress=None) -> list[dict[str, Any]]:
    """The data rows as dicts keyed by column key. Raises ValueError with a message on a bad file,
    or one over the row/cell limits (counted while reading: groupclients.import_files)."""
    table = read_table(fileobj, filename, progress=progress)
    if not table:
        raise ValueError(_("The file is empty."))
    mapping, missing = _header_map(kind, table[0])
    if missing:
        raise ValueError(_("Missing required columns: %(c)s") % {"c": "; ".join(missing)})
    rows = []
    for line in table[1:]:
        if all(_text(v) == "" for v in line):
            continue
        rows.append({key: (line[i] if i < len(line) else None) for i, key in mapping.items()})
    return rows


def validate(kind: Kind, rows: list[dict], user: User, writable_groups, *,
             progress=None) -> tuple[list, list[dict]]:
    """Check every row; returns (built objects, errors). Row numbers count the header as row 1."""
    lk = Lookups(user, writable_groups)
    built, errors, seen = [], [], {}
    dedupe_field = {"groups": "code", "sites": None, "contacts": "mobile", "members": "mobile"}[kind.key]
    for n, row in enumerate(rows, start=2):
        if progress is not None and (n - 2) % 500 == 0 and n > 2:
            progress(n - 2)  # rows checked so far
        try:
            obj, is_new = kind.build(row, lk)
            if dedupe_field:
                key = _text(row.get(dedupe_field))
                if key and key in seen:
                    raise RowError({dedupe_field: [_("Same value as row %(r)d.") % {"r": seen[key]}]})
                if key:
                    seen[key] = n
            built.append((n, obj, is_new))
        except RowError as e:
            errors.append({"row": n, "errors": {k: [str(m) for m in v] for k, v in e.errors.items()}})
    return built, errors


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_publish(job: ImportJob, done: int, total: int | None = None, phase: str = "") -> None:
    """Progress for the page, and the heartbeat that tells a running import from a stale one."""
    cache.set(progress_key(job.pk), {"done": done, "total": total if total is not None else job.total_rows,
                                     "phase": phase, "at": time.time()}, 24 * 3600)


RUNNING = (ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING)


def import_expire_if_stale(job: ImportJob) -> ImportJob:
    """An import still checking/applying with no progress for settings.IMPORT_STALE_MINUTES (its
    worker died, the task was lost or never ran) ends as failed with a message, instead of showing
    "checking" for ever (issue 12 item 8). A conditional update: a live run is never overwritten,
    and the apply re-checks its status inside its transaction before it commits."""
    if job.status not in RUNNING:
        return job
    beat = (cache.get(progress_key(job.pk)) or {}).get("at")
    last = beat if beat is not None else job.created_at.timestamp()
    minutes = int(settings.IMPORT_STALE_MINUTES)
    if time.time() - last < minutes * 60:
        return job
    message = _("The import made no progress for %(m)d minutes and was stopped; nothing was applied. "
                "Upload the file again.") % {"m": minutes}
    errors = [{"row": 0, "errors": {"file": [message]}}]
    if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now()):
        logger.warning("import %s expired while %s", job.pk, job.status)
    job.refresh_from_db()
    return job


def _finish(job: ImportJob, was: str, **fields) -> ImportJob:
    """Write the outcome unless the job stopped being `was` meanwhile (expired as stale)."""
    ImportJob.objects.filter(pk=job.pk, status=was).update(**fields)
    job.refresh_from_db()
    return job


def run_import(job: ImportJob, *, apply: bool) -> ImportJob:
    """Dry run (apply=False) or apply (apply=True) of one import job. All rows or none.

    Runs in a Celery task (groupclients.tasks.import_run), never needs the web worker; publishes
    progress while reading, checking and applying; any failure ends the job as failed with a
    message, never left "checking" (issue 12 item 8)."""
    was = ImportJob.Status.APPLYING if apply else ImportJob.Status.VALIDATING
    try:
        return _run_import(job, apply=apply, was=was)
    except Exception as e:  # whatever went wrong, the job ends and says so
        logger.exception("import %s failed", job.pk)
        return _finish(job, was, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                       errors=[{"row": 0, "errors": {"file": [_("The import failed: %(e)s") % {
                           "e": str(e)[:300] or e.__class__.__name__}]}}])


def _run_import(job: ImportJob, *, apply: bool, was: str) -> ImportJob:
    from ..selectors import groups_in_scope

    kind = KINDS[job.kind]
    user = job.created_by
    progress_publish(job, 0, 0, "reading")
    with job.file.open("rb") as fh:
        try:
            rows = read_rows(kind, fh, job.original_name,
                             progress=lambda n: progress_publish(job, n, 0, "reading"))
        except ValueError as e:
            return _finish(job, was, status=ImportJob.Status.INVALID if not apply else ImportJob.Status.FAILED,
                           errors=[{"row": 1, "errors": {"file": [str(e)]}}], finished_at=timezone.now())
    job.total_rows = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
    progress_publish(job, 0, job.total_rows, "checking")
    if getattr(kind, "bulk", False):
        return _run_bulk(job, kind, rows, apply=apply)

    def checking(n):
        progress_publish(job, n, job.total_rows, "checking")

    if not apply:
        built, errors = validate(kind, rows, user, groups_in_scope(user, "write"), progress=checking)
        created = sum(1 for _n, _o, new in built if new)
        return _finish(job, was, errors=errors, total_rows=job.total_rows, created_count=created,
                       updated_count=len(built) - created,
                       status=ImportJob.Status.INVALID if errors else ImportJob.Status.VALID)
    errors = []
    try:
        with transaction.atomic():
            # validate again inside the transaction: the data may have changed since the dry run
            built, errors = validate(kind, rows, user, groups_in_scope(user, "write"), progress=checking)
            if errors:
                raise RowError({"rows": [str(len(errors))]})
            for i, (_n, obj, is_new) in enumerate(built, start=1):
                kind.save(obj, is_new, user)
                if i % 50 == 0 or i == len(built):
                    progress_publish(job, i, len(built), "applying")
            # still ours? (not expired as stale meanwhile) — else roll every row back
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=was).exists():
                raise RowError({"apply": [_("The import was stopped.")]})
    except RowError:
        return _finish(job, was, status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now())
    except (ValidationError, Exception) as e:  # any failure rolls every row back
        return _finish(job, was, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                       errors=[{"row": 0, "errors": {"apply": [str(e)]}}])
    created = sum(1 for _n, _o, new in built if new)
    return _finish(job, was, status=ImportJob.Status.APPLIED, created_count=created,
                   updated_count=len(built) - created, finished_at=timezone.now())


def _run_bulk(job: ImportJob, kind: Kind, rows: list[dict], *, apply: bool) -> ImportJob:
    from portal.exceptions import ApplicationError

    class _DryRun(Exception):
        pass

    result = {}
    try:
        with transaction.atomic():
            result = kind.run(rows, job.created_by)
            if not apply:
                raise _DryRun
    except _DryRun:
        job.status, job.errors = ImportJob.Status.VALID, []
    except ApplicationError as e:
        job.status = ImportJob.Status.INVALID if not apply else ImportJob.Status.FAILED
        job.errors = [{"row": err["row"] + 1, "errors": err["errors"]} for err in e.extra.get("errors", [])] or \
            [{"row": 0, "errors": {"file": [e.message]}}]
    except RowError as e:
        job.status, job.errors = ImportJob.Status.INVALID, [{"row": 0, "errors": e.errors}]
    else:
        job.status = ImportJob.Status.APPLIED
    was = ImportJob.Status.APPLYING if apply else ImportJob.Status.VALIDATING
    return _finish(job, was, status=job.status, errors=job.errors, total_rows=job.total_rows,
                   created_count=result.get("created", result.get("upserted", 0)),
                   updated_count=result.get("updated", 0), finished_at=timezone.now() if apply else None)
