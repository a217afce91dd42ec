"""ORG-3 for visits, surveys and repair cases: through the group, plus the people named on the record."""
from accounts.models import Role
from accounts.scoping import ALL, IN_BRANCH, IN_UNIT, Owned, ScopeSpec

R = Role.Code
_GROUP_OWNERS = ("group__account_manager", "group__sites__local_am")
_READ_BASE = {R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
              R.MAINTENANCE_MANAGER: IN_UNIT}
_UNITS = ("group__unit", "group__sites__unit")

VISIT_SCOPE = ScopeSpec(
    unit_paths=_UNITS,
    read={**_READ_BASE, R.ACCOUNT_MANAGER: Owned("account_manager", *_GROUP_OWNERS)},
    write={R.ADMIN: ALL, R.ACCOUNT_MANAGER: Owned("account_manager")},
)
SURVEY_SCOPE = ScopeSpec(
    unit_paths=_UNITS,
    read={**_READ_BASE, R.ACCOUNT_MANAGER: Owned("account_manager", *_GROUP_OWNERS)},
    write={R.ADMIN: ALL},
)
REPAIR_SCOPE = ScopeSpec(
    unit_paths=_UNITS,
    read={**_READ_BASE, R.DEPT_MANAGER: IN_BRANCH, R.ACCOUNT_MANAGER: Owned("account_manager", *_GROUP_OWNERS)},
    write={R.ADMIN: ALL},
)
