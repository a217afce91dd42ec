"""Home-page and customer-file panels for tickets (TKT-2: the ticket is on both parties' home pages)."""
from __future__ import annotations

from django.utils import timezone

from .selectors import board_counts, ticket_list_for_user


def my_tickets_panel(user) -> dict | None:
    if not user.has_role("am", "mm", "agent"):
        return None
    queue = "mine" if user.has_role("am", "mm") else "reported"
    tickets = list(ticket_list_for_user(user, queue=queue).exclude(status__in=["closed", "cancelled"])[:8])
    if not tickets and not user.has_role("mm", "agent"):
        return None
    return {"template": "tickets/panels/my_tickets.html", "tickets": tickets, "now": timezone.now(), "queue": queue}


def board_panel(user) -> dict | None:
    if not user.has_role("manager", "leader", "quality"):
        return None
    return {"template": "tickets/panels/board.html", "board": board_counts(user)}


def group_tickets_panel(user, group) -> dict | None:
    tickets = list(ticket_list_for_user(user, group=group.pk)[:5])
    if not tickets:
        return None
    return {"template": "tickets/panels/group_tickets.html", "tickets": tickets}
