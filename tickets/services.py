"""Performance ledger writes (PEN-1) and the SLA table (TKT-8, CFG-1). Ticket transitions live in
`tickets.workflow`, complaints in `tickets.complaints`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError, TransitionError

from .models import LedgerEntry, SlaRule


def month_of(when: dt.datetime | dt.date) -> dt.date:
    d = timezone.localtime(when).date() if isinstance(when, dt.datetime) else when
    return d.replace(day=1)


def ledger_record(*, rule: str, source, when, person=None, branch=None, points: Decimal | int = 0,
                  money: Decimal | int = 0, note: str = "") -> LedgerEntry | None:
    """Write one ledger entry for (rule, source, person or branch), once. Returns None if it existed.

    The entry belongs to the month of `when`; once that month is closed (JOB-7) it is booked in the
    open month instead, with a note saying so, so a closed month's ledger never changes."""
    from portal.kpi.closing import open_month_for  # lazy: the KPI app reads this app's models

    if (person is None) == (branch is None):
        raise ApplicationError("A ledger entry is against exactly one person or one branch.")
    entry = LedgerEntry(rule=rule, source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk),
                        month=month_of(when), person=person, branch=branch, points=Decimal(points),
                        money=Decimal(money), note=note[:300])
    try:
        with transaction.atomic():
            booked = open_month_for(entry.month, lock=True)
            if booked != entry.month:
                moved = _("[%(month)s was closed: booked in %(booked)s]") % {
                    "month": f"{entry.month:%Y-%m}", "booked": f"{booked:%Y-%m}"}
                entry.note = f"{moved} {entry.note}".strip()[:300]
                entry.month = booked
            entry.save()
    except IntegrityError:
        return None
    return entry


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, by, reason: str) -> LedgerEntry:
    """The quality desk reverses a disputed entry with a reason (PEN-1)."""
    if not by.has_role("quality", "admin"):
        raise ApplicationError(_("Only the quality desk reverses ledger entries."), status_code=403)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the reversal."))
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reversed_at:
        raise TransitionError(_("This entry is already reversed."))
    entry.reversed_at, entry.reversed_by, entry.reversal_reason = timezone.now(), by, reason.strip()[:300]
    entry.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
    return entry


# ---- the SLA table (TKT-8, CFG-1) --------------------------------------------------------------

SLA_TARGETS = ("acknowledge_minutes", "on_site_minutes", "restore_minutes")


def _sla_targets(rule: SlaRule) -> dict[str, int | None]:
    return {name: getattr(rule, name) for name in SLA_TARGETS}


def _sla_key(rule: SlaRule) -> str:
    return f"tickets.sla.{rule.product.code if rule.product_id else 'default'}.{rule.severity}"


@transaction.atomic
def sla_rule_save(*, rule: SlaRule, by=None, request=None) -> SlaRule:
    """Add a row to the SLA table or change one row's targets (TKT-8, CFG-1).

    Guarantees: the row passes `full_clean` (targets 1 minute to 30 days, acknowledge ≤ on site ≤
    restore, one row per product × severity) or ValidationError and nothing is written; a real
    change writes one POLICY_CHANGED audit event (key, old → new targets, who) in the same
    transaction; saving unchanged targets writes and logs nothing. An existing row keeps its
    product and severity (they are its identity; add another row instead).

    In force at once: tickets read the table when they are dispatched (`workflow._set_clocks`), so
    the next ticket opened or re-dispatched gets the new targets; clocks already running keep the
    deadlines they were given. Returns the row.
    """
    from portal.policy import policy_row_save

    policy_row_save(rule, fields=SLA_TARGETS, identity=("product_id", "severity"), key=_sla_key, by=by,
                    request=request)
    return rule


@transaction.atomic
def sla_rule_delete(*, rule: SlaRule, by=None, request=None) -> None:
    """Remove a product's own SLA row, audited; the product falls back to the default row.

    The default rows (no product) are refused with ApplicationError: a severity without one would
    leave new tickets of that severity with no SLA at all.
    """
    from portal.audit import audit_log
    from portal.models import AuditEvent

    rule = SlaRule.objects.select_for_update(of=("self",)).select_related("product").get(pk=rule.pk)
    if rule.product_id is None:
        raise ApplicationError(_("The default row of a severity cannot be deleted; change its targets instead."))
    key, old, pk = _sla_key(rule), _sla_targets(rule), rule.pk
    rule.delete()
    audit_log(action=AuditEvent.Action.POLICY_CHANGED, actor=by, request=request,
              target_type=SlaRule._meta.label_lower, target_id=pk, key=key, old=old, new=None)
