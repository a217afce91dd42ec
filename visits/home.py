"""Home-page and customer-file panels of the visits app."""
from __future__ import annotations

from groupclients.selectors import groups_in_scope

from . import compliance
from .models import RepairCase
from .selectors import repairs_in_scope, visit_list_for_user


def am_visits_panel(user) -> dict | None:
    """VIS-3: what is due and overdue this period, on the AM's home page."""
    if not user.has_role("am"):
        return None
    obs = compliance.obligations(groups_in_scope(user).filter(account_manager=user))
    todo = sorted((o for o in obs if o.status != compliance.DONE),
                  key=lambda o: (o.status != compliance.OVERDUE, o.due_by))
    return {"template": "visits/panels/am_visits.html", "summary": compliance.summary(obs), "todo": todo[:10],
            "recent": visit_list_for_user(user).filter(account_manager=user)[:5]}


def repairs_panel(user) -> dict | None:
    """SAT-3: open repair cases with their due dates (supervisors and the AMs concerned)."""
    if not user.has_role("manager", "leader", "am"):
        return None
    qs = repairs_in_scope(user).filter(status__in=[RepairCase.Status.OPEN, RepairCase.Status.OVERDUE])
    if user.role_codes == {"am"}:
        qs = qs.filter(account_manager=user)
    cases = list(qs.order_by("due_at")[:10])
    if not cases and not user.has_role("manager"):
        return None
    return {"template": "visits/panels/repairs.html", "cases": cases}


def team_compliance_panel(user) -> dict | None:
    if not user.has_role("leader", "manager"):
        return None
    obs = compliance.obligations(groups_in_scope(user))
    return {"template": "visits/panels/team_compliance.html", "summary": compliance.summary(obs),
            "per_am": compliance.per_am(obs)[:8]}


def group_visits_panel(user, group) -> dict | None:
    """On the customer file: recent visits and their survey results — only when there are any."""
    visits = list(visit_list_for_user(user, group=group.pk).select_related(None).select_related("account_manager")
                  .prefetch_related(None).prefetch_related("surveys")[:5])
    if not visits:
        return None
    return {"template": "visits/panels/group_visits.html", "visits": visits, "group": group}
