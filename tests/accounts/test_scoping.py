"""ORG-1..3: the organisation tree and the one scoping module."""
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import OrgUnit, User
from accounts.scoping import (
    ALL,
    IN_BRANCH,
    IN_UNIT,
    NONE,
    USER_SCOPE,
    Owned,
    ScopeSpec,
    can,
    get_in_scope,
    scope_queryset,
)


def names(qs):
    return set(qs.values_list("username", flat=True))


def test_orgunit_tree_levels_are_enforced(org):
    """ORG-1: a unit hangs under a branch, a branch under the province."""
    bad = OrgUnit(code="X", name="x", level=OrgUnit.Level.UNIT, parent=org["province"])
    with pytest.raises(ValidationError):
        bad.full_clean()
    bad = OrgUnit(code="Y", name="y", level=OrgUnit.Level.PROVINCE, parent=org["province"])
    with pytest.raises(ValidationError):
        bad.full_clean()
    assert org["u11"].branch == org["b1"]
    assert org["b1"].branch == org["b1"]
    assert org["province"].branch is None
    assert org["u11"].path == "省公司 / 杭州分公司 / 西湖"


def test_several_roles_per_user(people):
    """ORG-2: roles are data and a user may hold several."""
    from accounts.services import user_set_roles

    u = people["am1"]
    user_set_roles(user=u, roles=["am", "leader"])
    u = User.objects.get(pk=u.pk)
    assert u.role_codes == {"am", "leader"}
    assert u.has_role("leader") and not u.has_role("admin")


@pytest.mark.parametrize(
    "who, expected",
    [
        # leader and AMs/MMs: their own unit (u11)
        ("leader1", {"am1", "am1b", "mm1", "leader1", "norole"}),
        ("am1", {"am1", "am1b", "mm1", "leader1", "norole"}),
        ("mm2", {"am2", "mm2"}),
        # department manager: the whole branch b1 (u11, u12 and the branch node itself)
        ("manager1", {"am1", "am1b", "am3", "mm1", "leader1", "norole", "manager1"}),
        ("manager2", {"am2", "mm2", "manager2"}),
        # no role: nothing at all
        ("norole", set()),
    ],
)
def test_user_directory_scope_per_role(people, who, expected):
    """ORG-3 on the staff directory: each role sees exactly its part of the tree."""
    assert names(scope_queryset(people[who], User.objects.all(), USER_SCOPE)) == expected


@pytest.mark.parametrize("who", ["admin", "analyst1", "quality1", "agent1"])
def test_province_wide_roles_see_everyone(people, who):
    assert scope_queryset(people[who], User.objects.all(), USER_SCOPE).count() == User.objects.count()


def test_owned_rule_through_to_many_path_has_no_duplicates(people, org):
    """A scope through a to-many path is a semi-join: rows never repeat."""
    spec = ScopeSpec(unit_paths=("unit",), read={"am": Owned("roles__users")})
    qs = scope_queryset(people["am1"], User.objects.all(), spec)
    # every AM shares the 'am' role with am1, so all AMs are reachable — each once
    assert qs.count() == len(set(qs.values_list("pk", flat=True)))


def test_write_scope_excludes_read_only_analyst(people):
    spec = ScopeSpec(unit_paths=("unit",), read={"analyst": ALL, "leader": IN_UNIT, "manager": IN_BRANCH})
    assert scope_queryset(people["analyst1"], User.objects.all(), spec).exists()
    assert not scope_queryset(people["analyst1"], User.objects.all(), spec, action="write").exists()
    assert scope_queryset(people["leader1"], User.objects.all(), spec, action="write").exists()


def test_get_in_scope_raises_404_outside(people):
    with pytest.raises(Http404):
        get_in_scope(people["am1"], User.objects.all(), USER_SCOPE, pk=people["am2"].pk)
    assert get_in_scope(people["am1"], User.objects.all(), USER_SCOPE, pk=people["mm1"].pk) == people["mm1"]
    assert can(people["manager1"], people["am3"], USER_SCOPE)
    assert not can(people["manager1"], people["am2"], USER_SCOPE)


def test_inactive_and_anonymous_see_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    u = people["admin"]
    u.is_active = False
    assert not scope_queryset(u, User.objects.all(), USER_SCOPE).exists()
    assert not scope_queryset(AnonymousUser(), User.objects.all(), USER_SCOPE).exists()
    spec = ScopeSpec(unit_paths=("unit",), read={"am": NONE})
    assert not scope_queryset(people["am1"], User.objects.all(), spec).exists()
