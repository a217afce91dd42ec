"""issue 13 item 4: no double send hidden behind delivery reports (SPEC SMS-1).

A row whose send may have reached Kannel is never sent again automatically: a read time-out or a
worker that died holding the claim leaves it "unknown" (not "pending"), a delivery report settles
it, an operator may send it again. And settings under which a healthy worker's claim could expire
mid-send are refused at start-up (system check sms.E001) and by the flush itself.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from portal.sms.checks import check_sending_timeout
from portal.sms.models import OutboxMessage
from portal.sms.services import outbox_flush, outbox_retry, sms_queue, sms_record_dlr

Status = OutboxMessage.Status


class SlowSendsms:
    """A sendsms that takes every request, counts it, and answers after `delay` seconds."""

    def __init__(self, delay: float):
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake.requests.append(self.path)
                time.sleep(fake.delay)
                body = b"0: Accepted for delivery"
                try:
                    self.send_response(202)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.delay = delay
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # the client gave up: a broken pipe is expected
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/sendsms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_kannel(settings):
    fake = SlowSendsms(delay=1.5)
    settings.SMS_BACKEND = "kannel"
    settings.KANNEL_SENDSMS_URL = fake.url
    settings.KANNEL_TIMEOUT = 0.5
    settings.KANNEL_DLR_MASK = 0  # no delivery report will come to settle anything
    yield fake
    fake.close()


@pytest.mark.django_db
def test_issue13_item4_kannel_timeout_is_never_resent_blind(slow_kannel, settings):
    """issue 13 item 4: with KANNEL_DLR_MASK=0, Kannel takes the request but answers after
    KANNEL_TIMEOUT: the row is "unknown", and no later flush (even after any timeout) sends it
    again: the gateway saw it exactly once. An operator's explicit retry sends it once more."""
    row = sms_queue(to="13800138000", text="超时的短信")
    assert outbox_flush()["unknown"] == 1
    row.refresh_from_db()
    assert row.status == Status.UNKNOWN, row.last_error
    assert "outcome unknown" in row.last_error
    OutboxMessage.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(days=1), claimed_at=timezone.now() - timedelta(days=1)
    )
    assert outbox_flush()["claimed"] == 0
    time.sleep(1.2)  # let the slow server finish
    assert len(slow_kannel.requests) == 1

    slow_kannel.delay = 0
    assert outbox_retry(ids=[row.pk]) == 1  # the operator decides (admin action "send again")
    assert outbox_flush()["sent"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(slow_kannel.requests) == 2


@pytest.mark.django_db
def test_issue13_item4_worker_killed_mid_batch_rows_turn_unknown_and_a_dlr_settles_them(sms_outbox, settings):
    """issue 13 item 4: a worker killed mid-batch leaves its chunk "sending". After
    SMS_SENDING_TIMEOUT the rows become "unknown" — with or without delivery reports, late or
    never — and are not sent again; a late "accepted" (8) or "delivered" (1) report marks them
    sent/delivered; rows not yet claimed are sent normally, once."""
    settings.SMS_SENDING_TIMEOUT_SECONDS = 600
    rows = [sms_queue(to=f"1380013{8600 + i}", text=f"批次{i}") for i in range(6)]
    sms_outbox.clear()
    OutboxMessage.objects.update(status=Status.PENDING, attempts=0)
    killed = rows[:4]  # the dead worker's chunk
    OutboxMessage.objects.filter(pk__in=[r.pk for r in killed]).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    counts = outbox_flush()
    assert counts["unknown"] == 4 and counts["sent"] == 2
    assert sorted(m.text for m in sms_outbox) == ["批次4", "批次5"]
    status = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert {status[r.pk] for r in killed} == {Status.UNKNOWN}

    sms_record_dlr(outbox_id=killed[0].pk, dlr_type=8)  # late SMSC ack
    sms_record_dlr(outbox_id=killed[1].pk, dlr_type=1)  # late delivery
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert outbox_flush()["claimed"] == 0  # nothing re-sent, ever
    assert len(sms_outbox) == 2
    status = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert [status[r.pk] for r in killed] == [Status.SENT, Status.DELIVERED, Status.UNKNOWN, Status.UNKNOWN]


def test_issue13_item4_system_check_refuses_a_claim_shorter_than_the_slowest_chunk(settings):
    """issue 13 item 4: SMS_SENDING_TIMEOUT_SECONDS must exceed ceil(SMS_FLUSH_CHUNK /
    KANNEL_CONCURRENCY) x 2 x KANNEL_TIMEOUT (connect + read): `manage.py check` fails with
    sms.E001 and the flush refuses to send; the defaults pass."""
    settings.SMS_BACKEND = "kannel"
    settings.SMS_FLUSH_CHUNK, settings.KANNEL_CONCURRENCY, settings.KANNEL_TIMEOUT = 100, 8, 10.0
    settings.SMS_SENDING_TIMEOUT_SECONDS = 600
    assert check_sending_timeout() == []  # 13 rounds x 20 s = 260 s < 600 s

    settings.SMS_SENDING_TIMEOUT_SECONDS = 260  # equal is not enough
    [error] = check_sending_timeout()
    assert error.id == "sms.E001" and "260 s" in error.msg
    with pytest.raises(SystemCheckError, match="sms.E001"):
        call_command("check")
    with pytest.raises(ImproperlyConfigured, match="SMS_SENDING_TIMEOUT_SECONDS"):
        outbox_flush()

    settings.KANNEL_CONCURRENCY = 1  # 100 x 20 s
    settings.SMS_SENDING_TIMEOUT_SECONDS = 1999
    assert [e.id for e in check_sending_timeout()] == ["sms.E001"]
    settings.SMS_SENDING_TIMEOUT_SECONDS = 2001
    assert check_sending_timeout() == []
    settings.SMS_BACKEND = "memory"  # no gateway time-outs to size against
    settings.SMS_SENDING_TIMEOUT_SECONDS = 1
    assert check_sending_timeout() == []
