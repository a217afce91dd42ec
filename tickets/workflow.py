"""The fault-ticket state machine (SPEC TKT-1..9): one service per transition.

Each service checks the transition table and who may act, writes a TicketEvent (who, when, from,
to, why), sets the matching timestamp and queues its SMS in the same transaction (outbox).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from groupclients.models import Contact, GroupCustomer, Product, Site
from portal.exceptions import ApplicationError, TransitionError
from portal.policy import policy
from portal.sms.services import sms_queue
from portal.workdays import add_workdays

from .models import FaultCause, LedgerEntry, Severity, SlaRule, Ticket, TicketEvent
from .services import ledger_record

S = Ticket.Status
P = Ticket.Participation

# action → (allowed from-states, to-state). The state machine of TKT-3.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "dispatch": ((S.NEW,), S.DISPATCHED),
    "acknowledge": ((S.DISPATCHED,), S.ACKNOWLEDGED),
    "arrive": ((S.ACKNOWLEDGED,), S.ON_SITE),
    "repair": ((S.ON_SITE,), S.REPAIRED),
    "am_log": ((S.REPAIRED,), S.AM_LOGGED),
    "rate": ((S.AM_LOGGED,), S.RATED),
    "close": ((S.AM_LOGGED, S.RATED), S.CLOSED),
    "misroute": ((S.DISPATCHED, S.ACKNOWLEDGED), S.MISROUTED),
    "redispatch": ((S.MISROUTED,), S.DISPATCHED),
    "cancel": ((S.NEW, S.DISPATCHED, S.ACKNOWLEDGED, S.MISROUTED), S.CANCELLED),
}
ACTION_LABELS = {  # lazy: shown in the user's language, not the one active at import
    "open": _lazy("Reported"), "dispatch": _lazy("Dispatched to the local pair"),
    "acknowledge": _lazy("Acknowledge"), "arrive": _lazy("Arrived on site"), "repair": _lazy("Repaired"),
    "am_log": _lazy("AM joint-visit log"), "rate": _lazy("Customer rated"), "rating": _lazy("Customer rated"),
    "close": _lazy("Close"), "misroute": _lazy("Misrouted"), "redispatch": _lazy("Re-dispatch"),
    "cancel": _lazy("Cancel"), "participation": _lazy("AM participation"), "verify": _lazy("Verify records"),
    "escalated": _lazy("SLA breached — escalated"), "to_verification": _lazy("Sent to quality verification"),
    "revisit_missed": _lazy("Phone participant's revisit missed"),
}


def allowed_actions(ticket: Ticket, user: User) -> list[str]:
    """The transitions this user may take now (drives the buttons on the ticket page)."""
    out = []
    for action, (sources, _to) in TRANSITIONS.items():
        if action in ("dispatch", "rate") or ticket.status not in sources:
            continue
        try:
            _check_actor(ticket, user, action)
        except ApplicationError:
            continue
        out.append(action)
    if ticket.status not in (S.CLOSED, S.CANCELLED, S.NEW):
        try:
            _check_actor(ticket, user, "participation")
            out.append("participation")
        except ApplicationError:
            pass
    if ticket.needs_verification and user.has_role("quality", "admin"):
        out.append("verify")
    return out


def _check_actor(ticket: Ticket, user: User, action: str) -> None:
    if user.has_role("admin"):
        return
    ok = {
        "acknowledge": user.pk == ticket.maintenance_manager_id,
        "arrive": user.pk == ticket.maintenance_manager_id,
        "repair": user.pk == ticket.maintenance_manager_id,
        "am_log": user.pk == ticket.account_manager_id,
        "participation": user.pk == ticket.account_manager_id or (
            user.has_role("leader", "manager") and ticket.unit_id is not None and user.unit_id is not None
            and (user.unit_id == ticket.unit_id or user.unit_id == ticket.unit.branch_id)),
        "close": user.pk == ticket.account_manager_id or user.has_role("quality"),
        "misroute": user.pk in (ticket.account_manager_id, ticket.maintenance_manager_id),
        "redispatch": user.has_role("quality"),
        "cancel": user.pk == ticket.opened_by_id or user.has_role("quality"),
        "verify": user.has_role("quality"),
    }.get(action, False)
    if not ok:
        raise ApplicationError(_("You are not the person who does this step of the ticket."), status_code=403)


def _move(ticket: Ticket, action: str, by: User | None, note: str = "", **data: Any) -> Ticket:
    sources, target = TRANSITIONS[action]
    if ticket.status not in sources:
        raise TransitionError(
            _("A ticket that is %(state)s cannot be %(action)s.")
            % {"state": ticket.get_status_display(), "action": ACTION_LABELS.get(action, action)}
        )
    if by is not None:
        _check_actor(ticket, by, action)
    TicketEvent.objects.create(ticket=ticket, by=by, action=action, from_status=ticket.status, to_status=target,
                               note=note[:500], data=data)
    ticket.status = target
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("group", "site", "unit", "product").get(
        pk=ticket.pk)


def sla_rule(product: Product, severity: str) -> SlaRule:
    rule = SlaRule.objects.filter(product=product, severity=severity).first() or \
        SlaRule.objects.filter(product=None, severity=severity).first()
    if rule is None:
        raise ApplicationError(_("No SLA target for this product and severity; ask an administrator."))
    return rule


def _set_clocks(ticket: Ticket, start: dt.datetime) -> None:
    rule = sla_rule(ticket.product, ticket.severity)
    ticket.acknowledge_due = start + dt.timedelta(minutes=rule.acknowledge_minutes)
    if rule.on_site_minutes:
        ticket.on_site_due = start + dt.timedelta(minutes=rule.on_site_minutes)
    else:  # "next working day": the end of the next mainland working day
        day = add_workdays(timezone.localtime(start).date(), 1)
        ticket.on_site_due = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    ticket.restore_due = start + dt.timedelta(minutes=rule.restore_minutes)


def _route(ticket: Ticket, site: Site, by: User | None, note: str = "") -> None:
    """TKT-2/TKT-9: the site's unit gives the local pair; both get the dispatch SMS at once."""
    ticket.site, ticket.unit = site, site.unit
    ticket.account_manager, ticket.maintenance_manager = site.local_am, site.local_mm
    ticket.home_am = ticket.group.account_manager
    ticket.dispatched_at = timezone.now()
    seq = ticket.events.filter(action__in=["dispatch", "redispatch"]).count()
    context = {"ticket_no": ticket.number, "group": ticket.group.name, "site": site.name,
               "product": ticket.product.name, "severity": ticket.get_severity_display(),
               "reporter": ticket.reporter_name, "callback": ticket.callback_number}
    for person in (site.local_am, site.local_mm):
        if person.mobile:
            sms_queue(to=person.mobile, template="dispatch", context=context, related=ticket,
                      dedupe_key=f"dispatch:{ticket.pk}:{seq}:{person.pk}")
    home = ticket.home_am
    if home and home.pk != site.local_am_id and home.mobile:  # TKT-9: the group's own AM is kept informed
        sms_queue(to=home.mobile, template="reminder", related=ticket, dedupe_key=f"informed:{ticket.pk}:{seq}",
                  context={"name": str(home), "message": _("ticket %(no)s for %(g)s at %(s)s went to the local "
                                                           "pair %(am)s / %(mm)s") % {
                      "no": ticket.number, "g": ticket.group.name, "s": site.name, "am": site.local_am,
                      "mm": site.local_mm}})


