"""Pages of the customer file: portfolio, 360 view, forms, data quality, import and export."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from accounts.scoping import WRITE, annotate_can, can, get_in_scope
from accounts.selectors import orgunits_visible_to
from portal.audit import audit_log
from portal.pagination import TwoEndedPaginator
from portal.exceptions import ApplicationError
from portal.models import AuditEvent

from . import services, transfer
from .forms import (
    ContactForm,
    ContractForm,
    GroupForm,
    ImportForm,
    MemberForm,
    OpportunityForm,
    SiteForm,
    StatusForm,
    SubscriptionForm,
)
from .models import Contact, GroupCustomer, ImportJob, Industry, Member, Opportunity, Site
from .scopes import CONTACT_SCOPE, GROUP_SCOPE, MEMBER_SCOPE, SITE_SCOPE, sees_financials
from .selectors import (
    GroupFilters,
    contact_list_for_user,
    contracts_expiring,
    group_list_for_user,
    member_list_for_user,
    member_summary,
    present_contact,
    present_member,
    quality_counts,
)

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

    from .panels import GROUP_PANELS

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
        from .transfer import _may_own

        if not _may_own(request.user, data["unit"], data["account_manager"]):
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


def _child_form(request, parent, form_cls, create, title, **form_kwargs):
    """One page for the forms that add or edit a row under a group. `parent` is the group the page
    returns to; it is not called `group` because some forms take a `group=` keyword of their own
    (MemberForm), which would collide with it (issue 12 item 1)."""
    form = form_cls(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                create(form.cleaned_data)
        except ApplicationError as e:
            _form_error(form, e)
        except Exception as e:
            from django.core.exceptions import ValidationError

            if not isinstance(e, ValidationError):
                raise
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Saved."))
            return redirect("group-detail", pk=parent.pk)
    return render(request, "groupclients/form.html", {"form": form, "title": title, "group": parent,
                                                       "back": reverse("group-detail", args=[parent.pk])},
                  status=_form_status(request))


@login_required
def contact_create(request, pk):
    group = _group(request, pk, WRITE)
    return _child_form(request, group, ContactForm,
                       lambda d: services.contact_create(group=group, by=request.user, **d),
                       _("Add a key person or contact"))


@login_required
def contact_edit(request, pk):
    contact = get_in_scope(request.user, Contact.objects.select_related("group"), CONTACT_SCOPE, WRITE, pk=pk)
    return _child_form(request, contact.group, ContactForm,
                       lambda d: services.contact_update(contact=contact, by=request.user, **d),
                       _("Edit %(n)s") % {"n": contact.name}, instance=contact)


@login_required
@require_POST
def contact_reveal(request, pk):
    contact = get_in_scope(request.user, Contact.objects.all(), CONTACT_SCOPE, pk=pk)
    return JsonResponse(services.contact_reveal(contact=contact, by=request.user, request=request))


@login_required
def contact_history(request, pk):
    contact = get_in_scope(request.user, Contact.objects.select_related("group"), CONTACT_SCOPE, pk=pk)
    return render(request, "groupclients/history.html", {
        "title": contact.name, "group": contact.group, "records": _history(contact),
        "career": contact.career.select_related("by"),
    })


@login_required
def site_create(request, pk):
    group = _group(request, pk, WRITE)
    return _child_form(request, group, SiteForm, lambda d: services.site_create(group=group, by=request.user, **d),
                       _("Add a site"))


@login_required
def site_edit(request, pk):
    site = get_in_scope(request.user, Site.objects.select_related("group"), SITE_SCOPE, WRITE, pk=pk)
    return _child_form(request, site.group, SiteForm,
                       lambda d: services.site_update(site=site, by=request.user, **d),
                       _("Edit site %(n)s") % {"n": site.name}, instance=site)


@login_required
def subscription_create(request, pk):
    group = _group(request, pk, WRITE)

    def create(d):
        sub = group.subscriptions.model(group=group, **d)
        sub.full_clean()
        sub.save()

    return _child_form(request, group, SubscriptionForm, create, _("Add a subscribed product"))


@login_required
def contract_create(request, pk):
    group = _group(request, pk, WRITE)

    def create(d):
        c = group.competitor_contracts.model(group=group, **d)
        c.full_clean()
        c.save()

    return _child_form(request, group, ContractForm, create, _("Add competitor intelligence"))


@login_required
def opportunity_create(request, pk):
    group = _group(request, pk, WRITE)
    return _child_form(request, group, OpportunityForm,
                       lambda d: services.opportunity_create(group=group, by=request.user, **d),
                       _("New business opportunity"))


@login_required
@require_POST
def opportunity_action(request, pk):
    opp = get_object_or_404(Opportunity.objects.select_related("group"), pk=pk)
    _group(request, opp.group_id)  # must at least see the group
    try:
        if "decision" in request.POST:
            services.opportunity_decide(opportunity=opp, decision=request.POST["decision"], by=request.user)
        else:
            if not can(request.user, opp.group, GROUP_SCOPE, WRITE):
                raise PermissionDenied
            services.opportunity_add_update(opportunity=opp, by=request.user, text=request.POST.get("text", ""))
        messages.success(request, _("Saved."))
    except ApplicationError as e:
        messages.error(request, e.message)
    return redirect("group-detail", pk=opp.group_id)


@login_required
def member_list(request, pk):
    group = _group(request, pk)
    qs = member_list_for_user(request.user, group=group, q=request.GET.get("q", "").strip(),
                              vip=request.GET.get("vip", ""), status=request.GET.get("status", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for m in page:
        present_member(m)
    return render(request, "groupclients/member_list.html", {
        "g": group, "page": page, "q": request.GET.get("q", ""), "vip": request.GET.get("vip", ""),
        "status": request.GET.get("status", ""), "can_edit": can(request.user, group, GROUP_SCOPE, WRITE),
        "tiers": Member._meta.get_field("vip_tier").choices[1:], "statuses": Member.Status.choices,
    })


@login_required
def member_create(request, pk):
    group = _group(request, pk, WRITE)
    return _child_form(request, group, MemberForm,
                       lambda d: services.member_create(group=group, by=request.user, **d),
                       _("Add a member"), group=group)


@login_required
def member_edit(request, pk):
    member = get_in_scope(request.user, Member.objects.select_related("group"), MEMBER_SCOPE, WRITE, pk=pk)
    return _child_form(request, member.group, MemberForm,
                       lambda d: services.member_update(member=member, by=request.user, **d),
                       _("Edit member %(m)s") % {"m": member.mobile}, instance=member, group=member.group)


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


# ---- import / export ---------------------------------------------------------------------------
def _may_import(user):
    if not user.has_role(R.ACCOUNT_MANAGER, R.GROUP_LEADER, R.DEPT_MANAGER, R.ADMIN):
        raise PermissionDenied(_("Your role cannot import data."))


@login_required
def import_start(request):
    _may_import(request.user)
    kinds = ImportJob.Kind.choices
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(kind=form.cleaned_data["kind"], file=upload, original_name=upload.name,
                                       created_by=request.user)
        from .tasks import import_run

        transaction.on_commit(lambda: import_run.delay(job.pk, False))
        return redirect("import-detail", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user)[:20]
    return render(request, "groupclients/import_start.html", {"form": form, "jobs": jobs, "kinds": kinds})


@login_required
def import_detail(request, pk):
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    return render(request, "groupclients/import_detail.html", {"job": job})


@login_required
@require_POST
def import_apply(request, pk):
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.APPLYING)
    if not updated:
        messages.error(request, _("Only a checked import without errors can be applied, once."))
        return redirect("import-detail", pk=job.pk)
    from .tasks import import_run

    transaction.on_commit(lambda: import_run.delay(job.pk, True))
    return redirect("import-detail", pk=job.pk)


@login_required
def import_progress(request, pk):
    from django.core.cache import cache

    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    p = cache.get(transfer.progress_key(job.pk)) or {"done": 0, "total": job.total_rows}
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), **p,
                         "finished": job.status in (ImportJob.Status.APPLIED, ImportJob.Status.FAILED,
                                                    ImportJob.Status.INVALID, ImportJob.Status.VALID)})


@login_required
def import_template(request, kind):
    if kind not in transfer.KINDS:
        raise PermissionDenied
    resp = HttpResponse(transfer.template_workbook(transfer.KINDS[kind]),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return resp


@login_required
def export(request, kind):
    if kind not in transfer.KINDS:
        raise PermissionDenied
    if request.user.role_codes <= {R.AGENT}:
        raise PermissionDenied(_("Call-centre agents cannot export customer data."))
    data, n = transfer.export_workbook(kind, request.user, group_filters=_filters(request))
    audit_log(action=AuditEvent.Action.EXPORT, request=request, target_type=f"groupclients.{kind}",
              rows=n, query=request.GET.urlencode())
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
    return resp
