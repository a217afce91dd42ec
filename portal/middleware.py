"""Keeps the API's promise: an unexpected error under /api/ is a JSON 500, never Django's HTML page."""
import logging

from django.http import JsonResponse

logger = logging.getLogger("portal.api")


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("Unhandled API error on %s", request.path)
        return JsonResponse(
            {"detail": "Internal server error.", "message": "Internal server error; it has been logged."},
            status=500,
        )


class NulCharacterMiddleware:
    """A NUL character in a query parameter (a search box, a filter) is a 400 before any view runs:
    PostgreSQL cannot store or compare it and the ORM would answer with a 500 (issue 12 item 6).

    JSON bodies get the same rule in portal.api.parsers; form fields in Django's and DRF's CharField.
    A view that must take what it is given (Kannel's inbound SMS: a refused reply would be lost, SAT-2)
    sets `allow_nul_characters = True` and cleans the values itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        if getattr(view_func, "allow_nul_characters", False) or getattr(view_class, "allow_nul_characters", False):
            return None
        if not any("\x00" in k or any("\x00" in v for v in values) for k, values in request.GET.lists()):
            return None
        from django.utils.translation import gettext as _

        from portal.views import _error

        return _error(request, 400, _("NUL characters are not allowed in the address or its parameters."),
                      "errors/error.html")
