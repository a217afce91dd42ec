from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.masking import mask_date, mask_id_number, mask_mobile
from portal.audit import audit_log
from portal.exceptions import ApplicationError
from portal.models import AuditEvent

from ..models import Contact, ContactCareer, GroupCustomer, VipTier
from .ownership import contact_check
from .quality import group_refresh_quality

CAREER_FIELDS = ("post", "department", "status")


def _take_primary(contact: Contact) -> None:
    """CT-1: one primary contact per group — making one primary releases the previous one."""
    for other in Contact.objects.filter(group_id=contact.group_id, is_primary=True).exclude(pk=contact.pk):
        other.is_primary = False
        other._change_reason = f"primary contact moved to {contact.name}"
        other.save(update_fields=["is_primary", "updated_at"])


@transaction.atomic
def contact_create(*, group: GroupCustomer, by, **fields: Any) -> Contact:
    """Add a key person or contact (CT-1..6); checks the designated-VIP quota (CT-5) and that the
    counterpart is staff of the group's branch (CT-4)."""
    contact_check(contact=None, group=group, fields=fields)
    contact = Contact(group=group, **fields)
    contact.full_clean(validate_constraints=False)
    if contact.is_primary:
        _take_primary(contact)
    contact.save()
    if contact.vip_designated:
        _check_vip_quota(contact)
    group_refresh_quality([group.pk])
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, note: str = "", **fields: Any) -> Contact:
    """Change a contact. Post, department and status changes are kept as career rows (CT-3);
    a contact who leaves stops being the primary contact but keeps their visit history."""
    contact_check(contact=contact, group=contact.group, fields=fields)
    fields.pop("group", None)  # a contact stays with its group
    before = {f: getattr(contact, f) for f in CAREER_FIELDS}
    designation_before = (contact.vip_designated, contact.vip_tier)
    for k, v in fields.items():
        setattr(contact, k, v)
    if contact.status != Contact.Status.ACTIVE:
        contact.is_primary = False
    contact.full_clean(validate_constraints=False)
    if contact.is_primary:
        _take_primary(contact)
    contact.save()
    for f in CAREER_FIELDS:
        if before[f] != getattr(contact, f):
            ContactCareer.objects.create(contact=contact, by=by, change=f, old_value=before[f] or "",
                                         new_value=getattr(contact, f) or "", note=note[:200])
    if contact.vip_designated and (contact.vip_designated, contact.vip_tier) != designation_before:
        _check_vip_quota(contact)
    group_refresh_quality([contact.group_id])
    return contact


def _quota_pct(tier: str) -> float:
    from portal.policy import policy

    return float(policy({"diamond": "vip.designated_diamond_quota_percent", "gold": "vip.designated_gold_quota_percent"}[tier]))


def _check_vip_quota(contact: Contact) -> None:
    """CT-5: designated VIPs only at A/B groups; non-GoTone only silver; diamond ≤ 10 % and gold ≤ 20 %
    of all designated group VIPs (policy values). Raises, so the caller's transaction rolls back."""
    if contact.group.grade not in ("A", "B"):
        raise ApplicationError(_("Only key persons of class A or B groups can be designated VIP."))
    if not contact.vip_tier:
        raise ApplicationError(_("Choose the VIP tier to designate."))
    if not contact.is_gotone and contact.vip_tier != VipTier.SILVER:
        raise ApplicationError(_("A non-GoTone subscriber can only be designated silver."))
    if contact.vip_tier == VipTier.SILVER:
        return
    designated = Contact.objects.filter(vip_designated=True, status=Contact.Status.ACTIVE)
    total = designated.count()
    in_tier = designated.filter(vip_tier=contact.vip_tier).count()
    limit = _quota_pct(contact.vip_tier)
    if in_tier * 100 > limit * total:
        raise ApplicationError(
            _("Designated %(tier)s VIPs would be %(n)d of %(total)d (%(pct).1f%%), above the %(limit)s%% quota.")
            % {"tier": VipTier(contact.vip_tier).label, "n": in_tier, "total": total,
               "pct": in_tier * 100 / total, "limit": limit}
        )


def vip_designate(*, contact: Contact, tier: str, by) -> Contact:
    return contact_update(contact=contact, by=by, vip_designated=True, vip_tier=tier)


def contact_reveal(*, contact: Contact, by, request=None) -> dict[str, str]:
    """ORG-4: show a non-owner the personal data in clear, and audit that they saw it."""
    audit_log(action=AuditEvent.Action.REVEAL, actor=by, request=request, target=contact,
              fields=["mobile", "birthday", "id_number"])
    return {
        "mobile": contact.mobile,
        "birthday": contact.birthday.isoformat() if contact.birthday else "",
        "id_number": contact.id_number,
    }


def masked_personal_data(contact: Contact) -> dict[str, str]:
    return {
        "mobile": mask_mobile(contact.mobile),
        "birthday": mask_date(contact.birthday),
        "id_number": mask_id_number(contact.id_number),
    }
