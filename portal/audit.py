"""Writing the audit log. One function, used by signals, views, exports and the API."""
from __future__ import annotations

from typing import Any

from django.db import models as dj_models

from .clientip import client_ip  # noqa: F401  (one notion of the client's address: TRUSTED_PROXIES)
from .models import AuditEvent


def audit_log(
    *,
    action: str,
    actor=None,
    request=None,
    target: dj_models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    username: str = "",
    **detail: Any,
) -> AuditEvent:
    """Record one security-relevant event. Never raises for a missing actor (failed logins have none)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=username or (actor.get_username() if actor else ""),
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        detail=detail,
        ip=client_ip(request),
    )
