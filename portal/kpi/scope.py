"""Which figures a user may look at (SPEC ORG-3 applied to KPIs).

A KPI scope is an organisation node — the province, a branch or a unit — optionally narrowed to one
person (the AM scorecard). Every record a KPI counts is attributed to exactly one node (the group's
owning unit, the ticket's unit, the penalised person's unit…) and one person, so a node's figures are
the sum of its units' figures and nothing is counted twice.

Who may pick which node follows the role rules of `accounts.scoping`: analysts and administrators
the whole province, a group-department manager their branch and its units, a group leader their
unit. The records attributed to a node are a subset of what that role may read, and the drill-down
pages apply `scope_queryset` on top, so no figure and no listed record leaves the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, Role, User

R = Role.Code
SUPERVISOR_ROLES = (R.GROUP_LEADER, R.DEPT_MANAGER, R.ANALYST, R.ADMIN)


def province_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(level=OrgUnit.Level.PROVINCE).order_by("pk").first()


def top_node(user) -> OrgUnit | None:
    """The widest node whose figures the user may see as a supervisor; None: not a supervisor."""
    if not user.is_authenticated:
        return None
    node = user.unit
    if user.has_role(R.ADMIN, R.ANALYST):
        if node is not None and node.level == OrgUnit.Level.PROVINCE:
            return node
        return province_root()
    if node is None:
        return None
    if user.has_role(R.DEPT_MANAGER):
        if node.level == OrgUnit.Level.UNIT:
            return node.branch
        return node
    if user.has_role(R.GROUP_LEADER):
        return node
    return None


def node_within(node: OrgUnit, top: OrgUnit) -> bool:
    if top.level == OrgUnit.Level.PROVINCE:
        return True
    if top.level == OrgUnit.Level.BRANCH:
        return node.pk == top.pk or node.branch_id == top.pk
    return node.pk == top.pk


def nodes_within(top: OrgUnit) -> list[OrgUnit]:
    """The picker: the top node, then its branches and units in tree order."""
    if top.level == OrgUnit.Level.PROVINCE:
        rest = OrgUnit.objects.exclude(level=OrgUnit.Level.PROVINCE)
    elif top.level == OrgUnit.Level.BRANCH:
        rest = OrgUnit.objects.filter(branch=top).exclude(pk=top.pk)
    else:
        rest = OrgUnit.objects.none()
    ordered = sorted(
        rest.select_related("branch"),
        key=lambda n: (n.branch.code if n.branch else n.code, n.level != OrgUnit.Level.BRANCH, n.code),
    )
    return [top, *ordered]


@dataclass
class Scope:
    """An organisation node, optionally one person's records inside it."""

    node: OrgUnit
    person: User | None = None

    @property
    def token(self) -> str:
        return self.node.code

    @property
    def is_province(self) -> bool:
        return self.node.level == OrgUnit.Level.PROVINCE

    @cached_property
    def unit_ids(self) -> list[int] | None:
        """Ids of the nodes whose records belong here; None for the province (everything)."""
        if self.is_province:
            return None
        if self.node.level == OrgUnit.Level.BRANCH:
            return list(OrgUnit.objects.filter(branch=self.node).values_list("pk", flat=True))
        return [self.node.pk]

    def q(self, unit_path: str, person_path: str | None) -> Q:
        """The filter for records attributed to this scope, given where a record keeps its unit and person."""
        q = Q()
        ids = self.unit_ids
        if ids is not None:
            q &= Q(**{unit_path: ids[0]}) if len(ids) == 1 else Q(**{f"{unit_path}__in": ids})
        if self.person is not None:
            q &= Q(**{person_path: self.person.pk}) if person_path else Q(pk__in=[])
        return q

    def __str__(self) -> str:
        return f"{self.node.name} · {self.person}" if self.person else self.node.name


def resolve_scope(user, token: str | None = None, *, am: str | int | None = None) -> Scope:
    """The scope `user` asked for, or PermissionDenied when it is outside what they may see.

    token: an organisation node's code (default: the user's widest node). am: a user id to narrow
    to one account manager (the scorecard). An AM without a supervisor role may only ask for
    themselves, over the whole province (ORG-3: an AM sees their own records wherever they are).
    """
    top = top_node(user)
    person = None
    if am not in (None, ""):
        try:
            person = User.objects.select_related("unit").get(pk=int(am))
        except (ValueError, User.DoesNotExist):
            raise PermissionDenied(_("Unknown account manager.")) from None
        if not person.has_role(R.ACCOUNT_MANAGER):
            raise PermissionDenied(_("Scorecards are for account managers."))
    if top is None:
        if person is None or person.pk != user.pk:
            raise PermissionDenied(_("The KPI dashboard is for group leaders, department managers and analysts."))
        root = province_root()
        if root is None:
            raise PermissionDenied(_("The organisation tree is empty."))
        if token and token != root.code:  # an AM's figures are their own records over the province
            raise PermissionDenied(_("This organisation unit is outside your scope."))
        return Scope(node=root, person=person)
    node = top
    if token:
        node = OrgUnit.objects.filter(code=token).select_related("branch").first()
        if node is None or not node_within(node, top):
            raise PermissionDenied(_("This organisation unit is outside your scope."))
    if person is not None and person.pk != user.pk:
        if person.unit is None or not node_within(person.unit, top):
            raise PermissionDenied(_("This account manager is outside your scope."))
    return Scope(node=node, person=person)
