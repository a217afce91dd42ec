"""Demo visits: about ten per group over the last six months (bulk), plus a few through the real
services for am1 — surveys answered by SMS, one of them 很差, so manager1 has a repair case."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from groupclients.models import Contact, GroupCustomer

from .models import VisitLog

VISITS_PER_GROUP = 10


def seed(ctx) -> None:
    if VisitLog.objects.exists():
        ctx.log(f"  visits: {VisitLog.objects.count()} already present")
        return
    rnd = random.Random(7)
    now = timezone.now()
    groups = list(GroupCustomer.objects.filter(code__startswith="DG").exclude(status="churned")
                  .select_related("account_manager").order_by("pk"))
    contacts_by_group: dict[int, list[int]] = {}
    for cid, gid in Contact.objects.filter(group__in=groups, status="active").values_list("id", "group_id"):
        contacts_by_group.setdefault(gid, []).append(cid)
    kinds = ["routine"] * 8 + ["first", "project_survey"]
    purposes = ["relationship", "opportunity", "competitor", "promotion", "service"]
    through = VisitLog.contacts.through
    batch, links = [], []
    for g in groups:
        n = rnd.randint(VISITS_PER_GROUP // 2, VISITS_PER_GROUP + VISITS_PER_GROUP // 2)
        for _ in range(n):
            started = now - dt.timedelta(days=rnd.randint(3, 180), hours=rnd.randint(0, 8))
            batch.append(VisitLog(group=g, account_manager=g.account_manager, started_at=started,
                                  ended_at=started + dt.timedelta(hours=1), kind=rnd.choice(kinds),
                                  purposes=rnd.sample(purposes, 2), notes="例行走访，了解客户需求。",
                                  next_visit_on=(started + dt.timedelta(days=30)).date(), created_by=g.account_manager))
        if len(batch) >= 20000:
            _flush(batch, links, contacts_by_group, rnd, through)
            batch, links = [], []
    _flush(batch, links, contacts_by_group, rnd, through)
    # derived last-visit dates (VIS-3), set-based
    last_group = (VisitLog.objects.filter(group_id=OuterRef("pk")).order_by().values("group_id")
                  .annotate(d=Max(TruncDate("started_at"))).values("d"))
    GroupCustomer.objects.filter(pk__in=VisitLog.objects.values("group_id")).update(
        last_visited_on=Subquery(last_group))
    last_contact = (through.objects.filter(contact_id=OuterRef("pk")).order_by().values("contact_id")
                    .annotate(d=Max(TruncDate("visitlog__started_at"))).values("d"))
    Contact.objects.filter(pk__in=through.objects.values("contact_id")).update(
        last_visited_on=Subquery(last_contact))
    _live_loop(ctx)
    ctx.log(f"  visits: {VisitLog.objects.count()} visit logs")


def _flush(batch, links, contacts_by_group, rnd, through):
    VisitLog.objects.bulk_create(batch, batch_size=5000)
    for v in batch:
        ids = contacts_by_group.get(v.group_id) or []
        for cid in rnd.sample(ids, min(len(ids), rnd.randint(1, 2))):
            links.append(through(visitlog_id=v.pk, contact_id=cid))
    through.objects.bulk_create(links, batch_size=10000)


def _live_loop(ctx) -> None:
    """Two visits by am1 through the real services; the contacts reply by SMS."""
    from django.db import transaction

    from portal.sms.services import sms_receive

    from .services import visit_log_create

    am1 = ctx.data["am1"]
    groups = GroupCustomer.objects.filter(account_manager=am1, status="active").order_by("pk")[:3]
    # the third reply is one the portal cannot read: it waits on the supervisors' "Replies to read"
    replies = ["很差，网络经常断", "1", "王经理您好，上次说的方案我们下周开会再定"]
    for g, reply in zip(groups, replies, strict=False):
        primary = g.contacts.filter(status="active", no_surveys=False).order_by("-is_primary", "pk").first()
        if primary is None:
            continue
        with transaction.atomic():
            visit_log_create(group=g, by=am1, contacts=[primary], kind="routine", purposes=["relationship"],
                             notes="季度回访，客户反映专线时有中断。", started_at=timezone.now() - dt.timedelta(hours=3),
                             next_visit_on=timezone.localdate() + dt.timedelta(days=30))
        sms_receive(sender=primary.mobile, receiver="10086", text=reply, message_id=f"demo-{g.pk}")
