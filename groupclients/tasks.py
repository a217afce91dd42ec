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


@shared_task(name="groupclients.tasks.credit_control_task")
def credit_control_task() -> dict:
    from .jobs import credit_control

    return credit_control()


@shared_task(name="groupclients.tasks.retention_daily_task")
def retention_daily_task() -> dict:
    from .jobs import retention_daily

    return retention_daily()


@shared_task(name="groupclients.tasks.retention_monthly_task")
def retention_monthly_task() -> dict:
    from .jobs import retention_monthly

    return retention_monthly()


@shared_task(name="groupclients.tasks.key_moments_task")
def key_moments_task() -> dict:
    from .jobs import key_moments

    return key_moments()
