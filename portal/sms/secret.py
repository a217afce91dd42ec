"""The shared secret Kannel authenticates its callbacks with (SPEC SMS-3), kept out of URLs' query
strings so it does not land in access logs, and a deploy check that it is not the default.

Kannel cannot add a header of its own to the get-url / dlr-url requests, but its HTTP client sends
the user-info of a URL as HTTP Basic authentication: the configuration writes
`http://kannel:<secret>@portal/api/v1/sms/inbound/?from=%p…`, and access logs (gunicorn's, nginx's)
show the request line without it. The older `secret=` query parameter is still accepted so a
gateway configured the old way keeps working while it is changed.
"""
from __future__ import annotations

import base64
import binascii
import hmac

from django.conf import settings
from django.core.checks import Error, Tags, register

DEFAULT_SECRET = "dev-inbound-secret"  # the development value in settings and deploy/kannel/kannel.conf
BASIC_USER = "kannel"


def secret_given(request) -> str:
    """The secret of a callback: the Basic-auth password, else the legacy `secret` parameter."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        return decoded.partition(":")[2]
    value = request.POST.get("secret") if request.method == "POST" else None
    return value or request.GET.get("secret") or ""


def secret_ok(request) -> bool:
    return hmac.compare_digest(secret_given(request).encode(), settings.SMS_INBOUND_SECRET.encode())


@register(Tags.security, deploy=True)
def check_inbound_secret(app_configs, **kwargs):
    """`check --deploy` fails while SMS_INBOUND_SECRET is the development default or short."""
    secret = settings.SMS_INBOUND_SECRET or ""
    if secret == DEFAULT_SECRET or len(secret) < 16:
        return [Error(
            "SMS_INBOUND_SECRET is the development default or shorter than 16 characters: anyone could "
            "post fake incoming SMS and delivery reports.",
            hint="Set SMS_INBOUND_SECRET to a long random value (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`) and put the same value in kannel.conf's get-url.",
            id="portal.E001",
        )]
    return []
