"""API errors are JSON with a human-readable `message`, never an HTML page."""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.exceptions import ApplicationError


def _first_message(data) -> str:
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        for key, value in data.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
    if isinstance(data, list) and data:
        return _first_message(data[0])
    return str(data)


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "message": exc.message, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: ApiErrorMiddleware answers with a JSON 500
    data = response.data
    message = _first_message(data)
    if isinstance(data, dict):
        data.setdefault("message", message)
    else:
        response.data = {"detail": data, "message": message}
    if isinstance(exc, (Http404, exceptions.NotFound)) and not message:
        response.data["message"] = _("Not found.")
    if response.status_code == status.HTTP_403_FORBIDDEN and isinstance(exc, PermissionDenied):
        response.data["message"] = str(exc) or _("You do not have permission to perform this action.")
    return response
