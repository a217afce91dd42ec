"""The billing-feed import kinds (SPEC RET-1, CC-1): accounts, usage and payments files, applied by the
same bulk services as the API. Registered with the customer-file import (`transfer.register_kind`)
when the app is ready, so that the import knows no billing module."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User

from ..transfer.cells import Col, RowError, _bool, _text
from ..transfer.kinds import Kind, register_kind


class BulkKind(Kind):
    """Billing-feed files (RET-1, CC-1): validated and applied by the same bulk services as the API;
    the dry run applies them in a transaction that is rolled back, so it reports exactly what the
    apply would refuse."""

    bulk = True

    def __init__(self, key, columns, apply):
        self.key, self.columns, self._apply = key, columns, apply

    def run(self, rows: list[dict], user: User) -> dict:
        def cell(v):  # dates and whole numbers as Excel gives them; everything else as text
            return v if isinstance(v, (dt.date, int, Decimal)) and not isinstance(v, bool) else _text(v)

        clean = [{k: cell(v) for k, v in r.items() if _text(v) != ""} for r in rows]
        for r in clean:
            if "members" in r:
                r["members"] = [m.strip() for m in str(r["members"]).replace("，", ",").split(",") if m.strip()]
            for k in ("enrolled", "exempt"):
                if k in r:
                    r[k] = _bool(r[k])
        return self._apply(clean, user)


def _apply_accounts(rows, user):
    from .services.billing import accounts_bulk_upsert

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    return accounts_bulk_upsert(rows=rows, by=user)


def _apply_usage(rows, user):
    from .services.billing import usage_bulk_upsert

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    return usage_bulk_upsert(rows=rows)


def _apply_payments(rows, user):
    from .models import BillingAccount
    from .services.credit import payment_record

    if not user.has_role("admin"):
        raise RowError({"file": [_("The billing feed is imported by an administrator.")]})
    accounts = {a.external_id: a for a in BillingAccount.objects.filter(
        external_id__in={r.get("account") for r in rows})}
    errors = [{"row": i, "errors": {"account": [_("Unknown account.")]}}
              for i, r in enumerate(rows, start=1) if r.get("account") not in accounts]
    if errors:
        from portal.exceptions import ApplicationError

        raise ApplicationError(_("Unknown accounts; nothing was saved."), extra={"errors": errors})
    created = 0
    for r in rows:
        _p, new = payment_record(account=accounts[r["account"]], amount=Decimal(str(r["amount"])),
                                 external_id=r.get("external_id"), validity_days=int(r.get("validity_days") or 0),
                                 by=user)
        created += new
    return {"created": created, "updated": len(rows) - created}


for _kind in (
    BulkKind("accounts", [Col("external_id", "账户编码", "Account id", True, "ACC0001"),
                          Col("group", "集团编码", "Group code", False, "G00001234"),
                          Col("kind", "付费类型", "Kind", True, "postpaid"),
                          Col("cash_balance", "现金余额", "Cash balance", False, "0"),
                          Col("noncash_balance", "赠款余额", "Bonus balance", False, "0"),
                          Col("balance_valid_until", "余额有效期", "Balance valid until", False, "2026-12-31"),
                          Col("amount_due", "欠费金额", "Amount due", False, "120.00"),
                          Col("due_date", "缴费期限", "Due date", False, "2026-11-30"),
                          Col("credit_level", "信用等级", "Credit level", False, 1),
                          Col("enrolled", "纳入信控", "Enrolled", False, "是"),
                          Col("members", "成员号码", "Member mobiles", False, "13912345678")], _apply_accounts),
    BulkKind("usage", [Col("mobile", "手机号码", "Mobile", True, "13912345678"),
                       Col("month", "月份", "Month", True, "2026-10"),
                       Col("revenue", "收入", "Revenue", False, "88.00"),
                       Col("minutes", "通话分钟", "Minutes", False, 320),
                       Col("outgoing_calls", "主叫次数", "Outgoing calls", False, 60),
                       Col("data_mb", "流量MB", "Data MB", False, 4096),
                       Col("forwarding_days", "呼转异网天数", "Forwarding days", False, 0),
                       Col("competitor_hotline_seconds", "竞争对手客服通话秒数", "Competitor hotline seconds", False,
                           0)],
             _apply_usage),
    BulkKind("payments", [Col("external_id", "缴费流水号", "Payment id", True, "PAY0001"),
                          Col("account", "账户编码", "Account id", True, "ACC0001"),
                          Col("amount", "金额", "Amount", True, "100.00"),
                          Col("validity_days", "延长有效期天数", "Validity days", False, 30)], _apply_payments),
):
    register_kind(_kind)
