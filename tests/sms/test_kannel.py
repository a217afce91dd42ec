"""The gateway against a real Kannel (bearerbox + smsbox + fakesmsc) — SPEC SMS-1..4."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from portal.sms.models import InboundMessage, OutboxMessage
from portal.sms.services import outbox_flush, sms_queue
from tests.sms.kannel import wait_until

pytestmark = pytest.mark.kannel

LONG_TEXT = (
    "【集团客户服务】王建国您好，您单位的数据专线故障已于今日修复，感谢您的耐心等待。"
    "如仍有异常请拨打10086或直接联系客户经理张三丰（13900001111）。"
    "请回复数字评价本次服务：1 非常满意，2 较好，3 一般，4 很差。回复免费，谢谢！"
    "您的意见将帮助我们持续改进集团客户服务质量。"
)


def _row(pk: int) -> OutboxMessage:
    return OutboxMessage.objects.get(pk=pk)


def test_chinese_message_arrives_intact_and_is_delivered(kannel):
    """SMS-1, SMS-2, SMS-4: a template queued in a transaction is sent on commit, reaches the
    handset as UCS-2 with every character intact, and fakesmsc's delivery report marks it delivered."""
    with transaction.atomic():
        row = sms_queue(
            to="+86 138 0013 8000", template="survey", context={"name": "王建国", "manager": "张三丰"}
        )
    # The on-commit task (eager in tests) has flushed the outbox through Kannel.
    [got] = kannel.wait_received(1)
    assert got.receiver == "13800138000"
    assert got.text == _row(row.pk).text
    assert "1 非常满意，2 较好，3 一般，4 很差" in got.text
    wait_until(lambda: _row(row.pk).status == OutboxMessage.Status.DELIVERED, 10, "the delivery report")
    row = _row(row.pk)
    assert row.delivered_at and row.sent_at and row.attempts == 1
    assert row.gateway_ref  # the SMSC's message id from the report (%F)


def test_long_chinese_message_is_concatenated_not_truncated(kannel):
    """SMS-4: a Chinese text longer than one SMS (70 UCS-2 characters) arrives as concatenated
    parts that reassemble to the whole text; Kannel's default would cut it at 70 characters."""
    assert len(LONG_TEXT) > 134
    row = sms_queue(to="13800138001", text=LONG_TEXT)
    [got] = kannel.wait_received(1)
    assert got.parts == 3
    assert got.text == LONG_TEXT
    wait_until(lambda: _row(row.pk).status == OutboxMessage.Status.DELIVERED, 10, "the delivery report")


def test_mo_from_handset_reaches_inbound_endpoint(kannel, sms_outbox):
    """SMS-2, SMS-3: a subscriber's reply typed into fakesmsc is delivered by smsbox's get-url to
    /api/v1/sms/inbound/ and stored with Kannel's message id; nothing is texted back."""
    kannel.send_mo("8613800138002", "10086", "很差 服务太慢")
    msg = wait_until(lambda: InboundMessage.objects.filter(sender="13800138002").first(), 10, "the MO")
    assert msg.text == "很差 服务太慢"
    assert msg.receiver == "10086"
    assert msg.message_id  # %I
    time.sleep(0.5)
    assert kannel.received() == []  # the empty answer did not become a reply SMS


def test_gateway_down_keeps_the_row_and_sends_it_once_when_back(kannel, settings):
    """SMS-1: with bearerbox stopped (nothing listening) the row stays pending with the error and
    the attempt counted; after Kannel is back one flush delivers it, and further flushes send
    nothing more."""
    kannel.stop()
    row = sms_queue(to="13800138003", text="网关恢复后送达")
    row = _row(row.pk)
    assert row.status == OutboxMessage.Status.PENDING
    assert row.attempts == 1
    assert "unreachable" in row.last_error or "refused" in row.last_error
    assert row.next_attempt_at > row.created_at

    kannel.start()
    assert outbox_flush()["claimed"] == 0  # not due yet: back-off holds
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbox_flush() == {"claimed": 1, "sent": 1, "retried": 0, "failed": 0, "unknown": 0}
    assert outbox_flush()["claimed"] == 0
    [got] = kannel.wait_received(1)
    assert got.text == "网关恢复后送达"
    wait_until(lambda: _row(row.pk).status == OutboxMessage.Status.DELIVERED, 10, "the delivery report")
    time.sleep(0.5)
    assert len(kannel.received()) == 1


def test_bearerbox_restart_loses_nothing_queued(kannel):
    """SMS-1 with the sample config's message store: accepted while no SMSC is connected
    ("3: Queued for later delivery"), kept across a bearerbox restart, delivered once."""
    kannel.stop()
    kannel.start(smsc=False)
    row = sms_queue(to="13800138004", text="重启后仍然送达")
    assert _row(row.pk).status == OutboxMessage.Status.SENT  # Kannel took it into its queue
    kannel.stop()
    kannel.start()
    [got] = kannel.wait_received(1)
    assert got.text == "重启后仍然送达"
    wait_until(lambda: _row(row.pk).status == OutboxMessage.Status.DELIVERED, 10, "the delivery report")


def test_refused_get_url_texts_nothing_back(kannel, settings):
    """SMS-3 with the sample config: when the portal refuses an MO (here: a wrong secret, 403)
    nothing is stored and nothing is texted to the subscriber ("Could not fetch content"); the
    relay keeps the refused request in its rejected/ directory instead of dropping it."""
    settings.SMS_INBOUND_SECRET = "rotated-secret"  # Kannel still sends the old one
    kannel.send_mo("13800138005", "10086", "1")
    wait_until(lambda: kannel.relay_status()["rejected"] == 1, 15, "the relay to hear the portal's 403")
    assert "reply: 200" in kannel.log("smsbox-access")  # smsbox's call ended at the relay
    time.sleep(0.5)
    assert not InboundMessage.objects.exists()
    assert "Sent SMS" not in kannel.log("bearerbox-access")
    assert kannel.received() == []
    assert kannel.relay_status()["spooled"] == 0
