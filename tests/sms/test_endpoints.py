"""Kannel's callbacks: /api/v1/sms/inbound/ (get-url) and /api/v1/sms/dlr/ (dlr-url) — SPEC SMS-2, SMS-3."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from portal.sms import backends
from portal.sms.backends import KannelBackend, OutgoingSms
from portal.sms.inbound import register_handler, unregister_handler
from portal.sms.models import InboundMessage, OutboxMessage
from portal.sms.services import outbox_flush, sms_queue, sms_receive

INBOUND = "/api/v1/sms/inbound/"
DLR = "/api/v1/sms/dlr/"
Status = OutboxMessage.Status


@pytest.fixture
def handler_calls():
    """A registered inbound handler that takes messages starting with a digit, and records calls."""
    calls = []

    def digit_reply(message):
        calls.append(message.pk)
        return message.text[:1].isdigit()

    register_handler(digit_reply)
    yield calls
    unregister_handler(digit_reply)


@pytest.fixture
def secret(settings):
    settings.SMS_INBOUND_SECRET = "s3cret-for-tests"
    return settings.SMS_INBOUND_SECRET


def _mo(client, secret, **params):
    base = {"from": "+8613800138000", "to": "10086", "text": "1 非常满意", "id": "kannel-uuid-1"}
    if secret is not None:
        base["secret"] = secret
    return client.get(INBOUND, {**base, **params})


@pytest.mark.django_db
@pytest.mark.parametrize("given", [None, "", "wrong"])
def test_inbound_without_the_secret_is_403_json(client, secret, given):
    """SMS-3: inbound requests are authenticated by the shared secret; errors are JSON."""
    response = _mo(client, given)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_inbound_stores_and_answers_200_with_an_empty_body(client, secret, handler_calls):
    """SMS-2, SMS-3: stored with sender normalised; the empty body keeps Kannel from replying."""
    response = _mo(client, secret)
    assert response.status_code == 200
    assert response.content == b""
    msg = InboundMessage.objects.get()
    assert (msg.sender, msg.receiver, msg.text, msg.message_id) == (
        "13800138000",
        "10086",
        "1 非常满意",
        "kannel-uuid-1",
    )
    assert msg.handled and msg.handler.endswith("digit_reply")
    assert handler_calls == [msg.pk]


@pytest.mark.django_db
def test_duplicate_id_is_one_row_and_one_handler_run(client, secret, handler_calls):
    """SMS-3: Kannel's retry of the same message id stores nothing new and runs no handler again."""
    assert _mo(client, secret).status_code == 200
    assert _mo(client, secret).status_code == 200
    assert (
        client.post(
            INBOUND, {"from": "13800138000", "text": "1 非常满意", "id": "kannel-uuid-1", "secret": secret}
        ).status_code
        == 200
    )
    assert InboundMessage.objects.count() == 1
    assert len(handler_calls) == 1
    # A different id is a different message.
    _mo(client, secret, id="kannel-uuid-2")
    assert InboundMessage.objects.count() == 2
    assert len(handler_calls) == 2


@pytest.mark.django_db
def test_inbound_by_form_post_and_without_id(client, secret, handler_calls):
    """SMS-3: form parameters work too; without an id every delivery is a new message."""
    for _ in range(2):
        response = client.post(
            INBOUND, {"from": "13800138001", "to": "10086", "text": "好的", "secret": secret}
        )
        assert response.status_code == 200 and response.content == b""
    assert InboundMessage.objects.filter(sender="13800138001", message_id=None).count() == 2


@pytest.mark.django_db
def test_inbound_without_sender_is_400(client, secret):
    response = client.get(INBOUND, {"text": "1", "secret": secret})
    assert response.status_code == 400
    assert "from" in response.json()["message"]


@pytest.mark.django_db
def test_unhandled_and_failing_handlers_keep_the_message():
    """SMS-3, SAT-2: a reply nobody understood is stored unhandled; a handler that raises is
    rolled back and recorded, the next handler is still asked, and the message is kept."""
    calls = []

    def broken(message):
        calls.append("broken")
        OutboxMessage.objects.create(to="13800138000", text="should roll back")
        raise ValueError("bug in handler")

    def digits(message):
        calls.append("digits")
        return message.text[:1].isdigit()

    register_handler(broken)
    register_handler(digits)
    try:
        nobody = sms_receive(sender="13800138000", text="什么意思", message_id="m-1")
        two = sms_receive(sender="13800138000", text="2", message_id="m-2")
    finally:
        unregister_handler(broken)
        unregister_handler(digits)
    nobody.refresh_from_db()
    two.refresh_from_db()
    assert calls == ["broken", "digits", "broken", "digits"]
    assert not nobody.handled and nobody.handler == "" and "bug in handler" in nobody.error
    assert two.handled and two.handler.endswith("digits") and "bug in handler" in two.error
    assert not OutboxMessage.objects.filter(text="should roll back").exists()
    assert InboundMessage.objects.count() == 2


def test_register_handler_is_idempotent():
    """SMS-3: registering the same function twice (e.g. ready() run twice) keeps one entry."""
    from portal.sms.inbound import registered_handlers

    def handler(message):
        return False

    before = len(registered_handlers())
    register_handler(handler)
    register_handler(handler)
    assert len(registered_handlers()) == before + 1
    unregister_handler(handler)
    assert len(registered_handlers()) == before


# ---- delivery reports -----------------------------------------------------------------------
def _sent_row(text="你好") -> OutboxMessage:
    row = sms_queue(to="13800138000", text=text)
    outbox_flush()
    row.refresh_from_db()
    assert row.status == Status.SENT
    return row


