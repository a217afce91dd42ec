"""Extension point of the customer file: later features (visits, tickets, alerts) add a provider
`fn(user, group) -> dict | None` here; a panel is rendered only when its provider returns data."""
GROUP_PANELS: list[str] = [
    "groupclients.billing.home.group_signals_panel",
    "visits.home.group_visits_panel",
    "tickets.home.group_tickets_panel",
]
