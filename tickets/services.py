"""Performance ledger writes (PEN-1). Tickets and complaints add their own services here later."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError, TransitionError

from .models import LedgerEntry


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