@transaction.atomic
def ticket_open(*, group: GroupCustomer, site: Site, product: Product, severity: str, description: str,
                reporter_name: str, callback_number: str, by: User) -> Ticket:
    """TKT-1: every report is recorded; the ticket is dispatched to the site's local pair at once."""
    if not by.has_role("agent", "am", "admin"):
        raise ApplicationError(_("Tickets are opened by the call centre or by an account manager."), status_code=403)
    if site.group_id != group.pk:
        raise ApplicationError(_("The site does not belong to this group."), extra={"errors": {"site": [
            _("Choose a site of this group.")]}})
    if severity not in Severity.values:
        raise ApplicationError(_("Unknown severity."))
    channel = Ticket.Channel.CALL_CENTRE if by.has_role("agent") else Ticket.Channel.AM
    ticket = Ticket(number=uuid.uuid4().hex[:20], group=group, site=site, unit=site.unit, product=product,
                    severity=severity, description=description.strip(), reporter_name=reporter_name.strip(),
                    callback_number=callback_number.strip(), channel=channel, opened_by=by)
    ticket.full_clean(exclude=["account_manager", "maintenance_manager", "home_am"])
    ticket.save()
    ticket.number = f"GZ{timezone.localdate():%Y%m%d}{ticket.pk:06d}"
    TicketEvent.objects.create(ticket=ticket, by=by, action="open", to_status=S.NEW,
                               note=description[:200], data={"channel": channel})
    _move(ticket, "dispatch", None)
    _route(ticket, site, by)
    _set_clocks(ticket, ticket.dispatched_at)
    ticket.save()
    return ticket


