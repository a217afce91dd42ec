"""Reads for billing, retention and credit control that pages and the API share (ORG-3 applied once)."""
from __future__ import annotations

from accounts.scoping import scope_queryset

from ..scopes import ALERT_SCOPE
from .models import RetentionAlert


def alerts_in_scope(user):
    return scope_queryset(user, RetentionAlert.objects.select_related("group", "member", "assigned_am"), ALERT_SCOPE)
