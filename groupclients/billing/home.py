"""Home and customer-file panels for retention (RET-2..5)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum, Window
from django.utils import timezone

from ..models import Member
from ..scopes import sees_financials
from ..selectors import member_summary
from .models import RetentionAlert, UsageMonth
from .services.retention import add_months


def alerts_panel(user) -> dict | None:
    if not user.has_role("am", "leader", "manager"):
        return None
    from .selectors import alerts_in_scope

    qs = alerts_in_scope(user).filter(status__in=["open", "in_progress"])
    if user.role_codes == {"am"}:
        qs = qs.filter(assigned_am=user)
    alerts = list(qs.order_by("level", "due_at")[:8])
    if not alerts:
        return None
    return {"template": "groupclients/panels/alerts.html", "alerts": alerts, "now": timezone.now(),
            "total": qs.count()}


def group_signals_panel(user, group) -> dict | None:
    """Group-level signals on the customer file: retention rate, revenue trend, forwarding, open alerts.
    Three or four queries whatever the group's size (issue 3: the customer file stays ≤ 15)."""
    if not sees_financials(user):
        return None
    this = timezone.localdate().replace(day=1)
    months = [add_months(this, -i) for i in range(4, 0, -1)]
    usage = {r["month"]: r for r in UsageMonth.objects.filter(member__group=group, month__in=months)
             .values("month").annotate(s=Sum("revenue"), fwd=Count("id", filter=Q(forwarding_days__gt=0)))
             .order_by()}
    # the first open alerts and how many are open, in one statement (the window counts before LIMIT)
    alerts = list(group.alerts.filter(status__in=[RetentionAlert.Status.OPEN, RetentionAlert.Status.IN_PROGRESS])
                  .annotate(n_open=Window(Count("id"))).order_by("level", "due_at")[:5])
    alert_counts = {"open": alerts[0].n_open if alerts else 0}
    if not usage and not alerts:
        return None
    members = getattr(group, "_member_summary", None) or member_summary(group)
    members_now, members_then = members.get(Member.Status.ACTIVE, 0), members["members_then"]
    forwarding = usage.get(months[-1], {}).get("fwd", 0)
    trend = [(m, (usage.get(m) or {}).get("s") or Decimal(0)) for m in months]
    top = max((v for _m, v in trend), default=Decimal(0)) or Decimal(1)
    return {
        "template": "groupclients/panels/signals.html",
        "retention_rate": round(members_now * 100 / members_then, 1) if members_then else None,
        "members_now": members_now, "members_then": members_then, "forwarding": forwarding,
        "trend": [(m, v, int(v * 100 / top)) for m, v in trend],
        "alerts": alerts,
        "alert_counts": alert_counts,
    }
