"""Pages for retention alerts (RET-2..5) and credit control (CC-1..10)."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import WRITE, get_in_scope, scope_queryset
from portal.exceptions import ApplicationError

from ..scopes import ACCOUNT_SCOPE, ALERT_SCOPE, ORDER_SCOPE
from .models import BillingAccount, CreditOrder, RetentionAlert
from .selectors import alerts_in_scope
from .services import credit, retention


@login_required
def alert_inbox(request):
    """The AM's inbox sorted by level and due date; supervisors also get the by-AM view."""
    if request.user.role_codes <= {"agent"}:
        raise PermissionDenied(_("Retention alerts are for account managers and supervisors."))
    status = request.GET.get("status", "active")
    qs = alerts_in_scope(request.user)
    if status == "active":
        qs = qs.filter(status__in=["open", "in_progress"])
    elif status:
        qs = qs.filter(status=status)
    if request.GET.get("level"):
        qs = qs.filter(level=request.GET["level"])
    if request.GET.get("am"):
        qs = qs.filter(assigned_am_id=request.GET["am"])
    page = Paginator(qs.order_by("level", "due_at", "pk"), 50).get_page(request.GET.get("page"))
    by_am = []
    if request.user.has_role("leader", "manager", "analyst", "admin"):
        now = timezone.now()
        by_am = (alerts_in_scope(request.user).values("assigned_am", "assigned_am__display_name",
                                                      "assigned_am__username")
                 .annotate(open=Count("id", filter=Q(status__in=["open", "in_progress"])),
                           overdue=Count("id", filter=Q(status__in=["open", "in_progress"], due_at__lt=now)),
                           retained=Count("id", filter=Q(status="retained")),
                           closed=Count("id", filter=Q(status__in=RetentionAlert.CLOSED)))
                 .order_by("-overdue", "-open")[:50])
    return render(request, "groupclients/alert_inbox.html", {"page": page, "status": status, "by_am": by_am,
                                                             "now": timezone.now(),
                                                             "statuses": RetentionAlert.Status.choices})


@login_required
def alert_detail(request, pk):
    if request.user.role_codes <= {"agent"}:
        raise PermissionDenied
    alert = get_in_scope(request.user, RetentionAlert.objects.select_related("group", "member", "contact",
                                                                             "assigned_am"), ALERT_SCOPE, pk=pk)
    can_act = alerts_in_scope(request.user).filter(pk=alert.pk).exists() and \
        scope_queryset(request.user, RetentionAlert.objects.filter(pk=alert.pk), ALERT_SCOPE, WRITE).exists()
    return render(request, "groupclients/alert_detail.html", {
        "a": alert, "actions": alert.actions.select_related("by"), "can_act": can_act,
        "closed": alert.status in RetentionAlert.CLOSED,
        "account": alert.member.account if alert.member_id and alert.member.account_id else None,
    })


@login_required
@require_POST
def alert_action(request, pk):
    alert = get_in_scope(request.user, RetentionAlert.objects.all(), ALERT_SCOPE, WRITE, pk=pk)
    try:
        if request.POST.get("close"):
            retention.alert_close(alert=alert, by=request.user, status=request.POST.get("close"),
                                  outcome=request.POST.get("note", ""))
        else:
            retention.alert_act(alert=alert, by=request.user, kind=request.POST.get("kind", "note"),
                                note=request.POST.get("note", ""))
        messages.success(request, _("Saved."))
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect("alert-detail", pk=alert.pk)


@login_required
def credit_orders(request):
    if request.user.role_codes <= {"agent"}:
        raise PermissionDenied
    qs = scope_queryset(request.user, CreditOrder.objects.select_related("account", "account__group", "by"),
                        ORDER_SCOPE)
    action = request.GET.get("action", "")
    if action:
        qs = qs.filter(action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "groupclients/credit_orders.html", {"page": page, "action": action,
                                                               "actions": CreditOrder.Action.choices})


@login_required
def account_detail(request, pk):
    if request.user.role_codes <= {"agent"}:
        raise PermissionDenied
    a = get_in_scope(request.user, BillingAccount.objects.select_related("group", "package"), ACCOUNT_SCOPE, pk=pk)
    return render(request, "groupclients/account_detail.html", {
        "a": a, "orders": a.orders.select_related("by")[:30], "payments": a.payments.all()[:10],
        "members": a.members.select_related("contact"),
        "key_person": a.members.filter(contact__isnull=False).exists(),
        "can_act": scope_queryset(request.user, BillingAccount.objects.filter(pk=a.pk), ACCOUNT_SCOPE, WRITE).exists(),
        "default_delay": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    })


@login_required
@require_POST
def account_action(request, pk, action):
    a = get_in_scope(request.user, BillingAccount.objects.all(), ACCOUNT_SCOPE, WRITE, pk=pk)
    try:
        if action == "emergency-resume":
            credit.emergency_resume(account=a, by=request.user, reason=request.POST.get("reason", ""))
        elif action == "delay":
            try:
                until = timezone.make_aware(dt.datetime.fromisoformat(request.POST.get("until", "")))
            except ValueError:
                raise ApplicationError(_("Give the date until which suspension is delayed.")) from None
            credit.suspension_delay(account=a, by=request.user, until=until, reason=request.POST.get("reason", ""))
        else:
            raise PermissionDenied
        messages.success(request, _("Done."))
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect("account-detail", pk=a.pk)
