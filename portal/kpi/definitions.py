"""The KPIs (SPEC KPI-1, KPI-2): each one a set of counters over the records of a month, and the
records behind them.

A KPI knows
  * which records it counts in a month (`base`), and what each counter counts (`counters`, SQL
    aggregates with filters — numerators and denominators, never a rate);
  * where a record keeps the organisation node and the person it is attributed to (`unit_path`,
    `person_path`), so the same query can be cut by scope, by unit and by person;
  * the records behind each part of it (`records(window, scope, part)`), for the drill-down pages.

`cells(window, scope, dims)` is the one way figures are computed: one aggregate query, grouped by
nothing, by unit, or by unit and person. Rates are derived from summed counters afterwards
(`derive`), so a branch's rate is its units' counters added up, never an average of rates.

The KPIs on the issue-6 models (retention alerts, arrears snapshots, credit-control orders) look their
model up at run time and report themselves unavailable when it is not installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .periods import Window, add_months, local_midnight
from .scope import Scope


def rate(num: float | None, den: float | None) -> float | None:
    """A percentage with one decimal; None when there is nothing to measure."""
    if not den:
        return None
    return round(100.0 * (num or 0) / den, 1)


def _number(v: Any) -> int | float:
    if v is None:
        return 0
    if isinstance(v, dt.timedelta):
        return round(v.total_seconds(), 1)
    if isinstance(v, Decimal):
        return float(v)
    return v


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class Column:
    """One column of a drill-down list (page and Excel)."""

    header: Any
    value: Callable[[Any], Any]
    url: Callable[[Any], str | None] | None = None


def _dt(v):
    return timezone.localtime(v).strftime("%Y-%m-%d %H:%M") if v else ""


def _d(v):
    if isinstance(v, dt.datetime):
        return timezone.localtime(v).strftime("%Y-%m-%d")
    return v.strftime("%Y-%m-%d") if v else ""


class Kpi:
    code = ""
    title: Any = ""
    section = ""
    model_label = ""
    unit_path = ""  # lookup from the record to the OrgUnit it is attributed to
    person_path = ""  # lookup from the record to the person it is attributed to
    group_path: str | None = "group"  # lookup to the group, for ORG-3 on the drill-down
    scope_spec_path = ""  # dotted path of the model's own ScopeSpec, when it has one
    parts: dict[str, Any] = {}
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("-pk",)
    optional = False  # built on models of another issue that may not be installed yet

    # ---- the model --------------------------------------------------------------------------
    @property
    def model(self):
        try:
            return apps.get_model(self.model_label)
        except (LookupError, ValueError):
            return None

    def available(self) -> bool:
        model = self.model
        if model is None:
            return False
        for path in (self.unit_path, self.person_path):
            if path and not _path_exists(model, path):
                return False
        return True

    # ---- what is counted --------------------------------------------------------------------
    def base(self, w: Window) -> QuerySet:
        raise NotImplementedError

    def counters(self, w: Window) -> dict[str, Any]:
        raise NotImplementedError

    def part_q(self, w: Window, part: str) -> Q:
        return Q()

    def derive(self, c: dict) -> dict:
        return {}

    def unit_expr(self):
        return F(self.unit_path)

    def person_expr(self):
        return F(self.person_path)

    def scope_q(self, scope: Scope) -> Q:
        return scope.q(self.unit_path, self.person_path)

    def counter_names(self, w: Window) -> list[str]:
        """The counters' names (building the aggregate expressions is costly: a province dashboard
        asks once per node and KPI), kept on the window for the request."""
        cache = w.__dict__.setdefault("_counter_names", {})
        if self.code not in cache:
            cache[self.code] = list(self.counters(w))
        return cache[self.code]

    def cells(self, w: Window, scope: Scope, dims: tuple[str, ...] = ()) -> list[tuple[tuple, dict]]:
        """Counters of this month in `scope`, grouped by `dims` ⊆ ("unit", "person"): one query."""
        qs = self.base(w).filter(self.scope_q(scope)).order_by()
        aggs = self.counters(w)
        if not dims:
            row = qs.aggregate(**aggs)
            return [((), {k: _number(v) for k, v in row.items()})]
        keys = _dim_keys(dims)
        ann = {"k_unit": self.unit_expr(), "k_person": self.person_expr()}
        rows = qs.annotate(**{k: ann[k] for k in keys}).values(*keys).annotate(**aggs)
        return [(tuple(r[k] for k in keys), {n: _number(r[n]) for n in aggs}) for r in rows]

    # ---- the records behind it --------------------------------------------------------------
    def records(self, w: Window, scope: Scope, part: str = "", user=None) -> QuerySet:
        qs = self.base(w).filter(self.scope_q(scope))
        if part:
            qs = qs.filter(self.part_q(w, part))
        if user is not None:
            qs = self.restrict(qs, user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs.order_by(*self.order_by)

    def restrict(self, qs: QuerySet, user) -> QuerySet:
        """ORG-3 once more on the drill-down, with the record's own scope rules (belt and braces:
        the scope filter already keeps to the user's node)."""
        from django.utils.module_loading import import_string

        from accounts.scoping import scope_queryset

        if self.scope_spec_path:
            return scope_queryset(user, qs, import_string(self.scope_spec_path))
        if self.group_path:
            from groupclients.models import GroupCustomer
            from groupclients.scopes import GROUP_SCOPE

            groups = scope_queryset(user, GroupCustomer.objects.all(), GROUP_SCOPE).values("pk")
            return qs.filter(**{f"{self.group_path}__in": groups})
        return qs

    def columns(self) -> list[Column]:
        return []


def _dim_keys(dims: Iterable[str]) -> list[str]:
    return [{"unit": "k_unit", "person": "k_person"}[d] for d in dims]


def _path_exists(model, path: str) -> bool:
    current = model
    for name in path.split("__"):
        try:
            f = current._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if f.is_relation:
            current = f.related_model
    return True


def _in_month(field: str, w: Window) -> Q:
    return Q(**{f"{field}__gte": w.start, f"{field}__lt": w.end})


