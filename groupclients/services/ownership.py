"""Which objects a writer may name on a group, a site, a contact or a member (ORG-3; issue 12 item 2).

Scoping (`accounts.scoping`) decides which rows a user may change; this module decides which
*values* they may put in the fields that name another object — the unit and the AM of a group,
the group and the local AM/MM of a site, a contact's counterpart, a member's group and key person.
The services call it, so the API, the HTML forms and the import refuse the same writes with the
same message; the forms offer only the choices `*_choices` returns.

The rules (a user with several roles gets the union):
  group.unit, group.account_manager
    * administrator: any unit, any active AM.
    * department manager: the units of their branch; AMs who work in their branch.
    * group leader: their own unit; AMs of their unit.
    * AM: creates groups in their own unit, for themselves, and never hands a group on: changing
      an existing group's unit or AM is a supervisor's decision (403).
    * changing a group's unit or AM also needs its current home unit in the writer's units: a
      leader who may write a group through one of its sites cannot pull the group into their unit.
  site.group
    fixed once the site exists (a site belongs to one group). Moving "my" site to someone else's
    group made its local AM an owner of that group: the takeover of item 2.
  site.local_am, site.local_mm
    active users holding the AM / MM role who work in the branch of the site's unit — the local
    pair of the three-in-one table (GC-5, TKT-2).
  contact.counterpart
    an active AM, group leader or department manager of the group's branch, or at province level
    (chief AM) (CT-4).
  member.group
    a member moves only to a group the writer may write as well.
  opportunity.team
    active staff (with a role) of the group's branch or of the province (GC-7: progress updates go
    to the team, so naming someone gives them news of the group).
Errors: 403 when the role may not make the change at all, 400 naming the field when the value is
outside the writer's scope.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Role, User
from accounts.scoping import WRITE, can, unit_ids_for
from portal.exceptions import ApplicationError

from ..models import Contact, GroupCustomer, Member, Site
from ..scopes import GROUP_SCOPE

R = Role.Code
SUPERVISORS = (R.ADMIN, R.DEPT_MANAGER, R.GROUP_LEADER)
ALL = None  # "every unit"


def _refuse(field: str, message: str, status_code: int = 400):
    raise ApplicationError(message, extra={"errors": {field: [message]}}, status_code=status_code)


def group_units_for(user: User, *, creating: bool) -> set[int] | None:
    """Unit ids `user` may give a group (None: every unit). An AM only when creating (own unit)."""
    out: set[int] = set()
    for code in user.role_codes:
        if code == R.ADMIN:
            return ALL
        if code in (R.DEPT_MANAGER, R.GROUP_LEADER):
            ids = unit_ids_for(user, branch=code == R.DEPT_MANAGER)
            if ids is None:
                return ALL
            out.update(ids)
        elif code == R.ACCOUNT_MANAGER and creating and user.unit_id:
            out.add(user.unit_id)
    return out


def _units_q(ids: set[int] | None, path: str = "unit") -> Q:
    return Q() if ids is ALL else Q(**{f"{path}__in": ids})


def unit_choices(user: User, *, creating: bool, current: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Units a form offers for a group: those the user may give it, plus the current one."""
    ids = group_units_for(user, creating=creating)
    q = _units_q(ids, "pk")
    if current is not None:
        q |= Q(pk=current.pk)
    return OrgUnit.objects.filter(level=OrgUnit.Level.UNIT).filter(q).select_related("parent")


def am_choices(user: User, *, creating: bool, current: User | None = None) -> QuerySet[User]:
    """AMs a form offers as a group's owner: those the user may assign, plus the current one."""
    q = Q(pk=current.pk) if current is not None else Q(pk__in=[])
    supervisor_units = group_units_for(user, creating=False)
    if supervisor_units is ALL:
        q = Q()
    else:
        if supervisor_units:
            q |= Q(unit_id__in=supervisor_units)
        if creating and user.has_role(R.ACCOUNT_MANAGER):
            q |= Q(pk=user.pk)
    return (User.objects.filter(is_active=True, roles__code=R.ACCOUNT_MANAGER).filter(q)
            .select_related("unit").order_by("unit__code", "username").distinct())


def group_ownership_check(*, by: User, group: GroupCustomer | None, unit: OrgUnit | None,
                          account_manager: User | None) -> None:
    """Refuse a group's unit / AM outside `by`'s scope (see the module docstring). `group` is the
    stored group for an update, None for a new one. Raises ApplicationError (403 or 400)."""
    creating = group is None or group.pk is None
    if not creating:
        before = GroupCustomer.objects.filter(pk=group.pk).values("unit_id", "account_manager_id").first() or {}
        unit_changed = unit is not None and unit.pk != before.get("unit_id")
        am_changed = account_manager is not None and account_manager.pk != before.get("account_manager_id")
        if not (unit_changed or am_changed):
            return
        if not by.has_role(*SUPERVISORS):
            raise ApplicationError(
                _("Only a group leader, department manager or administrator hands a group to another AM or unit."),
                status_code=403)
        units = group_units_for(by, creating=False)
        if units is not ALL and before.get("unit_id") not in units:
            raise ApplicationError(
                _("This group's home unit is outside your scope: you may not change its unit or AM."),
                status_code=403)
    if unit is not None:
        if unit.level != OrgUnit.Level.UNIT:
            _refuse("unit", _("A group belongs to a unit (营销单元), not to a branch or the province."))
        if not unit_choices(by, creating=creating).filter(pk=unit.pk).exists():
            _refuse("unit", _("You may not place a group in %(unit)s: choose a unit in your scope.")
                    % {"unit": unit.name})
    if account_manager is not None:
        if not account_manager.is_active or not account_manager.has_role(R.ACCOUNT_MANAGER):
            _refuse("account_manager", _("The owner of a group must be an active account manager."))
        if not am_choices(by, creating=creating).filter(pk=account_manager.pk).exists():
            _refuse("account_manager", _("You may not give a group to %(am)s: choose an AM in your scope.")
                    % {"am": account_manager.username})


