from celery import shared_task


@shared_task(name="tickets.tasks.sla_sweep_task")
def sla_sweep_task() -> dict:
    from .sla import sla_sweep

    return sla_sweep()
