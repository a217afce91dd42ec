"""Pages: log a visit, visit detail and history, compliance, work plan, surveys, repair cases."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scoping import WRITE, get_in_scope
from groupclients.models import GroupCustomer
from groupclients.scopes import GROUP_SCOPE
from groupclients.selectors import groups_in_scope
from groupclients.views.groups import _history
from portal.exceptions import ApplicationError

from . import compliance, services
from .forms import PlanForm, VisitEditForm, VisitForm
from .models import PlannedVisit, RepairCase, Survey, VisitLog
from .scopes import REPAIR_SCOPE, VISIT_SCOPE
from .selectors import (
    repairs_in_scope,
    replies_to_read_for_user,
    survey_list_for_user,
    visit_list_for_user,
    visits_in_scope,
)

R = Role.Code


def _int(v):
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


@login_required
def visit_create(request, group_pk):
    if not request.user.has_role(R.ACCOUNT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Visit logs are written by account managers."))
    group = get_in_scope(request.user, GroupCustomer.objects.select_related("unit"), GROUP_SCOPE, WRITE, pk=group_pk)
    initial = {}
    if request.GET.get("kind") in VisitLog.Kind.values:
        initial["kind"] = request.GET["kind"]
    if _int(request.GET.get("companion")):
        initial["companions"] = [_int(request.GET["companion"])]
    if _int(request.GET.get("contact")):
        initial["contacts"] = [_int(request.GET["contact"])]
    form = VisitForm(request.POST or None, request.FILES or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.visit_log_create(
                group=group, by=request.user, contacts=list(d["contacts"]), companions=list(d["companions"]),
                kind=d["kind"], purposes=d["purposes"], notes=d["notes"], started_at=d["started_at"],
                ended_at=d["ended_at"], next_visit_on=d["next_visit_on"], attachments=d["attachments"],
                acceptance_passed=d["acceptance_passed"], nonconformity_open=d["nonconformity_open"],
                fault_cause=d["fault_cause"], fault_repair=d["fault_repair"],
                customer_assessment=d["customer_assessment"])
        except ApplicationError as e:
            form.add_error(None, e.message)
            for field, errs in e.extra.get("errors", {}).items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            n = visit.surveys.count()
            messages.success(request, _("Visit saved; %(n)d satisfaction SMS queued.") % {"n": n})
            return redirect("visit-detail", pk=visit.pk)
    # a refused write answers 400 with the form (issue 12 write matrix)
    return render(request, "visits/visit_form.html", {"form": form, "group": group},
                  status=400 if request.method == "POST" else 200)


@login_required
def visit_pick_group(request):
    """Log a visit from the home page: pick one of my groups first."""
    q = request.GET.get("q", "").strip()
    from groupclients.selectors import GroupFilters, group_list_for_user

    groups = group_list_for_user(request.user, GroupFilters(q=q))[:30]
    return render(request, "visits/pick_group.html", {"groups": groups, "q": q})


@login_required
def visit_detail(request, pk):
    visit = get_in_scope(request.user, VisitLog.objects.select_related("group", "account_manager"),
                         VISIT_SCOPE, pk=pk)
    surveys = visit.surveys.select_related("contact").prefetch_related("replies")
    can_edit = visits_in_scope(request.user, WRITE).filter(pk=visit.pk).exists()
    return render(request, "visits/visit_detail.html", {
        "v": visit, "surveys": surveys, "can_edit": can_edit, "history": _history(visit),
        "contacts": visit.contacts.all(), "companions": visit.companions.all(),
        "attachments": visit.attachments.all(), "closed_repairs": visit.closed_repairs.all(),
    })


@login_required
def visit_edit(request, pk):
    visit = get_in_scope(request.user, VisitLog.objects.select_related("group"), VISIT_SCOPE, WRITE, pk=pk)
    form = VisitEditForm(request.POST or None, instance=visit)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_log_update(visit=VisitLog.objects.get(pk=visit.pk), by=request.user,
                                      **{f: form.cleaned_data[f] for f in form.changed_data})
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Saved; the previous version is kept in the history."))
            return redirect("visit-detail", pk=visit.pk)
    return render(request, "visits/visit_edit.html", {"form": form, "v": visit})


@login_required
def visit_list(request):
    g = request.GET
    qs = visit_list_for_user(request.user, kind=g.get("kind", ""), am=_int(g.get("am")), group=_int(g.get("group")),
                             since=g.get("since") or None, until=g.get("until") or None)
    page = Paginator(qs, 25).get_page(g.get("page"))
    return render(request, "visits/visit_list.html", {"page": page, "kinds": VisitLog.Kind.choices,
                                                      "kind": g.get("kind", "")})


@login_required
def compliance_view(request):
    """VIS-3: an AM's obligations this period; supervisors see the rate per AM and drill down."""
    user = request.user
    am_id = _int(request.GET.get("am"))
    groups = groups_in_scope(user)
    if user.role_codes == {R.ACCOUNT_MANAGER}:
        groups = groups.filter(account_manager=user)
    elif am_id:
        groups = groups.filter(account_manager_id=am_id)
    obs = compliance.obligations(groups)
    status = request.GET.get("status", "")
    shown = [o for o in obs if not status or o.status == status]
    shown.sort(key=lambda o: ({"overdue": 0, "due": 1, "done": 2}[o.status], o.due_by, o.group.name))
    per_am = compliance.per_am(obs) if not am_id and user.role_codes != {R.ACCOUNT_MANAGER} else []
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    return render(request, "visits/compliance.html", {
        "summary": compliance.summary(obs), "per_am": per_am, "page": page, "status": status,
        "am": User.objects.filter(pk=am_id).first() if am_id else None,
    })


