"""Writes for visits, surveys and satisfaction repair (SPEC VIS-2, VIS-4, SAT-1..6, PEN-1)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from groupclients.models import Contact, GroupCustomer
from portal.exceptions import ApplicationError
from portal.policy import policy
from portal.sms.numbers import normalise_mobile
from portal.sms.services import quiet_hours_release, sms_queue
from portal.workdays import deadline_end_of_nth_workday
from tickets.models import LedgerEntry
from tickets.services import ledger_record

from .models import RepairCase, Survey, SurveyReply, VisitAttachment, VisitLog
from .parsing import parse_score


def _branch_of(group: GroupCustomer) -> OrgUnit:
    return group.unit.branch or group.unit


def branch_manager(branch: OrgUnit) -> User | None:
    """The branch's group-department manager (SAT-3) — the supervisor a repair case is for."""
    return (User.objects.filter(is_active=True, roles__code="manager")
            .filter(Q(unit=branch) | Q(unit__branch=branch)).order_by("pk").first())


def _qualified_supervisor(user: User, case: RepairCase) -> bool:
    """The branch manager, or someone above (a manager at province level) (SAT-3)."""
    if user.pk == case.supervisor_id:
        return True
    if not user.has_role("manager"):
        return False
    return user.unit is not None and (user.unit.level == OrgUnit.Level.PROVINCE or
                                      (user.unit.branch_id or user.unit_id) == case.branch_id)


COMPANION_ROLES = ("leader", "manager", "mm")
NEXT_VISIT_MAX_DAYS = 366  # VIS-1 periods are one or two months; an agreed date a year out is the most


def companion_candidates(group: GroupCustomer):
    """Who may go with the AM (VIS-2: supervisor, MM): active group leaders, department managers and
    MMs of the group's branch or of the province. The form offers these; the service checks them."""
    branch = group.unit.branch_id or group.unit_id
    return (User.objects.filter(is_active=True, roles__code__in=COMPANION_ROLES)
            .filter(Q(unit__branch_id=branch) | Q(unit_id=branch) | Q(unit__level="province"))
            .distinct().order_by("username"))


def _check_visit(group, contacts, companions, kind, started_at, ended_at, next_visit_on, attachments,
                 acceptance_passed, nonconformity_open) -> None:
    errors: dict[str, list[str]] = {}
    # issue 12 item 10: dates and people nobody checked
    backdate = int(policy("visit.log_backdate_days"))
    if started_at < timezone.now() - dt.timedelta(days=backdate):
        errors["started_at"] = [_("A visit log is written within %(d)d days of the visit (policy "
                                  "visit.log_backdate_days).") % {"d": backdate}]
    if next_visit_on > timezone.localdate() + dt.timedelta(days=NEXT_VISIT_MAX_DAYS):
        errors["next_visit_on"] = [_("Agree a next visit within a year.")]
    if companions:
        allowed = set(companion_candidates(group).filter(pk__in=[u.pk for u in companions])
                      .values_list("pk", flat=True))
        if any(u.pk not in allowed for u in companions):
            errors["companions"] = [_("A companion is a group leader, department manager or MM of the group's "
                                      "branch or of the province.")]
    if not contacts:
        errors["contacts"] = [_("Choose at least one contact met.")]
    if any(c.group_id != group.pk for c in contacts):
        errors["contacts"] = [_("Every contact met must belong to this group.")]
    if any(c.status != Contact.Status.ACTIVE for c in contacts):
        errors["contacts"] = [_("A contact who has left cannot be met on a visit.")]
    if started_at > timezone.now() + dt.timedelta(hours=1):
        errors["started_at"] = [_("A visit log records a visit that took place; the start is in the future.")]
    if ended_at and ended_at < started_at:
        errors["ended_at"] = [_("The visit cannot end before it starts.")]
    if next_visit_on <= timezone.localtime(started_at).date():
        errors["next_visit_on"] = [_("The next visit must be after this one.")]
    if kind in VisitLog.PROJECT_KINDS and not any(u.has_role("mm") for u in companions):
        errors["companions"] = [_("Project survey, acceptance and first inspection are joint visits: add the MM.")]
    if kind == VisitLog.Kind.PROJECT_ACCEPTANCE:
        if not attachments:
            errors["attachments"] = [_("Acceptance needs photos or a scan of the completion form.")]
        if acceptance_passed and nonconformity_open:
            errors["acceptance_passed"] = [_("Acceptance cannot pass while a non-conformity is open.")]
    if errors:
        raise ApplicationError(_("The visit log is not complete."), extra={"errors": errors})


