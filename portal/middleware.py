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
