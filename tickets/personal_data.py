"""ORG-4 for tickets: the reporter's callback number (a mobile) is personal data.

It is shown in clear to the people who own the record — those who work the ticket (the local AM and
MM it was dispatched to, the agent or AM who opened it, the group's AM informed of it) and the
owners of its group as for contacts (the group's AM, the local AM of one of its sites) — and masked
(`139****0001`) for everyone else: supervisors, quality, analysts, other agents. A non-owner may
reveal it; every reveal is audit-logged like a contact's (issue 12 item 4).
"""
from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from accounts.masking import mask_mobile
from accounts.reveals import reveal_rate_check
from groupclients.models import Site
from portal.audit import audit_log
from portal.models import AuditEvent

from .models import Ticket


def _owner_q(user) -> Q:
    pk = user.pk
    return (Q(account_manager_id=pk) | Q(maintenance_manager_id=pk) | Q(opened_by_id=pk) | Q(home_am_id=pk)
            | Q(group__account_manager_id=pk)
            | Exists(Site.objects.filter(group_id=OuterRef("group_id"), local_am_id=pk)))


def with_callback_owned(qs: QuerySet[Ticket], user) -> QuerySet[Ticket]:
    """Annotate `callback_owned` (one expression, no query per row)."""
    if user is None or not user.is_authenticated:
        return qs.annotate(callback_owned=ExpressionWrapper(Q(pk__in=[]), output_field=BooleanField()))
    return qs.annotate(callback_owned=ExpressionWrapper(_owner_q(user), output_field=BooleanField()))


def callback_owned(ticket: Ticket, user) -> bool:
    """Whether `user` sees the ticket's callback number in clear. Uses the annotation when present."""
    owned = getattr(ticket, "callback_owned", None)
    if owned is not None:
        return bool(owned)
    if user is None or not user.is_authenticated:
        return False
    pk = user.pk
    if pk in (ticket.account_manager_id, ticket.maintenance_manager_id, ticket.opened_by_id, ticket.home_am_id):
        return True
    return Ticket.objects.filter(Q(pk=ticket.pk) & _owner_q(user)).exists()


def callback_display(ticket: Ticket, user) -> str:
    return ticket.callback_number if callback_owned(ticket, user) else mask_mobile(ticket.callback_number)


def ticket_reveal(*, ticket: Ticket, by, request=None) -> dict[str, str]:
    """ORG-4: show a non-owner the callback number in clear, and audit that they saw it.
    Rate-limited per user like every reveal (policy security.reveals_per_hour): 429 beyond it."""
    reveal_rate_check(user=by)
    audit_log(action=AuditEvent.Action.REVEAL, actor=by, request=request, target=ticket,
              fields=["callback_number"])
    return {"callback_number": ticket.callback_number}