def _group_col(prefix: str = "group") -> list[Column]:
    return [
        Column(
            _("Group"),
            lambda o: getattr(o, prefix).name if getattr(o, prefix, None) else "",
            lambda o: _url("group-detail", getattr(o, f"{prefix}_id")) if getattr(o, f"{prefix}_id") else None,
        ),
        Column(_("Class"), lambda o: getattr(o, prefix).grade if getattr(o, prefix, None) else ""),
    ]


# ---- visits (VIS-1, VIS-3) ------------------------------------------------------------------

GRADES = ("A", "B", "C")
STATUSES = ("done", "due", "overdue")
STATUS_LABELS = {"done": _("done"), "due": _("due (still on time)"), "overdue": _("overdue")}


class _Compliance(Kpi):
    """Visit compliance at the end of the month (or today, for the current month), per class.

    Each obligation — a group, or one of its active contacts — has a period from the visit frequency
    table (class × who → 1 or 2 calendar months, VIS-1). Its status on the reference day is the one
    the compliance page shows (visits.compliance): done = visited since its period began; due = not
    yet, but visited in the previous period (or new since then), so still on time; overdue = neither.
    The compliance rate is done ÷ all obligations. An obligation counts when its record was on file by
    the reference day, or was visited by then (a record imported later keeps its history).

    The last visit comes from the visit logs (a past month) or from the derived `last_visited_on`
    columns the visit services keep (the current month: the same date, without reading the logs).

    Counting is set-based: one CASE works out each obligation's status from its class, who it is and
    its last visit compared with the period starts in force — for a past month as `id IN (visits
    since …)` subqueries, which the database evaluates once each, as hash tables — and the counts
    per class and status are summed over that. The drill-down filters on the same CASE.
    """

    section = "visits"
    parts = {s: STATUS_LABELS[s] for s in STATUSES}
    grade_path = ""

    def table(self) -> dict[tuple[str, str], int]:
        from visits.compliance import frequency_table

        return frequency_table()

    def _bounds(self, w: Window, months: int) -> tuple[dt.date, dt.date]:
        from visits.compliance import period_start

        start = period_start(w.ref_date, months)
        return start, period_start(start - dt.timedelta(days=1), months)

    # ---- per subclass: what is an obligation, who is it, how was it visited -----------------
    def _universe(self) -> QuerySet:
        raise NotImplementedError

    def targets(self) -> list[tuple[str, Q]]:
        """(target, the filter selecting obligations of that target), for the visit frequency table."""
        raise NotImplementedError

    def _visit_exists(self, w: Window) -> QuerySet:
        """A visit logged for the obligation (OuterRef) before the reference moment."""
        raise NotImplementedError

    def _last_visit_subquery(self, w: Window):
        raise NotImplementedError

    # ---- shared --------------------------------------------------------------------------------
    def period_map(self, w: Window) -> dict[tuple[str, str], tuple[dt.date, dt.date]]:
        """(class, who) → (start of the period in force, start of the previous period)."""
        table = self.table()
        return {(g, t): self._bounds(w, table.get((g, t), 2)) for g in GRADES for t, _q in self.targets()}

    def _since(self, w: Window, d: dt.date) -> Q:
        """Visited on or after day d (and by the reference moment), on the k_last annotation."""
        return Q(k_last__gte=d if w.live else local_midnight(d))

    def universe(self, w: Window) -> QuerySet:
        """The obligations, each with its last visit (k_last) by the reference moment.

        A past month reads the visit logs with one LEFT JOIN limited to the visits that can decide a
        status (since the oldest previous-period start), grouped per obligation — a hash join and a
        hash aggregate, however many obligations. (Filtering with `id IN (visits since …)` instead
        turns into a rescan per row once the visits no longer fit in the database's work memory.)"""
        on_file = Q(created_at__lt=w.ref)
        if w.live:
            return self._universe().filter(on_file | Q(last_visited_on__isnull=False)).annotate(
                k_last=F("last_visited_on"))
        oldest = min(prev for _ps, prev in self.period_map(w).values())
        recent = FilteredRelation("visits", condition=Q(visits__started_at__gte=local_midnight(oldest),
                                                        visits__started_at__lt=w.ref))
        return (self._universe().filter(on_file | Exists(self._visit_exists(w)))
                .annotate(k_recent=recent).annotate(k_last=Max("k_recent__started_at")))

    def _classes(self, w: Window) -> dict[tuple[dt.date, dt.date], Q]:
        """(period start, previous period start) → the obligations with those periods."""
        by_bounds: dict[tuple[dt.date, dt.date], Q] = {}
        targets = dict(self.targets())
        for (g, t), bounds in self.period_map(w).items():
            q = Q(**{self.grade_path: g}) & targets[t]
            by_bounds[bounds] = by_bounds[bounds] | q if bounds in by_bounds else q
        return by_bounds

    def status_case(self, w: Window) -> Case:
        """done / due / overdue on the reference day, as one CASE (counts and drill-down alike)."""
        classes = self._classes(w)
        whens = [When(who & self._since(w, ps), then=Value("done")) for (ps, _prev), who in classes.items()]
        for (_ps, prev), who in classes.items():
            on_time = self._since(w, prev) | Q(created_at__gte=local_midnight(prev), created_at__lt=w.ref)
            whens.append(When(who & on_time, then=Value("due")))
        return Case(*whens, default=Value("overdue"), output_field=CharField())

    def obligations(self, w: Window) -> QuerySet:
        return self.universe(w).annotate(k_grade=F(self.grade_path), k_status=self.status_case(w))

    def counter_names(self, w: Window) -> list[str]:
        return [f"{g}_{s}" for g in GRADES for s in STATUSES]

    def cells(self, w: Window, scope: Scope, dims: tuple[str, ...] = ()) -> list[tuple[tuple, dict]]:
        # Each obligation's status is worked out once, in a derived table, and the nine class ×
        # status counts are summed over it: counting with nine filtered aggregates would repeat the
        # status CASE (and, for a past month, its subqueries) in each of them. OFFSET 0 keeps
        # PostgreSQL from folding the derived table back into the aggregates.
        keys = _dim_keys(dims)
        ann = {"k_unit": self.unit_expr(), "k_person": self.person_expr()}
        qs = self.obligations(w).filter(self.scope_q(scope)).order_by().annotate(**{k: ann[k] for k in keys})
        inner_sql, inner_params = qs.values(*keys, "k_grade", "k_status").query.sql_with_params()
        names = self.counter_names(w)
        sums, params = [], []
        for name in names:
            grade, status = name.split("_", 1)
            sums.append("SUM(CASE WHEN k_grade = %s AND k_status = %s THEN 1 ELSE 0 END)")
            params += [grade, status]
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        sql = f"SELECT {', '.join([*keys, *sums])} FROM ({inner_sql}{fence}) obligations"
        if keys:
            sql += " GROUP BY " + ", ".join(keys)
        with connection.cursor() as cur:
            cur.execute(sql, [*params, *inner_params])
            rows = cur.fetchall()
        n = len(keys)
        return [(tuple(r[:n]), {name: int(v or 0) for name, v in zip(names, r[n:], strict=True)}) for r in rows]

    def base(self, w: Window) -> QuerySet:
        return self.obligations(w)

    def part_q(self, w: Window, part: str) -> Q:
        return Q(k_status=part) if part in STATUSES else Q()

    def records(self, w: Window, scope: Scope, part: str = "", user=None, grade: str = "") -> QuerySet:
        qs = super().records(w, scope, part, user)
        if grade in GRADES:
            qs = qs.filter(k_grade=grade)
        return self._display(qs, w)

    def _display(self, qs: QuerySet, w: Window) -> QuerySet:
        """The last visit ever (k_seen) and the period start of the listed rows (a page of them)."""
        whens = [When(who, then=Value(ps)) for (ps, _p), who in self._classes(w).items()]
        seen = F("last_visited_on") if w.live else self._last_visit_subquery(w)
        return qs.annotate(k_seen=seen, k_ps=Case(*whens, output_field=DateField()))

    def derive(self, c: dict) -> dict:
        out = {}
        for s in STATUSES:
            out[s] = sum(c.get(f"{g}_{s}", 0) for g in GRADES)
        out["total"] = sum(out[s] for s in STATUSES)
        for g in GRADES:
            total = sum(c.get(f"{g}_{s}", 0) for s in STATUSES)
            out[f"{g}_total"] = total
            out[f"{g}_rate"] = rate(c.get(f"{g}_done", 0), total)
        out["rate"] = rate(out["done"], out["total"])
        return out


