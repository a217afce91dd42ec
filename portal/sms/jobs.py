"""The outbox flush as a scheduled job (SPEC SMS-1): beat runs it every minute as a safety net;
normally the on-commit task of `sms_queue` has already sent the rows."""

from portal.jobs import Job, register

register(
    Job(
        name="sms_outbox_flush",
        task="portal.sms.tasks.flush_outbox",
        description="Send due SMS from the outbox, retry failed sends with back-off (every minute).",
        every_minutes=1,
    )
)
