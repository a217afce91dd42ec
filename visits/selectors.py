"""Reads for visits, surveys and repair cases, scoped once here (ORG-3)."""
from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import READ, scope_queryset

from .models import RepairCase, Survey, SurveyReply, VisitLog
from .scopes import REPAIR_SCOPE, SURVEY_SCOPE, VISIT_SCOPE


def visits_in_scope(user, action: str = READ) -> QuerySet[VisitLog]:
    return scope_queryset(user, VisitLog.objects.all(), VISIT_SCOPE, action)


def visit_list_for_user(user, *, kind: str = "", am: int | None = None, group: int | None = None,
                        since=None, until=None) -> QuerySet[VisitLog]:
    qs = visits_in_scope(user).select_related("group", "account_manager").prefetch_related("contacts")
    if kind:
        qs = qs.filter(kind=kind)
    if am:
        qs = qs.filter(account_manager_id=am)
    if group:
        qs = qs.filter(group_id=group)
    if since:
        qs = qs.filter(started_at__date__gte=since)
    if until:
        qs = qs.filter(started_at__date__lte=until)
    return qs.order_by("-started_at", "-id")


def surveys_in_scope(user) -> QuerySet[Survey]:
    return scope_queryset(user, Survey.objects.all(), SURVEY_SCOPE).select_related(
        "group", "contact", "visit", "account_manager")


def survey_list_for_user(user, *, status: str = "", score: int | None = None, group: int | None = None,
                         dissatisfied: bool = False) -> QuerySet[Survey]:
    qs = surveys_in_scope(user).prefetch_related("replies")
    if status:
        qs = qs.filter(status=status)
    if score:
        qs = qs.filter(score=score)
    if dissatisfied:
        qs = qs.filter(score__in=Survey.DISSATISFIED)
    if group:
        qs = qs.filter(group_id=group)
    return qs.order_by("-sent_at", "-id")


def repairs_in_scope(user) -> QuerySet[RepairCase]:
    return scope_queryset(user, RepairCase.objects.all(), REPAIR_SCOPE).select_related(
        "group", "account_manager", "supervisor", "survey", "survey__contact", "closed_by_visit")


def unmatched_replies() -> QuerySet[SurveyReply]:
    return SurveyReply.objects.filter(survey__isnull=True)


def replies_to_read_for_user(user) -> QuerySet[SurveyReply]:
    """Issue 16 item 2: replies the portal could not read, on surveys in the user's scope that have
    no score yet — the supervisor's work list, oldest first."""
    return (SurveyReply.objects.filter(parsed_score__isnull=True, settled_at__isnull=True,
                                       survey__in=surveys_in_scope(user).values("pk"),
                                       survey__status__in=[Survey.Status.SENT, Survey.Status.UNANSWERED])
            .select_related("survey__group", "survey__contact", "survey__account_manager")
            .order_by("received_at", "id"))