class GroupVisitCompliance(_Compliance):
    code = "visits_groups"
    title = _("Visit compliance: groups (on-site visits)")
    model_label = "groupclients.GroupCustomer"
    unit_path = "unit"
    person_path = "account_manager"
    group_path = None
    scope_spec_path = "groupclients.scopes.GROUP_SCOPE"
    grade_path = "grade"
    select_related = ("account_manager", "unit")
    order_by = ("name", "pk")

    def _universe(self) -> QuerySet:
        from groupclients.models import GroupCustomer

        return GroupCustomer.objects.filter(status__in=["active", "prospect"])

    def targets(self):
        return [("group", Q())]

    def _visit_exists(self, w):
        from visits.models import VisitLog

        return VisitLog.objects.filter(group=OuterRef("pk"), started_at__lt=w.ref)

    def _last_visit_subquery(self, w: Window):
        from visits.models import VisitLog

        return Subquery(
            VisitLog.objects.filter(group=OuterRef("pk"), started_at__lt=w.ref)
            .order_by("-started_at")
            .values("started_at")[:1],
            output_field=DateTimeField(),
        )

    def columns(self) -> list[Column]:
        return [
            Column(_("Group"), lambda o: o.name, lambda o: _url("group-detail", o.pk)),
            Column(_("Class"), lambda o: o.grade),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Unit"), lambda o: str(o.unit)),
            Column(_("Last visit"), lambda o: _d(o.k_seen)),
            Column(_("Period began"), lambda o: _d(o.k_ps)),
            Column(_("Status"), lambda o: str(STATUS_LABELS.get(o.k_status, o.k_status))),
        ]


class ContactVisitCompliance(_Compliance):
    code = "visits_contacts"
    title = _("Visit compliance: contacts and key persons")
    model_label = "groupclients.Contact"
    unit_path = "group__unit"
    person_path = "group__account_manager"
    scope_spec_path = "groupclients.scopes.CONTACT_SCOPE"
    grade_path = "group__grade"
    select_related = ("group", "group__account_manager")
    order_by = ("group__name", "name", "pk")

    def _universe(self) -> QuerySet:
        from groupclients.models import Contact

        return Contact.objects.filter(status=Contact.Status.ACTIVE, group__status__in=["active", "prospect"])

    def targets(self):
        from groupclients.models import Contact

        return [("primary", Q(is_primary=True))] + [(t, Q(is_primary=False, type=t)) for t in Contact.Type.values]

    def _visit_exists(self, w):
        from visits.models import VisitLog

        return VisitLog.contacts.through.objects.filter(contact_id=OuterRef("pk"), visitlog__started_at__lt=w.ref)

    def _last_visit_subquery(self, w: Window):
        from visits.models import VisitLog

        through = VisitLog.contacts.through
        return Subquery(
            through.objects.filter(contact_id=OuterRef("pk"), visitlog__started_at__lt=w.ref)
            .order_by("-visitlog__started_at")
            .values("visitlog__started_at")[:1],
            output_field=DateTimeField(),
        )

    def columns(self) -> list[Column]:
        return [
            Column(_("Contact"), lambda o: o.name),
            Column(_("Type"), lambda o: _("Primary contact") if o.is_primary else o.get_type_display()),
            *_group_col(),
            Column(_("Account manager"), lambda o: str(o.group.account_manager)),
            Column(_("Last visit"), lambda o: _d(o.k_seen)),
            Column(_("Period began"), lambda o: _d(o.k_ps)),
            Column(_("Status"), lambda o: str(STATUS_LABELS.get(o.k_status, o.k_status))),
        ]


class VisitsLogged(Kpi):
    code = "visits"
    title = _("Visits logged")
    section = "visits"
    model_label = "visits.VisitLog"
    unit_path = "group__unit"
    person_path = "account_manager"
    scope_spec_path = "visits.scopes.VISIT_SCOPE"
    select_related = ("group", "account_manager")
    order_by = ("-started_at", "-pk")

    @property
    def parts(self):
        from visits.models import VisitLog

        return dict(VisitLog.Kind.choices)

    def base(self, w):
        from visits.models import VisitLog

        return VisitLog.objects.filter(_in_month("started_at", w))

    def counters(self, w):
        from visits.models import VisitLog

        return {"total": Count("pk"), **{f"k_{k}": Count("pk", filter=Q(kind=k)) for k in VisitLog.Kind.values}}

    def part_q(self, w, part):
        return Q(kind=part)

    def columns(self):
        return [
            Column(_("Date"), lambda o: _dt(o.started_at), lambda o: _url("visit-detail", o.pk)),
            *_group_col(),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Kind"), lambda o: o.get_kind_display()),
        ]


