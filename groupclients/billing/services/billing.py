"""The billing feed (RET-1, CC-1): accounts and monthly usage, bulk and idempotent by external id.
All rows or none: every row is validated first and the errors name the rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError

from ...models import GroupCustomer, Member
from ..models import BillingAccount, Package, UsageMonth

ACCOUNT_FIELDS = ("kind", "cash_balance", "noncash_balance", "noncash_expires_on", "balance_valid_until",
                  "amount_due", "due_date", "arrears_since", "instalment_end", "credit_level", "enrolled", "exempt",
                  "exempt_reason", "package_role", "group")
USAGE_FIELDS = ("revenue", "minutes", "outgoing_calls", "data_mb", "forwarding_days", "competitor_hotline_seconds")


def _raise(errors: list[dict], total: int) -> None:
    if errors:
        raise ApplicationError(_("%(n)d of %(t)d rows are invalid; nothing was saved.") % {"n": len(errors), "t": total},
                               extra={"errors": errors})


def accounts_bulk_upsert(*, rows: list[dict[str, Any]], by) -> dict[str, int]:
    """Create or update billing accounts by external id; link members by mobile. CC-1 exemption needs a
    reason and is approved by the caller (audited through the account's approver)."""
    groups = {g.code: g for g in GroupCustomer.objects.filter(code__in={str(r.get("group", "")) for r in rows})}
    packages = {p.external_id: p for p in Package.objects.filter(
        external_id__in={str(r["package"]) for r in rows if r.get("package")})}
    existing = {a.external_id: a for a in BillingAccount.objects.filter(
        external_id__in=[str(r.get("external_id", "")) for r in rows])}
    errors, new, changed, links = [], [], [], []
    for i, r in enumerate(rows, start=1):
        ext = str(r.get("external_id", "")).strip()
        if not ext:
            errors.append({"row": i, "errors": {"external_id": [_("This field is required.")]}})
            continue
        a = existing.get(ext) or BillingAccount(external_id=ext)
        values = {k: r[k] for k in ACCOUNT_FIELDS if k in r and k != "group"}
        if "group" in r and r["group"]:
            if str(r["group"]) not in groups:
                errors.append({"row": i, "errors": {"group": [_("Unknown group code.")]}})
                continue
            values["group"] = groups[str(r["group"])]
        if r.get("package"):
            values["package"] = packages.get(str(r["package"])) or Package.objects.create(
                external_id=str(r["package"]), kind=r.get("package_kind", "tight"))
            packages[str(r["package"])] = values["package"]
        for k, v in values.items():
            setattr(a, k, v)
        if a.exempt:
            a.exempt_approver = by
        try:
            a.full_clean(exclude=["external_id"] if a.pk else None, validate_unique=False)
        except Exception as e:  # ValidationError with message_dict
            errors.append({"row": i, "errors": getattr(e, "message_dict", {"__all__": [str(e)]})})
            continue
        (changed if a.pk else new).append(a)
        for mobile in r.get("members", []) or []:
            links.append((ext, str(mobile)))
    _raise(errors, len(rows))
    with transaction.atomic():
        BillingAccount.objects.bulk_create(new, batch_size=2000)
        if changed:
            BillingAccount.objects.bulk_update(changed, [f for f in ACCOUNT_FIELDS if f != "group"] +
                                               ["group", "package", "exempt_approver"], batch_size=2000)
        if links:
            ids = dict(BillingAccount.objects.filter(external_id__in={e for e, _m in links}).values_list(
                "external_id", "pk"))
            for ext, mobile in links:
                Member.objects.filter(mobile=mobile).update(account_id=ids[ext])
    return {"created": len(new), "updated": len(changed)}


def _month(v) -> dt.date:
    if isinstance(v, dt.date):
        return v.replace(day=1)
    s = str(v)
    return dt.date.fromisoformat(s if len(s) > 7 else s + "-01").replace(day=1)


def usage_bulk_upsert(*, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Monthly usage per member (RET-1), keyed by (member mobile, month). INSERT … ON CONFLICT UPDATE."""
    members = dict(Member.objects.filter(mobile__in={str(r.get("mobile", "")) for r in rows}).values_list("mobile", "pk"))
    errors, objs, seen = [], [], set()
    for i, r in enumerate(rows, start=1):
        mobile = str(r.get("mobile", ""))
        try:
            month = _month(r.get("month"))
        except ValueError:
            errors.append({"row": i, "errors": {"month": [_("Use YYYY-MM.")]}})
            continue
        if mobile not in members:
            errors.append({"row": i, "errors": {"mobile": [_("Unknown member.")]}})
            continue
        if (mobile, month) in seen:
            errors.append({"row": i, "errors": {"month": [_("The same member and month twice in this batch.")]}})
            continue
        seen.add((mobile, month))
        try:
            values = {k: (Decimal(str(r[k])) if k == "revenue" else int(r[k])) for k in USAGE_FIELDS if k in r}
        except (InvalidOperation, ValueError, TypeError):
            errors.append({"row": i, "errors": {"usage": [_("Numbers only.")]}})
            continue
        if any(v < 0 for v in values.values()):
            errors.append({"row": i, "errors": {"usage": [_("Usage cannot be negative.")]}})
            continue
        objs.append(UsageMonth(member_id=members[mobile], month=month, **values))
    _raise(errors, len(rows))
    with transaction.atomic():
        UsageMonth.objects.bulk_create(objs, batch_size=5000, update_conflicts=True,
                                       unique_fields=["member", "month"], update_fields=list(USAGE_FIELDS))
    return {"upserted": len(objs)}