@transaction.atomic
def ticket_acknowledge(*, ticket: Ticket, by: User, note: str = "") -> Ticket:
    ticket = _move(_locked(ticket), "acknowledge", by, note)
    ticket.acknowledged_at = timezone.now()
    ticket.save()
    return ticket


@transaction.atomic
def ticket_arrive(*, ticket: Ticket, by: User, note: str = "") -> Ticket:
    ticket = _move(_locked(ticket), "arrive", by, note)
    ticket.on_site_at = timezone.now()
    ticket.save()
    return ticket


@transaction.atomic
def ticket_set_participation(*, ticket: Ticket, by: User, mode: str, substitute: User | None = None,
                             note: str = "") -> Ticket:
    """TKT-5: how the AM took part — attended, a substitute (leader / department manager), or by
    phone with a revisit due within the policy's days."""
    ticket = _locked(ticket)
    _check_actor(ticket, by, "participation")
    if ticket.status in (S.CLOSED, S.CANCELLED):
        raise TransitionError(_("The ticket is finished."))
    if mode not in P.values or mode == "":
        raise ApplicationError(_("Choose how the AM took part."))
    if mode == P.SUBSTITUTE and (substitute is None or not substitute.has_role("leader", "manager")
                                 or not _substitute_is_local(ticket, substitute)):
        # TKT-5: "the unit sends the group leader or department manager" — of the ticket's unit or
        # branch (or a province-level manager), not anyone with the role (issue 12 write matrix)
        raise ApplicationError(_("The substitute must be a group leader or department manager of the ticket's "
                                 "unit or branch."),
                               extra={"errors": {"substitute": [_("Choose the leader or manager who went.")]}})
    ticket.participation = mode
    ticket.substitute = substitute if mode == P.SUBSTITUTE else None
    ticket.revisit_due = (timezone.now() + dt.timedelta(days=int(policy("ticket.phone_participation_revisit_days")))
                          if mode == P.PHONE else None)
    TicketEvent.objects.create(ticket=ticket, by=by, action="participation", from_status=ticket.status,
                               to_status=ticket.status, note=note[:500],
                               data={"mode": mode, "substitute": substitute.pk if substitute else None})
    ticket.save()
    return ticket


def _substitute_is_local(ticket: Ticket, user: User) -> bool:
    if not user.is_active or user.unit is None or ticket.unit is None:
        return False
    if user.unit.level == "province":
        return user.has_role("manager")
    branch = ticket.unit.branch_id or ticket.unit_id
    return user.unit_id in (ticket.unit_id, branch)


@transaction.atomic
def ticket_repair(*, ticket: Ticket, by: User, cause: str, repair: str, am_present: bool, notified_am: bool,
                  note: str = "") -> Ticket:
    """TKT-6 (MM's record) and TKT-7: repaired → the reporter gets the satisfaction SMS."""
    from visits.services import survey_send

    if cause not in FaultCause.values or not repair.strip():
        raise ApplicationError(_("Record the cause and the repair."), extra={"errors": {
            "cause": [_("Choose the cause.")] if cause not in FaultCause.values else [],
            "repair": [_("Describe the repair.")] if not repair.strip() else []}})
    ticket = _move(_locked(ticket), "repair", by, note, cause=cause, am_present=am_present, notified_am=notified_am)
    ticket.repaired_at = timezone.now()
    ticket.mm_cause, ticket.mm_repair = cause, repair.strip()[:300]
    ticket.mm_am_present, ticket.mm_notified_am = am_present, notified_am
    if am_present and not ticket.participation:
        ticket.participation = P.ATTENDED
    ticket.save()
    contact = Contact.objects.filter(group=ticket.group, mobile=ticket.callback_number).first()
    survey_send(mobile=ticket.callback_number, contact=contact, group=ticket.group,
                account_manager=ticket.account_manager, ticket_id=ticket.pk,
                product=ticket.product.name if ticket.product_id else "")
    return ticket


