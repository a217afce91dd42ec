"""Admin site for the gateway (SPEC SMS-4, CFG-1): templates edited, outbox and inbound read-only."""

import pytest

from portal.models import AuditEvent
from portal.sms.backends import SendError, memory_errors
from portal.sms.models import InboundMessage, OutboxMessage, SmsTemplate
from portal.sms.services import outbox_flush, sms_queue, sms_receive


@pytest.mark.django_db
def test_admin_edits_a_template_through_the_service(people, client_for):
    """SMS-4, CFG-1: the change form saves the new Chinese text and audit-logs who changed it."""
    client = client_for(people["admin"])
    template = SmsTemplate.objects.get(key="greeting")
    url = f"/admin/sms/smstemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "祝福", "text": "{{ name }}，生日快乐！", "description": ""})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.text == "{{ name }}，生日快乐！"
    assert template.key == "greeting"  # read-only once created
    assert AuditEvent.objects.filter(target_type="sms.smstemplate", actor=people["admin"]).exists()
    # Broken syntax is refused with a form error, not saved.
    response = client.post(url, {"name": "祝福", "text": "{% if %}", "description": ""})
    assert response.status_code == 200
    template.refresh_from_db()
    assert template.text == "{{ name }}，生日快乐！"


@pytest.mark.django_db
def test_outbox_is_read_only_with_a_retry_action(people, client_for, sms_outbox):
    """SMS-1: administrators re-send failed messages; they cannot edit or re-send sent ones."""
    client = client_for(people["admin"])
    failed = sms_queue(to="13800138000", text="失败的")
    memory_errors.append(SendError("rejected", retryable=False))
    outbox_flush()
    sent = sms_queue(to="13800138001", text="已发送的")
    outbox_flush()
    assert client.get("/admin/sms/outboxmessage/").status_code == 200
    assert client.get(f"/admin/sms/outboxmessage/{failed.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/sms/outboxmessage/{failed.pk}/change/", {"text": "改了"})
    assert response.status_code == 403
    response = client.post(
        "/admin/sms/outboxmessage/",
        {
            "action": "retry",
            "_selected_action": [failed.pk, sent.pk],
        },
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == OutboxMessage.Status.PENDING and failed.attempts == 0
    assert outbox_flush()["sent"] == 1
    assert [m.to for m in sms_outbox] == ["13800138001", "13800138000"]


@pytest.mark.django_db
def test_inbound_messages_are_listed(people, client_for):
    sms_receive(sender="13800138000", text="3 一般", message_id="x-1")
    response = client_for(people["admin"]).get("/admin/sms/inboundmessage/")
    assert response.status_code == 200
    assert "3 一般" in response.content.decode()
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_non_admins_cannot_open_the_sms_admin(people, client_for):
    response = client_for(people["am1"]).get("/admin/sms/outboxmessage/")
    assert response.status_code in (302, 403)
