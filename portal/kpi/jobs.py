"""JOB-7 in the job registry (`manage.py runjob monthly_close`, 1st of the month), and the refresh of
the current month's whole-portfolio counts that keeps the live dashboard under a second."""

from portal.jobs import Job, register

register(
    Job(
        name="monthly_close",
        task="portal.kpi.tasks.monthly_close_task",
        description="JOB-7: freeze last month's KPI snapshot, arrears snapshot and performance ledger (monthly).",
        crontab="30 1 1 * *",
        func="portal.kpi.tasks.monthly_close",
    )
)
register(Job(
    name="kpi_live_refresh",
    task="portal.kpi.tasks.live_refresh_task",
    description="KPI-1: recount the whole-portfolio figures of the current month for the dashboards (every 5 min).",
    every_minutes=5,
    func="portal.kpi.tasks.live_refresh",
    rewrites=True,  # replaces the open months' provisional rows on every run
))
