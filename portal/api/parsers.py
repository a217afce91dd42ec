"""Request body parsers for the API (issue 12 items 6 and 14).

- JSON is the API's one body format; multipart only where a file is uploaded (a view says so).
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (DRF's own parsers read any size).
- A NUL character anywhere in a JSON string (a key or a value, also inside a JSON field DRF does not
  look into) is a 400: PostgreSQL cannot store it and would answer with a 500.
"""
from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large() -> PayloadTooLarge:
    limit = body_limit()
    return PayloadTooLarge(_("The request body is larger than the limit of %(n)d bytes.") % {"n": limit})


def read_limited(stream, parser_context) -> bytes:
    """The whole body, or a 413 as soon as it exceeds the limit (Content-Length or not)."""
    limit = body_limit()
    request = (parser_context or {}).get("request")
    if limit is not None and request is not None:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise too_large()
    data = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(data) > limit:
        raise too_large()
    return data


def _find_nul(value, path: str = "") -> str | None:
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            if "\x00" in k:
                return f"{path}.{k!r}" if path else repr(k)
            found = _find_nul(v, f"{path}.{k}" if path else k)
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _find_nul(v, f"{path}[{i}]")
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        import io

        body = read_limited(stream, parser_context) if stream is not None else b""
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        where = _find_nul(data)
        if where:
            raise exceptions.ParseError(_("NUL characters are not allowed (at %(where)s).") % {"where": where})
        return data


class FormParser(parsers.FormParser):
    """Form bodies with the same size limit (Kannel's callbacks; not part of the integrators' API)."""

    def parse(self, stream, media_type=None, parser_context=None):
        import io

        body = read_limited(stream, parser_context) if stream is not None else b""
        return super().parse(io.BytesIO(body), media_type, parser_context)