@login_required
def work_plan(request):
    """VIS-5: what the policy requires next, beside the visits the AM planned."""
    user = request.user
    if not user.has_role(R.ACCOUNT_MANAGER):
        raise PermissionDenied(_("The work plan is an account manager's page."))
    my_groups = groups_in_scope(user).filter(account_manager=user)
    form = PlanForm(request.POST or None, groups=my_groups)
    if request.method == "POST" and form.is_valid():
        PlannedVisit.objects.create(account_manager=user, **form.cleaned_data)
        messages.success(request, _("Visit planned."))
        return redirect("work-plan")
    horizon = request.GET.get("view", "week")
    today = timezone.localdate()
    until = today + dt.timedelta(days=7 if horizon == "week" else 31)
    required = [o for o in compliance.obligations(my_groups) if o.status != compliance.DONE]
    required.sort(key=lambda o: (o.status != compliance.OVERDUE, o.due_by))
    planned = PlannedVisit.objects.filter(account_manager=user, planned_on__gte=today, planned_on__lte=until,
                                          done_by=None).select_related("group")
    return render(request, "visits/work_plan.html", {"form": form, "required": required[:100], "planned": planned,
                                                     "view": horizon, "until": until},
                  status=400 if request.method == "POST" else 200)  # refused: 400 (issue 12 write matrix)


@login_required
def survey_list(request):
    g = request.GET
    qs = survey_list_for_user(request.user, status=g.get("status", ""), score=_int(g.get("score")),
                              dissatisfied=g.get("dissatisfied") == "1", group=_int(g.get("group")))
    page = Paginator(qs, 50).get_page(g.get("page"))
    return render(request, "visits/survey_list.html", {"page": page, "statuses": Survey.Status.choices,
                                                       "scores": Survey.Score.choices, "status": g.get("status", ""),
                                                       "score": _int(g.get("score")),
                                                       "to_read": replies_to_read_for_user(request.user).count()})


@login_required
def reply_list(request):
    """Issue 16 item 2: the supervisor's work list of replies the portal could not read."""
    qs = replies_to_read_for_user(request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "visits/reply_list.html", {
        "page": page, "scores": Survey.Score.choices,
        "can_settle": request.user.has_role(*services.SETTLING_ROLES)})


@login_required
def reply_settle(request, pk):
    """POST: the supervisor's reading of one reply — a score 1–4, or "none" (not an answer)."""
    if request.method != "POST":
        return redirect("survey-reply-list")
    raw = request.POST.get("score", "")
    if raw not in ("1", "2", "3", "4", "none"):
        messages.error(request, _("Choose a score from 1 to 4, or “not an answer”."))
        return redirect("survey-reply-list")
    try:
        reply = services.survey_reply_settle(reply_id=pk, by=request.user,
                                             score=None if raw == "none" else int(raw), request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("survey-reply-list")
    if reply.settled_score is None:
        messages.success(request, _("Marked as not an answer; the survey waits for a reply."))
    elif reply.settled_score in Survey.DISSATISFIED:
        messages.success(request, _("Score recorded: a satisfaction repair case is open."))
    else:
        messages.success(request, _("Score recorded."))
    return redirect("survey-reply-list")


@login_required
def repair_list(request):
    """The supervisor's open repair cases with their due dates (SAT-3)."""
    status = request.GET.get("status", "active")
    qs = repairs_in_scope(request.user)
    if status == "active":
        qs = qs.filter(status__in=[RepairCase.Status.OPEN, RepairCase.Status.OVERDUE])
    elif status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("due_at"), 50).get_page(request.GET.get("page"))
    return render(request, "visits/repair_list.html", {"page": page, "status": status, "now": timezone.now(),
                                                       "statuses": RepairCase.Status.choices})


@login_required
def visit_remedial(request, case_pk):
    """Shortcut from a repair case: the remedial visit form with the supervisor preselected."""
    case = get_in_scope(request.user, RepairCase.objects.select_related("group", "survey__contact"),
                        REPAIR_SCOPE, pk=case_pk)
    url = f"/visits/new/{case.group_id}/?kind=remedial&companion={case.supervisor_id or ''}"
    if case.survey.contact_id:
        url += f"&contact={case.survey.contact_id}"
    return redirect(url)

