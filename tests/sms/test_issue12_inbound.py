"""Issue 12 item 10 (SMS): a 200 000-character inbound SMS and an over-long sender are refused with a
clear 400, not stored or silently cut to 20 characters."""
from __future__ import annotations

import pytest

from portal.sms.models import InboundMessage

INBOUND = "/api/v1/sms/inbound/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(settings):
    settings.SMS_INBOUND_SECRET = "s3cret-for-tests"
    return settings.SMS_INBOUND_SECRET


def _mo(client, secret, **params):
    return client.post(INBOUND, {"from": "13800138000", "to": "10086", "text": "1", "id": "k-1",
                                 "secret": secret, **params})


def test_issue12_item10_inbound_text_too_long(client, secret):
    r = _mo(client, secret, text="满" * 200_000)
    assert r.status_code == 400 and "text" in r.json(), r.content
    assert not InboundMessage.objects.exists()


def test_issue12_item10_inbound_sender_too_long_is_not_cut(client, secret):
    r = _mo(client, secret, **{"from": "1" * 25})
    assert r.status_code == 400 and "from" in r.json(), r.content
    assert not InboundMessage.objects.exists()
    # a long but real message (ten concatenated parts) is still stored
    assert _mo(client, secret, text="好" * 670).status_code == 200
    assert InboundMessage.objects.get().text == "好" * 670
