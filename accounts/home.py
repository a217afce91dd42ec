"""Home-page panels for people and organisation."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from portal.models import AuditEvent

from .models import Role
from .selectors import user_list_for


def profile_panel(user) -> dict:
    return {
        "template": "accounts/panels/profile.html",
        "roles": sorted(user.roles.all(), key=lambda r: r.id),
        "unit": user.unit,
    }


def team_panel(user) -> dict | None:
    if not user.has_role(Role.Code.GROUP_LEADER, Role.Code.DEPT_MANAGER, Role.Code.ANALYST, Role.Code.ADMIN):
        return None
    people = user_list_for(user)
    by_role = (
        Role.objects.filter(users__in=people.values("pk"))
        .annotate(n=Count("users", distinct=True))
        .order_by("id")
    )
    by_unit = (
        people.order_by().values("unit__name").annotate(n=Count("id")).order_by("-n", "unit__name")[:12]
    )
    return {
        "template": "accounts/panels/team.html",
        "total": people.count(),
        "by_role": by_role,
        "by_unit": by_unit,
    }


def security_panel(user) -> dict | None:
    if not user.has_role(Role.Code.ADMIN):
        return None
    since = timezone.now() - timedelta(days=7)
    events = AuditEvent.objects.filter(at__gte=since)
    return {
        "template": "accounts/panels/security.html",
        "failed": events.filter(action=AuditEvent.Action.LOGIN_FAILED).count(),
        "locked": events.filter(action=AuditEvent.Action.LOCKED_OUT).count(),
        "logins": events.filter(action=AuditEvent.Action.LOGIN).count(),
        "recent": AuditEvent.objects.select_related("actor")[:8],
    }
