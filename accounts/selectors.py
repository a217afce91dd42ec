"""Reads for people and the organisation, scoped once here (ORG-3)."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import OrgUnit, User
from .scoping import USER_SCOPE, scope_queryset, unit_ids_for


def user_list_for(viewer: User, *, search: str = "", role: str = "", unit: int | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True).select_related("unit", "unit__parent").prefetch_related("roles")
    qs = scope_queryset(viewer, qs, USER_SCOPE)
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(display_name__icontains=search))
    if role:
        qs = qs.filter(roles__code=role)
    if unit:
        qs = qs.filter(unit_id=unit)
    return qs.order_by("unit__code", "username")


def orgunits_visible_to(viewer: User) -> QuerySet[OrgUnit]:
    """The units a viewer may pick in filters: those their widest role reaches."""
    from .models import Role

    qs = OrgUnit.objects.select_related("parent")
    if viewer.has_role(Role.Code.ADMIN, Role.Code.ANALYST, Role.Code.QUALITY, Role.Code.AGENT):
        return qs
    ids = set()
    for branch in (False, True) if viewer.has_role(Role.Code.DEPT_MANAGER) else (False,):
        found = unit_ids_for(viewer, branch=branch)
        if found is None:
            return qs
        ids.update(found)
    return qs.filter(pk__in=ids)
