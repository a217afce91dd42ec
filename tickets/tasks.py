# ticket_sla_sweep's Celery task ("tickets.tasks.sla_sweep_task") is made by the job registry from
# tickets/jobs.py (portal.jobs.register), which runs tickets.sla.sla_sweep under its lock and records it.
