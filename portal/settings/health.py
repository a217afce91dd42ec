"""Health checks (issue 13 item 6): thresholds of /health/ and of the admin index's warnings."""
from .env import env

HEALTH_OUTBOX_MAX_AGE_MINUTES = env.int("HEALTH_OUTBOX_MAX_AGE_MINUTES", default=15)  # oldest due SMS unsent
HEALTH_GATEWAY_WINDOW_MINUTES = env.int("HEALTH_GATEWAY_WINDOW_MINUTES", default=15)  # refusals counted since
HEALTH_BEAT_MAX_SILENCE_MINUTES = env.int("HEALTH_BEAT_MAX_SILENCE_MINUTES", default=10)  # beat sends every minute
HEALTH_JOB_GRACE_MINUTES = env.int("HEALTH_JOB_GRACE_MINUTES", default=30)  # a job is late past its slot + this
HEALTH_CELERY_TIMEOUT_SECONDS = env.float("HEALTH_CELERY_TIMEOUT_SECONDS", default=2.0)
KANNEL_STATUS_URL = env.str("KANNEL_STATUS_URL", default="http://127.0.0.1:13000/status.txt?password=portal-status")
