"""Issue 12 item 9: the SMS gateway secret — `check --deploy` refuses the default, and Kannel's
callbacks carry it as HTTP Basic auth (URL user-info), so it stays out of access logs."""
from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from portal.sms.secret import check_inbound_secret

INBOUND = "/api/v1/sms/inbound/"


def test_deploy_check_fails_with_the_default_secret(settings):
    """issue 12 item 9: `manage.py check --deploy` is an error while SMS_INBOUND_SECRET is the default."""
    settings.SMS_INBOUND_SECRET = "dev-inbound-secret"
    assert [e.id for e in check_inbound_secret(None)] == ["portal.E001"]
    with pytest.raises(SystemCheckError, match="SMS_INBOUND_SECRET"):
        call_command("check", "--deploy", "--fail-level", "ERROR", stdout=io.StringIO(), stderr=io.StringIO())
    settings.SMS_INBOUND_SECRET = "short"
    assert check_inbound_secret(None)
    settings.SMS_INBOUND_SECRET = "a-long-random-secret-of-32-chars!"
    assert check_inbound_secret(None) == []


def test_plain_check_does_not_complain(settings):
    """issue 12 item 9: the check is deploy-only; `make run` with the default is fine."""
    settings.SMS_INBOUND_SECRET = "dev-inbound-secret"
    call_command("check", stdout=io.StringIO())


@pytest.mark.django_db
def test_inbound_accepts_basic_auth_and_refuses_a_wrong_one(client, settings):
    """issue 12 item 9: the secret as Basic-auth password (what Kannel sends for user-info)."""
    settings.SMS_INBOUND_SECRET = "s3cret-for-tests-0123"

    def basic(pw):
        return "Basic " + base64.b64encode(f"kannel:{pw}".encode()).decode()

    params = {"from": "13800138000", "text": "1", "id": "basic-1"}
    assert client.get(INBOUND, params, HTTP_AUTHORIZATION=basic("s3cret-for-tests-0123")).status_code == 200
    assert client.get(INBOUND, params, HTTP_AUTHORIZATION=basic("wrong")).status_code == 403
    assert client.get(INBOUND, params, HTTP_AUTHORIZATION="Basic !!notbase64").status_code == 403
    assert client.get(INBOUND, params).status_code == 403


def test_sample_kannel_conf_keeps_the_secret_out_of_the_query():
    """issue 12 item 9: deploy/kannel/kannel.conf's get-url has no `secret=` in its query string."""
    from tests.sms.kannel import SAMPLE_CONF

    get_url = next(line for line in SAMPLE_CONF.read_text().splitlines() if line.startswith("get-url"))
    assert "secret=" not in get_url and "://kannel:" in get_url
