"""Benchmark: the SMS outbox through a real Kannel (SPEC SMS-1, SMS-2). Not a test.

    .venv/bin/python bench/sms_outbox.py [--n 2000] [--naive-n 500] [--concurrency 8] [--chunk 100]

Starts bearerbox + smsbox + fakesmsc with the test harness (tests/sms/kannel.py, the repository's
deploy/kannel/kannel.conf on free ports), a portal server thread for the delivery reports, and a
throw-away database (a temporary SQLite file, or `test_<name>` on DATABASE_URL's server). Then:

1. queues N Chinese messages with `sms_queue` in one transaction;
2. flushes them with `outbox_flush` (claims in chunks, parallel keep-alive sendsms calls, one
   UPDATE per chunk for the accepted rows) and waits until fakesmsc has them all and their
   delivery reports have come back;
3. for comparison, sends naive-N messages the naive way: one row per transaction and a new
   HTTP connection (no keep-alive) per message, one after the other.

Prints total times and messages/s. The gateway's own ceiling on loopback is about 1 000–1 350
sendsms calls/s (../shared/KANNEL.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["SMS_BACKEND"] = "kannel"

TEXT = (
    "【集团客户服务】{name}您好，感谢您接待客户经理张三丰的走访。"
    "请回复数字评价本次服务：1 非常满意，2 较好，3 一般，4 很差。"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="messages through the outbox (default 2000)")
    parser.add_argument("--naive-n", type=int, default=500, help="messages sent the naive way (default 500)")
    parser.add_argument("--concurrency", type=int, default=8, help="parallel sendsms connections (default 8)")
    parser.add_argument("--chunk", type=int, default=100, help="rows per claim (default 100)")
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn workers for the DLRs (default 2)"
    )
    parser.add_argument(
        "--dlr-mask", type=int, default=31, help="delivery reports requested (default 31 = all; 0 = none)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from tests.sms.kannel import KannelHarness, free_port, kannel_available, port_open

    ok, why = kannel_available()
    if not ok:
        sys.exit(f"Kannel is needed: {why}")

    tmp = Path(tempfile.mkdtemp(prefix="sms-bench-"))
    if connection.vendor == "sqlite":
        # A file, not memory: the portal thread receiving delivery reports has its own connection.
        # Two writers on one SQLite file need IMMEDIATE transactions (a deferred one that reads
        # first and writes later fails at once with "database is locked" instead of waiting) and
        # WAL (readers do not block the writer).
        db = settings.DATABASES["default"]
        db.setdefault("TEST", {})["NAME"] = str(tmp / "bench.sqlite3")
        db.setdefault("OPTIONS", {}).update(
            transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
        )
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: {connection.vendor} {db_name}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

    # The portal side of the delivery reports, served as in production: gunicorn on the same
    # database (Django's test server would add ~50 ms per request and throttle Kannel).
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "SMS_BACKEND": "kannel",
        "SMS_INBOUND_SECRET": settings.SMS_INBOUND_SECRET,
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.web_workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "gunicorn.log", "ab"),
    )
    wait_for("gunicorn", lambda: port_open(port), timeout=30)
    portal_url = f"http://127.0.0.1:{port}"

    harness = KannelHarness(workdir=tmp / "kannel", portal_url=portal_url, secret=settings.SMS_INBOUND_SECRET)
    try:
        harness.start()
        settings.KANNEL_SENDSMS_URL = harness.sendsms_url
        settings.KANNEL_USERNAME, settings.KANNEL_PASSWORD = harness.username, harness.password
        settings.SMS_DLR_BASE_URL = portal_url
        settings.KANNEL_CONCURRENCY = args.concurrency
        settings.SMS_FLUSH_CHUNK = args.chunk
        settings.KANNEL_DLR_MASK = args.dlr_mask
        run(args, harness)
    finally:
        harness.close()
        server.terminate()
        server.wait(10)
        connection.creation.destroy_test_db(db_name, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


def database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(what, predicate, timeout: float = 120) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            print(f"  (gave up waiting for {what} after {timeout:.0f} s)")
            break
        time.sleep(0.05)
    return time.monotonic()


def run(args, harness) -> None:
    import requests
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from portal.sms import services
    from portal.sms.backends import KannelBackend, OutgoingSms
    from portal.sms.models import OutboxMessage

    # The bench calls outbox_flush itself; no Celery broker is involved.
    services._enqueue_flush = lambda: None
    Status = OutboxMessage.Status
    n = args.n

    # 0. warm up: gunicorn workers booted, Kannel's connections open, delivery reports flowing
    with transaction.atomic():
        warm = [services.sms_queue(to=f"136{i:08d}", text=TEXT.format(name="预热")).pk for i in range(20)]
    services.outbox_flush()
    wait_for("warm-up", lambda: len(harness.received()) >= 20)
    if settings.KANNEL_DLR_MASK & 1:
        wait_for(
            "warm-up reports",
            lambda: OutboxMessage.objects.filter(pk__in=warm, status=Status.DELIVERED).count() == 20,
        )
    base = len(harness.received())
    OutboxMessage.objects.filter(pk__in=warm).delete()

    # 1. queue
    t0 = time.monotonic()
    with transaction.atomic():
        for i in range(n):
            services.sms_queue(to=f"139{i:08d}", text=TEXT.format(name=f"客户{i}"))
    t_queue = time.monotonic() - t0

    # 2. flush through the outbox
    t0 = time.monotonic()
    counts = services.outbox_flush(limit=n)
    t_flush = time.monotonic() - t0
    t_arrived = wait_for("fakesmsc", lambda: len(harness.received()) - base >= n) - t0
    t_delivered = (
        wait_for(
            "delivery reports",
            lambda: OutboxMessage.objects.filter(status=Status.DELIVERED).count() >= n,
            timeout=120 if args.dlr_mask & 1 else 0,
        )
        - t0
    )
    delivered = OutboxMessage.objects.filter(status=Status.DELIVERED).count()
    duplicates = len(harness.received()) - base - n

    # 3. naive: one row per transaction, a new connection per message
    naive_n = args.naive_n
    with transaction.atomic():
        naive_ids = [
            services.sms_queue(to=f"137{i:08d}", text=TEXT.format(name=f"对照{i}")).pk for i in range(naive_n)
        ]
    backend = KannelBackend()
    t0 = time.monotonic()
    for pk in naive_ids:
        with transaction.atomic():
            row = OutboxMessage.objects.select_for_update().get(pk=pk)
            response = requests.get(
                harness.sendsms_url,
                headers={"Connection": "close"},
                timeout=10,
                params=backend.params(OutgoingSms(id=row.pk, to=row.to, text=row.text)),
            )
            response.raise_for_status()
            row.status, row.sent_at, row.attempts = Status.SENT, timezone.now(), 1
            row.save(update_fields=["status", "sent_at", "attempts"])
    t_naive = time.monotonic() - t0

    rate = n / t_flush
    naive_rate = naive_n / t_naive
    print(f"outbox:  {n} messages queued in {t_queue:.2f} s ({n / t_queue:.0f}/s, one transaction)")
    print(
        f"         flushed in {t_flush:.2f} s = {rate:.0f} messages/s accepted by Kannel "
        f"(concurrency {args.concurrency}, chunk {args.chunk}; {counts})"
    )
    print(
        f"         all at fakesmsc after {t_arrived:.2f} s ({n / t_arrived:.0f}/s end to end); "
        f"{delivered}/{n} delivered by DLR after {t_delivered:.2f} s; duplicates at the handset: {duplicates}"
    )
    print(
        f"naive:   {naive_n} messages, one transaction + one new HTTP connection each: {t_naive:.2f} s "
        f"= {naive_rate:.0f} messages/s"
    )
    print(f"ratio:   outbox flush is {rate / naive_rate:.1f}x the naive rate")


if __name__ == "__main__":
    main()
