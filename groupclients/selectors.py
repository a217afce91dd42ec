"""Reads for the customer file, scoped once here (ORG-3) and masked for non-owners (ORG-4)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, CharField, Count, Exists, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.masking import mask_date, mask_id_number, mask_mobile
from accounts.scoping import READ, scope_q, scope_queryset

from .models import CompetitorContract, Contact, GroupCustomer, Member, Site
from .pinyin import normalise_query
from .scopes import CONTACT_SCOPE, GROUP_SCOPE, MEMBER_SCOPE, SITE_SCOPE

GROUP_ORDERINGS = {
    "name": "name", "-name": "-name", "code": "code", "-code": "-code", "grade": "grade", "-grade": "-grade",
    "status": "status", "-status": "-status", "updated": "updated_at", "-updated": "-updated_at",
    "am": "account_manager__username", "-am": "-account_manager__username",
}
QUALITY_PROBLEMS = {
    "core": Q(core_incomplete=True),
    "minimum": Q(below_contact_minimum=True),
    "primary": Q(no_primary_contact=True),
    "counterpart": Q(contacts_without_counterpart__gt=0),
}
ANY_PROBLEM = QUALITY_PROBLEMS["core"] | QUALITY_PROBLEMS["minimum"] | QUALITY_PROBLEMS["primary"] | \
    QUALITY_PROBLEMS["counterpart"]


@dataclass
class GroupFilters:
    q: str = ""
    grade: str = ""
    status: str = ""
    unit: int | None = None
    am: int | None = None
    industry: int | None = None
    problem: str = ""  # a key of QUALITY_PROBLEMS, or "any"
    order: str = "name"


def groups_in_scope(user, action: str = READ) -> QuerySet[GroupCustomer]:
    return scope_queryset(user, GroupCustomer.objects.all(), GROUP_SCOPE, action)


def group_list_for_user(user, filters: GroupFilters | None = None) -> QuerySet[GroupCustomer]:
    """The portfolio list: scoped, searched (name / pinyin / initials / phone / code), filtered, sorted."""
    f = filters or GroupFilters()
    qs = groups_in_scope(user).select_related("unit", "account_manager", "industry", "org_type")
    if f.q:
        qs = qs.filter(search_text__contains=normalise_query(f.q))
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.am:
        qs = qs.filter(account_manager_id=f.am)
    if f.industry:
        qs = qs.filter(industry_id=f.industry)
    if f.problem == "any":
        qs = qs.filter(ANY_PROBLEM)
    elif f.problem in QUALITY_PROBLEMS:
        qs = qs.filter(QUALITY_PROBLEMS[f.problem])
    order = GROUP_ORDERINGS.get(f.order, "name")
    if order.lstrip("-") == "name" and scope_q(user, GROUP_SCOPE, GroupCustomer) != Q():
        # A scoped portfolio (a branch: ~10 000 of 100 000 groups) is read through the scope's index
        # scans and sorted; walking the name index instead would pass every other branch's groups
        # first, since names start with the city (issue 3 bench: 2.9 s → ms for the last page).
        key = Func(F("name"), template="(%(expressions)s || '')", output_field=CharField())
        return qs.order_by(key.desc() if order.startswith("-") else key.asc(), "pk")
    return qs.order_by(order, "pk")


def _owned_expr(user, group_path: str, extra: Q | None = None) -> ExpressionWrapper:
    """True when the user owns the row's group (AM or local AM of one of its sites)."""
    owned = Q(**{f"{group_path}account_manager_id": user.pk}) | Exists(
        Site.objects.filter(group_id=OuterRef(f"{group_path}id" if group_path else "pk"), local_am_id=user.pk)
    )
    if extra is not None:
        owned |= extra
    return ExpressionWrapper(owned, output_field=BooleanField())


def contacts_in_scope(user, action: str = READ) -> QuerySet[Contact]:
    return scope_queryset(user, Contact.objects.all(), CONTACT_SCOPE, action)


