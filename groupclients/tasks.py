"""Celery tasks of the customer file: thin, they take ids and call a service or the import.

The top of the app's layers (issue 14 item 2): tasks import services and transfer; neither imports
tasks. A service that wants background work sends a signal answered here (connected when
GroupclientsConfig.ready imports this module)."""
from celery import shared_task
from django.dispatch import receiver

from .models import ImportJob
from .services import groups_refresh_quality_all
from .services.quality import quality_refresh_requested
from .transfer import run_import


@shared_task(name="groupclients.tasks.import_run")
def import_run(job_id: int, apply: bool) -> dict:
    job = run_import(ImportJob.objects.select_related("created_by").get(pk=job_id), apply=apply)
    return {"job": job.pk, "status": job.status, "errors": len(job.errors)}


@shared_task(name="groupclients.tasks.refresh_quality_all")
def refresh_quality_all() -> dict:
    return {"groups_changed": groups_refresh_quality_all()}


@receiver(quality_refresh_requested, dispatch_uid="groupclients.refresh_quality_all")
def _refresh_quality_all_later(sender, **kwargs) -> None:
    refresh_quality_all.delay()

# The scheduled jobs (credit_control_task, retention_*_task, key_moments_task) are Celery tasks made by
# the job registry from groupclients/billing/jobs.py (portal.jobs.register): one lock and one JobRun each.
