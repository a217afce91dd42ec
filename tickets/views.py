"""Pages: ticket queues, opening a ticket, the ticket page with its timeline and the three parties'
records side by side, the manager's board, complaints, and the performance ledger."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scoping import WRITE, get_in_scope
from groupclients.models import GroupCustomer, Site
from groupclients.scopes import GROUP_SCOPE
from groupclients.selectors import GroupFilters, group_list_for_user, groups_in_scope
from portal.exceptions import ApplicationError

from . import complaints as complaint_services
from . import workflow as wf
from .forms import AmLogForm, ComplaintForm, ParticipationForm, RepairForm, TicketForm
from .models import Complaint, LedgerEntry, Severity, Ticket
from .scopes import COMPLAINT_SCOPE, LEDGER_SCOPE, TICKET_SCOPE
from .selectors import board_counts, complaints_in_scope, ledger_in_scope, ticket_list_for_user
from .services import ledger_reverse

R = Role.Code


def _default_queue(user) -> str:
    if user.has_role(R.AGENT) and not user.has_role(R.ACCOUNT_MANAGER, R.MAINTENANCE_MANAGER):
        return "reported"
    if user.has_role(R.ACCOUNT_MANAGER, R.MAINTENANCE_MANAGER):
        return "mine"
    if user.has_role(R.QUALITY):
        return "misrouted"
    return "open"


@login_required
def ticket_list(request):
    g = request.GET
    queue = g.get("queue") or _default_queue(request.user)
    qs = ticket_list_for_user(request.user, queue=queue, status=g.get("status", ""), severity=g.get("severity", ""),
                              q=g.get("q", "").strip(), breached=g.get("breached") == "1")
    page = Paginator(qs, 25).get_page(g.get("page"))
    queues = [("mine", _("My open tickets")), ("reported", _("Reported by me")), ("open", _("All open")),
              ("misrouted", _("Misrouted")), ("verification", _("To verify")), ("all", _("All"))]
    return render(request, "tickets/ticket_list.html", {
        "page": page, "queue": queue, "queues": queues, "statuses": Ticket.Status.choices,
        "severities": Severity.choices, "now": timezone.now(),
        "board": board_counts(request.user) if request.user.has_role(R.DEPT_MANAGER, R.GROUP_LEADER, R.QUALITY,
                                                                     R.ADMIN, R.ANALYST) else None,
        "can_open": request.user.has_role(R.AGENT, R.ACCOUNT_MANAGER, R.ADMIN),
    })


@login_required
def ticket_pick_group(request):
    """TKT-1: the agent finds the caller's group by name, pinyin or phone."""
    if not request.user.has_role(R.AGENT, R.ACCOUNT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Tickets are opened by the call centre or by an account manager."))
    q = request.GET.get("q", "").strip()
    groups = group_list_for_user(request.user, GroupFilters(q=q)).prefetch_related("sites")[:20] if q else []
    return render(request, "tickets/pick_group.html", {"groups": groups, "q": q})


@login_required
def ticket_create(request, group_pk):
    if not request.user.has_role(R.AGENT, R.ACCOUNT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Tickets are opened by the call centre or by an account manager."))
    group = get_in_scope(request.user, GroupCustomer.objects.all(), GROUP_SCOPE, pk=group_pk)
    form = TicketForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            t = wf.ticket_open(group=group, by=request.user, **form.cleaned_data)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Ticket %(no)s dispatched to %(am)s and %(mm)s.") % {
                "no": t.number, "am": t.account_manager, "mm": t.maintenance_manager})
            return redirect("ticket-detail", pk=t.pk)
    # a refused write answers 400 with the form (issue 12 write matrix)
    return render(request, "tickets/ticket_form.html", {"form": form, "group": group},
                  status=400 if request.method == "POST" else 200)


def _ticket(request, pk, action="read"):
    return get_in_scope(request.user, Ticket.objects.select_related(
        "group", "site", "unit", "product", "account_manager", "maintenance_manager", "opened_by", "home_am",
        "substitute", "am_visit"), TICKET_SCOPE, action, pk=pk)


@login_required
def ticket_detail(request, pk):
    t = _ticket(request, pk)
    actions = wf.allowed_actions(t, request.user)
    from visits.models import Survey

    events = list(t.events.select_related("by"))
    labels = dict(Ticket.Status.choices)
    for e in events:  # readable timeline: labels, not codes
        e.action_label = wf.ACTION_LABELS.get(e.action, e.action)
        e.from_label, e.to_label = labels.get(e.from_status, ""), labels.get(e.to_status, "")
    return render(request, "tickets/ticket_detail.html", {
        "t": t, "events": events, "actions": actions, "now": timezone.now(),
        "repair_form": RepairForm(), "am_log_form": AmLogForm(group=t.group),
        "participation_form": ParticipationForm(), "survey": Survey.objects.filter(ticket_id=t.pk).first(),
        "other_sites": t.group.sites.exclude(pk=t.site_id).select_related("unit"),
    })


