from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError, TransitionError

from ..models import GroupCustomer, GroupStatusChange, Opportunity, OpportunityUpdate
from .ownership import group_ownership_check
from .quality import group_refresh_quality


def _next_code() -> str:
    last = GroupCustomer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"G{last + 1:08d}"


@transaction.atomic
def group_create(*, by, **fields: Any) -> GroupCustomer:
    """Create a group (prospect unless told otherwise). Core fields are enforced for active groups (GC-1).
    The unit and the AM must be in the creator's scope (`ownership`, issue 12 item 2)."""
    group_ownership_check(by=by, group=None, unit=fields.get("unit"), account_manager=fields.get("account_manager"))
    fields.setdefault("code", _next_code())
    group = GroupCustomer(**fields)
    group.full_clean()
    group._change_reason = "created"
    group.save()
    group_refresh_quality([group.pk])
    group.refresh_from_db()
    return group


@transaction.atomic
def group_update(*, group: GroupCustomer, by, **fields: Any) -> GroupCustomer:
    """Change profile fields. The status changes only through group_change_status (GC-2). Only a
    supervisor hands a group to another unit or AM, within their scope (`ownership`, issue 12 item 2)."""
    group_ownership_check(by=by, group=group, unit=fields.get("unit"), account_manager=fields.get("account_manager"))
    if "status" in fields:
        current = GroupCustomer.objects.filter(pk=group.pk).values_list("status", flat=True).first()
        if fields.pop("status") != current:
            raise ApplicationError(_("Change the status with the status action, so it is recorded."))
    grade_changed = "grade" in fields and fields["grade"] != group.grade
    for k, v in fields.items():
        setattr(group, k, v)
    group.full_clean()
    group.save()
    if grade_changed:
        group_refresh_quality([group.pk])
    return group


@transaction.atomic
def group_change_status(*, group: GroupCustomer, to: str, by, reason: str = "") -> GroupCustomer:
    """Move prospect → active → churned (and back from churned) with a history row (GC-2).

    Becoming active needs every core field (GC-1); the check is the model's own validation.
    """
    group = GroupCustomer.objects.select_for_update().get(pk=group.pk)
    if to not in GroupCustomer.TRANSITIONS.get(group.status, set()):
        raise TransitionError(
            _("A group cannot go from %(a)s to %(b)s.")
            % {"a": group.get_status_display(), "b": GroupCustomer.Status(to).label}
        )
    old = group.status
    group.status = to
    group.full_clean()
    group._change_reason = reason or f"status {old} → {to}"
    group.save()
    GroupStatusChange.objects.create(group=group, from_status=old, to_status=to, by=by, reason=reason)
    return group


@transaction.atomic
def opportunity_create(*, group: GroupCustomer, by, team=(), **fields: Any) -> Opportunity:
    """A business opportunity (GC-7); its team is staff of the group's branch or the province."""
    from .ownership import team_check

    team_check(group=group, team=team)
    opp = Opportunity(group=group, created_by=by, **fields)
    opp.full_clean()
    opp.save()
    if team:
        opp.team.set(team)
    return opp


@transaction.atomic
def opportunity_decide(*, opportunity: Opportunity, decision: str, by) -> Opportunity:
    """A supervisor decides to pursue or drop (GC-7). Only supervisors may decide; once only."""
    if not by.has_role("leader", "manager", "admin"):
        raise ApplicationError(_("Only a group leader or department manager decides on an opportunity."),
                               status_code=403)
    if opportunity.decision != Opportunity.Decision.PENDING:
        raise TransitionError(_("This opportunity has already been decided."))
    if decision not in (Opportunity.Decision.PURSUE, Opportunity.Decision.DROP):
        raise ApplicationError(_("Decide to pursue or to drop."))
    opportunity.decision = decision
    opportunity.decided_by = by
    opportunity.decided_at = timezone.now()
    opportunity.save(update_fields=["decision", "decided_by", "decided_at"])
    return opportunity


@transaction.atomic
def opportunity_add_update(*, opportunity: Opportunity, by, text: str) -> OpportunityUpdate:
    """A progress note for the project team (GC-7)."""
    if not text.strip():
        raise ApplicationError(_("Write what progressed."))
    if opportunity.decision == Opportunity.Decision.DROP:
        raise TransitionError(_("This opportunity was dropped."))
    return OpportunityUpdate.objects.create(opportunity=opportunity, by=by, text=text.strip())
