"""ORG-3 for tickets, complaints and the ledger."""
from accounts.models import Role
from accounts.scoping import ALL, IN_BRANCH, IN_UNIT, AnyOf, Owned, ScopeSpec

R = Role.Code

TICKET_SCOPE = ScopeSpec(
    unit_paths=("unit", "group__unit"),
    read={
        R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL,
        R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.MAINTENANCE_MANAGER: AnyOf(IN_UNIT, Owned("maintenance_manager")),
        R.ACCOUNT_MANAGER: Owned("account_manager", "home_am", "group__account_manager"),
        R.AGENT: Owned("opened_by"),
    },
    # who may touch a ticket at all; each transition then checks its own party (tickets.workflow)
    write={
        R.ADMIN: ALL, R.QUALITY: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.MAINTENANCE_MANAGER: Owned("maintenance_manager"), R.ACCOUNT_MANAGER: Owned("account_manager"),
        R.AGENT: Owned("opened_by"),
    },
)

COMPLAINT_SCOPE = ScopeSpec(
    unit_paths=("group__unit", "group__sites__unit"),
    read={
        R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.ACCOUNT_MANAGER: Owned("account_manager", "recorded_by"), R.AGENT: Owned("recorded_by"),
    },
    write={R.ADMIN: ALL, R.QUALITY: ALL, R.ACCOUNT_MANAGER: Owned("account_manager", "recorded_by")},
)

LEDGER_SCOPE = ScopeSpec(
    unit_paths=("person__unit", "branch"),
    read={
        R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.ACCOUNT_MANAGER: Owned("person"), R.MAINTENANCE_MANAGER: Owned("person"), R.AGENT: Owned("person"),
    },
    write={R.ADMIN: ALL, R.QUALITY: ALL},
)