@login_required
@require_POST
def ticket_action(request, pk, action):
    t = _ticket(request, pk, WRITE)
    p = request.POST
    try:
        if action == "acknowledge":
            wf.ticket_acknowledge(ticket=t, by=request.user, note=p.get("note", ""))
        elif action == "arrive":
            wf.ticket_arrive(ticket=t, by=request.user, note=p.get("note", ""))
        elif action == "repair":
            f = RepairForm(p)
            if not f.is_valid():
                raise ApplicationError(_("Record the cause and the repair."))
            wf.ticket_repair(ticket=t, by=request.user, **f.cleaned_data)
        elif action == "am_log":
            f = AmLogForm(p, group=t.group)
            if not f.is_valid():
                raise ApplicationError(_("Fill in cause, repair and the customer's assessment."))
            d = f.cleaned_data
            wf.ticket_am_log(ticket=t, by=request.user, cause=d["cause"], repair=d["repair"],
                             assessment=d["assessment"], contacts=list(d["contacts"]))
        elif action == "participation":
            f = ParticipationForm(p)
            if not f.is_valid():
                raise ApplicationError(_("Choose how the AM took part."))
            wf.ticket_set_participation(ticket=t, by=request.user, **f.cleaned_data)
        elif action == "misroute":
            site = Site.objects.filter(pk=p.get("correct_site") or 0, group=t.group).first()
            wf.ticket_misroute(ticket=t, by=request.user, real_location=p.get("real_location", ""), correct_site=site)
        elif action == "redispatch":
            site = Site.objects.filter(pk=p.get("site") or 0, group=t.group).first()
            if site is None:
                raise ApplicationError(_("Choose the site of the right local pair."))
            wf.ticket_redispatch(ticket=t, by=request.user, site=site, note=p.get("note", ""))
        elif action == "close":
            wf.ticket_close(ticket=t, by=request.user, note=p.get("note", ""))
        elif action == "cancel":
            wf.ticket_cancel(ticket=t, by=request.user, reason=p.get("reason", ""))
        elif action == "verify":
            wf.ticket_verify(ticket=t, by=request.user, note=p.get("note", ""), wrong_party=p.get("wrong_party", ""))
        else:
            raise PermissionDenied
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Done."))
    return redirect("ticket-detail", pk=t.pk)


# ---- complaints --------------------------------------------------------------------------------
@login_required
def complaint_list(request):
    qs = complaints_in_scope(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "tickets/complaint_list.html", {"page": page, "status": status, "now": timezone.now(),
                                                           "statuses": Complaint.Status.choices})


@login_required
def complaint_create(request):
    if not request.user.has_role(R.ACCOUNT_MANAGER, R.AGENT, R.QUALITY, R.ADMIN):
        raise PermissionDenied
    groups = groups_in_scope(request.user)
    form = ComplaintForm(request.POST or None, groups=groups, initial={"group": request.GET.get("group")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = complaint_services.complaint_record(by=request.user, **d)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Recorded; answer due %(d)s.") % {
                "d": timezone.localtime(c.answer_due).strftime("%m-%d %H:%M")})
            return redirect("complaint-list")
    return render(request, "tickets/complaint_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)  # refused: 400 (issue 12 write matrix)


@login_required
@require_POST
def complaint_action(request, pk, action):
    c = get_in_scope(request.user, Complaint.objects.all(), COMPLAINT_SCOPE, WRITE, pk=pk)
    try:
        if action == "answer":
            complaint_services.complaint_answer(complaint=c, by=request.user, answer=request.POST.get("text", ""))
        elif action == "callback":
            complaint_services.complaint_callback(complaint=c, by=request.user, note=request.POST.get("text", ""))
        elif action == "close":
            complaint_services.complaint_close(complaint=c, by=request.user)
        elif action == "escalate":
            complaint_services.complaint_escalate(complaint=c, by=request.user,
                                                  unrecorded=request.POST.get("unrecorded") == "1")
        else:
            raise PermissionDenied
        messages.success(request, _("Done."))
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect("complaint-list")


# ---- ledger --------------------------------------------------------------------------------------
@login_required
def ledger_list(request):
    qs = ledger_in_scope(request.user)
    month = request.GET.get("month", "")
    if month:
        qs = qs.filter(month__startswith=month)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "tickets/ledger.html", {"page": page, "month": month,
                                                   "can_reverse": request.user.has_role(R.QUALITY, R.ADMIN)})


@login_required
@require_POST
def ledger_reverse_view(request, pk):
    entry = get_in_scope(request.user, LedgerEntry.objects.all(), LEDGER_SCOPE,
                         WRITE, pk=pk)
    try:
        ledger_reverse(entry=entry, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Entry reversed."))
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect("ledger")
