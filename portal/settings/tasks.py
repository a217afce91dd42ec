"""Celery: Redis as broker when REDIS_URL is set, otherwise kombu's filesystem transport.

The filesystem transport needs no server: web, worker and beat on one machine exchange messages
through files under var/broker/. It is for `make run` on a laptop; production uses Redis.
"""
from .env import BASE_DIR, env

REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = BASE_DIR / "var" / "broker"

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport needs its folders to exist in every process that uses it
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # broadcast (pidbox) files, not in the checkout
        "store_processed": False,
    }

# Results are not used: tasks record their outcome in the database (job runs, outbox rows).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = CELERY_TASK_ALWAYS_EAGER
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
