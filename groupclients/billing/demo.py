"""Demo billing: one account per member, four months of usage, some arrears and payments — then a
credit-control run and the retention scans, so `make run` shows alerts and work orders."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from ..models import Member
from .models import BillingAccount, UsageMonth
from .services.retention import add_months

BATCH = 20000


def seed(ctx) -> None:
    if BillingAccount.objects.exists():
        ctx.log(f"  billing: {BillingAccount.objects.count()} accounts already present")
        return
    rnd = random.Random(5)
    today = timezone.localdate()
    this = today.replace(day=1)
    months = [add_months(this, -i) for i in range(4, 0, -1)]  # the last four complete months
    last = months[-1]
    ids = list(Member.objects.order_by("pk").values_list("pk", "billing_type", "vip_tier", "group__account_manager_id"))
    am1 = ctx.data["am1"].pk
    accounts = []
    for pk, btype, _vip, _am in ids:
        kind = btype or "postpaid"
        arrears = rnd.random() < 0.04
        if kind == "prepaid":
            accounts.append(BillingAccount(external_id=f"ACC{pk}", kind=kind,
                                           cash_balance=Decimal(-rnd.randint(1, 30)) if arrears else Decimal(rnd.randint(5, 300)),
                                           balance_valid_until=today + dt.timedelta(days=rnd.randint(-2, 200))))
        else:
            due = today + dt.timedelta(days=rnd.randint(-10, 25))
            accounts.append(BillingAccount(external_id=f"ACC{pk}", kind=kind,
                                           amount_due=Decimal(rnd.randint(30, 900)) if arrears or due > today else Decimal(0),
                                           due_date=due, arrears_since=due if arrears else None))
        if len(accounts) >= BATCH:
            BillingAccount.objects.bulk_create(accounts, batch_size=5000)
            accounts = []
    BillingAccount.objects.bulk_create(accounts, batch_size=5000)
    # members ↔ accounts and groups, set-based
    with connection.cursor() as cur:
        cur.execute("""UPDATE groupclients_member SET account_id = (SELECT a.id FROM groupclients_billingaccount a
                       WHERE a.external_id = 'ACC' || CAST(groupclients_member.id AS VARCHAR(20)))""")
        cur.execute("""UPDATE groupclients_billingaccount SET group_id = (SELECT m.group_id FROM groupclients_member m
                       WHERE m.account_id = groupclients_billingaccount.id)""")
    usage = []
    for pk, _btype, vip, am in ids:
        base = Decimal(rnd.randint(30, 400))
        drop = rnd.random() < 0.06 or (am == am1 and vip and rnd.random() < 0.5)
        for m in months:
            factor = Decimal("0.45") if (drop and m == last) else Decimal(rnd.randint(90, 110)) / 100
            usage.append(UsageMonth(member_id=pk, month=m, revenue=(base * factor).quantize(Decimal("0.01")),
                                    minutes=int(300 * factor), outgoing_calls=0 if (drop and m == last and rnd.random() < .3)
                                    else rnd.randint(20, 120), data_mb=rnd.randint(500, 20000),
                                    forwarding_days=rnd.choice([0] * 30 + [4]),
                                    competitor_hotline_seconds=rnd.choice([0] * 50 + [95])))
        if len(usage) >= BATCH:
            UsageMonth.objects.bulk_create(usage, batch_size=5000)
            usage = []
    UsageMonth.objects.bulk_create(usage, batch_size=5000)
    from .jobs import credit_control, retention_daily, retention_monthly

    c = credit_control()
    r = retention_monthly(month=last)
    retention_daily()
    ctx.log(f"  billing: {BillingAccount.objects.count()} accounts, {UsageMonth.objects.count()} usage rows; "
            f"credit run {c.get('half_suspended', 0)} half-suspended; retention {r.get('member_alerts_new', 0)} alerts")
