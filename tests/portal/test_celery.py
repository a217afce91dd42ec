"""The broker really carries a task: Redis when REDIS_URL is set (CI), the filesystem transport otherwise."""
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from portal.celery import app
from portal.tasks import ping


@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_the_broker(settings):
    app.conf.task_always_eager = False
    token = uuid.uuid4().hex
    # a queue of its own, so a worker of `make run` on the same broker cannot take the message
    queue = f"test-{token}"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]):
        ping.apply_async(args=[token], queue=queue)
        import time

        deadline = time.monotonic() + 60  # a loaded 2-core machine starts the worker slowly
        while time.monotonic() < deadline and cache.get(f"celery-ping:{token}") is None:
            time.sleep(0.1)
    assert cache.get(f"celery-ping:{token}") == "pong"
    expected = "redis" if settings.REDIS_URL else "filesystem"
    assert app.connection().transport_cls == expected or expected in str(app.conf.broker_url)


def test_runjob_lists_and_runs(db, capsys):
    from django.core.management import call_command

    call_command("runjob", "--list")
    assert "security_housekeeping" in capsys.readouterr().out
    call_command("runjob", "security_housekeeping")
    assert '"expired_login_failures_deleted": 0' in capsys.readouterr().out


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    from accounts.models import OrgUnit, User

    call_command("seed_demo")
    counts = (User.objects.count(), OrgUnit.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), OrgUnit.objects.count()) == counts
    assert OrgUnit.objects.filter(level="branch").count() >= 2
    assert OrgUnit.objects.filter(level="unit").count() >= 4
    for name in ("admin", "am1", "am2", "mm1", "agent1", "leader1", "manager1", "quality1", "analyst1"):
        assert User.objects.get(username=name).check_password("demo12345")
    assert User.objects.get(username="mm1").unit == User.objects.get(username="am1").unit
    assert User.objects.get(username="am2").unit != User.objects.get(username="am1").unit
