"""Home and customer-file panels for retention (RET-2..5)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from .billing_models import RetentionAlert, UsageMonth
from .models import Member
from .scopes import sees_financials
from .services.retention import add_months


def alerts_panel(user) -> dict | None:
    if not user.has_role("am", "leader", "manager"):
        return None
    from .views_retention import alerts_in_scope

    qs = alerts_in_scope(user).filter(status__in=["open", "in_progress"])
    if user.role_codes == {"am"}:
        qs = qs.filter(assigned_am=user)
    alerts = list(qs.order_by("level", "due_at")[:8])
    if not alerts:
        return None
    return {"template": "groupclients/panels/alerts.html", "alerts": alerts, "now": timezone.now(),
            "total": qs.count()}


def group_signals_panel(user, group) -> dict | None:
    """Group-level signals on the customer file: retention rate, revenue trend, forwarding, open alerts."""
    if not sees_financials(user):
        return None
    this = timezone.localdate().replace(day=1)
    months = [add_months(this, -i) for i in range(4, 0, -1)]
    revenue = dict(UsageMonth.objects.filter(member__group=group, month__in=months).values("month")
                   .annotate(s=Sum("revenue")).values_list("month", "s"))
    if not revenue and not group.alerts.exists():
        return None
    then = add_months(this, -3)
    members_now = Member.objects.filter(group=group, status="active").count()
    members_then = Member.objects.filter(group=group).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=then)).filter(Q(left_on__isnull=True) | Q(left_on__gt=then)).count()
    forwarding = UsageMonth.objects.filter(member__group=group, month=months[-1], forwarding_days__gt=0).count()
    trend = [(m, revenue.get(m) or Decimal(0)) for m in months]
    top = max((v for _m, v in trend), default=Decimal(0)) or Decimal(1)
    return {
        "template": "groupclients/panels/signals.html",
        "retention_rate": round(members_now * 100 / members_then, 1) if members_then else None,
        "members_now": members_now, "members_then": members_then, "forwarding": forwarding,
        "trend": [(m, v, int(v * 100 / top)) for m, v in trend],
        "alerts": group.alerts.filter(status__in=["open", "in_progress"]).order_by("level", "due_at")[:5],
        "alert_counts": group.alerts.aggregate(open=Count("id", filter=Q(status__in=["open", "in_progress"])),
                                               retained=Count("id", filter=Q(status=RetentionAlert.Status.RETAINED))),
    }
