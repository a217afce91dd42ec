"""Role scoping (SPEC ORG-3): the one place that decides which rows a user may read or change.

Every selector, page, export and API view restricts its queryset with `scope_queryset`. A model
declares its `ScopeSpec` next to its selectors: where the record's unit is, who owns it, and for
each role which rule applies. A user with several roles sees the union of what each role allows.

Rules:
  ALL        every row (analyst, administrator, …)
  IN_UNIT    rows whose unit lies under the user's own organisation node
  IN_BRANCH  rows whose unit lies in the user's branch
  Owned(p…)  rows where one of the paths p… points at the user (an AM's own groups)
  NONE       nothing (the default for a role the spec does not mention)
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Field, Lookup, Model, Q, QuerySet, Value
from django.http import Http404

from .models import OrgUnit, Role

READ = "read"
WRITE = "write"


class Rule:
    def q(self, user, spec: ScopeSpec, model: type[Model]) -> Q | None:  # None: nothing
        raise NotImplementedError


class _All(Rule):
    def q(self, user, spec, model):
        return Q()

    def __repr__(self) -> str:
        return "ALL"


class _None(Rule):
    def q(self, user, spec, model):
        return None

    def __repr__(self) -> str:
        return "NONE"


class _Units(Rule):
    def __init__(self, *, branch: bool):
        self.branch = branch

    def q(self, user, spec, model):
        # A literal list, not a subquery: with the ids known the planner ORs index scans (issue 3
        # bench: 20 ms against 1.6 s for a branch manager's 10 000 groups).
        unit_ids = unit_ids_for(user, branch=self.branch)
        if unit_ids is None:
            return Q()
        if not unit_ids:
            return None
        return _any_path(model, spec.unit_paths, unit_ids)

    def __repr__(self) -> str:
        return "IN_BRANCH" if self.branch else "IN_UNIT"


@dataclass(frozen=True)
class Owned(Rule):
    """Rows where any of `paths` (foreign keys to the user model) is the user."""

    paths: tuple[str, ...]

    def __init__(self, *paths: str):
        object.__setattr__(self, "paths", paths)

    def q(self, user, spec, model):
        return _any_path(model, self.paths, [user.pk])


class AnyOf(Rule):
    """The union of several rules (e.g. an MM sees the unit's tickets and those assigned to them)."""

    def __init__(self, *rules: Rule):
        self.rules = rules

    def q(self, user, spec, model):
        combined = None
        for rule in self.rules:
            q = rule.q(user, spec, model)
            if q is None:
                continue
            if not q:
                return Q()
            combined = q if combined is None else combined | q
        return combined


ALL: Rule = _All()
NONE: Rule = _None()
IN_UNIT: Rule = _Units(branch=False)
IN_BRANCH: Rule = _Units(branch=True)


@dataclass(frozen=True)
class ScopeSpec:
    """How one model is scoped. `write` defaults to `read` without the read-only analyst."""

    unit_paths: tuple[str, ...]
    read: Mapping[str, Rule]
    write: Mapping[str, Rule] | None = None
    owner_paths: tuple[str, ...] = field(default=())  # who "owns" a row for masking (ORG-4)

    def rules(self, action: str) -> Mapping[str, Rule]:
        if action == READ:
            return self.read
        if self.write is not None:
            return self.write
        return {code: rule for code, rule in self.read.items() if code != Role.Code.ANALYST}


def unit_ids_for(user, *, branch: bool) -> list[int] | None:
    """Unit ids under the user's node (or their branch). None means the whole province."""
    cache = user.__dict__.setdefault("_scope_unit_cache", {})
    if branch in cache:
        return cache[branch]
    node = user.unit
    result: list[int] | None
    if node is None:
        result = []
    elif node.level == OrgUnit.Level.PROVINCE:
        result = None
    elif branch or node.level == OrgUnit.Level.BRANCH:
        branch_id = node.pk if node.level == OrgUnit.Level.BRANCH else node.branch_id
        csv = getattr(user, "branch_unit_ids_csv", None)  # read with the user (accounts.backends)
        if csv:
            result = [int(x) for x in csv.split(",") if x]
        else:
            result = list(OrgUnit.objects.filter(branch_id=branch_id).values_list("pk", flat=True))
    else:
        result = [node.pk]
    cache[branch] = result
    return result


class InArray(Lookup):
    """`field IN (subquery)`, written `field = ANY(ARRAY(subquery))` on PostgreSQL.

    Inside an OR (an AM owns a group as its AM *or* as a site's local AM) PostgreSQL cannot turn
    `IN (subquery)` into a semi-join and falls back to a hashed sub-plan over every row; with the
    array form the planner runs the subquery once and ORs two index scans (issue 3 benchmark)."""

    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


Field.register_lookup(InArray)


def _split_to_many(model: type[Model], path: str):
    """For a path crossing a to-many relation: (prefix on `model` up to the relation, the related
    model, the related model's column pointing back, the rest of the path), or None."""
    current = model
    names = path.split("__")
    for i, name in enumerate(names):
        f = current._meta.get_field(name)
        if f.one_to_many and not f.many_to_many:
            back = f.field  # the ForeignKey on the related model
            prefix = names[:i] + [back.target_field.name]
            return "__".join(prefix), f.related_model, back.attname, "__".join(names[i + 1:])
        if f.many_to_many:
            return "many"
        if not f.is_relation:
            return None
        current = f.related_model
    return None


def _any_path(model: type[Model], paths: Iterable[str], values: list) -> Q:
    """OR of `path IN values` over paths. A path through a to-many relation (a group's sites)
    becomes `anchor IN (SELECT fk FROM related WHERE rest IN values)`, no join that repeats rows."""
    q = Q()

    def lookup_of(p: str) -> dict:
        return {f"{p}__in": values} if len(values) > 1 else {p: values[0]}

    for path in paths:
        split = _split_to_many(model, path)
        if split is None:
            q |= Q(**lookup_of(path))
        elif split == "many":
            q |= Q(pk__in=model._default_manager.filter(**lookup_of(path)).values("pk"))
        else:
            anchor, related, back, rest = split
            sub = related._default_manager.filter(**lookup_of(rest or "pk")).order_by().values(back)
            q |= Q(**{f"{anchor}__in_array": sub})
    return q


def scope_q(user, spec: ScopeSpec, model: type[Model], action: str = READ) -> Q | None:
    """The filter for what `user` may `action` on `model`; None when nothing at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    rules = spec.rules(action)
    combined: Q | None = None
    for code in user.role_codes:
        rule = rules.get(code, NONE)
        q = rule.q(user, spec, model)
        if q is None:
            continue
        if not q:  # Q() — everything: no need to look further
            return Q()
        combined = q if combined is None else combined | q
    return combined


def scope_queryset(user, qs: QuerySet, spec: ScopeSpec, action: str = READ) -> QuerySet:
    q = scope_q(user, spec, qs.model, action)
    if q is None:
        return qs.none()
    return qs.filter(q) if q else qs


def get_in_scope(user, qs: QuerySet, spec: ScopeSpec, action: str = READ, **lookup):
    """The object in the user's scope, or 404 — outside the scope a record does not exist for them."""
    obj = scope_queryset(user, qs, spec, action).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def can(user, obj: Model, spec: ScopeSpec, action: str = READ) -> bool:
    q = scope_q(user, spec, type(obj), action)
    if q is None:
        return False
    if not q:
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


def annotate_can(qs: QuerySet, user, spec: ScopeSpec, action: str, name: str) -> QuerySet:
    """Add a boolean `name`: may the user `action` the row? Saves a query per record on a page that
    reads the record anyway (the customer file asks "may I edit this?")."""
    q = scope_q(user, spec, qs.model, action)
    if q is None:
        expr = Value(False)
    elif not q:
        expr = Value(True)
    else:
        expr = ExpressionWrapper(q, output_field=BooleanField())
    return qs.annotate(**{name: expr})


def is_owner(user, obj: Model, spec: ScopeSpec) -> bool:
    """Does the user own the record (for masking, ORG-4)? Owners see personal data in clear."""
    if not spec.owner_paths or user is None or not user.is_authenticated:
        return False
    return type(obj)._default_manager.filter(_any_path(type(obj), spec.owner_paths, [user.pk]), pk=obj.pk).exists()


R = Role.Code

# Staff directory: who can see whom.
USER_SCOPE = ScopeSpec(
    unit_paths=("unit",),
    read={
        R.ADMIN: ALL, R.ANALYST: ALL, R.QUALITY: ALL, R.AGENT: ALL,
        R.DEPT_MANAGER: IN_BRANCH, R.GROUP_LEADER: IN_UNIT,
        R.ACCOUNT_MANAGER: IN_UNIT, R.MAINTENANCE_MANAGER: IN_UNIT,
    },
    write={R.ADMIN: ALL},
)
