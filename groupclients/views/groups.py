"""Pages of the customer file: portfolio, 360 view, group forms, history and data quality."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.scoping import WRITE, annotate_can, get_in_scope
from accounts.selectors import orgunits_visible_to
from portal.exceptions import ApplicationError
from portal.pagination import TwoEndedPaginator

from .. import services
from ..forms import GroupForm, StatusForm
from ..models import Contact, GroupCustomer, Industry
from ..scopes import GROUP_SCOPE, sees_financials
from ..selectors import (
    GroupFilters,
    contact_list_for_user,
    contracts_expiring,
    group_list_for_user,
    member_summary,
    present_contact,
    quality_counts,
)
from ..services.ownership import may_own

R = Role.Code
SUPERVISORS = (R.GROUP_LEADER, R.DEPT_MANAGER, R.ANALYST, R.ADMIN)


def _int(v):
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


def _filters(request) -> GroupFilters:
    g = request.GET
    return GroupFilters(q=g.get("q", "").strip()[:100], grade=g.get("grade", ""), status=g.get("status", ""),
                        unit=_int(g.get("unit")), am=_int(g.get("am")), industry=_int(g.get("industry")),
                        problem=g.get("problem", ""), order=g.get("order", "name"))


def _group(request, pk, action="read", *, with_can_edit=False) -> GroupCustomer:
    qs = GroupCustomer.objects.select_related("unit__parent__parent", "account_manager", "industry", "org_type")
    if with_can_edit:
        qs = annotate_can(qs, request.user, GROUP_SCOPE, WRITE, "may_write")
    return get_in_scope(request.user, qs, GROUP_SCOPE, action, pk=pk)


def _form_error(form, exc: ApplicationError):
    for field, errs in (exc.extra.get("errors") or {}).items():
        if field in form.fields:
            form.add_error(field, errs)
            return
    form.add_error(None, exc.message)


def _form_status(request) -> int:
    """A POST that comes back to the form was refused: answer 400, so a client (and the write
    matrix of issue 12) can tell a refused write from a shown form."""
    return 400 if request.method == "POST" else 200


AM_CHOICES_LIMIT = 300


def _am_choices(user, units: list, f: GroupFilters):
    """The AM filter's options: the AMs of the chosen unit (or of the only unit in scope). A
    province has ~16 000 AMs, too many for a list: wider scopes pick a unit first (issue 3)."""
    qs = User.objects.filter(roles__code=R.ACCOUNT_MANAGER, is_active=True).only(
        "id", "username", "first_name", "last_name", "display_name").order_by("username")
    unit_ids = {u.pk for u in units}
    if f.unit in unit_ids:
        return list(qs.filter(unit_id=f.unit)[:AM_CHOICES_LIMIT]), False
    if len(unit_ids) == 1:
        return list(qs.filter(unit_id__in=unit_ids)[:AM_CHOICES_LIMIT]), False
    chosen = list(qs.filter(pk=f.am, unit_id__in=unit_ids)) if f.am else []
    return chosen, True


@login_required
def group_list(request):
    f = _filters(request)
    qs = group_list_for_user(request.user, f)
    per_page = min(_int(request.GET.get("per_page")) or 25, 200)
    page = TwoEndedPaginator(qs, per_page).get_page(request.GET.get("page"))
    can_see_units = request.user.role_codes - {R.ACCOUNT_MANAGER}
    units = list(orgunits_visible_to(request.user).filter(level="unit")) if can_see_units else []
    ams, am_needs_unit = _am_choices(request.user, units, f) if can_see_units else ([], False)
    return render(request, "groupclients/group_list.html", {
        "page": page, "f": f, "grades": GroupCustomer.Grade.choices, "statuses": GroupCustomer.Status.choices,
        "industries": Industry.objects.filter(active=True),
        "units": units, "ams": ams, "am_needs_unit": am_needs_unit,
        "problems": [("any", _("Any problem")), ("core", _("Core fields missing")),
                     ("minimum", _("Below contact minimum")), ("primary", _("No primary contact")),
                     ("counterpart", _("Contacts without counterpart"))],
        "orders": [("name", _("Name")), ("-updated", _("Recently changed")), ("grade", _("Class")),
                   ("status", _("Status")), ("code", _("Code"))],
        "can_create": request.user.has_role(R.ACCOUNT_MANAGER, R.GROUP_LEADER, R.DEPT_MANAGER, R.ADMIN),
    })


@login_required
def group_detail(request, pk):
    group = _group(request, pk, with_can_edit=True)
    user = request.user
    contacts = [present_contact(c) for c in contact_list_for_user(user, group=group, include_departed=True)]
    contracts = list(group.competitor_contracts.all())
    by_type = [(label, [c for c in contacts if c.type == value and c.status == Contact.Status.ACTIVE])
               for value, label in Contact.Type.choices]
    departed = [c for c in contacts if c.status != Contact.Status.ACTIVE]
    ctx = {
        "g": group,
        "can_edit": group.may_write,
        "money": sees_financials(user),
        "sites": group.sites.select_related("unit", "local_am", "local_mm"),
        "contacts_by_type": by_type,
        "departed": departed,
        "subscriptions": group.subscriptions.select_related("product"),
        "contracts": contracts,
        "expiring": contracts_expiring(group, contracts=contracts),
        "members": member_summary(group),
        "opportunities": group.opportunities.prefetch_related("updates").select_related("decided_by"),
        "status_form": StatusForm(initial={"to": next(iter(GroupCustomer.TRANSITIONS[group.status]))}),
        "transitions": [(s, GroupCustomer.Status(s).label) for s in sorted(GroupCustomer.TRANSITIONS[group.status])],
        "missing": group.missing_core_fields(),
        "extra_panels": _extra_panels(request, group),
    }
    return render(request, "groupclients/group_detail.html", ctx)


def _extra_panels(request, group):
    """Panels later features add to the customer file (visits, tickets, alerts): only those with data."""
    from django.utils.module_loading import import_string

    from ..panels import GROUP_PANELS

    panels = []
    for path in GROUP_PANELS:
        panel = import_string(path)(request.user, group)
        if panel:
            panels.append(panel)
    return panels


@login_required
def group_create(request):
    if not request.user.has_role(R.ACCOUNT_MANAGER, R.GROUP_LEADER, R.DEPT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Your role cannot create groups."))
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        if not may_own(request.user, data["unit"], data["account_manager"]):
            form.add_error("account_manager", _("You may not create groups for this unit or AM."))
        else:
            try:
                group = services.group_create(by=request.user, **data)
            except ApplicationError as e:
                _form_error(form, e)
            else:
                messages.success(request, _("Group %(name)s created as a prospect.") % {"name": group.name})
                return redirect("group-detail", pk=group.pk)
    return render(request, "groupclients/form.html", {"form": form, "title": _("New group customer")},
                  status=_form_status(request))


@login_required
def group_edit(request, pk):
    group = _group(request, pk, WRITE)
    form = GroupForm(request.POST or None, instance=group, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, by=request.user, **form.cleaned_data)
        except ApplicationError as e:
            _form_error(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("group-detail", pk=group.pk)
    return render(request, "groupclients/form.html", {"form": form, "title": _("Edit %(n)s") % {"n": group.name},
                                                       "back": reverse("group-detail", args=[group.pk])},
                  status=_form_status(request))


@login_required
@require_POST
def group_status(request, pk):
    group = _group(request, pk, WRITE)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.group_change_status(group=group, to=form.cleaned_data["to"], by=request.user,
                                         reason=form.cleaned_data["reason"])
            messages.success(request, _("Status changed."))
        except ApplicationError as e:
            messages.error(request, e.message)
        except Exception as e:  # model validation: which core field is missing
            from django.core.exceptions import ValidationError

            if not isinstance(e, ValidationError):
                raise
            fields = ", ".join(str(GroupCustomer._meta.get_field(f).verbose_name) for f in e.message_dict)
            messages.error(request, _("Fill in the core fields first: %(f)s") % {"f": fields})
    return redirect("group-detail", pk=group.pk)


def _history(obj, limit=50):
    """History records newest first, each with its field changes (old → new)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    out = []
    # Each record is compared with the next older one; the oldest has none. A record written
    # without history rows (seed data, bulk loads) has an empty list (issue 12 item 1).
    for newer, older in zip(records, [*records[1:], None] if records else [], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for ch in delta.changes:
                field = obj._meta.get_field(ch.field)
                changes.append({"field": field.verbose_name, "old": ch.old, "new": ch.new})
        out.append({"at": newer.history_date, "user": newer.history_user, "type": newer.get_history_type_display(),
                    "reason": newer.history_change_reason, "changes": changes})
    return out[:limit]


@login_required
def group_history(request, pk):
    group = _group(request, pk)
    return render(request, "groupclients/history.html", {
        "title": group.name, "group": group, "records": _history(group),
        "status_changes": group.status_changes.select_related("by"),
    })


@login_required
def data_quality(request):
    if not request.user.has_role(*SUPERVISORS):
        raise PermissionDenied(_("The data-quality list is for supervisors."))
    problem = request.GET.get("problem") or "any"
    f = GroupFilters(problem=problem, unit=_int(request.GET.get("unit")), am=_int(request.GET.get("am")),
                     grade=request.GET.get("grade", ""), order="name")
    page = Paginator(group_list_for_user(request.user, f), 50).get_page(request.GET.get("page"))
    units = list(orgunits_visible_to(request.user).filter(level="unit"))
    ams, am_needs_unit = _am_choices(request.user, units, f)
    return render(request, "groupclients/data_quality.html", {
        "page": page, "problem": problem, "counts": quality_counts(request.user), "f": f,
        "units": units, "ams": ams, "am_needs_unit": am_needs_unit,
        "grades": GroupCustomer.Grade.choices,
    })