@transaction.atomic
def visit_log_create(
    *, group: GroupCustomer, by: User, contacts: Sequence[Contact], kind: str, notes: str,
    started_at: dt.datetime, next_visit_on: dt.date, purposes: Iterable[str] = (), companions: Sequence[User] = (),
    ended_at: dt.datetime | None = None, attachments: Sequence[Any] = (), acceptance_passed: bool | None = None,
    nonconformity_open: bool = False, account_manager: User | None = None, send_surveys: bool = True, **extra: Any,
) -> VisitLog:
    """Record a visit (VIS-2) and, in the same transaction, queue one survey SMS per visited
    contact (SAT-1). A remedial visit with the supervisor closes the group's repair case (SAT-4).
    A ticket's joint-visit log passes send_surveys=False: the ticket's rating is its survey
    (issue 16 item 4, TKT-7)."""
    contacts, companions = list(contacts), list(companions)
    _check_visit(group, contacts, companions, kind, started_at, ended_at, next_visit_on, attachments,
                 acceptance_passed, nonconformity_open)
    purposes = sorted(set(purposes))
    bad = set(purposes) - set(VisitLog.Purpose.values)
    if bad:
        raise ApplicationError(_("Unknown purpose: %(p)s") % {"p": ", ".join(bad)})
    open_cases = []
    if kind == VisitLog.Kind.REMEDIAL:
        open_cases = list(RepairCase.objects.select_for_update().filter(
            group=group, status__in=[RepairCase.Status.OPEN, RepairCase.Status.OVERDUE]))
        if open_cases and not any(_qualified_supervisor(u, c) for u in companions for c in open_cases):
            raise ApplicationError(
                _("A remedial visit must be accompanied by the branch's department manager (SAT-3)."),
                extra={"errors": {"companions": [_("Add the department manager as companion.")]}})
    visit = VisitLog(group=group, account_manager=account_manager or by, kind=kind, purposes=purposes, notes=notes,
                     started_at=started_at, ended_at=ended_at, next_visit_on=next_visit_on,
                     acceptance_passed=acceptance_passed, nonconformity_open=nonconformity_open, created_by=by,
                     **extra)
    visit.full_clean()
    visit.save()
    visit.contacts.set(contacts)
    visit.companions.set(companions)
    for f in attachments:
        VisitAttachment.objects.create(visit=visit, file=f, caption=getattr(f, "name", "")[:200])
    _mark_visited(group, contacts, timezone.localtime(started_at).date())
    for case in open_cases:
        if any(_qualified_supervisor(u, case) for u in companions):
            case.status, case.closed_at, case.closed_by_visit = RepairCase.Status.CLOSED, timezone.now(), visit
            case.save(update_fields=["status", "closed_at", "closed_by_visit"])
    for contact in contacts if send_surveys else ():
        survey_send(visit=visit, contact=contact)
    return visit


def _mark_visited(group: GroupCustomer, contacts: Sequence[Contact], day: dt.date) -> None:
    """Keep the derived last-visit dates (VIS-3) — only ever moving forward."""
    GroupCustomer.objects.filter(pk=group.pk).filter(Q(last_visited_on__lt=day) | Q(last_visited_on=None)).update(
        last_visited_on=day)
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).filter(
        Q(last_visited_on__lt=day) | Q(last_visited_on=None)).update(last_visited_on=day)