def _records_disagree(ticket: Ticket) -> list[str]:
    reasons = []
    if ticket.am_cause and ticket.mm_cause and ticket.am_cause != ticket.mm_cause:
        reasons.append(_("AM and MM give different causes"))
    am_says_present = ticket.participation == P.ATTENDED
    if ticket.mm_am_present is not None and ticket.participation and ticket.mm_am_present != am_says_present \
            and ticket.participation != P.SUBSTITUTE:
        reasons.append(_("AM and MM disagree on whether the AM came"))
    return reasons


@transaction.atomic
def ticket_am_log(*, ticket: Ticket, by: User, cause: str, repair: str, assessment: str,
                  contacts: list[Contact] | None = None, started_at: dt.datetime | None = None,
                  next_visit_on: dt.date | None = None) -> Ticket:
    """TKT-6: the AM's joint-visit log (a visit of kind fault joint visit). If it disagrees with the
    MM's record the ticket goes to the quality desk's verification list."""
    from visits.services import visit_log_create

    ticket = _locked(ticket)
    _check_actor(ticket, by, "am_log")
    if cause not in FaultCause.values:
        raise ApplicationError(_("Choose the cause."), extra={"errors": {"cause": [_("Choose the cause.")]}})
    if not contacts:
        primary = ticket.group.contacts.filter(status="active").order_by("-is_primary", "pk").first()
        contacts = [primary] if primary else []
    started_at = started_at or timezone.now()
    visit = visit_log_create(
        group=ticket.group, by=by, account_manager=ticket.account_manager, contacts=contacts, kind="fault_joint",
        purposes=["service"], notes=_("Fault %(no)s: %(d)s") % {"no": ticket.number, "d": ticket.description[:200]},
        started_at=started_at, next_visit_on=next_visit_on or (timezone.localdate() + dt.timedelta(days=30)),
        fault_cause=dict(FaultCause.choices)[cause], fault_repair=repair[:300], customer_assessment=assessment[:300],
        send_surveys=False)
    ticket = _move(ticket, "am_log", by, cause=cause)
    ticket.am_visit, ticket.am_cause, ticket.am_logged_at = visit, cause, timezone.now()
    if ticket.participation == P.PHONE and ticket.revisit_due and started_at <= ticket.revisit_due:
        ticket.revisit_visit = visit
    reasons = _records_disagree(ticket)
    if reasons:
        ticket.needs_verification = True
        ticket.verification_note = "; ".join(str(r) for r in reasons)[:300]
        TicketEvent.objects.create(ticket=ticket, by=None, action="to_verification", from_status=ticket.status,
                                   to_status=ticket.status, note=ticket.verification_note)
    if ticket.rating is not None:  # the customer answered before the AM logged
        _move(ticket, "rate", None, score=ticket.rating)
        ticket.rated_at = timezone.now()
    ticket.save()
    return ticket


@transaction.atomic
def ticket_record_rating(*, ticket_id: int, score: int) -> Ticket | None:
    """TKT-7: the reporter's SMS answer. A poor score's repair case is opened by the survey handler (SAT-6)."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        return None
    ticket.rating = score
    if ticket.status == S.AM_LOGGED:
        _move(ticket, "rate", None, score=score)
        ticket.rated_at = timezone.now()
    else:
        TicketEvent.objects.create(ticket=ticket, action="rating", from_status=ticket.status,
                                   to_status=ticket.status, data={"score": score})
    ticket.save()
    return ticket


def _participated(ticket: Ticket) -> bool | None:
    """TKT-5: True/False, or None while a phone participant's revisit is still due."""
    if ticket.group.grade not in ("A", "B"):
        return True
    if ticket.participation in (P.ATTENDED, P.SUBSTITUTE):
        return True
    if ticket.participation == P.PHONE:
        if ticket.revisit_visit_id:
            return True
        if ticket.revisit_due and ticket.revisit_due > timezone.now():
            return None
    return False


