from celery import shared_task


@shared_task(name="groupclients.tasks.import_run")
def import_run(job_id: int, apply: bool) -> dict:
    from .models import ImportJob
    from .transfer import run_import

    job = run_import(ImportJob.objects.select_related("created_by").get(pk=job_id), apply=apply)
    return {"job": job.pk, "status": job.status, "errors": len(job.errors)}


@shared_task(name="groupclients.tasks.refresh_quality_all")
def refresh_quality_all() -> dict:
    from .services import groups_refresh_quality_all

    return {"groups_changed": groups_refresh_quality_all()}

# The scheduled jobs (credit_control_task, retention_*_task, key_moments_task) are Celery tasks made by
# the job registry from groupclients/billing/jobs.py (portal.jobs.register): one lock and one JobRun each.
