"""JOB-3: SLA clocks, breaches and escalations, set-based.

Each rule is one pass over the matching open tickets in batches: the batch is locked (SKIP LOCKED
on PostgreSQL, so a concurrent second run takes other rows or none), stamped with one UPDATE, and
gets one TicketEvent per ticket from one bulk INSERT. A breach is stamped once, so a ticket is
escalated once per breach however often the job runs. Escalations go to the unit's department
manager as one digest SMS per manager per run.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal.policy import policy
from portal.sms.services import sms_queue

from .models import LedgerEntry, Ticket, TicketEvent
from .services import ledger_record

S = Ticket.Status
BATCH = 5000

# breach name → (stamp field, due field, statuses in which the clock is still running)
RULES = {
    "acknowledge": ("acknowledge_breached_at", "acknowledge_due", (S.DISPATCHED,)),
    "on_site": ("on_site_breached_at", "on_site_due", (S.DISPATCHED, S.ACKNOWLEDGED)),
    "restore": ("restore_breached_at", "restore_due", (S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SITE)),
}


def _managers_by_branch() -> dict[int, User]:
    out: dict[int, User] = {}
    for u in User.objects.filter(is_active=True, roles__code="manager").select_related("unit").order_by("pk"):
        if u.unit is None:
            continue
        branch = u.unit.branch_id or u.unit_id
        out.setdefault(branch, u)
    return out


def sla_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    escalate: dict[int, list[str]] = defaultdict(list)  # branch id → ticket numbers
    skip_locked = connection.features.has_select_for_update_skip_locked
    for name, (stamp, due, statuses) in RULES.items():
        counts[f"{name}_breaches"] = 0
        while True:
            with transaction.atomic():
                qs = Ticket.objects.filter(**{"status__in": statuses, f"{due}__lt": now, f"{stamp}__isnull": True})
                qs = qs.select_for_update(skip_locked=True, of=("self",)) if skip_locked else qs
                rows = list(qs.order_by("pk").values_list("pk", "number", "unit__branch_id", "status")[:BATCH])
                if not rows:
                    break
                ids = [r[0] for r in rows]
                changed = Ticket.objects.filter(pk__in=ids, **{f"{stamp}__isnull": True}).update(**{stamp: now})
                TicketEvent.objects.bulk_create([
                    TicketEvent(ticket_id=pk, action="escalated", from_status=st, to_status=st,
                                note=f"SLA {name} breached", data={"breach": name})
                    for pk, _n, _b, st in rows
                ], batch_size=BATCH)
                for _pk, number, branch, _st in rows:
                    escalate[branch].append(number)
                counts[f"{name}_breaches"] += changed
    managers = _managers_by_branch()
    sent = 0
    for branch, numbers in escalate.items():
        manager = managers.get(branch)
        if manager is None or not manager.mobile:
            continue
        with transaction.atomic():
            sms_queue(to=manager.mobile, template="reminder", dedupe_key=f"sla:{manager.pk}:{now.isoformat()}",
                      context={"name": str(manager), "message": _("%(n)d tickets breached their SLA (%(first)s…)")
                               % {"n": len(numbers), "first": ", ".join(numbers[:3])}})
        sent += 1
    counts["escalation_sms"] = sent
    counts.update(phone_revisits_missed(now=now))
    return counts


def phone_revisits_missed(*, now: dt.datetime) -> dict[str, int]:
    """TKT-5: an AM who joined by phone and did not revisit in time has not participated (PEN-1)."""
    late = Ticket.objects.filter(participation=Ticket.Participation.PHONE, revisit_visit__isnull=True,
                                 revisit_missed=False, revisit_due__lt=now,
                                 group__grade__in=["A", "B"]).select_related("account_manager")
    n = 0
    for t in late.iterator(chunk_size=1000):
        with transaction.atomic():
            if not Ticket.objects.filter(pk=t.pk, revisit_missed=False).update(revisit_missed=True):
                continue
            TicketEvent.objects.create(ticket=t, action="revisit_missed", from_status=t.status, to_status=t.status)
            if t.account_manager_id:
                ledger_record(rule=LedgerEntry.Rule.AM_ABSENT, source=t, when=now, person=t.account_manager,
                              points=-abs(policy("penalty.am_absent_joint_visit_points")), note=t.number)
            n += 1
    return {"phone_revisits_missed": n}


def sla_sweep_python_loop(*, now: dt.datetime | None = None) -> int:
    """The naive approach the benchmark compares against: every open ticket loaded and saved in Python."""
    now = now or timezone.now()
    n = 0
    for t in Ticket.objects.filter(Q(status__in=[S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SITE])):
        for name, (stamp, due, statuses) in RULES.items():
            if t.status in statuses and getattr(t, due) and getattr(t, due) < now and getattr(t, stamp) is None:
                setattr(t, stamp, now)
                t.save(update_fields=[stamp])
                TicketEvent.objects.create(ticket=t, action="escalated", from_status=t.status, to_status=t.status,
                                           note=f"SLA {name} breached", data={"breach": name})
                n += 1
    return n
