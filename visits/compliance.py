"""Visit-frequency compliance (SPEC VIS-1, VIS-3, VIS-5).

Periods are calendar-aligned: a 2-month period is Jan–Feb, Mar–Apr, …; a 1-month period is the
month. For each obligation (a group, or one of its active contacts) the status this period is:
  done     visited since the period began
  due      not yet, but visited in the previous period (or new since then): still on time
  overdue  not visited this period nor the previous one — already late
Computed from the `last_visited_on` columns the visit services keep, so a portfolio needs one
query for groups and one for contacts, whatever its size.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from groupclients.models import Contact, GroupCustomer

from .models import VisitFrequency, VisitTarget

DONE, DUE, OVERDUE = "done", "due", "overdue"


def frequency_table() -> dict[tuple[str, str], int]:
    return {(r.grade, r.target): r.period_months for r in VisitFrequency.objects.all()}


def period_start(d: dt.date, months: int) -> dt.date:
    month0 = ((d.month - 1) // months) * months
    return dt.date(d.year, month0 + 1, 1)


def period_end(d: dt.date, months: int) -> dt.date:
    """Last day of the period containing d."""
    start = period_start(d, months)
    m = start.month - 1 + months
    nxt = dt.date(start.year + m // 12, m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def status_for(last: dt.date | None, created: dt.date, months: int, today: dt.date) -> str:
    start = period_start(today, months)
    prev_start = period_start(start - dt.timedelta(days=1), months)
    if last and last >= start:
        return DONE
    if (last and last >= prev_start) or created >= prev_start:
        return DUE
    return OVERDUE


@dataclass
class Obligation:
    group: GroupCustomer
    contact: Contact | None
    target: str
    months: int
    last: dt.date | None
    status: str
    due_by: dt.date

    @property
    def label(self) -> str:
        return self.contact.name if self.contact else self.group.name


def obligations(groups: QuerySet[GroupCustomer], *, today: dt.date | None = None,
                table: dict | None = None) -> list[Obligation]:
    """Every visit obligation of these groups this period, with its status."""
    today = today or timezone.localdate()
    table = table or frequency_table()
    out: list[Obligation] = []
    group_list = list(groups.filter(status__in=["active", "prospect"]).select_related("account_manager"))
    by_id = {g.pk: g for g in group_list}
    for g in group_list:
        months = table.get((g.grade, VisitTarget.GROUP), 2)
        created = timezone.localtime(g.created_at).date()
        out.append(Obligation(g, None, VisitTarget.GROUP, months, g.last_visited_on,
                              status_for(g.last_visited_on, created, months, today), period_end(today, months)))
    contacts = Contact.objects.filter(group_id__in=list(by_id), status=Contact.Status.ACTIVE).only(
        "id", "name", "type", "is_primary", "group_id", "last_visited_on", "created_at")
    for c in contacts:
        g = by_id[c.group_id]
        target = VisitTarget.PRIMARY if c.is_primary else c.type
        months = table.get((g.grade, target), 2)
        created = timezone.localtime(c.created_at).date()
        out.append(Obligation(g, c, target, months, c.last_visited_on,
                              status_for(c.last_visited_on, created, months, today), period_end(today, months)))
    return out


def summary(obs: list[Obligation]) -> dict:
    counts = Counter(o.status for o in obs)
    total = len(obs)
    return {"total": total, "done": counts[DONE], "due": counts[DUE], "overdue": counts[OVERDUE],
            "rate": round(100 * counts[DONE] / total, 1) if total else None}


def per_am(obs: list[Obligation]) -> list[dict]:
    """Compliance rate per AM, worst first."""
    by_am: dict = {}
    for o in obs:
        by_am.setdefault(o.group.account_manager, []).append(o)
    rows = [{"am": am, **summary(items)} for am, items in by_am.items()]
    return sorted(rows, key=lambda r: (r["rate"] if r["rate"] is not None else 101, str(r["am"])))
