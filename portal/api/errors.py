"""API errors are JSON with a human-readable `message`, never an HTML page."""
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
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


def _api_field_names(context) -> dict[str, str]:
    """model field name → the name the API (and its schema) uses, from the view's serializer:
    a visit's `started_at` is `visited_at` in the API (issue 12 item 14)."""
    view = context.get("view") if context else None
    get_class = getattr(view, "get_serializer_class", None)
    if get_class is None:
        return {}
    try:
        fields = get_class()().fields
    except Exception:  # noqa: BLE001 - a view without a usable serializer: names stay as they are
        return {}
    return {f.source: name for name, f in fields.items() if f.source and f.source != name and "." not in f.source}


def _renamed(errors, names: dict[str, str]):
    if not isinstance(errors, dict):
        return errors
    return {"non_field_errors" if k == "__all__" else names.get(k, k): v for k, v in errors.items()}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "message": exc.message, **exc.extra}
        if isinstance(body.get("errors"), dict):  # field errors from a service: in the API's field names
            body["errors"] = _renamed(body["errors"], _api_field_names(context))
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        msg = _("The request body is too large.")
        return Response({"detail": msg, "message": msg}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent):
        msg = _("Too many fields in the request.")
        return Response({"detail": msg, "message": msg}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            _renamed(exc.message_dict, _api_field_names(context)) if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
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
