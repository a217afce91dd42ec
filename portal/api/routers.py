"""The one router every app registers its viewsets with (issue 12 item 6).

Object routes take numeric ids only: `/api/v1/tickets/abc/cancel/` does not match any route and
answers the API's JSON 404, instead of reaching `filter(pk="abc")` and a 500. A viewset whose
lookup is not a number (a reference list looked up by code) sets its own `lookup_value_regex`.
"""
from rest_framework.routers import SimpleRouter

NUMERIC_ID = r"[0-9]+"


class Router(SimpleRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            lookup_field = getattr(viewset, "lookup_field", "pk")
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{NUMERIC_ID})"
        return super().get_lookup_regex(viewset, lookup_prefix)
