"""Pages for the rows under a group: contacts, sites, products, competitor contracts, opportunities and
members (one form page for each, `_child_form`)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import WRITE, can, get_in_scope
from portal.exceptions import ApplicationError

from .. import services
from ..forms import (
    ContactForm,
    ContractForm,
    MemberForm,
    OpportunityForm,
    SiteForm,
    SubscriptionForm,
)
from ..models import Contact, Member, Opportunity, Site
from ..scopes import CONTACT_SCOPE, GROUP_SCOPE, MEMBER_SCOPE, SITE_SCOPE
from ..selectors import (
    member_list_for_user,
    present_member,
)
from .groups import _form_error, _form_status, _group, _history


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
    try:
        return JsonResponse(services.contact_reveal(contact=contact, by=request.user, request=request))
    except ApplicationError as e:  # 429 when the reveal rate (ORG-4) is used up
        return JsonResponse({"detail": e.message, "message": e.message, **e.extra}, status=e.status_code)


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
