"""Writes for people and the organisation (services: keyword-only, validated, atomic)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.audit import audit_log
from portal.models import AuditEvent

from .models import OrgUnit, Role, User


@transaction.atomic
def orgunit_create(*, code: str, name: str, level: str, parent: OrgUnit | None = None) -> OrgUnit:
    """Create a node of the organisation tree; the parent must be one level up (ORG-1)."""
    unit = OrgUnit(code=code, name=name, level=level, parent=parent)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], by: User | None = None, request=None) -> User:
    """Give the user exactly these roles (ORG-2). Administrators get the admin site; audited."""
    codes = sorted(set(roles))
    unknown = set(codes) - set(Role.Code.values)
    if unknown:
        from portal.exceptions import ApplicationError

        raise ApplicationError(f"Unknown role(s): {', '.join(sorted(unknown))}")
    before = sorted(user.roles.values_list("code", flat=True))
    user.roles.set(Role.objects.filter(code__in=codes))
    is_admin = Role.Code.ADMIN in codes
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("role_codes", None)
    if before != codes:
        audit_log(
            action=AuditEvent.Action.ROLES_CHANGED, actor=by, request=request, target=user,
            before=before, after=codes,
        )
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    unit: OrgUnit | None,
    roles: Iterable[str] = (),
    display_name: str = "",
    mobile: str = "",
    email: str = "",
    by: User | None = None,
) -> User:
    """Create a member of staff with a hashed password and their roles."""
    user = User(username=username, unit=unit, display_name=display_name, mobile=mobile, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_set_roles(user=user, roles=roles, by=by)
    return user
