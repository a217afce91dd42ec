from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.exceptions import ApplicationError
from portal.ids import is_id

from ..models import GroupCustomer, Member, Product
from .ownership import member_group_check

UPSERT_FIELDS = ("group", "name", "product", "vip_tier", "billing_type", "status", "joined_on", "left_on",
                 "external_id")


@transaction.atomic
def member_create(*, group: GroupCustomer, by, **fields: Any) -> Member:
    member = Member(group=group, **fields)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, by, **fields: Any) -> Member:
    """Change a member; moving it to another group needs write access to that group too (ORG-3)."""
    member_group_check(by=by, member=member, fields=fields)
    for k, v in fields.items():
        setattr(member, k, v)
    member.full_clean()
    member.save()
    return member


def members_bulk_upsert(*, rows: list[dict[str, Any]], by, allowed_groups=None) -> dict[str, int]:
    """Create or update members by mobile number (the billing feed). All rows or none.

    `rows` hold `mobile`, `group` (id or code) and optional fields. Every row is validated first;
    any bad row raises ApplicationError listing each bad row with its reason and nothing is saved.
    `allowed_groups` (a queryset) restricts which groups the caller may write to (ORG-3).
    Set-based: one read of the existing members, bulk inserts and bulk updates with history.
    """
    group_keys = {str(r.get("group", "")) for r in rows}
    groups_qs = allowed_groups if allowed_groups is not None else GroupCustomer.objects.all()
    by_id = {str(g.pk): g for g in groups_qs.filter(pk__in=[k for k in group_keys if is_id(k)])}
    by_code = {g.code: g for g in groups_qs.filter(code__in=group_keys)}
    products = {p.code: p for p in Product.objects.all()}
    mobiles = [str(r.get("mobile", "")).strip() for r in rows]
    existing = {m.mobile: m for m in Member.objects.filter(mobile__in=mobiles)}
    # a number already on file may only be moved by someone who may write its current group
    writable_existing = set(
        groups_qs.filter(pk__in={m.group_id for m in existing.values()}).values_list("pk", flat=True)
    )

    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    to_create, to_update = [], []
    for i, row in enumerate(rows, start=1):
        mobile = str(row.get("mobile", "")).strip()
        key = str(row.get("group", ""))
        group = by_id.get(key) or by_code.get(key)
        if group is None:
            errors.append({"row": i, "mobile": mobile, "errors": {"group": [_("Unknown group or outside your scope.")]}})
            continue
        if mobile in seen:
            errors.append({"row": i, "mobile": mobile, "errors": {"mobile": [_("Duplicate mobile in this batch.")]}})
            continue
        seen.add(mobile)
        values = {k: row[k] for k in UPSERT_FIELDS if k in row and k not in ("group", "product")}
        product_code = row.get("product")
        if product_code:
            if product_code not in products:
                errors.append({"row": i, "mobile": mobile, "errors": {"product": [_("Unknown product code.")]}})
                continue
            values["product"] = products[product_code]
        member = existing.get(mobile)
        if member is None:
            member = Member(mobile=mobile, group=group, **values)
            target = to_create
        else:
            if member.group_id not in writable_existing:
                errors.append({"row": i, "mobile": mobile,
                               "errors": {"mobile": [_("This number belongs to a group outside your scope.")]}})
                continue
            member.group = group
            for k, v in values.items():
                setattr(member, k, v)
            target = to_update
        try:
            member.full_clean(exclude=["mobile"] if target is to_update else None, validate_unique=False)
        except ValidationError as e:
            errors.append({"row": i, "mobile": mobile, "errors": e.message_dict})
            continue
        target.append(member)
    if errors:
        raise ApplicationError(
            _("%(n)d of %(total)d rows are invalid; nothing was saved.") % {"n": len(errors), "total": len(rows)},
            extra={"errors": errors},
        )
    with transaction.atomic():
        if to_create:
            bulk_create_with_history(to_create, Member, batch_size=1000, default_user=by)
        if to_update:
            bulk_update_with_history(to_update, Member, [*UPSERT_FIELDS], batch_size=1000, default_user=by)
    return {"created": len(to_create), "updated": len(to_update)}