def may_own(user: User, unit: OrgUnit, am: User) -> bool:
    """May `user` create a group in `unit` for `am`? (the import and the create pages ask first)."""
    try:
        group_ownership_check(by=user, group=None, unit=unit, account_manager=am)
    except ApplicationError:
        return False
    return True


# ---- sites --------------------------------------------------------------------------------------
def _branch_id(unit: OrgUnit) -> int:
    return unit.branch_id or unit.pk


def local_staff_q(unit: OrgUnit | None) -> Q:
    """Staff who work in the branch of `unit` (its own unit, a sibling unit or the branch office)."""
    if unit is None:
        return Q()
    b = _branch_id(unit)
    return Q(unit_id=b) | Q(unit__branch_id=b)


def site_staff_choices(role: str, unit: OrgUnit | None = None) -> QuerySet[User]:
    return (User.objects.filter(is_active=True, roles__code=role).filter(local_staff_q(unit))
            .select_related("unit").order_by("unit__code", "username").distinct())


def site_check(*, by: User, site: Site | None, group: GroupCustomer, fields: dict) -> None:
    """Refuse a site's group change and a local AM / MM who is not local staff of the site's unit."""
    # Compare with the stored row, not `site`: a ModelForm has already copied the posted values onto it.
    stored = (Site.objects.filter(pk=site.pk).values("group_id", "unit_id", "local_am_id", "local_mm_id").first()
              if site is not None and site.pk else None) or {}
    if stored and fields.get("group") is not None and fields["group"].pk != stored["group_id"]:
        _refuse("group", _("A site stays with its group; add a site to the other group instead."))
    unit = fields.get("unit") or (site.unit if site is not None else None)
    unit_changed = not stored or (fields.get("unit") is not None and fields["unit"].pk != stored["unit_id"])
    for name, role, label in (("local_am", R.ACCOUNT_MANAGER, _("local AM")),
                              ("local_mm", R.MAINTENANCE_MANAGER, _("local MM"))):
        person = fields.get(name, getattr(site, name, None) if site is not None else None)
        changed = unit_changed or (fields.get(name) is not None and fields[name].pk != stored[f"{name}_id"])
        if person is None or not changed or unit is None:
            continue
        if not site_staff_choices(role, unit).filter(pk=person.pk).exists():
            _refuse(name, _("The %(who)s must be active staff with that role in the branch of %(unit)s.")
                    % {"who": label, "unit": unit.name})


# ---- contacts and members ----------------------------------------------------------------------
def counterpart_choices(group: GroupCustomer | None) -> QuerySet[User]:
    """CT-4: our counterpart is an AM, leader or manager of the group's branch, or at province level."""
    qs = User.objects.filter(is_active=True, roles__code__in=[R.ACCOUNT_MANAGER, R.GROUP_LEADER, R.DEPT_MANAGER])
    if group is not None and group.unit_id:
        qs = qs.filter(local_staff_q(group.unit) | Q(unit__level=OrgUnit.Level.PROVINCE))
    return qs.distinct().order_by("username")


def contact_check(*, contact: Contact | None, group: GroupCustomer, fields: dict) -> None:
    if "counterpart" not in fields or fields["counterpart"] is None:
        return
    stored = (Contact.objects.filter(pk=contact.pk).values_list("counterpart_id", flat=True).first()
              if contact is not None and contact.pk else None)  # the row, not the form-updated instance
    if contact is not None and fields["counterpart"].pk == stored:
        return
    if not counterpart_choices(group).filter(pk=fields["counterpart"].pk).exists():
        _refuse("counterpart", _("Our counterpart must be an active AM, group leader or department manager "
                                 "of the group's branch or of the province (CT-4)."))


def member_group_check(*, by: User, member, fields: dict) -> None:
    new = fields.get("group")
    stored = Member.objects.filter(pk=member.pk).values_list("group_id", flat=True).first()
    if new is None or new.pk == stored:
        return
    if not can(by, new, GROUP_SCOPE, WRITE):
        _refuse("group", _("You may not move a member to a group outside your scope."), status_code=403)


def team_choices(group: GroupCustomer | None) -> QuerySet[User]:
    qs = User.objects.filter(is_active=True).exclude(roles=None)
    if group is not None and group.unit_id:
        qs = qs.filter(local_staff_q(group.unit) | Q(unit__level=OrgUnit.Level.PROVINCE))
    return qs.distinct()


def team_check(*, group: GroupCustomer, team) -> None:
    ids = {u.pk for u in team}
    if ids and team_choices(group).filter(pk__in=ids).count() != len(ids):
        _refuse("team", _("The project team is staff of the group's branch or of the province (GC-7)."))
