"""Kannel's callbacks (SPEC SMS-2, SMS-3): incoming SMS (sms-service get-url) and delivery reports
(dlr-url). Authenticated by the shared secret SMS_INBOUND_SECRET, not by a user."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from portal.api.parsers import FormParser

from ..secret import secret_ok
from ..services import sms_receive, sms_record_dlr


def _param(request, name: str) -> str | None:
    """A parameter from the form body or the query string (Kannel uses GET; others may POST).

    NUL characters are dropped, not refused (issue 12 item 6): a GSM-7 "@" is 0x00 and a badly
    recoded reply may carry one; a 4xx would make smsbox give the reply up, and SAT-2 says an
    unparseable reply is stored and shown, never dropped. (PostgreSQL cannot store NUL at all.)"""
    value = request.data.get(name) if hasattr(request.data, "get") else None
    if value is None:
        value = request.query_params.get(name)
    return value.replace("\x00", "") if isinstance(value, str) else value


def _check_secret(request) -> None:
    # HTTP Basic (user-info in Kannel's get-url / dlr-url), or the legacy `secret` parameter.
    if not secret_ok(request):
        raise PermissionDenied(_("Wrong or missing SMS gateway secret."))


# Bounds of an inbound payload (issue 12 item 10). A concatenated SMS of ten parts is at most 1 530
# characters; anything far longer is not a subscriber's reply. Numbers are stored in 20 characters:
# a longer one is refused rather than silently cut (it would be matched to the wrong survey).
INBOUND_MAX_TEXT = 2000
INBOUND_MAX_NUMBER = 20


def _check_inbound(sender: str, receiver: str, text: str) -> None:
    from ..numbers import clean_number

    errors = {}
    max_text = int(getattr(settings, "SMS_INBOUND_MAX_CHARS", INBOUND_MAX_TEXT))
    if len(text) > max_text:
        errors["text"] = _("The message has %(n)d characters; at most %(max)d are accepted.") % {
            "n": len(text), "max": max_text}
    for name, value in (("from", sender), ("to", receiver)):
        if len(clean_number(value)) > INBOUND_MAX_NUMBER:
            errors[name] = _("A number has at most %(max)d characters.") % {"max": INBOUND_MAX_NUMBER}
    if errors:
        raise ValidationError(errors)


def _empty() -> HttpResponse:
    # Kannel turns a non-empty body into a reply SMS to the subscriber: answer with nothing.
    return HttpResponse(b"", status=200, content_type="text/plain; charset=utf-8")


SECRET = OpenApiParameter(
    "secret", OpenApiTypes.STR, deprecated=True,
    description="Shared secret (SMS_INBOUND_SECRET). Prefer HTTP Basic auth (user `kannel`, password "
    "the secret: user-info in Kannel's URL), which keeps it out of access logs.",
)
ERRORS = {
    200: OpenApiResponse(description="Stored. The body is empty: Kannel would send a body back as an SMS."),
    400: OpenApiResponse(description="A required parameter is missing, or a number or the text is too long "
                                     "(JSON error)."),
    403: OpenApiResponse(description="Wrong or missing secret (JSON error)."),
}


# Kannel's callbacks are not the integrators' API (issue 12 item 14): documented in the gateway's own
# schema, /api/schema/gateway/, and left out of /api/schema/ (portal.api.schema.without_gateway_callbacks).
class InboundView(APIView):
    """An SMS from a subscriber, delivered by Kannel's sms-service `get-url`.

    Idempotent on `id` (Kannel's %I): a repeated delivery stores nothing new and runs no handler.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser]
    allow_nul_characters = True  # see _param: stripped, not refused

    @extend_schema(
        operation_id="sms_inbound",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, required=True, description="Sender's number (%p)."),
            OpenApiParameter("to", OpenApiTypes.STR, description="Number the SMS was sent to (%P)."),
            OpenApiParameter("text", OpenApiTypes.STR, description="Message text, UTF-8 (%a)."),
            OpenApiParameter("id", OpenApiTypes.STR, description="Gateway message id (%I)."),
            SECRET,
        ],
        responses=ERRORS,
        auth=[],
    )
    def get(self, request):
        return self._receive(request)

    @extend_schema(
        operation_id="sms_inbound_post",
        parameters=[SECRET],
        responses=ERRORS,
        auth=[],
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
    )
    def post(self, request):
        return self._receive(request)

    def _receive(self, request):
        _check_secret(request)
        sender = (_param(request, "from") or "").strip()
        if not sender:
            raise ValidationError({"from": _("This parameter is required.")})
        receiver, text = _param(request, "to") or "", _param(request, "text") or ""
        _check_inbound(sender, receiver, text)
        sms_receive(
            sender=sender,
            receiver=receiver,
            text=text,
            message_id=_param(request, "id"),
        )
        return _empty()


class DeliveryReportView(APIView):
    """A delivery report for one outbox row, delivered by Kannel's `dlr-url`."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema(
        operation_id="sms_dlr",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, required=True, description="Outbox row id."),
            OpenApiParameter(
                "type",
                OpenApiTypes.INT,
                required=True,
                description="Kannel report type (%d): 1 delivered, 2 undeliverable, 4 buffered, "
                "8 accepted by the SMSC, 16 rejected by the SMSC.",
            ),
            OpenApiParameter("ref", OpenApiTypes.STR, description="SMSC message id (%F)."),
            OpenApiParameter("reply", OpenApiTypes.STR, description="SMSC answer (%A)."),
            SECRET,
        ],
        responses={
            **ERRORS,
            200: OpenApiResponse(description="Applied, or ignored for an unknown row; empty body."),
        },
        auth=[],
    )
    def get(self, request):
        return self._report(request)

    @extend_schema(
        operation_id="sms_dlr_post",
        parameters=[SECRET],
        responses=ERRORS,
        auth=[],
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
    )
    def post(self, request):
        return self._report(request)

    def _report(self, request):
        _check_secret(request)
        try:
            outbox_id = int(_param(request, "id") or "")
            dlr_type = int(_param(request, "type") or "")
        except ValueError:
            raise ValidationError(_("`id` and `type` must be integers.")) from None
        sms_record_dlr(
            outbox_id=outbox_id,
            dlr_type=dlr_type,
            gateway_ref=_param(request, "ref") or "",
            reply=_param(request, "reply") or "",
        )
        return _empty()