# ---- the customer file (CT-2, GC-1) ---------------------------------------------------------


class ContactCoverage(Kpi):
    """Active groups that have the CT-2 minimum of key persons, and a primary contact."""

    code = "contact_coverage"
    title = _("Contact coverage")
    section = "data"
    model_label = "groupclients.GroupCustomer"
    unit_path = "unit"
    person_path = "account_manager"
    group_path = None
    scope_spec_path = "groupclients.scopes.GROUP_SCOPE"
    parts = {"below_minimum": _("below the contact minimum"), "no_primary": _("no primary contact")}
    select_related = ("account_manager", "unit")
    order_by = ("name",)

    def base(self, w):
        from groupclients.models import GroupCustomer

        return GroupCustomer.objects.filter(status="active")

    def counters(self, w):
        return {
            "total": Count("pk"),
            "meets_minimum": Count("pk", filter=Q(below_contact_minimum=False)),
            "has_primary": Count("pk", filter=Q(no_primary_contact=False)),
        }

    def part_q(self, w, part):
        return {"below_minimum": Q(below_contact_minimum=True), "no_primary": Q(no_primary_contact=True)}.get(part, Q())

    def derive(self, c):
        return {
            "rate": rate(c.get("meets_minimum"), c.get("total")),
            "primary_rate": rate(c.get("has_primary"), c.get("total")),
        }

    def columns(self):
        return [
            Column(_("Group"), lambda o: o.name, lambda o: _url("group-detail", o.pk)),
            Column(_("Class"), lambda o: o.grade),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Below the contact minimum"), lambda o: _("yes") if o.below_contact_minimum else ""),
            Column(_("No primary contact"), lambda o: _("yes") if o.no_primary_contact else ""),
        ]


def _missing_core_fields(group) -> str:
    """The missing core fields by their names in the user's language (not the model's field names)."""
    return "、".join(str(group._meta.get_field(name).verbose_name) for name in group.missing_core_fields())


class CoreFields(Kpi):
    """Groups (active and prospects) with all seven core fields (GC-1)."""

    code = "core_fields"
    title = _("Core-field completeness")
    section = "data"
    model_label = "groupclients.GroupCustomer"
    unit_path = "unit"
    person_path = "account_manager"
    group_path = None
    scope_spec_path = "groupclients.scopes.GROUP_SCOPE"
    parts = {"incomplete": _("core fields missing")}
    select_related = ("account_manager", "unit")
    order_by = ("name",)

    def base(self, w):
        from groupclients.models import GroupCustomer

        return GroupCustomer.objects.filter(status__in=["active", "prospect"])

    def counters(self, w):
        return {"total": Count("pk"), "complete": Count("pk", filter=Q(core_incomplete=False))}

    def part_q(self, w, part):
        return Q(core_incomplete=True) if part == "incomplete" else Q()

    def derive(self, c):
        return {"rate": rate(c.get("complete"), c.get("total"))}

    def columns(self):
        return [
            Column(_("Group"), lambda o: o.name, lambda o: _url("group-detail", o.pk)),
            Column(_("Status"), lambda o: o.get_status_display()),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(pgettext_lazy("core fields", "Missing"), _missing_core_fields),
        ]


# ---- satisfaction (SAT-1..5) -----------------------------------------------------------------


class Surveys(Kpi):
    """Surveys sent in the month; of them answered; of the answers satisfied (1 or 2)."""

    code = "surveys"
    title = _("Satisfaction surveys")
    section = "satisfaction"
    model_label = "visits.Survey"
    unit_path = "group__unit"
    person_path = "account_manager"
    scope_spec_path = "visits.scopes.SURVEY_SCOPE"
    parts = {
        "answered": _("answered"),
        "satisfied": _("satisfied"),
        "dissatisfied": _("dissatisfied"),
        "unanswered": _("no reply"),
        "waiting": _("waiting for a reply"),
    }
    select_related = ("group", "account_manager", "contact")
    order_by = ("-sent_at", "-pk")

    def base(self, w):
        from visits.models import Survey

        return Survey.objects.filter(_in_month("sent_at", w))

    def _q(self):
        return {
            "answered": Q(status="answered"),
            "satisfied": Q(status="answered", score__in=[1, 2]),
            "dissatisfied": Q(status="answered", score__in=[3, 4]),
            "unanswered": Q(status="unanswered"),
            "waiting": Q(status="sent"),
        }

    def counters(self, w):
        return {"sent": Count("pk"), **{k: Count("pk", filter=q) for k, q in self._q().items()}}

    def part_q(self, w, part):
        return self._q().get(part, Q())

    def derive(self, c):
        return {
            "answered_rate": rate(c.get("answered"), c.get("sent")),
            "satisfied_rate": rate(c.get("satisfied"), c.get("answered")),
        }

    def columns(self):
        return [
            Column(_("Sent"), lambda o: _dt(o.sent_at)),
            *_group_col(),
            Column(_("Contact"), lambda o: o.contact.name if o.contact else ""),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Status"), lambda o: o.get_status_display()),
            Column(_("Score"), lambda o: o.get_score_display() if o.score else ""),
        ]


