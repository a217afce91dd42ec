"""The user is read with their unit, roles and branch units in one query (issue 3); scoping then
needs no query of its own and gives the same answer as reading the tables."""
from accounts.backends import PortalBackend
from accounts.models import OrgUnit
from accounts.scoping import unit_ids_for


def test_backend_reads_roles_and_branch_units_with_the_user(people, django_assert_num_queries):
    manager = people["manager1"]
    with django_assert_num_queries(1):
        user = PortalBackend().get_user(manager.pk)
        codes = user.role_codes
        units = unit_ids_for(user, branch=True)
        unit = user.unit
    assert codes == frozenset(manager.roles.values_list("code", flat=True))
    branch_id = unit.pk if unit.level == OrgUnit.Level.BRANCH else unit.branch_id
    assert sorted(units) == sorted(OrgUnit.objects.filter(branch_id=branch_id).values_list("pk", flat=True))


def test_province_user_and_unit_user(people):
    analyst = PortalBackend().get_user(people["analyst1"].pk)
    assert unit_ids_for(analyst, branch=True) is None
    am = PortalBackend().get_user(people["am1"].pk)
    assert unit_ids_for(am, branch=False) == [am.unit_id]
    assert am.unit_id in unit_ids_for(am, branch=True)
