"""Holds a session that still owes its second factor at the code page (accounts.twofactor)."""
from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .twofactor import confirmed_device, session_needs_code

# Reachable before the code is given: the code and enrolment pages, logout, language, static files.
_OPEN = ("login", "logout", "two-factor", "two-factor-verify")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in _OPEN:
            return None
        if request.path.startswith(("/static/", "/i18n/")):
            return None
        if not session_needs_code(request):
            return None
        if request.path.startswith("/api/"):
            msg = _("Enter your second-factor code on the web first.")
            return JsonResponse({"detail": msg, "message": msg}, status=403)
        target = "two-factor-verify" if confirmed_device(request.user) else "two-factor"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
