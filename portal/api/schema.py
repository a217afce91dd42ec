"""The OpenAPI schema as integrators' tools read it (issue 12 items 6, 13, 14).

- `PortalAutoSchema`: documents each list's filters from the serializer that validates them
  (portal.api.params), and says that read-only choice fields of blank model fields may be "".
- `postprocess_errors`: the 4xx answers every operation can give (400/401/403/404/409/413/415/429)
  are in the schema, with one `Error` component.
- `postprocess_response_patterns`: answers mask personal data (ORG-4, `138****0081`), so the input
  patterns (`^1[3-9]\\d{9}$`) are promised for requests only.
The view that serves it once per process is in portal.api.schema_view.
"""
from __future__ import annotations

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class PortalAutoSchema(AutoSchema):
    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        view_cls = type(self.view)
        applies = getattr(view_cls, "filters_apply_to", None)
        if applies is not None and applies(getattr(self.view, "action", None), self.method):
            params.append(view_cls.filter_serializer_class)
        return params

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            model = getattr(getattr(field.parent, "Meta", None), "model", None)
            try:
                model_field = model._meta.get_field(field.source) if model and field.source != "*" else None
            except Exception:  # noqa: BLE001 - a source path, not a model field: nothing to learn
                model_field = None
            if isinstance(model_field, (models.CharField, models.TextField)) and model_field.blank:
                # DRF drops allow_blank on read-only fields, but the value is still "" when unset
                # (ticket mm_cause / am_cause): the schema must allow what the API answers.
                field.allow_blank = True
        if direction == "response" and getattr(field, "default", serializers.empty) is None and not field.allow_null:
            field.allow_null = True  # `default=None`: answered as null when the source is missing (TicketEvent.by)
        return super()._map_serializer_field(field, direction, bypass_extensions)


class CodeOrIdFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "portal.api.fields.CodeOrIdField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "integer"}
        return {"oneOf": [{"type": "integer"}, {"type": "string", "description": "code"}],
                "description": "code (see the reference lists under /api/v1/) or id"}


GATEWAY_PREFIX = "/api/v1/sms/"


def without_gateway_callbacks(endpoints):
    """Preprocessing hook: Kannel's callbacks (SMS-2) are for the gateway, not for integrators."""
    return [e for e in endpoints if not e[0].startswith(GATEWAY_PREFIX)]


def only_gateway_callbacks(endpoints):
    return [e for e in endpoints if e[0].startswith(GATEWAY_PREFIX)]


class MaskableDateFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "portal.api.fields.MaskableDateField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "description": "YYYY-MM-DD, or ****-**-** when masked (ORG-4)"}
        return {"type": "string", "format": "date"}


ERROR_COMPONENT = {
    "type": "object",
    "description": "An error: `message` for people; field errors under the field's name (as in the request).",
    "properties": {
        "message": {"type": "string"},
        "detail": {},
    },
    "required": ["message"],
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (a field, a parameter or the body); field errors are keyed by field name.",
    "401": "Not authenticated: send `Authorization: Token <key>`.",
    "403": "Authenticated, but your role or scope does not allow this (ORG-3).",
    "404": "No such object in your scope, or no such page.",
    "409": "The object's state does not allow this transition.",
    "413": "Request body too large.",
    "414": "Request line (the address with its parameters) too long.",
    "415": "Unsupported body media type: send application/json.",
    "429": "Too many requests; try again later.",
}


def postprocess_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/Error"}
    for ops in result.get("paths", {}).values():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            public = {} in op.get("security", [{}])  # auth=[]: the token endpoint
            codes = ["400", "404"] + (["429"] if public else ["401", "403"])
            if method in ("post", "put", "patch", "delete"):
                codes += ["409"]
            if "requestBody" in op:
                codes += ["413", "415"]
            if any(p.get("in") == "query" for p in op.get("parameters", [])):
                codes += ["414"]  # gunicorn's limit_request_line
            for code in codes:
                # 414 comes from gunicorn, before Django: its own small HTML page
                content = ({"text/html": {"schema": {"type": "string"}}} if code == "414"
                           else {"application/json": {"schema": ref}})
                op["responses"].setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": content})
    return result


def _walk(schema):
    if isinstance(schema, dict):
        yield schema
        for v in schema.values():
            yield from _walk(v)
    elif isinstance(schema, list):
        for v in schema:
            yield from _walk(v)


def postprocess_response_patterns(result, generator, request, public):
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            # COMPONENT_SPLIT_REQUEST: the *Request components describe what we accept. A decimal's
            # pattern from drf-spectacular lets "", "-" and "1." through, which DRF refuses.
            for node in _walk(schema):
                if node.get("format") == "decimal" and isinstance(node.get("pattern"), str):
                    node["pattern"] = node["pattern"].replace(r"\d{0,", r"\d{1,")
            continue
        for prop in (schema.get("properties") or {}).values():
            prop.pop("pattern", None)
    return result
