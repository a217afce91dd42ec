"""Reads for tickets, complaints and the ledger, scoped once here (ORG-3)."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.scoping import READ, scope_queryset

from .models import Complaint, LedgerEntry, Ticket
from .scopes import COMPLAINT_SCOPE, LEDGER_SCOPE, TICKET_SCOPE

S = Ticket.Status
ACTIVE = [S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SITE, S.REPAIRED, S.AM_LOGGED, S.RATED, S.MISROUTED, S.NEW]


def tickets_in_scope(user, action: str = READ) -> QuerySet[Ticket]:
    return scope_queryset(user, Ticket.objects.all(), TICKET_SCOPE, action)


def ticket_list_for_user(user, *, queue: str = "", status: str = "", severity: str = "", group: int | None = None,
                         q: str = "", breached: bool = False) -> QuerySet[Ticket]:
    """The queues of issue 5: agent — my reports; AM/MM — my open tickets; quality — misroutes and
    verification; manager — the unit board with breaches."""
    qs = tickets_in_scope(user).select_related("group", "site", "unit", "product", "account_manager",
                                               "maintenance_manager", "opened_by")
    if queue == "mine":
        qs = qs.filter(Q(account_manager=user) | Q(maintenance_manager=user) | Q(opened_by=user)).filter(
            status__in=ACTIVE)
    elif queue == "reported":
        qs = qs.filter(opened_by=user)
    elif queue == "misrouted":
        qs = qs.filter(status=S.MISROUTED)
    elif queue == "verification":
        qs = qs.filter(needs_verification=True)
    elif queue == "open":
        qs = qs.filter(status__in=ACTIVE)
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if group:
        qs = qs.filter(group_id=group)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(group__name__icontains=q) | Q(callback_number__contains=q))
    if breached:
        qs = qs.filter(Q(acknowledge_breached_at__isnull=False) | Q(on_site_breached_at__isnull=False)
                       | Q(restore_breached_at__isnull=False))
    return qs.order_by("-opened_at", "-id")


def board_counts(user) -> dict:
    """The manager's unit board: open tickets by state, breaches, misroutes and verification waiting —
    one pass over the scoped tickets (conditional counts), not one query per figure."""
    from django.db.models import Count

    open_q = Q(status__in=[S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SITE])
    breached = Q(acknowledge_breached_at__isnull=False) | Q(on_site_breached_at__isnull=False) | Q(
        restore_breached_at__isnull=False)
    soon = Q(restore_due__lt=timezone.now() + timezone.timedelta(hours=1), restore_breached_at__isnull=True)
    states = list(ACTIVE)
    agg = tickets_in_scope(user).aggregate(
        **{f"state_{i}": Count("id", filter=Q(status=st)) for i, st in enumerate(states)},
        open=Count("id", filter=open_q),
        breached=Count("id", filter=open_q & breached),
        at_risk=Count("id", filter=open_q & soon),
        misrouted=Count("id", filter=Q(status=S.MISROUTED)),
        verification=Count("id", filter=Q(needs_verification=True)),
    )
    by_state = {st: agg.pop(f"state_{i}") for i, st in enumerate(states) if agg.get(f"state_{i}")}
    for i in range(len(states)):
        agg.pop(f"state_{i}", None)
    return {"by_state": by_state, **agg}


def complaints_in_scope(user, action: str = READ) -> QuerySet[Complaint]:
    return scope_queryset(user, Complaint.objects.all(), COMPLAINT_SCOPE, action).select_related(
        "group", "contact", "account_manager", "recorded_by")


def ledger_in_scope(user) -> QuerySet[LedgerEntry]:
    return scope_queryset(user, LedgerEntry.objects.all(), LEDGER_SCOPE).select_related(
        "person", "branch", "reversed_by", "source_type")
