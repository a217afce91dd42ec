"""What a locked-out login sees (django-axes AXES_LOCKOUT_CALLABLE): JSON under /api/, a page elsewhere."""
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    message = _("Too many failed attempts; this account is locked for a while.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "message": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
