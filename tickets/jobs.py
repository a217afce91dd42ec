from portal.jobs import Job, register

register(Job(name="ticket_sla_sweep", task="tickets.tasks.sla_sweep_task",
             description="JOB-3: SLA breaches and escalations, phone-participation revisit deadlines (every 5 min).",
             every_minutes=5, func="tickets.sla.sla_sweep"))
