"""JOB-7 in the job registry: `manage.py runjob monthly_close`, and a beat entry (1st of the month)."""

from portal.jobs import Job, register

register(
    Job(
        name="monthly_close",
        task="portal.kpi.tasks.monthly_close_task",
        description="JOB-7: freeze last month's KPI snapshot, arrears snapshot and performance ledger (monthly).",
        crontab="30 1 1 * *",
    )
)