def _dlr(client, secret, row_id, dlr_type, **extra):
    return client.get(DLR, {"id": row_id, "type": dlr_type, "secret": secret, **extra})


@pytest.mark.django_db
def test_dlr_marks_delivered_and_a_late_ack_does_not_undo_it(client, secret, sms_outbox):
    """SMS-3: 8 (SMSC accepted) keeps "sent", 1 marks delivered; reports may come in any order."""
    row = _sent_row()
    response = _dlr(client, secret, row.pk, 8, ref="smsc-42", reply="ACK/")
    assert response.status_code == 200 and response.content == b""
    row.refresh_from_db()
    assert (row.status, row.gateway_ref, row.dlr_type) == (Status.SENT, "smsc-42", 8)
    _dlr(client, secret, row.pk, 1)
    _dlr(client, secret, row.pk, 8)
    row.refresh_from_db()
    assert row.status == Status.DELIVERED and row.delivered_at
    assert row.gateway_ref == "smsc-42"


@pytest.mark.django_db
@pytest.mark.parametrize("dlr_type, words", [(2, "undeliverable"), (16, "rejected")])
def test_failure_reports_mark_the_row_failed(client, secret, sms_outbox, dlr_type, words):
    """SMS-3: undeliverable (2) or rejected by the SMSC (16) → failed with the SMSC's answer."""
    row = _sent_row()
    _dlr(client, secret, row.pk, dlr_type, reply="NACK/0x0000000b/Invalid Destination Address")
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert words in row.last_error and "Invalid Destination" in row.last_error


@pytest.mark.django_db
def test_report_for_a_row_waiting_to_retry_stops_a_second_send(client, secret, sms_outbox):
    """SMS-1: the gateway took the message but our request timed out (row pending for retry);
    its delivery report marks it sent, so the retry never sends it again."""
    row = sms_queue(to="13800138000", text="超时但已送达")
    backends.memory_errors.append(backends.SendError("read timed out", retryable=True))
    outbox_flush()
    row.refresh_from_db()
    assert row.status == Status.PENDING
    _dlr(client, secret, row.pk, 8)
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbox_flush()["claimed"] == 0
    assert sms_outbox == []
    row.refresh_from_db()
    assert row.status == Status.SENT


@pytest.mark.django_db
def test_unknown_or_malformed_reports(client, secret):
    """SMS-3: a report for an unknown row is acknowledged (200, Kannel must not retry it
    forever) and changes nothing; a malformed one is 400; a wrong secret 403."""
    assert _dlr(client, secret, 999999, 1).status_code == 200
    assert _dlr(client, secret, "abc", 1).status_code == 400
    assert _dlr(client, "wrong", 1, 1).status_code == 403
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_dlr_url_sent_to_kannel_comes_back_to_the_endpoint(client, secret, settings, sms_outbox):
    """SMS-2: the dlr-url in the sendsms request, once Kannel fills in %d, hits our endpoint."""
    settings.SMS_DLR_BASE_URL = "http://portal.example:8000/"
    row = _sent_row()
    params = KannelBackend().params(OutgoingSms(id=row.pk, to=row.to, text=row.text))
    url = urlsplit(params["dlr-url"])
    assert (url.scheme, url.hostname, url.port, url.path) == ("http", "portal.example", 8000, DLR)
    query = parse_qs(url.query)
    assert query["id"] == [str(row.pk)] and query["type"] == ["%d"]
    # issue 12 item 9: the secret is the URL's user-info (sent by Kannel as Basic auth), not in the query
    assert "secret" not in query and (url.username, url.password) == ("kannel", secret)
    filled = unquote(url.query).replace("%d", "1").replace("%F", "ref-1").replace("%A", "")
    assert client.get(f"{DLR}?{filled}").status_code == 403
    basic = base64.b64encode(f"{url.username}:{url.password}".encode()).decode()
    assert client.get(f"{DLR}?{filled}", HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200
    row.refresh_from_db()
    assert row.status == Status.DELIVERED


@pytest.mark.django_db
def test_endpoints_are_in_the_openapi_schema(client):
    """SMS-2: both callbacks are documented — in the gateway's schema, not in the integrators' one
    (issue 12 item 14)."""
    integrators = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert INBOUND not in integrators and DLR not in integrators
    response = client.get("/api/schema/gateway/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert INBOUND in paths and DLR in paths
    assert all(p.startswith("/api/v1/sms/") for p in paths)
    names = {p["name"] for p in paths[INBOUND]["get"]["parameters"]}
    assert {"from", "to", "text", "id", "secret"} <= names


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_run_the_handler_once():
    """SMS-3: Kannel retrying while the first delivery is still being handled (two requests at
    once, separate database connections) still gives one row and one handler run."""
    import threading
    import time

    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        from tests.conftest import require_service

        require_service(False, "concurrent writers need PostgreSQL (DATABASE_URL)")
    calls = []

    def slow(message):
        calls.append(message.pk)
        time.sleep(0.3)  # the second delivery arrives while this one is still open
        return True

    register_handler(slow)
    barrier = threading.Barrier(3)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait()
            results.append(sms_receive(sender="13800138000", text="4 很差", message_id="dup-1").pk)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        unregister_handler(slow)
    assert not errors
    assert len(set(results)) == 1 and len(results) == 3
    assert len(calls) == 1
    assert InboundMessage.objects.count() == 1
