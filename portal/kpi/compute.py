"""Assembling the figures of a scope and month.

`kpi_report(scope, month)` is the one function the dashboard, the scorecard, the Excel exports and
the API call, so they cannot show different numbers. Figures come from one of three places:

  snapshot  a closed month: its frozen `KpiSnapshot` rows (a handful of indexed rows);
  counted   an open month (the current one): provisional rows of the same shape, counted for the
            whole province at most `kpi.live_refresh_seconds` ago (a job recounts every 5 minutes;
            "recount now" on the page; an older count is recounted on view);
  live      counted from the records for this very request (policy value 0).

Counting is always `live_cells`: one aggregate query per KPI grouped by unit (and person), added up
here or by `closing.snapshot_write` — the same addition, so a month reads the same whichever way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from accounts.models import OrgUnit, User

from .definitions import (
    KPI_BY_CODE,
    RANK_BY_CODE,
    RANK_KPIS,
    RANK_METRICS,
    Kpi,
    available_kpis,
    cross_figures,
)
from .models import KpiMonth, KpiSnapshot
from .periods import Window, add_months
from .policies import current_targets
from .scope import Scope

TREND_MONTHS = 12


# ---- counters → figures -----------------------------------------------------------------------


def add_into(target: dict, counters: dict) -> None:
    for k, v in counters.items():
        if v:
            target[k] = target.get(k, 0) + v


def finish(counters: dict[str, dict], w: Window, kpis: Iterable[Kpi] | None = None) -> dict[str, dict]:
    """Counters per KPI → figures per KPI (every counter, zero-filled, plus the derived rates)."""
    figs: dict[str, dict] = {}
    for kpi in kpis if kpis is not None else available_kpis():
        c = dict.fromkeys(kpi.counter_names(w), 0)
        c.update(counters.get(kpi.code, {}))
        c = {k: round(v, 2) if isinstance(v, float) else v for k, v in c.items()}
        figs[kpi.code] = {**c, **kpi.derive(c)}
    figs["cross"] = cross_figures(figs)
    return figs


def rank_values(figs: dict[str, dict]) -> dict[str, float | None]:
    return {m.code: m.value(figs) for m in RANK_METRICS}


def compact(counters: dict[str, dict]) -> dict[str, dict]:
    """For storage: zero counters left out (a person's row is mostly zeros)."""
    return {code: {k: v for k, v in c.items() if v} for code, c in counters.items() if any(c.values())}


# ---- the organisation tree --------------------------------------------------------------------


def ancestors_map() -> dict[int | None, list[int]]:
    """node id → [node, its branch, its province] (each once); None (no unit) → [provinces]."""
    rows = {pk: (level, parent) for pk, level, parent in OrgUnit.objects.values_list("pk", "level", "parent_id")}
    out: dict[int | None, list[int]] = {}
    for pk in rows:
        chain, node = [], pk
        while node is not None and node not in chain:
            chain.append(node)
            node = rows[node][1] if node in rows else None
        out[pk] = chain
    out[None] = [pk for pk, (level, _p) in rows.items() if level == OrgUnit.Level.PROVINCE][:1]
    return out


# ---- live computation -------------------------------------------------------------------------


def live_cells(
    w: Window, scope: Scope, *, by_person: bool | str, kpis: Iterable[Kpi] | None = None
) -> dict[str, list[tuple[tuple, dict]]]:
    """{kpi: [((unit,) or (unit, person), counters)]}: one grouped query per KPI. Persons only for
    the KPIs people are ranked by (or all of them, `by_person="all"`, for the close)."""
    out = {}
    for kpi in kpis if kpis is not None else available_kpis():
        person = by_person == "all" or (by_person and kpi.code in RANK_KPIS)
        out[kpi.code] = kpi.cells(w, scope, ("unit", "person") if person else ("unit",))
    return out


@dataclass
class RankRow:
    key: int
    label: str
    metrics: dict[str, float | None]
    figures: dict | None = None
    node: OrgUnit | None = None
    person: Any = None


class PeopleRanking:
    """AMs of a scope ranked by one metric (best first). Live: computed in full and sorted here;
    frozen: sorted and sliced by the database (an AM ranking can be 10 000 rows long)."""

    def __init__(self, *, rows: list[RankRow] | None = None, queryset: QuerySet | None = None, metric: str):
        self.metric = metric
        self._rows = rows
        self._qs = queryset

    @property
    def count(self) -> int:
        return len(self._rows) if self._rows is not None else self._qs.count()

    def slice(self, start: int, stop: int) -> list[RankRow]:
        if self._rows is not None:
            rows = self._rows[start:stop]
            people = User.objects.in_bulk([r.key for r in rows if r.person is None])
            for r in rows:
                if r.person is None:
                    r.person = people.get(r.key)
                    r.label = str(r.person) if r.person else str(r.key)
            return rows
        out = []
        for s in self._qs[start:stop]:
            out.append(
                RankRow(
                    key=s.person_id,
                    label=str(s.person),
                    person=s.person,
                    metrics={m.code: getattr(s, m.code) for m in RANK_METRICS},
                )
            )
        return out

    def top(self, n: int) -> list[RankRow]:
        return self.slice(0, n)

    def bottom(self, n: int) -> list[RankRow]:
        total = self.count
        return self.slice(max(n, total - n), total) if total > n else []


def _sort_key(metric: str):
    m = RANK_BY_CODE[metric]

    def key(r: RankRow):
        v = r.metrics.get(metric)
        return (v is None, -(v or 0) if m.higher_is_better else (v or 0), r.key)

    return key


@dataclass
class Report:
    scope: Scope
    window: Window
    source: str  # "live" | "snapshot"
    state: KpiMonth | None
    figures: dict[str, dict]
    targets: dict[str, float]
    units: list[RankRow] = field(default_factory=list)
    branches: list[RankRow] = field(default_factory=list)
    people: PeopleRanking | None = None
    rank_by: str = "visit_rate"
    trend: list[dict] = field(default_factory=list)
    counted_at: dt.datetime | None = None  # when an open month's provisional figures were counted

    @property
    def closed(self) -> bool:
        return self.source == "snapshot"

    @property
    def counted(self) -> bool:
        return self.source == "counted"

    @property
    def metrics(self) -> dict[str, float | None]:
        return rank_values(self.figures)

    def as_dict(self, *, people: int = 20) -> dict:
        """The API's answer (and the page's numbers): plain JSON types only."""

        def rows(items):
            return [{"id": r.key, "name": r.label, **r.metrics} for r in items]

        out = {
            "scope": {
                "code": self.scope.node.code,
                "name": self.scope.node.name,
                "level": self.scope.node.level,
                "person": ({"id": self.scope.person.pk, "name": str(self.scope.person)} if self.scope.person else None),
            },
            "month": self.window.label,
            "closed": self.closed,
            "source": self.source,
            "closed_at": self.state.closed_at.isoformat() if self.closed and self.state.closed_at else None,
            "counted_at": self.counted_at.isoformat() if self.counted_at else None,
            "figures": self.figures,
            "metrics": self.metrics,
            "targets": self.targets,
            "units": rows(self.units),
            "branches": rows(self.branches),
            "trend": self.trend,
            "rank_by": self.rank_by,
        }
        if self.people is not None:
            out["people"] = {"count": self.people.count, "top": rows(self.people.top(people))}
        return out


def month_state(month: dt.date) -> KpiMonth | None:
    return KpiMonth.objects.filter(month=month).first()


def kpi_report(
    scope: Scope, month: dt.date, *, rank_by: str = "visit_rate", now: dt.datetime | None = None, trend: bool = True
) -> Report:
    """The figures of `scope` for `month`: frozen when the month is closed, counted otherwise."""
    from portal.policy import policy

    w = Window.for_month(month, now=now)
    if rank_by not in RANK_BY_CODE:
        rank_by = "visit_rate"
    state = month_state(w.month)
    if state is not None and state.status == KpiMonth.Status.CLOSED:
        report = _snapshot_report(scope, w, state, rank_by)
    else:
        max_age = int(policy("kpi.live_refresh_seconds"))
        if max_age == 0:
            report = _live_report(scope, w, state, rank_by)
        else:
            from .closing import month_count

            if state is None or not state.is_counted(max_age):
                state = month_count(w.month, max_age=max_age)
            report = _snapshot_report(scope, w, state, rank_by, source="counted")
    if trend:
        report.trend = _trend(scope, report)
    return report


def _live_report(scope: Scope, w: Window, state: KpiMonth | None, rank_by: str) -> Report:
    by_person = scope.person is None
    kpis = available_kpis()
    cells = live_cells(w, scope, by_person=by_person, kpis=kpis)
    anc = ancestors_map()
    total: dict[str, dict] = defaultdict(dict)
    per_node: dict[int | None, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    per_person: dict[int, dict[str, dict]] = defaultdict(lambda: defaultdict(dict))
    for code, rows in cells.items():
        for key, counters in rows:
            add_into(total[code], counters)
            for node in anc.get(key[0], [])[:2]:  # the unit and its branch (not the province)
                add_into(per_node[node][code], counters)
            if len(key) > 1 and key[1] is not None:
                add_into(per_person[key[1]][code], counters)
    report = Report(
        scope=scope,
        window=w,
        source="live",
        state=state,
        figures=finish(total, w, kpis),
        targets=current_targets(),
        rank_by=rank_by,
    )
    if scope.person is None:
        report.units, report.branches = _node_rows(scope, lambda n: finish(per_node.get(n, {}), w, kpis))
        rank_kpis = [KPI_BY_CODE[c] for c in RANK_KPIS if c in KPI_BY_CODE and KPI_BY_CODE[c].available()]
        ams = (
            set(User.objects.filter(roles__code="am", pk__in=list(per_person)).values_list("pk", flat=True))
            if len(per_person) < 5000
            else set(User.objects.filter(roles__code="am").values_list("pk", flat=True))
        )
        rows = [
            RankRow(key=pk, label=str(pk), metrics=rank_values(finish(c, w, rank_kpis)))
            for pk, c in per_person.items()
            if pk in ams
        ]
        rows.sort(key=_sort_key(rank_by))
        report.people = PeopleRanking(rows=rows, metric=rank_by)
    return report


def _node_rows(scope: Scope, figures_for) -> tuple[list[RankRow], list[RankRow]]:
    """The units (and for the province, the branches) of the scope, with their figures."""
    nodes = OrgUnit.objects.exclude(level=OrgUnit.Level.PROVINCE).order_by("code")
    if scope.unit_ids is not None:
        nodes = nodes.filter(pk__in=scope.unit_ids).exclude(pk=scope.node.pk)
    units, branches = [], []
    for n in nodes:
        figs = figures_for(n.pk)
        row = RankRow(key=n.pk, label=n.name, node=n, metrics=rank_values(figs), figures=figs)
        (units if n.level == OrgUnit.Level.UNIT else branches).append(row)
    return units, branches


# ---- frozen months ----------------------------------------------------------------------------


def _snapshot_report(scope: Scope, w: Window, state: KpiMonth, rank_by: str, source: str = "snapshot") -> Report:
    kpis = available_kpis()
    row = KpiSnapshot.objects.filter(month=w.month, org=scope.node, person=scope.person).only("data").first()
    report = Report(
        scope=scope,
        window=w,
        source=source,
        state=state,
        figures=finish(row.data if row else {}, w, kpis),
        # a closed month keeps the targets it was assessed against; an open one uses today's
        targets=(state.targets if source == "snapshot" else None) or current_targets(),
        rank_by=rank_by,
        counted_at=state.counted_at if source == "counted" else None,
    )
    if scope.person is None:
        node_data = {
            s.org_id: s.data
            for s in KpiSnapshot.objects.filter(
                month=w.month,
                person__isnull=True,
                **({"org__in": scope.unit_ids} if scope.unit_ids is not None else {}),
            ).only("org_id", "data")
        }
        report.units, report.branches = _node_rows(scope, lambda n: finish(node_data.get(n, {}), w, kpis))
        metric = RANK_BY_CODE[rank_by]
        order = F(rank_by).desc(nulls_last=True) if metric.higher_is_better else F(rank_by).asc(nulls_last=True)
        qs = (
            KpiSnapshot.objects.filter(month=w.month, org=scope.node, person__isnull=False, is_am=True)
            .select_related("person")
            .only("person", *[m.code for m in RANK_METRICS])
            .order_by(order, "person_id")
        )
        report.people = PeopleRanking(queryset=qs, metric=rank_by)
    return report


def _trend(scope: Scope, report: Report) -> list[dict]:
    """The last twelve months of the scope from their snapshot rows (closed, or counted while open);
    the report's own month from the report; a month with neither is a gap."""
    w = report.window
    months = [add_months(w.month, -i) for i in range(TREND_MONTHS - 1, -1, -1)]
    states = {s.month: s for s in KpiMonth.objects.filter(month__in=months)}
    closed = {m for m, s in states.items() if s.status == KpiMonth.Status.CLOSED}
    readable = closed | {m for m, s in states.items() if s.counted_at is not None}
    snaps = {
        s.month: s
        for s in KpiSnapshot.objects.filter(month__in=readable, org=scope.node, person=scope.person).only(
            "month", "data"
        )
    }
    kpis = [k for k in available_kpis() if k.code in ("tickets", "complaints", "members", *RANK_KPIS)]
    out = []
    for m in months:
        if m == w.month:
            figs = report.figures
        elif m in readable:
            snap = snaps.get(m)
            figs = finish(snap.data if snap else {}, Window.for_month(m), kpis)
        else:
            out.append({"month": f"{m:%Y-%m}", "closed": False, "live": False})
            continue
        out.append(
            {
                "month": f"{m:%Y-%m}",
                "closed": m in closed,
                "live": m == w.month and w.live,
                **rank_values(figs),
                "tickets": figs.get("tickets", {}).get("total"),
                **dict(figs.get("cross", {}).items()),
            }
        )
    return out