class Repairs(Kpi):
    """Satisfaction-repair cases due in the month: repaired by the deadline, late, or still open."""

    code = "repairs"
    title = _("Satisfaction repairs on time")
    section = "satisfaction"
    model_label = "visits.RepairCase"
    unit_path = "group__unit"
    person_path = "account_manager"
    scope_spec_path = "visits.scopes.REPAIR_SCOPE"
    parts = {"on_time": _("repaired on time"), "late": _("late"), "pending": _("open, not yet due")}
    select_related = ("group", "account_manager", "supervisor")
    order_by = ("due_at",)

    def base(self, w):
        from visits.models import RepairCase

        return RepairCase.objects.filter(_in_month("due_at", w))

    def _q(self, w):
        return {
            "on_time": Q(closed_at__isnull=False, closed_at__lte=F("due_at")),
            "late": Q(closed_at__gt=F("due_at")) | Q(closed_at__isnull=True, due_at__lt=w.ref),
            "pending": Q(closed_at__isnull=True, due_at__gte=w.ref),
        }

    def counters(self, w):
        return {"total": Count("pk"), **{k: Count("pk", filter=q) for k, q in self._q(w).items()}}

    def part_q(self, w, part):
        return self._q(w).get(part, Q())

    def derive(self, c):
        return {"rate": rate(c.get("on_time"), (c.get("on_time") or 0) + (c.get("late") or 0))}

    def columns(self):
        return [
            Column(_("Due"), lambda o: _dt(o.due_at)),
            *_group_col(),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Status"), lambda o: o.get_status_display()),
            Column(pgettext_lazy("closed at (time)", "Closed"), lambda o: _dt(o.closed_at)),
        ]


# ---- fault tickets (TKT-1..8) ----------------------------------------------------------------


class _TicketKpi(Kpi):
    section = "tickets"
    model_label = "tickets.Ticket"
    unit_path = "unit"
    person_path = "account_manager"
    scope_spec_path = "tickets.scopes.TICKET_SCOPE"
    select_related = ("group", "unit", "account_manager", "maintenance_manager")
    order_by = ("-opened_at", "-pk")

    def columns(self):
        return [
            Column(_("Number"), lambda o: o.number, lambda o: _url("ticket-detail", o.pk)),
            Column(_("Opened"), lambda o: _dt(o.opened_at)),
            *_group_col(),
            Column(_("Unit"), lambda o: str(o.unit)),
            Column(_("Severity"), lambda o: o.get_severity_display()),
            Column(_("Status"), lambda o: o.get_status_display()),
            Column(_("AM / MM"), lambda o: f"{o.account_manager or ''} / {o.maintenance_manager or ''}"),
            Column(_("Restored"), lambda o: _dt(o.repaired_at)),
            Column(_("AM participation"), lambda o: o.get_participation_display() if o.participation else ""),
        ]


class Tickets(_TicketKpi):
    """Fault reports opened in the month, by their state now (frozen at the close)."""

    code = "tickets"
    title = _("Fault tickets by state")

    @property
    def parts(self):
        from tickets.models import Ticket

        return dict(Ticket.Status.choices)

    def base(self, w):
        from tickets.models import Ticket

        return Ticket.objects.filter(_in_month("opened_at", w))

    def counters(self, w):
        from tickets.models import Ticket

        return {"total": Count("pk"), **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in Ticket.Status.values}}

    def part_q(self, w, part):
        return Q(status=part)


def _breach_q() -> Q:
    """Any SLA clock missed: a breach stamped by the sweep, or a timestamp past its due time (so a
    breach the sweep has not stamped yet still counts). Each clause is false, never NULL, when a
    time is missing, so met + breached = all."""
    q = (
        Q(acknowledge_breached_at__isnull=False)
        | Q(on_site_breached_at__isnull=False)
        | Q(restore_breached_at__isnull=False)
    )
    for at, due in (
        ("acknowledged_at", "acknowledge_due"),
        ("on_site_at", "on_site_due"),
        ("repaired_at", "restore_due"),
    ):
        q |= Q(**{f"{at}__isnull": False, f"{due}__isnull": False, f"{at}__gt": F(due)})
    return q


class Sla(_TicketKpi):
    """Tickets restored in the month: SLA met (no clock missed) and mean time to restore."""

    code = "sla"
    title = _("SLA met and time to restore")
    parts = {"met": _("SLA met"), "breach": _("SLA breached")}
    order_by = ("-repaired_at", "-pk")

    def base(self, w):
        from tickets.models import Ticket

        return Ticket.objects.filter(_in_month("repaired_at", w)).exclude(status=Ticket.Status.CANCELLED)

    def counters(self, w):
        restore = ExpressionWrapper(F("repaired_at") - F("opened_at"), output_field=DurationField())
        return {
            "total": Count("pk"),
            "met": Count("pk", filter=~_breach_q()),
            "breach": Count("pk", filter=_breach_q()),
            "restore_seconds": Sum(restore),
        }

    def part_q(self, w, part):
        return {"met": ~_breach_q(), "breach": _breach_q()}.get(part, Q())

    def derive(self, c):
        total = c.get("total") or 0
        return {
            "rate": rate(c.get("met"), total),
            "mttr_hours": round(c.get("restore_seconds", 0) / total / 3600, 1) if total else None,
        }


class JointVisits(_TicketKpi):
    """Class A/B tickets restored in the month: did the AM go on site with the MM (TKT-5)?"""

    code = "joint_visits"
    title = _("Joint fault visits (class A/B)")
    parts = {
        "participated": _("attended or substitute"),
        "phone_revisited": _("by phone, revisited"),
        "not_participated": _("not participated or not recorded"),
    }
    order_by = ("-repaired_at", "-pk")

    def base(self, w):
        from tickets.models import Ticket

        return Ticket.objects.filter(_in_month("repaired_at", w), group__grade__in=["A", "B"]).exclude(
            status=Ticket.Status.CANCELLED
        )

    def _q(self):
        return {
            "attended": Q(participation="attended"),
            "substitute": Q(participation="substitute"),
            "phone_revisited": Q(participation="phone", revisit_visit__isnull=False),
            "phone_missed": Q(participation="phone", revisit_visit__isnull=True, revisit_missed=True),
            "phone_pending": Q(participation="phone", revisit_visit__isnull=True, revisit_missed=False),
            "none": Q(participation="none"),
            "unrecorded": Q(participation=""),
        }

    def counters(self, w):
        return {"total": Count("pk"), **{k: Count("pk", filter=q) for k, q in self._q().items()}}

    def part_q(self, w, part):
        q = self._q()
        if part == "participated":
            return q["attended"] | q["substitute"]
        if part == "not_participated":
            return q["none"] | q["unrecorded"] | q["phone_missed"]
        return q.get(part, Q())

    def derive(self, c):
        return {"rate": rate((c.get("attended") or 0) + (c.get("substitute") or 0), c.get("total"))}


