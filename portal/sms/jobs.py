"""The outbox flush as a scheduled job (SPEC SMS-1): beat runs it every minute as a safety net;
normally the on-commit task of `sms_queue` (portal.sms.tasks.flush_outbox) has already sent the
rows. The scheduled run has a task of its own, made by the registry, so that it takes the job's
lock and leaves a JobRun; the on-commit flushes stay unlocked (their rows are claimed one by one)."""

from portal.jobs import Job, register

register(
    Job(
        name="sms_outbox_flush",
        task="portal.sms.jobs.sms_outbox_flush",
        func="portal.sms.services.outbox_flush",
        description="Send due SMS from the outbox, retry failed sends with back-off (every minute).",
        every_minutes=1,
    )
)
