"""Error pages: JSON under /api/, friendly HTML elsewhere."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _error(request, status: int, message: str, template: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "message": message}, status=status)
    return render(request, template, {"message": message, "status": status}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("The request could not be understood."), "errors/error.html")


def permission_denied(request, exception=None):
    msg = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    return _error(request, 403, msg, "errors/error.html")


def page_not_found(request, exception=None):
    return _error(request, 404, _("This page does not exist, or is outside your scope."), "errors/error.html")


def server_error(request):
    return _error(request, 500, _("Something went wrong on our side; it has been logged."), "errors/error.html")