class TicketEvents(Kpi):
    """Misroutes (counted against the agent who recorded the ticket, TKT-4) and SLA escalations."""

    code = "ticket_events"
    title = _("Misroutes and escalations")
    section = "tickets"
    model_label = "tickets.TicketEvent"
    unit_path = "ticket__unit"
    person_path = "ticket__opened_by"
    group_path = "ticket__group"
    parts = {"misroute": _("misroutes"), "escalated": _("SLA escalations")}
    select_related = ("ticket", "ticket__group", "ticket__unit", "ticket__opened_by", "by")
    order_by = ("-at", "-pk")

    def base(self, w):
        from tickets.models import TicketEvent

        return TicketEvent.objects.filter(_in_month("at", w), action__in=["misroute", "escalated"])

    def counters(self, w):
        return {
            "misroutes": Count("pk", filter=Q(action="misroute")),
            "escalations": Count("pk", filter=Q(action="escalated")),
        }

    def part_q(self, w, part):
        return Q(action=part) if part in self.parts else Q()

    def restrict(self, qs, user):
        from accounts.scoping import scope_queryset
        from tickets.models import Ticket
        from tickets.scopes import TICKET_SCOPE

        return qs.filter(ticket__in=scope_queryset(user, Ticket.objects.all(), TICKET_SCOPE).values("pk"))

    def columns(self):
        return [
            Column(_("Time"), lambda o: _dt(o.at)),
            Column(_("Ticket"), lambda o: o.ticket.number, lambda o: _url("ticket-detail", o.ticket_id)),
            Column(_("Group"), lambda o: o.ticket.group.name),
            Column(_("Unit"), lambda o: str(o.ticket.unit)),
            Column(_("Event"), lambda o: str(self.parts.get(o.action, o.action))),
            Column(_("Recorded by (agent)"), lambda o: str(o.ticket.opened_by)),
            Column(_("Note"), lambda o: o.note),
        ]


# ---- complaints and consultations (CMP-1..3) -------------------------------------------------


class _Answers(Kpi):
    """Received in the month: answered by the answer time, late (answered late, or unanswered past
    it), or still within the time."""

    section = "complaints"
    model_label = "tickets.Complaint"
    unit_path = "group__unit"
    person_path = "account_manager"
    scope_spec_path = "tickets.scopes.COMPLAINT_SCOPE"
    parts = {"in_time": _("answered in time"), "late": _("late"), "pending": _("open, within the time")}
    select_related = ("group", "account_manager", "contact")
    order_by = ("-received_at", "-pk")
    kind = ""

    def base(self, w):
        from tickets.models import Complaint

        return Complaint.objects.filter(_in_month("received_at", w), kind=self.kind)

    def _q(self, w):
        return {
            "in_time": Q(answered_at__isnull=False, answered_at__lte=F("answer_due")),
            "late": Q(answered_at__gt=F("answer_due")) | Q(answered_at__isnull=True, answer_due__lt=w.ref),
            "pending": Q(answered_at__isnull=True, answer_due__gte=w.ref),
        }

    def counters(self, w):
        return {
            "total": Count("pk"),
            **{k: Count("pk", filter=q) for k, q in self._q(w).items()},
            "escalated_n": Count("pk", filter=Q(escalated=True)),
        }

    def part_q(self, w, part):
        if part == "escalated":
            return Q(escalated=True)
        return self._q(w).get(part, Q())

    def derive(self, c):
        return {"rate": rate(c.get("in_time"), (c.get("in_time") or 0) + (c.get("late") or 0))}

    def columns(self):
        return [
            Column(_("Received"), lambda o: _dt(o.received_at)),
            *_group_col(),
            Column(_("Channel"), lambda o: o.get_channel_display()),
            Column(_("Account manager"), lambda o: str(o.account_manager)),
            Column(_("Answer by"), lambda o: _dt(o.answer_due)),
            Column(_("Answered"), lambda o: _dt(o.answered_at)),
            Column(_("Status"), lambda o: o.get_status_display()),
        ]


class Complaints(_Answers):
    code = "complaints"
    title = _("Complaints answered in time")
    kind = "complaint"


class Consultations(_Answers):
    code = "consultations"
    title = _("Consultations answered in time")
    kind = "consultation"


# ---- members, retention and churn (KPI-2, RET-2, GC-2) ---------------------------------------


def _three_months_before(d: dt.date) -> dt.date:
    first = add_months(d.replace(day=1), -3)
    last_day = (add_months(first, 1) - dt.timedelta(days=1)).day
    return first.replace(day=min(d.day, last_day))


def _member_on(d: dt.date) -> Q:
    """A member line on day d: joined by then and not gone (a line that left without a date is gone)."""
    return (Q(joined_on__isnull=True) | Q(joined_on__lte=d)) & (
        Q(left_on__isnull=True, status="active") | Q(left_on__gt=d)
    )


class Members(Kpi):
    """Member lines at the end of the month and three months earlier: the denominator of the
    per-10 000 indicators (KPI-2) and the group retention rate (members now ÷ 3 months ago, RET-2)."""

    code = "members"
    title = _("Members and group retention")
    section = "retention"
    model_label = "groupclients.Member"
    unit_path = "group__unit"
    person_path = "group__account_manager"
    scope_spec_path = "groupclients.scopes.MEMBER_SCOPE"
    parts = {"now": _("members at the end of the month"), "gone": _("left within the last three months")}
    select_related = ("group",)
    order_by = ("group__name", "mobile")

    def base(self, w):
        from groupclients.models import Member

        return Member.objects.all()

    def counters(self, w):
        now, before = w.ref_date, _three_months_before(w.ref_date)
        return {
            "members_end": Count("pk", filter=_member_on(now)),
            "members_3m": Count("pk", filter=_member_on(before)),
        }

    def part_q(self, w, part):
        now, before = w.ref_date, _three_months_before(w.ref_date)
        if part == "now":
            return _member_on(now)
        if part == "gone":
            return _member_on(before) & ~_member_on(now)
        return Q()

    def derive(self, c):
        return {"retention_rate": rate(c.get("members_end"), c.get("members_3m"))}

    def columns(self):
        return [
            Column(_("Mobile"), lambda o: o.mobile[:3] + "****" + o.mobile[-4:]),
            *_group_col(),
            Column(_("Status"), lambda o: o.get_status_display()),
            Column(_("Joined"), lambda o: _d(o.joined_on)),
            Column(_("Left"), lambda o: _d(o.left_on)),
        ]


