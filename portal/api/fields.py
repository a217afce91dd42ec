"""Serializer fields shared by the apps' APIs."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.ids import is_id


class CodeOrIdField(serializers.PrimaryKeyRelatedField):
    """A reference row (product, organisation type, industry, …) named by its code or by its id
    (issue 12 item 12). Answers carry the id, as before; the schema says "integer or code" for
    requests (portal.api.schema.CodeOrIdFieldExtension)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "does_not_exist": _('No such code or id: "{pk_value}".'),
        "incorrect_type": _("Give a code (text) or an id (number), not {data_type}."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        queryset = self.get_queryset()
        if isinstance(data, str):
            found = queryset.filter(code=data).first()
            if found is not None:
                return found
            if not is_id(data):
                self.fail("does_not_exist", pk_value=data)
        try:
            return queryset.get(pk=int(data))
        except (queryset.model.DoesNotExist, ValueError, OverflowError):
            self.fail("does_not_exist", pk_value=data)


class MaskableDateField(serializers.DateField):
    """A personal date (birthday) that answers carry masked as `****-**-**` for those who do not own
    the record (ORG-4): a date in requests, a string in answers (portal.api.schema)."""
