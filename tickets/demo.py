"""Demo tickets: one open ticket for mm1 (dispatched just now), one breached, one closed; two complaints;
--scale adds ~200 historical tickets per step for the benchmarks (set-based inserts)."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from groupclients.models import Product, Site

from .models import Ticket, TicketEvent
from .workflow import ticket_acknowledge, ticket_open

HISTORY_PER_SCALE = 200


def seed(ctx) -> None:
    if Ticket.objects.exists():
        ctx.log(f"  tickets: {Ticket.objects.count()} already present")
        return
    agent, am1, mm1 = ctx.data["agent1"], ctx.data["am1"], ctx.data["mm1"]
    product = Product.objects.get(code="internet_line")
    sites = list(Site.objects.filter(local_mm=mm1, group__account_manager=am1).select_related("group")[:3])
    made = []
    for i, site in enumerate(sites):
        t = ticket_open(group=site.group, site=site, product=product, severity=["critical", "major", "minor"][i % 3],
                        description=["专线中断，业务全部受影响", "网速慢，丢包严重", "语音专线偶发杂音"][i % 3],
                        reporter_name=site.group.contacts.order_by("-is_primary").first().name
                        if site.group.contacts.exists() else "联系人",
                        callback_number=site.group.contacts.order_by("-is_primary").first().mobile
                        if site.group.contacts.exists() else "13900000000", by=agent)
        made.append(t)
    if made:
        ticket_acknowledge(ticket=made[0], by=mm1)
    _complaints(ctx, [site.group for site in sites])
    _history(ctx)
    ctx.log(f"  tickets: {Ticket.objects.count()} tickets")


def _complaints(ctx, groups) -> None:
    """Two open complaints on am1's groups (CMP-2): one from the call centre, one the AM recorded —
    so the complaint pages, and the write matrix's escalation cells (issue 12), have a record."""
    from .complaints import complaint_record

    for i, group in enumerate(groups[:2]):
        by = ctx.data["agent1"] if i == 0 else ctx.data["am1"]
        complaint_record(group=group, by=by, kind="complaint", channel="call_centre" if i == 0 else "visit",
                         description=["账单金额与合同不符", "专线报修后无人回电"][i])


def _history(ctx) -> None:
    """Closed tickets over the last months, bulk-inserted, for boards, KPIs and benchmarks."""
    rnd = random.Random(11)
    n = HISTORY_PER_SCALE * ctx.scale
    agent = ctx.data["agent1"]
    products = list(Product.objects.all())
    sites = list(Site.objects.select_related("group").order_by("pk")[: max(1, n)])
    now = timezone.now()
    rows = []
    for i in range(n):
        site = sites[i % len(sites)]
        opened = now - dt.timedelta(days=rnd.randint(1, 120), minutes=rnd.randint(0, 600))
        restore = opened + dt.timedelta(hours=rnd.choice([4, 8, 24]))
        repaired = opened + dt.timedelta(minutes=rnd.randint(30, 1800))
        rows.append(Ticket(
            number=f"HZ{i:010d}", group=site.group, site=site, unit_id=site.unit_id, product=rnd.choice(products),
            severity=rnd.choice(["critical", "major", "minor"]), description="历史故障", reporter_name="客户",
            callback_number="13900000000", channel="call_centre", opened_by=agent, status="closed",
            account_manager_id=site.local_am_id, maintenance_manager_id=site.local_mm_id,
            home_am_id=site.group.account_manager_id, dispatched_at=opened,
            acknowledge_due=opened + dt.timedelta(minutes=30), on_site_due=opened + dt.timedelta(hours=4),
            restore_due=restore, acknowledged_at=opened + dt.timedelta(minutes=rnd.randint(5, 60)),
            on_site_at=opened + dt.timedelta(minutes=rnd.randint(20, 300)), repaired_at=repaired,
            closed_at=repaired + dt.timedelta(hours=2), participation="attended",
            restore_breached_at=restore if repaired > restore else None, rating=rnd.choice([1, 1, 2, 2, 3, 4]),
        ))
    Ticket.objects.bulk_create(rows, batch_size=5000)
    # opened_at is auto_now_add: one UPDATE moves it back to each historical ticket's dispatch time
    Ticket.objects.filter(number__startswith="HZ").update(opened_at=F("dispatched_at"))
    TicketEvent.objects.bulk_create([TicketEvent(ticket_id=t, action="close", from_status="rated", to_status="closed")
                                     for t in Ticket.objects.filter(number__startswith="HZ").values_list("pk", flat=True)],
                                    batch_size=5000)