class Churn(Kpi):
    code = "churn"
    title = _("Churn (groups)")
    section = "retention"
    model_label = "groupclients.GroupStatusChange"
    unit_path = "group__unit"
    person_path = "group__account_manager"
    parts = {"churned": _("churned"), "won": _("prospects won"), "reactivated": _("reactivated")}
    select_related = ("group", "group__account_manager", "by")
    order_by = ("-at", "-pk")

    def base(self, w):
        from groupclients.models import GroupStatusChange

        return GroupStatusChange.objects.filter(_in_month("at", w))

    def _q(self):
        return {
            "churned": Q(to_status="churned"),
            "won": Q(from_status="prospect", to_status="active"),
            "reactivated": Q(from_status="churned", to_status="active"),
        }

    def counters(self, w):
        return {k: Count("pk", filter=q) for k, q in self._q().items()}

    def part_q(self, w, part):
        return self._q().get(part, Q())

    def columns(self):
        return [
            Column(_("Time"), lambda o: _dt(o.at)),
            *_group_col(),
            Column(_("Account manager"), lambda o: str(o.group.account_manager)),
            Column(
                pgettext_lazy("group status change", "Change"),
                lambda o: f"{o.get_from_status_display()} → {o.get_to_status_display()}",
            ),
            Column(_("Reason"), lambda o: o.reason),
        ]


# ---- penalties (PEN-1) -------------------------------------------------------------------------


class Penalties(Kpi):
    """Performance-ledger entries of the month, reversed entries excluded. Points are negative."""

    code = "penalties"
    title = _("Penalties (performance ledger)")
    section = "penalties"
    model_label = "tickets.LedgerEntry"
    unit_path = "person__unit"
    person_path = "person"
    group_path = None
    scope_spec_path = "tickets.scopes.LEDGER_SCOPE"
    select_related = ("person", "branch", "source_type")
    order_by = ("-created_at", "-pk")

    @property
    def parts(self):
        from tickets.models import LedgerEntry

        return dict(LedgerEntry.Rule.choices)

    def base(self, w):
        from tickets.models import LedgerEntry

        return LedgerEntry.objects.filter(month=w.month, reversed_at__isnull=True)

    def counters(self, w):
        from tickets.models import LedgerEntry

        return {
            "entries": Count("pk"),
            "points_sum": Sum("points"),
            "money_sum": Sum("money"),
            **{f"r_{r}": Count("pk", filter=Q(rule=r)) for r in LedgerEntry.Rule.values},
        }

    def unit_expr(self):
        # an entry against a branch (SAT-5) has no person: it belongs to the branch node
        return Coalesce(F("person__unit"), F("branch"))

    def scope_q(self, scope):
        ids = scope.unit_ids
        q = Q()
        if ids is not None:
            q = Q(person__unit__in=ids) | Q(person__isnull=True, branch__in=ids)
        if scope.person is not None:
            q &= Q(person=scope.person.pk)
        return q

    def part_q(self, w, part):
        return Q(rule=part)

    def columns(self):
        return [
            Column(_("Month"), lambda o: f"{o.month:%Y-%m}"),
            Column(_("Against"), lambda o: str(o.person or o.branch)),
            Column(_("Rule"), lambda o: o.get_rule_display()),
            Column(_("Points"), lambda o: float(o.points)),
            Column(_("Money (CNY)"), lambda o: float(o.money)),
            Column(_("Note"), lambda o: o.note),
            Column(_("Recorded"), lambda o: _dt(o.created_at)),
        ]


# ---- issue 6: retention alerts, arrears, credit control (RET-3, CC-9, CC-10) -------------------


class Alerts(Kpi):
    """Retention alerts: raised in the month; open and overdue at its end; closed in it, and of the
    closed ones retained ÷ (retained + lost)."""

    code = "alerts"
    title = _("Retention alerts")
    section = "retention"
    model_label = "groupclients.RetentionAlert"
    unit_path = "group__unit"
    person_path = "assigned_am"
    optional = True
    parts = {
        "raised": _("raised"),
        "open": _("open at the end of the month"),
        "overdue": _("overdue at the end of the month"),
        "retained": _("retained"),
        "lost": _("lost"),
        "not_risk": _("not a risk"),
    }
    select_related = ("group", "assigned_am")
    order_by = ("due_at",)

    def base(self, w):
        return self.model.objects.filter(
            Q(created_at__lt=w.end)
            & (Q(created_at__gte=w.start) | Q(closed_at__isnull=True) | Q(closed_at__gte=w.start))
        )

    def _q(self, w):
        open_q = Q(created_at__lt=w.ref) & (Q(closed_at__isnull=True) | Q(closed_at__gte=w.ref))
        closed_in = _in_month("closed_at", w)
        return {
            "raised": _in_month("created_at", w),
            "open": open_q,
            "overdue": open_q & Q(due_at__lt=w.ref),
            "closed": closed_in,
            "retained": closed_in & Q(status="retained"),
            "lost": closed_in & Q(status="lost"),
            "not_risk": closed_in & Q(status="not_risk"),
        }

    def counters(self, w):
        return {k: Count("pk", filter=q) for k, q in self._q(w).items()}

    def part_q(self, w, part):
        return self._q(w).get(part, Q())

    def derive(self, c):
        return {"retained_rate": rate(c.get("retained"), (c.get("retained") or 0) + (c.get("lost") or 0))}

    def columns(self):
        return [
            Column(_("Raised"), lambda o: _dt(o.created_at), lambda o: _url("alert-detail", o.pk)),
            *_group_col(),
            Column(_("Type"), lambda o: o.get_type_display()),
            Column(_("Level"), lambda o: o.level),
            Column(_("Account manager"), lambda o: str(o.assigned_am)),
            Column(_("Due"), lambda o: _dt(o.due_at)),
            Column(_("Status"), lambda o: o.get_status_display()),
        ]


