"""Role-aware navigation. Each entry names the roles that see it; apps append their own entries."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

R_ALL = ("am", "mm", "agent", "leader", "manager", "quality", "analyst", "admin")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = R_ALL
    order: int = 100


NAV: list[NavItem] = [
    NavItem(_("Home"), "home", order=0),
    NavItem(_("Customers"), "group-list", order=10),
    NavItem(_("Visits"), "visit-list", ("am", "leader", "manager", "analyst", "admin", "quality"), order=12),
    NavItem(_("Compliance"), "visit-compliance", ("am", "leader", "manager", "analyst", "admin"), order=14),
    NavItem(_("Work plan"), "work-plan", ("am",), order=15),
    NavItem(_("Surveys"), "survey-list", ("am", "leader", "manager", "analyst", "admin", "quality"), order=16),
    NavItem(_("Repairs"), "repair-list", ("am", "leader", "manager", "analyst", "admin", "quality"), order=17),
    NavItem(_("Tickets"), "ticket-list", ("am", "mm", "agent", "leader", "manager", "quality", "analyst", "admin"),
            order=11),
    NavItem(_("Complaints"), "complaint-list", ("am", "agent", "leader", "manager", "quality", "analyst", "admin"),
            order=18),
    NavItem(_("Ledger"), "ledger", ("am", "mm", "leader", "manager", "quality", "analyst", "admin"), order=19),
    NavItem(_("Alerts"), "alert-inbox", ("am", "leader", "manager", "analyst", "admin"), order=13),
    NavItem(_("Credit control"), "credit-orders", ("am", "leader", "manager", "analyst", "admin"), order=21),
    NavItem(_("Data quality"), "data-quality", ("leader", "manager", "analyst", "admin"), order=20),
    NavItem(_("Import"), "import-start", ("am", "leader", "manager", "admin"), order=80),
    NavItem(_("People"), "people", ("leader", "manager", "quality", "analyst", "admin"), order=90),
    NavItem(_("Security log"), "audit-log", ("admin",), order=95),
]


def register(*items: NavItem) -> None:
    NAV.extend(items)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    out = []
    for item in sorted(NAV, key=lambda i: i.order):
        if not user.has_role(*item.roles):
            continue
        try:
            out.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
        except NoReverseMatch:
            continue
    return out
