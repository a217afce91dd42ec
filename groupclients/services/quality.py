"""Derived data-quality flags on groups (GC-1, CT-1, CT-2, CT-4), kept current by the services.

Lists filter on these columns instead of counting contacts per row, so the data-quality list and
the portfolio filter stay one indexed query at province scale.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.dispatch import Signal

from ..models import Contact, ContactMinimum, GroupCustomer

# Sent after a committed change of a contact minimum; groupclients.tasks answers it by recomputing
# every group's flags in the background. A signal, so that services never import tasks (issue 14
# item 2: tasks → services, never back).
quality_refresh_requested = Signal()

# CT-2 defaults, used until an administrator edits the ContactMinimum rows.
DEFAULT_MINIMUMS = {
    "A": {"decision_maker": 1, "dept_head": 1, "contact": 2},
    "B": {"decision_maker": 1, "dept_head": 1, "contact": 1},
    "C": {"decision_maker": 0, "dept_head": 0, "contact": 1},
}


def contact_minimums() -> dict[str, dict[str, int]]:
    table = {grade: dict(v) for grade, v in DEFAULT_MINIMUMS.items()}
    for row in ContactMinimum.objects.all():
        table.setdefault(row.grade, {})[row.contact_type] = row.minimum
    return table


def _flags(grade: str, counts: dict[str, int], minimums: dict[str, dict[str, int]]) -> bool:
    need = minimums.get(grade, {})
    return any(counts.get(t, 0) < n for t, n in need.items())


def group_refresh_quality(group_ids: Iterable[int], *, minimums: dict | None = None) -> int:
    """Recompute the derived flags of these groups from their active contacts. Returns rows changed."""
    ids = list(group_ids)
    if not ids:
        return 0
    minimums = minimums or contact_minimums()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    primary: set[int] = set()
    no_counterpart: dict[int, int] = defaultdict(int)
    rows = (
        Contact.objects.filter(group_id__in=ids, status=Contact.Status.ACTIVE)
        .values("group_id", "type")
        .annotate(
            n=Count("id"),
            p=Count("id", filter=Q(is_primary=True)),
            nc=Count("id", filter=Q(counterpart__isnull=True)),
        )
    )
    for r in rows:
        counts[r["group_id"]][r["type"]] = r["n"]
        if r["p"]:
            primary.add(r["group_id"])
        no_counterpart[r["group_id"]] += r["nc"]
    changed = []
    for g in GroupCustomer.objects.filter(pk__in=ids).only(
        "id", "grade", "below_contact_minimum", "no_primary_contact", "contacts_without_counterpart"
    ):
        below = _flags(g.grade, counts[g.pk], minimums)
        no_primary = g.pk not in primary
        nc = no_counterpart[g.pk]
        if (g.below_contact_minimum, g.no_primary_contact, g.contacts_without_counterpart) != (below, no_primary, nc):
            g.below_contact_minimum, g.no_primary_contact, g.contacts_without_counterpart = below, no_primary, nc
            changed.append(g)
    GroupCustomer.objects.bulk_update(
        changed, ["below_contact_minimum", "no_primary_contact", "contacts_without_counterpart"], batch_size=2000
    )
    return len(changed)


def groups_refresh_quality_all(*, batch: int = 5000) -> int:
    """Recompute every group (after the contact minimums change), in batches."""
    minimums = contact_minimums()
    total, last = 0, 0
    while True:
        ids = list(GroupCustomer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return total
        total += group_refresh_quality(ids, minimums=minimums)
        last = ids[-1]


@transaction.atomic
def contact_minimum_set(*, row: ContactMinimum, minimum: int, by=None, request=None) -> ContactMinimum:
    """CT-2 / CFG-1: set the minimum of one class × contact type (a new row adds a type to the table).

    Guarantees: the row passes `full_clean` (0 to ContactMinimum.MAX_MINIMUM, one row per class ×
    type) or ValidationError and nothing is written; a real change writes one POLICY_CHANGED audit
    event with the minimum in force before (the SPEC default when there was no row) and after, in
    the same transaction, and — once committed — recomputes every group's data-quality flags in
    the background. An existing row keeps its class and type. Returns the row.
    """
    from portal.policy import policy_row_save

    row.minimum = minimum
    if policy_row_save(row, fields=("minimum",), identity=("grade", "contact_type"),
                       key=lambda r: f"groupclients.contact_minimum.{r.grade}.{r.contact_type}", by=by,
                       request=request, old_if_new=DEFAULT_MINIMUMS.get(row.grade, {}).get(row.contact_type)):
        transaction.on_commit(lambda: quality_refresh_requested.send(sender=ContactMinimum))
    return row