ARREARS_BUCKETS = (
    ("m0_1", 0, 1, _("≤ 1 month")),
    ("m2_3", 2, 3, _("2–3 months")),
    ("m4_6", 4, 6, _("4–6 months")),
    ("m7_12", 7, 12, _("7–12 months")),
    ("m13", 13, None, _("over 12 months")),
)


def _bucket_q(lo: int, hi: int | None) -> Q:
    q = Q(ageing_months__gte=lo)
    return q & Q(ageing_months__lte=hi) if hi is not None else q


class Arrears(Kpi):
    """The month-end arrears snapshot (CC-9) by age: accounts and amount per bucket."""

    code = "arrears"
    title = _("Arrears by age")
    section = "credit"
    model_label = "groupclients.ArrearsSnapshot"
    unit_path = "group__unit"
    person_path = "group__account_manager"
    optional = True
    parts = {b[0]: b[3] for b in ARREARS_BUCKETS}
    select_related = ("group", "account")
    order_by = ("-ageing_months", "-amount_due")

    def base(self, w):
        return self.model.objects.filter(month=w.month)

    def counters(self, w):
        out = {"accounts": Count("pk"), "amount": Sum("amount_due")}
        for code, lo, hi, _label in ARREARS_BUCKETS:
            out[f"n_{code}"] = Count("pk", filter=_bucket_q(lo, hi))
            out[f"amt_{code}"] = Sum("amount_due", filter=_bucket_q(lo, hi))
        return out

    def part_q(self, w, part):
        for code, lo, hi, _label in ARREARS_BUCKETS:
            if code == part:
                return _bucket_q(lo, hi)
        return Q()

    def columns(self):
        return [
            Column(_("Account"), lambda o: str(o.account), lambda o: _url("account-detail", o.account_id)),
            *_group_col(),
            Column(_("Amount due"), lambda o: float(o.amount_due)),
            Column(_("Age (months)"), lambda o: o.ageing_months),
            Column(_("Days overdue"), lambda o: o.overdue_days),
        ]


CREDIT_ACTIONS = ("reminder", "half_suspend", "suspend", "resume", "disconnect", "emergency_resume", "delay")


class CreditOrders(Kpi):
    """Credit-control work orders of the month by action (CC-10): suspensions, emergency resumes…"""

    code = "credit"
    title = _("Credit control")
    section = "credit"
    model_label = "groupclients.CreditOrder"
    unit_path = "account__group__unit"
    person_path = "account__group__account_manager"
    group_path = "account__group"
    optional = True
    select_related = ("account", "account__group")
    order_by = ("-created_at", "-pk")

    @property
    def parts(self):
        labels = dict(self.model.Action.choices) if self.model is not None and hasattr(self.model, "Action") else {}
        return {a: labels.get(a, a) for a in CREDIT_ACTIONS}

    def base(self, w):
        return self.model.objects.filter(_in_month("created_at", w))

    def counters(self, w):
        return {f"a_{a}": Count("pk", filter=Q(action=a)) for a in CREDIT_ACTIONS}

    def part_q(self, w, part):
        return Q(action=part)

    def columns(self):
        return [
            Column(_("Time"), lambda o: _dt(o.created_at)),
            Column(_("Account"), lambda o: str(o.account), lambda o: _url("account-detail", o.account_id)),
            Column(_("Group"), lambda o: o.account.group.name if o.account.group_id else ""),
            Column(_("Action"), lambda o: o.get_action_display()),
            Column(_("Rule"), lambda o: o.rule),
        ]


KPIS: list[Kpi] = [
    GroupVisitCompliance(),
    ContactVisitCompliance(),
    VisitsLogged(),
    ContactCoverage(),
    CoreFields(),
    Surveys(),
    Repairs(),
    Tickets(),
    Sla(),
    JointVisits(),
    TicketEvents(),
    Complaints(),
    Consultations(),
    Members(),
    Churn(),
    Alerts(),
    Arrears(),
    CreditOrders(),
    Penalties(),
]
KPI_BY_CODE: dict[str, Kpi] = {k.code: k for k in KPIS}


def available_kpis() -> list[Kpi]:
    return [k for k in KPIS if k.available()]


# ---- figures built on several KPIs, and what people and units are ranked by -------------------


def cross_figures(figs: dict[str, dict]) -> dict:
    """KPI-2: complaints and fault reports per 10 000 members (at the end of the month)."""
    members = figs.get("members", {}).get("members_end") or 0

    def per10k(n):
        return round(10000.0 * n / members, 2) if members else None

    return {
        "complaints_per_10k": per10k(figs.get("complaints", {}).get("total", 0)),
        "faults_per_10k": per10k(figs.get("tickets", {}).get("total", 0)),
    }


@dataclass(frozen=True)
class RankMetric:
    code: str
    label: Any
    kpis: tuple[str, ...]
    value: Callable[[dict], float | None]
    higher_is_better: bool = True
    unit: str = "%"


def _visit_rate(f: dict) -> float | None:
    g, c = f.get("visits_groups", {}), f.get("visits_contacts", {})
    return rate((g.get("done") or 0) + (c.get("done") or 0), (g.get("total") or 0) + (c.get("total") or 0))


RANK_METRICS: list[RankMetric] = [
    RankMetric("visit_rate", _("Visit compliance"), ("visits_groups", "visits_contacts"), _visit_rate),
    RankMetric("satisfied_rate", _("Satisfied"), ("surveys",), lambda f: f.get("surveys", {}).get("satisfied_rate")),
    RankMetric("repairs_rate", _("Repairs on time"), ("repairs",), lambda f: f.get("repairs", {}).get("rate")),
    RankMetric("joint_rate", _("Joint visits"), ("joint_visits",), lambda f: f.get("joint_visits", {}).get("rate")),
    RankMetric("sla_rate", _("SLA met"), ("sla",), lambda f: f.get("sla", {}).get("rate")),
    RankMetric(
        "complaints_rate", _("Complaints in time"), ("complaints",), lambda f: f.get("complaints", {}).get("rate")
    ),
    RankMetric(
        "penalty_points",
        _("Penalty points"),
        ("penalties",),
        lambda f: f.get("penalties", {}).get("points_sum"),
        higher_is_better=True,
        unit="",
    ),
]
RANK_BY_CODE = {m.code: m for m in RANK_METRICS}
RANK_KPIS = sorted({k for m in RANK_METRICS for k in m.kpis})
