"""The home page is a stack of panels; each app contributes panels for the roles it serves.

A panel provider takes the user and returns None (nothing to show) or a dict with `template`
and its context. Providers are listed here by dotted path so apps stay decoupled.
"""
from __future__ import annotations

from django.utils.module_loading import import_string

PANEL_PROVIDERS: list[str] = [
    "groupclients.billing.home.alerts_panel",
    "tickets.home.my_tickets_panel",
    "tickets.home.board_panel",
    "visits.home.am_visits_panel",
    "visits.home.repairs_panel",
    "visits.home.team_compliance_panel",
    "accounts.home.profile_panel",
    "accounts.home.team_panel",
    "accounts.home.security_panel",
]


def panels_for(user) -> list[dict]:
    panels = []
    for path in PANEL_PROVIDERS:
        panel = import_string(path)(user)
        if panel:
            panels.append(panel)
    return panels
