"""Consultations and complaints (SPEC CMP-1..4): due times, answer, callback before closing, escalation."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from groupclients.models import Contact, GroupCustomer
from portal.exceptions import ApplicationError, TransitionError
from portal.policy import policy

from .models import Complaint, LedgerEntry
from .services import ledger_record

C = Complaint.Status

# Who may set which field of a complaint (issue 12 item 3, CMP-4, PEN-1):
#   * anyone who records a complaint (AM, call-centre agent, quality desk, admin) sets the group,
#     contact, kind, channel, description, `escalated` and the received time — the received time
#     within the back-dating window `complaint.received_backdate_hours` (CFG-1, default 72 h: the
#     longest answer time; an older complaint could no longer be answered in time anyway) and not
#     in the future. It decides the due times and the month a CMP-4 penalty is booked in.
#   * `escalated_unrecorded` costs the AM 20 points (PEN-1): a finding about someone else's work,
#     so only the quality desk (or an administrator) sets it, on recording or by escalating. An
#     agent or AM who knows a complaint was escalated records it as `escalated`.
PENALTY_SETTERS = ("quality", "admin")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clock skew between a client and the server


def _check_received_at(received_at: dt.datetime) -> None:
    now = timezone.now()
    hours = int(policy("complaint.received_backdate_hours"))
    if received_at > now + FUTURE_TOLERANCE:
        raise ApplicationError(_("The received time is in the future."),
                               extra={"errors": {"received_at": [_("The received time is in the future.")]}})
    if received_at < now - dt.timedelta(hours=hours):
        msg = _("A complaint can be recorded at most %(h)d hours after it was received (policy "
                "complaint.received_backdate_hours).") % {"h": hours}
        raise ApplicationError(msg, extra={"errors": {"received_at": [msg]}})


def _check_penalty_setter(by: User) -> None:
    if not by.has_role(*PENALTY_SETTERS):
        msg = _("Only the quality desk marks a complaint as escalated because the AM did not record it (CMP-4).")
        raise ApplicationError(msg, status_code=403, extra={"errors": {"escalated_unrecorded": [msg]}})


@transaction.atomic
def complaint_record(*, group: GroupCustomer, by: User, kind: str, channel: str, description: str,
                     contact: Contact | None = None, received_at: dt.datetime | None = None,
                     resolved_on_spot: bool = False, agreed_answer_at: dt.datetime | None = None,
                     answer: str = "", escalated: bool = False, escalated_unrecorded: bool = False) -> Complaint:
    """Record a consultation or complaint with its due times (CMP-1/2). A consultation not answered at
    once gets the agreed time (at most 24 h); a complaint 24 h, 72 h at the latest, and 1 h on the spot
    during a visit. An escalated complaint the AM had not recorded costs that AM (CMP-4); only the
    quality desk says so, and the received time lies within the back-dating window (see above)."""
    if received_at is not None:
        _check_received_at(received_at)
    if escalated_unrecorded:
        _check_penalty_setter(by)
    received_at = received_at or timezone.now()
    if contact is not None and contact.group_id != group.pk:
        raise ApplicationError(_("The contact must belong to the group."),
                               extra={"errors": {"contact": [_("The contact must belong to the group.")]}})
    if kind not in Complaint.Kind.values or channel not in Complaint.Channel.values:
        raise ApplicationError(_("Choose the kind and the channel."))
    if kind == Complaint.Kind.CONSULTATION:
        limit = received_at + dt.timedelta(hours=int(policy("complaint.consultation_answer_hours")))
        if agreed_answer_at and agreed_answer_at > limit:
            raise ApplicationError(_("The agreed answer time is beyond the 24-hour limit (CMP-1)."))
        answer_due = agreed_answer_at or limit
        max_due = limit
    else:
        answer_due = received_at + dt.timedelta(hours=int(policy("complaint.answer_hours")))
        max_due = received_at + dt.timedelta(hours=int(policy("complaint.answer_max_hours")))
    c = Complaint(group=group, contact=contact, kind=kind, channel=channel, description=description.strip(),
                  received_at=received_at, recorded_by=by, account_manager=group.account_manager,
                  answer_due=answer_due, answer_max_due=max_due, escalated=escalated or escalated_unrecorded,
                  escalated_unrecorded=escalated_unrecorded,
                  on_spot_due=(received_at + dt.timedelta(hours=int(policy("complaint.on_the_spot_hours")))
                               if channel == Complaint.Channel.VISIT else None))
    if resolved_on_spot:
        if not answer.strip():
            raise ApplicationError(_("Say how it was resolved on the spot."))
        c.resolved_on_spot, c.answer, c.answered_at, c.status = True, answer.strip(), timezone.now(), C.ANSWERED
    c.full_clean()
    c.save()
    if c.escalated_unrecorded:
        _unrecorded_penalty(c)
    return c


def _unrecorded_penalty(c: Complaint) -> None:
    ledger_record(rule=LedgerEntry.Rule.UNRECORDED_COMPLAINT, source=c, when=c.received_at,
                  person=c.account_manager, points=-abs(policy("penalty.unrecorded_escalated_complaint_points")),
                  note=c.description[:100])


@transaction.atomic
def complaint_answer(*, complaint: Complaint, by: User, answer: str) -> Complaint:
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.status != C.OPEN:
        raise TransitionError(_("This has already been answered."))
    if not answer.strip():
        raise ApplicationError(_("Write the answer."))
    c.answer, c.answered_at, c.status = answer.strip(), timezone.now(), C.ANSWERED
    c.save()
    return c


@transaction.atomic
def complaint_callback(*, complaint: Complaint, by: User, note: str) -> Complaint:
    """CMP-3: the AM calls the customer back once it is resolved."""
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.status != C.ANSWERED:
        raise TransitionError(_("Call back after the answer, before closing."))
    c.callback_at, c.callback_note = timezone.now(), note.strip()[:300]
    c.save()
    return c


@transaction.atomic
def complaint_close(*, complaint: Complaint, by: User) -> Complaint:
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if c.status != C.ANSWERED:
        raise TransitionError(_("Only an answered complaint can be closed."))
    if c.kind == Complaint.Kind.COMPLAINT and c.callback_at is None:
        raise TransitionError(_("A complaint closes only after the callback to the customer (CMP-3)."))
    c.status, c.closed_at = C.CLOSED, timezone.now()
    c.save()
    return c


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, by: User, unrecorded: bool = False) -> Complaint:
    if unrecorded:
        _check_penalty_setter(by)
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    c.escalated = True
    c.escalated_unrecorded = c.escalated_unrecorded or unrecorded
    c.save()
    if c.escalated_unrecorded:
        _unrecorded_penalty(c)
    return c