@transaction.atomic
def visit_log_update(*, visit: VisitLog, by: User, **fields: Any) -> VisitLog:
    """Edit a saved log's text fields; the history keeps every version (issue 4, item 1).
    Contacts are not changed after saving: surveys already went to them."""
    allowed = {"notes", "purposes", "next_visit_on", "ended_at", "acceptance_passed", "nonconformity_open",
               "fault_cause", "fault_repair", "customer_assessment"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot change after saving: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for k, v in fields.items():
        setattr(visit, k, v)
    if visit.acceptance_passed and visit.nonconformity_open:
        raise ApplicationError(_("Acceptance cannot pass while a non-conformity is open."))
    visit.full_clean()
    visit.save()
    return visit


def survey_send(*, visit: VisitLog | None = None, contact: Contact | None = None, mobile: str | None = None,
                group: GroupCustomer | None = None, account_manager: User | None = None,
                ticket_id: int | None = None, product: str = "") -> Survey | None:
    """Queue one satisfaction SMS (SAT-1, TKT-7), once per visit and contact. Contacts who asked for
    no surveys, or who have left, get none."""
    if contact is not None and (contact.no_surveys or contact.status != Contact.Status.ACTIVE):
        return None
    group = group or visit.group
    am = account_manager or (visit.account_manager if visit else group.account_manager)
    number = normalise_mobile(mobile or contact.mobile)
    if visit is not None and Survey.objects.filter(visit=visit, contact=contact).exists():
        return None
    template = "ticket_survey" if ticket_id and not visit else "survey"
    # The reply window runs from when the SMS leaves: a survey queued at 22:00 waits for the
    # morning (quiet hours, issue 16 item 4) and keeps its whole window.
    leaves = quiet_hours_release(timezone.now(), key=template)
    survey = Survey.objects.create(
        visit=visit, contact=contact, group=group, account_manager=am, mobile=number, ticket_id=ticket_id,
        expires_at=leaves + dt.timedelta(hours=int(policy("survey.reply_window_hours"))),
    )
    survey.extension = _free_extension(survey)
    if survey.extension:
        survey.save(update_fields=["extension"])
    key = f"survey:visit:{visit.pk}:{contact.pk}" if visit else f"survey:ticket:{ticket_id}:{number}"
    sms_queue(to=number, template=template, related=survey, dedupe_key=key,
              sender=f"{policy('survey.sender_prefix')}{survey.extension}" if survey.extension else "",
              context={"name": contact.name if contact else "", "manager": str(am), "product": product})
    return survey


def _free_extension(survey: Survey) -> str:
    """An extension no other open survey of the same mobile uses (issue 16 item 3): derived from
    the survey's id, moved on when taken. "" when extensions are off (policy digits 0)."""
    digits = int(policy("survey.sender_extension_digits"))
    if not digits:
        return ""
    size = 10 ** digits
    taken = set(Survey.objects.filter(mobile=survey.mobile, status=Survey.Status.SENT)
                .exclude(pk=survey.pk).exclude(extension="").values_list("extension", flat=True))
    for step in range(size):
        candidate = str((survey.pk + step) % size).zfill(digits)
        if candidate not in taken:
            return candidate
    return ""


def _extension_of(receiver: str) -> str:
    """The survey extension a reply was sent to: what follows the survey sender number, when it
    has the configured length; "" otherwise (the reply went to the plain service number)."""
    digits = int(policy("survey.sender_extension_digits"))
    prefix = str(policy("survey.sender_prefix"))
    number = "".join(ch for ch in str(receiver or "") if ch.isdigit())
    if not digits or not number.startswith(prefix):
        return ""
    rest = number[len(prefix):]
    return rest if len(rest) == digits else ""


def survey_reply_record(message) -> bool:
    """Inbound SMS handler (SMS-3): the reply goes to the open survey of that number whose sender
    extension it was sent to (issue 16 item 3); without a known extension, to the most recent open
    survey. Every reply is stored; a parseable one answers the survey; 一般/很差 opens a repair case."""
    sender = normalise_mobile(message.sender)
    now = timezone.now()
    extension = _extension_of(getattr(message, "receiver", ""))
    with transaction.atomic():
        open_surveys = (Survey.objects.select_for_update().filter(mobile=sender, status=Survey.Status.SENT,
                                                                  expires_at__gte=now)
                        .order_by("-sent_at", "-id"))
        addressed = (Survey.objects.select_for_update().filter(mobile=sender, extension=extension)
                     .order_by("-sent_at", "-id").first() if extension else None)
        survey = addressed or open_surveys.first()
        if survey is None:
            return False
        score = parse_score(message.text)
        SurveyReply.objects.create(survey=survey, sender=sender, text=message.text[:1000], parsed_score=score,
                                   inbound_id=message.pk)
        if survey.status != Survey.Status.SENT or survey.expires_at < now:
            # A second reply to a survey already answered (or past its window) stays with it: it is
            # kept and shown, and never answers another survey of the same mobile.
            return True
        if score is None:
            return True  # kept and shown; the survey waits for a readable answer or a person's reading
        survey_score_apply(survey=survey, score=score, at=now)
    return True


def survey_score_apply(*, survey: Survey, score: int, at: dt.datetime) -> None:
    """A survey answered with a score, by SMS or by a person reading the reply: the same effects
    either way — the ticket's rating (TKT-7) and, for 一般/很差, a repair case (SAT-3, SAT-6).
    The caller holds the survey row locked."""
    survey.status, survey.score, survey.answered_at = Survey.Status.ANSWERED, score, at
    survey.save(update_fields=["status", "score", "answered_at"])
    if survey.ticket_id:  # TKT-7: the reporter rated a repair
        from tickets.workflow import ticket_record_rating

        ticket_record_rating(ticket_id=survey.ticket_id, score=score)
    if score in Survey.DISSATISFIED:
        repair_case_open(survey=survey, at=at)


SETTLING_ROLES = ("leader", "manager", "admin")


@transaction.atomic
def survey_reply_settle(*, reply_id: int, by: User, score: int | None, request=None) -> SurveyReply:
    """Issue 16 item 2: the AM's supervisor reads a reply the portal could not read and sets its
    score (1–4), or marks it "not an answer" (score None). A score has exactly the effects of an SMS
    score (survey_score_apply); the reading is audited. Only a group leader, department manager or
    administrator whose scope holds the survey may do it, once per reply, and only while the survey
    has no score yet. The repair case's two working days run from the reading, when the
    dissatisfaction becomes known."""
    from portal.audit import audit_log

    from .selectors import surveys_in_scope

    if not by.has_role(*SETTLING_ROLES):
        raise PermissionDenied(_("Only the AM's supervisor reads unread replies."))
    if score is not None and score not in Survey.Score.values:
        raise ApplicationError(_("Choose a score from 1 to 4, or “not an answer”."))
    reply = (SurveyReply.objects.select_for_update().filter(pk=reply_id, survey__isnull=False)
             .filter(survey__in=surveys_in_scope(by)).first())
    if reply is None:
        raise Http404(_("No such reply in your scope."))
    if reply.parsed_score is not None or reply.settled_at is not None:
        raise ApplicationError(_("This reply has already been read."), status_code=409)
    survey = Survey.objects.select_for_update().get(pk=reply.survey_id)
    if score is not None and survey.status == Survey.Status.ANSWERED:
        raise ApplicationError(_("The survey already has a score from another reply."), status_code=409)
    now = timezone.now()
    reply.settled_score, reply.settled_by, reply.settled_at = score, by, now
    reply.save(update_fields=["settled_score", "settled_by", "settled_at"])
    if score is not None:
        survey_score_apply(survey=survey, score=score, at=now)
    audit_log(action="survey.reply_read", actor=by, request=request, target=reply,
              survey=survey.pk, score=score, text=reply.text[:200])
    return reply


def repair_case_open(*, survey: Survey, at: dt.datetime) -> RepairCase:
    """SAT-3/SAT-6: the branch manager must accompany the AM on a revisit by the end of the 2nd
    mainland working day after the reply."""
    group = survey.group
    branch = _branch_of(group)
    supervisor = branch_manager(branch)
    due = deadline_end_of_nth_workday(at, int(policy("survey.repair_deadline_workdays")))
    case, created = RepairCase.objects.get_or_create(
        survey=survey, defaults={"group": group, "account_manager": survey.account_manager,
                                 "supervisor": supervisor, "branch": branch, "due_at": due})
    if created:
        local_due = timezone.localtime(due).strftime("%m-%d %H:%M")
        for person in {p for p in (supervisor, survey.account_manager) if p is not None and p.mobile}:
            sms_queue(to=person.mobile, template="reminder", related=case,
                      dedupe_key=f"repair:{case.pk}:{person.pk}",
                      context={"name": str(person), "due": local_due,
                               "message": _("%(group)s rated a visit %(score)s; a supervised remedial visit is "
                                            "required") % {"group": group.name,
                                                           "score": survey.get_score_display()}})
    return case


def surveys_expire(*, now: dt.datetime | None = None) -> int:
    """SAT-2: no reply within the window → unanswered. One UPDATE; a second run changes nothing."""
    now = now or timezone.now()
    return Survey.objects.filter(status=Survey.Status.SENT, expires_at__lt=now).update(
        status=Survey.Status.UNANSWERED)


def repairs_mark_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """SAT-5: a repair not done in time → overdue, and a ledger entry for the branch and the person.
    Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two concurrent runs never share one;
    the ledger's unique constraint makes a repeated run write nothing twice."""
    now = now or timezone.now()
    marked = entries = 0
    while True:
        with transaction.atomic():
            qs = RepairCase.objects.filter(status=RepairCase.Status.OPEN, due_at__lt=now).order_by("pk")
            if connection_supports_skip_locked():
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            batch = list(qs.select_related("account_manager")[:500])
            if not batch:
                return {"repairs_overdue": marked, "ledger_entries": entries}
            RepairCase.objects.filter(pk__in=[c.pk for c in batch], status=RepairCase.Status.OPEN).update(
                status=RepairCase.Status.OVERDUE)
            for case in batch:
                marked += 1
                for kwargs in ({"person": case.account_manager,
                                "points": -abs(policy("penalty.missed_repair_person_points"))},
                               {"branch": case.branch, "points": -abs(policy("penalty.missed_repair_branch_points"))}):
                    if ledger_record(rule=LedgerEntry.Rule.MISSED_REPAIR, source=case, when=case.due_at,
                                     note=f"{case.group.name}", **kwargs):
                        entries += 1


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def last_visits(group_ids: Iterable[int]) -> dict[int, dt.datetime]:
    return dict(VisitLog.objects.filter(group_id__in=list(group_ids)).values("group_id")
                .annotate(m=Max("started_at")).values_list("group_id", "m"))



@transaction.atomic
def visit_frequency_set(*, row, period_months: int, by: User | None = None, request=None):
    """VIS-1 / CFG-1: change one cell of the visit frequency table (class × who → period).

    Validates (1–12 months, dividing the year), saves, and writes one POLICY_CHANGED audit event with
    the old and new period, in the same transaction. Compliance reads the table on every count, so
    the change is in force at once; the KPI app's counted figures of open months are marked stale
    by its post_save receiver (portal.kpi.apps). Returns the row.
    """
    from portal.policy import policy_row_save

    row.period_months = period_months
    policy_row_save(row, fields=("period_months",), identity=("grade", "target"),
                    key=lambda r: f"visits.frequency.{r.grade}.{r.target}", by=by, request=request)
    return row


__all__ = ["visit_log_create", "visit_log_update", "survey_send", "survey_reply_record", "repair_case_open",
           "surveys_expire", "repairs_mark_overdue", "branch_manager", "settings",
           "visit_frequency_set"]