def _penalties(ticket: Ticket) -> None:
    """PEN-1 entries the ticket's records call for (idempotent by the ledger's unique constraint)."""
    if _participated(ticket) is False and ticket.account_manager_id:
        ledger_record(rule=LedgerEntry.Rule.AM_ABSENT, source=ticket, when=ticket.repaired_at or timezone.now(),
                      person=ticket.account_manager, points=-abs(policy("penalty.am_absent_joint_visit_points")),
                      note=ticket.number)
    if ticket.mm_notified_am is False and ticket.maintenance_manager_id:
        ledger_record(rule=LedgerEntry.Rule.MM_NOT_NOTIFIED, source=ticket, when=ticket.repaired_at or timezone.now(),
                      person=ticket.maintenance_manager, money=-abs(policy("penalty.mm_not_notified_am_yuan")),
                      note=ticket.number)


@transaction.atomic
def ticket_close(*, ticket: Ticket, by: User, note: str = "") -> Ticket:
    """Close after the AM's log (and the rating, unless the reporter never answered)."""
    from visits.models import Survey

    ticket = _locked(ticket)
    if ticket.status == S.AM_LOGGED and Survey.objects.filter(ticket_id=ticket.pk, status=Survey.Status.SENT).exists():
        raise TransitionError(_("Wait for the customer's rating (or the end of the reply window) before closing."))
    ticket = _move(ticket, "close", by, note)
    ticket.closed_at = timezone.now()
    ticket.save()
    _penalties(ticket)
    return ticket


@transaction.atomic
def ticket_misroute(*, ticket: Ticket, by: User, real_location: str, correct_site: Site | None = None) -> Ticket:
    """TKT-4: the AM or MM says where the fault really is; the misroute counts against the agent."""
    if not real_location.strip():
        raise ApplicationError(_("Say where the fault really is."), extra={"errors": {"real_location": [
            _("This field is required.")]}})
    if correct_site is not None and correct_site.group_id != ticket.group_id:
        raise ApplicationError(_("Choose a site of the same group."),
                               extra={"errors": {"correct_site": [_("Choose a site of the same group.")]}})
    ticket = _move(_locked(ticket), "misroute", by, real_location, agent=ticket.opened_by_id,
                   correct_site=correct_site.pk if correct_site else None)
    ticket.misroute_count += 1
    ticket.misroute_note = real_location.strip()[:300]
    ticket.save()
    return ticket


@transaction.atomic
def ticket_redispatch(*, ticket: Ticket, by: User, site: Site, note: str = "") -> Ticket:
    """TKT-4: the quality desk sends the ticket to the right local pair."""
    ticket = _locked(ticket)
    if site.group_id != ticket.group_id:
        raise ApplicationError(_("Choose a site of the same group."),
                               extra={"errors": {"site": [_("Choose a site of the same group.")]}})
    ticket = _move(ticket, "redispatch", by, note, site=site.pk)
    _route(ticket, site, by)
    ticket.acknowledged_at = None
    ticket.save()
    return ticket


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, by: User, reason: str) -> Ticket:
    if not reason.strip():
        raise ApplicationError(_("Give the reason for cancelling."))
    ticket = _move(_locked(ticket), "cancel", by, reason)
    ticket.cancel_reason = reason.strip()[:300]
    ticket.closed_at = timezone.now()
    ticket.save()
    return ticket


@transaction.atomic
def ticket_verify(*, ticket: Ticket, by: User, note: str, wrong_party: str = "") -> Ticket:
    """The quality desk settles a disagreement (TKT-6); a wrong record costs its author (PEN-1)."""
    ticket = _locked(ticket)
    _check_actor(ticket, by, "verify")
    if not ticket.needs_verification:
        raise TransitionError(_("This ticket is not waiting for verification."))
    person = {"am": ticket.account_manager, "mm": ticket.maintenance_manager}.get(wrong_party)
    if wrong_party and person is None:
        raise ApplicationError(_("The wrong record is the AM's or the MM's."))
    ticket.needs_verification, ticket.verified_at, ticket.verified_by = False, timezone.now(), by
    ticket.verification_note = (note or ticket.verification_note)[:300]
    TicketEvent.objects.create(ticket=ticket, by=by, action="verify", from_status=ticket.status,
                               to_status=ticket.status, note=note[:500], data={"wrong_party": wrong_party})
    ticket.save()
    if person is not None:
        ledger_record(rule=LedgerEntry.Rule.WRONG_RECORD, source=ticket, when=timezone.now(), person=person,
                      money=-abs(policy("penalty.wrong_record_entry_yuan")), note=note[:200])
    return ticket


def open_tickets_q() -> Q:
    return Q(status__in=[S.DISPATCHED, S.ACKNOWLEDGED, S.ON_SITE])
