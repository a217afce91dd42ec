"""ORG-3 for the customer file: which groups, contacts, sites and members each role may see or edit."""
from accounts.models import Role
from accounts.scoping import ALL, IN_BRANCH, IN_UNIT, Owned, ScopeSpec

R = Role.Code

# An AM owns the groups they manage and those where they are the local AM of a site (GC-5).
GROUP_OWNERS = ("account_manager", "sites__local_am")

GROUP_SCOPE = ScopeSpec(
    unit_paths=("unit", "sites__unit"),
    read={
        R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL,
        R.AGENT: ALL,  # agents find any group to open a ticket, but see no financial data
        R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT, R.MAINTENANCE_MANAGER: IN_UNIT,
        R.ACCOUNT_MANAGER: Owned(*GROUP_OWNERS),
    },
    write={
        R.ADMIN: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.ACCOUNT_MANAGER: Owned(*GROUP_OWNERS),
    },
    owner_paths=GROUP_OWNERS,
)


def _via_group(prefix: str, extra_owner: tuple[str, ...] = ()) -> ScopeSpec:
    owners = tuple(f"{prefix}__{p}" for p in GROUP_OWNERS) + extra_owner
    return ScopeSpec(
        unit_paths=(f"{prefix}__unit", f"{prefix}__sites__unit"),
        read={
            R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL, R.AGENT: ALL,
            R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT, R.MAINTENANCE_MANAGER: IN_UNIT,
            R.ACCOUNT_MANAGER: Owned(*owners),
        },
        write={
            R.ADMIN: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
            R.ACCOUNT_MANAGER: Owned(*owners),
        },
        owner_paths=owners,
    )


# A contact's counterpart on our side (CT-4) also owns the contact.
CONTACT_SCOPE = _via_group("group", extra_owner=("counterpart",))
MEMBER_SCOPE = _via_group("group")
SITE_SCOPE = _via_group("group")


def sees_financials(user) -> bool:
    """Call-centre agents see no financial data (ORG-3); any other role that can read a group does."""
    return bool(user.role_codes - {R.AGENT})


# Billing and retention (RET-3, CC-10) follow the group; agents see no financial data at all.
_FIN_READ = {k: v for k, v in _via_group("group").read.items() if k != R.AGENT}
ACCOUNT_SCOPE = ScopeSpec(unit_paths=("group__unit", "group__sites__unit"), read=_FIN_READ,
                          write={R.ADMIN: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
                                 R.ACCOUNT_MANAGER: Owned(*(f"group__{p}" for p in GROUP_OWNERS))})
# ORG-3 (issue 12 item 11): a group is in scope through any of its sites — its local AM owns it and
# the site's unit puts it in that unit's and branch's scope — for credit orders and alerts as for
# the group itself, so these follow GROUP_OWNERS and the group's two unit paths.
ORDER_SCOPE = ScopeSpec(unit_paths=("account__group__unit", "account__group__sites__unit"),
                        read={k: (Owned(*(f"account__group__{p}" for p in GROUP_OWNERS))
                                  if k == R.ACCOUNT_MANAGER else v)
                              for k, v in _FIN_READ.items()})
_ALERT_OWNERS = ("assigned_am", *(f"group__{p}" for p in GROUP_OWNERS))
ALERT_SCOPE = ScopeSpec(unit_paths=("group__unit", "group__sites__unit"),
                        read={**_FIN_READ, R.ACCOUNT_MANAGER: Owned(*_ALERT_OWNERS)},
                        write={R.ADMIN: ALL, R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
                               R.ACCOUNT_MANAGER: Owned(*_ALERT_OWNERS)})