def contact_list_for_user(user, *, group: GroupCustomer | None = None, q: str = "", type: str = "",
                          include_departed: bool = False) -> QuerySet[Contact]:
    qs = contacts_in_scope(user).select_related("group", "counterpart").annotate(
        owned=ExpressionWrapper(
            Q(group__account_manager_id=user.pk) | Q(counterpart_id=user.pk)
            | Exists(Site.objects.filter(group_id=OuterRef("group_id"), local_am_id=user.pk)),
            output_field=BooleanField(),
        )
    )
    if group is not None:
        qs = qs.filter(group=group)
    if not include_departed:
        qs = qs.filter(status=Contact.Status.ACTIVE)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(mobile__contains=q) | Q(group__name__icontains=q))
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("group__name", "type", "name", "pk")


def present_contact(c: Contact) -> Contact:
    """Attach display values: personal data in clear for owners, masked for everyone else (ORG-4)."""
    owned = bool(getattr(c, "owned", False))
    c.masked = not owned
    c.mobile_display = c.mobile if owned else mask_mobile(c.mobile)
    c.birthday_display = (c.birthday.isoformat() if c.birthday else "") if owned else mask_date(c.birthday)
    c.id_number_display = c.id_number if owned else mask_id_number(c.id_number)
    return c


def members_in_scope(user, action: str = READ) -> QuerySet[Member]:
    return scope_queryset(user, Member.objects.all(), MEMBER_SCOPE, action)


def member_list_for_user(user, *, group: GroupCustomer | None = None, q: str = "", vip: str = "",
                         status: str = "") -> QuerySet[Member]:
    qs = members_in_scope(user).select_related("group", "product").annotate(
        owned=_owned_expr(user, "group__")
    )
    if group is not None:
        qs = qs.filter(group=group)
    if q:
        qs = qs.filter(Q(mobile__contains=q) | Q(name__icontains=q))
    if vip:
        qs = qs.filter(vip_tier=vip) if vip != "any" else qs.exclude(vip_tier="")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("group__name", "mobile")


def present_member(m: Member) -> Member:
    owned = bool(getattr(m, "owned", False))
    m.masked = not owned
    m.mobile_display = m.mobile if owned else mask_mobile(m.mobile)
    return m


def sites_in_scope(user, action: str = READ) -> QuerySet[Site]:
    return scope_queryset(user, Site.objects.all(), SITE_SCOPE, action).select_related(
        "group", "unit", "local_am", "local_mm"
    )


def contracts_expiring(group: GroupCustomer, *, today: dt.date | None = None,
                       contracts: list[CompetitorContract] | None = None) -> list[CompetitorContract]:
    """The group's competitor contracts ending within the reminder window (RET-5); from `contracts`
    when the caller has them already."""
    from portal.policy import policy

    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=int(policy("retention.contract_expiry_reminder_days")))
    if contracts is None:
        return list(group.competitor_contracts.filter(end_on__gte=today, end_on__lte=horizon))
    return [c for c in contracts if c.end_on and today <= c.end_on <= horizon]


def member_summary(group: GroupCustomer) -> dict:
    """Members by status, VIP tier and billing type, and how many were members three months ago (the
    base of the group retention rate, RET-7) — one query, kept on the group for the signals panel."""
    from .billing.services.retention import add_months

    then = add_months(timezone.localdate().replace(day=1), -3)
    present_then = ((Q(joined_on__isnull=True) | Q(joined_on__lte=then))
                    & (Q(left_on__isnull=True) | Q(left_on__gt=then)))
    rows = (
        Member.objects.filter(group=group).values("status", "vip_tier", "billing_type")
        .annotate(n=Count("id"), then=Count("id", filter=present_then)).order_by()
    )
    out = {"active": 0, "left": 0, "vip": {}, "billing": {}, "members_then": 0}
    for r in rows:
        out[r["status"]] = out.get(r["status"], 0) + r["n"]
        out["members_then"] += r["then"]
        if r["status"] == Member.Status.ACTIVE:
            if r["vip_tier"]:
                out["vip"][r["vip_tier"]] = out["vip"].get(r["vip_tier"], 0) + r["n"]
            out["billing"][r["billing_type"]] = out["billing"].get(r["billing_type"], 0) + r["n"]
    group._member_summary = out
    return out


def quality_counts(user) -> dict[str, int]:
    """How many groups in scope have each data-quality problem (one query)."""
    agg = groups_in_scope(user).aggregate(
        total=Count("id"),
        **{k: Count("id", filter=v) for k, v in QUALITY_PROBLEMS.items()},
        any=Count("id", filter=ANY_PROBLEM),
    )
    return agg
