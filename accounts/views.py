"""Pages: login, logout, password change, home, people directory, security log."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.home import panels_for
from portal.models import AuditEvent

from .models import Role
from .selectors import orgunits_visible_to, user_list_for


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_log(action=AuditEvent.Action.PASSWORD_CHANGED, request=self.request, target=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@login_required
def home(request):
    return render(request, "portal/home.html", {"panels": panels_for(request.user)})


def _require_roles(user, *codes):
    if not user.has_role(*codes):
        raise PermissionDenied(_("Your role does not give access to this page."))


@login_required
def people(request):
    _require_roles(request.user, Role.Code.GROUP_LEADER, Role.Code.DEPT_MANAGER, Role.Code.QUALITY,
                   Role.Code.ANALYST, Role.Code.ADMIN)
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    unit = request.GET.get("unit") or None
    try:
        unit = int(unit) if unit else None
    except ValueError:
        unit = None
    qs = user_list_for(request.user, search=search, role=role, unit=unit)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/people.html", {
        "page": page, "q": search, "role": role, "unit": unit,
        "roles": Role.Code.choices, "units": orgunits_visible_to(request.user).filter(level="unit"),
    })


@login_required
def audit_list(request):
    _require_roles(request.user, Role.Code.ADMIN)
    qs = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "")
    who = request.GET.get("who", "").strip()
    if action:
        qs = qs.filter(action=action)
    if who:
        qs = qs.filter(username__icontains=who)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_list.html", {
        "page": page, "action": action, "who": who, "actions": AuditEvent.Action.choices,
    })
