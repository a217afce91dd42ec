"""Query parameters declared once, as a serializer: validated before the view runs and documented
from the same declaration (issue 12 item 6).

A bad filter value (`/api/v1/alerts/?level=x`, `/api/v1/billing/accounts/?group=false`) is a 400
naming the parameter, never a 500 from the ORM; the schema shows the same names, types and enums
because `portal.api.schema.PortalAutoSchema` reads `filter_serializer_class` too.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

# Parameters every list takes besides its filters (pagination; DRF's format override).
COMMON_PARAMS = {"page", "page_size", "format"}


class FilterParamsMixin:
    """For list views: set `filter_serializer_class`; read the validated values from `self.filters`.

    An unknown parameter or a filter given twice is a 400 too: a misspelt filter (`?stauts=open`)
    would otherwise answer with everything, silently."""

    filter_serializer_class: type[serializers.Serializer] | None = None
    filter_actions: tuple[str, ...] = ("list",)

    def _check_param_names(self, request, declared) -> None:
        allowed = set(declared) | COMMON_PARAMS
        if any(issubclass(b, OrderingFilter) for b in getattr(self, "filter_backends", [])):
            allowed.add("ordering")
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError({name: [_("Unknown parameter; this list takes: %(names)s.")
                                          % {"names": ", ".join(sorted(allowed))}] for name in unknown})
        repeated = sorted(n for n in declared if len(request.query_params.getlist(n)) > 1)
        if repeated:
            raise ValidationError({name: [_("Give this parameter once.")] for name in repeated})
        # DRF reads `?rank=` from a query string as "not given"; the schema says what the field
        # takes, so an empty value is refused unless the field allows blank.
        empty = sorted(n for n, f in declared.items()
                       if request.query_params.get(n) == "" and not getattr(f, "allow_blank", False))
        if empty:
            raise ValidationError({name: [_("Give a value, or leave the parameter out.")] for name in empty})

    @classmethod
    def filters_apply_to(cls, action: str | None, method: str) -> bool:
        if cls.filter_serializer_class is None:
            return False
        if action is None:  # a plain APIView: its GET is the list
            return method.upper() == "GET"
        return action in cls.filter_actions

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first: 401/403 before 400
        self.filters = {}
        if self.filters_apply_to(getattr(self, "action", None), request.method):
            ser = self.filter_serializer_class(data=request.query_params)
            self._check_param_names(request, ser.fields)
            ser.is_valid(raise_exception=True)
            self.filters = {k: v for k, v in ser.validated_data.items() if v not in (None, "")}

    def filter_value(self, name: str, default=None):
        return getattr(self, "filters", {}).get(name, default)


def Id(help_text: str = "") -> serializers.IntegerField:  # noqa: N802 - reads like a field class
    """An id filter: a positive integer."""
    return serializers.IntegerField(required=False, min_value=1, help_text=help_text)


def Text(help_text: str = "", max_length: int = 200) -> serializers.CharField:  # noqa: N802
    # CharField refuses NUL characters (ProhibitNullCharactersValidator): 400, not a database error
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, help_text=help_text)


def Choice(choices, help_text: str = "") -> serializers.ChoiceField:  # noqa: N802
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, help_text=help_text)
