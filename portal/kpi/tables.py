"""Every table of the KPI pages as data: the page renders it, the Excel export writes it — the same
rows, so what is exported is what was shown."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from .compute import Report
from .definitions import (
    ARREARS_BUCKETS,
    CREDIT_ACTIONS,
    GRADES,
    KPI_BY_CODE,
    RANK_METRICS,
    STATUS_LABELS,
    STATUSES,
)


@dataclass
class Cell:
    value: Any
    url: str | None = None
    cls: str = ""
    unit: str = ""

    def __str__(self) -> str:
        return fmt(self.value, self.unit)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""


def fmt(v: Any, unit: str = "") -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, float):
        text = f"{v:,.1f}" if abs(v) < 1e6 else f"{v:,.0f}"
    elif isinstance(v, int):
        text = f"{v:,}"
    else:
        return str(v)
    return f"{text} {unit}".strip() if unit else text


class Links:
    """URLs of the drill-down pages for one scope and month."""

    def __init__(self, report: Report):
        self.report = report
        self.base = {"scope": report.scope.node.code, "month": report.window.label}
        if report.scope.person is not None:
            self.base["am"] = report.scope.person.pk

    def records(self, kpi: str, part: str = "", **extra) -> str | None:
        k = KPI_BY_CODE.get(kpi)
        if k is None or not k.available():
            return None
        params = {**self.base, **({"part": part} if part else {}), **{a: b for a, b in extra.items() if b}}
        return f"{reverse('kpi-records', args=[kpi])}?{urlencode(params)}"

    def dashboard(self, **params) -> str:
        return f"{reverse('kpi-dashboard')}?{urlencode({**self.base, **params})}"

    def scorecard(self, am: int) -> str:
        return f"{reverse('kpi-scorecard')}?{urlencode({'am': am, 'month': self.report.window.label})}"


# ---- the headline figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    section: Any
    label: Any
    value: Callable[[dict], Any]
    unit: str = ""
    kpi: str = ""
    part: str = ""
    detail: Callable[[dict], str] | None = None
    target: str = ""  # the rank metric whose target applies
    headline: bool = False


def _g(kpi: str, key: str) -> Callable[[dict], Any]:
    return lambda f: f.get(kpi, {}).get(key) if kpi in f else None


def _of(kpi: str, num: str, den: str) -> Callable[[dict], str]:
    def detail(f):
        c = f.get(kpi)
        if c is None:
            return ""
        return _("%(num)s of %(den)s") % {"num": fmt(c.get(num)), "den": fmt(c.get(den))}

    return detail


def _visit_detail(f):
    g, c = f.get("visits_groups", {}), f.get("visits_contacts", {})
    return _("done %(done)s of %(total)s; overdue %(overdue)s") % {
        "done": fmt(g.get("done", 0) + c.get("done", 0)),
        "total": fmt(g.get("total", 0) + c.get("total", 0)),
        "overdue": fmt(g.get("overdue", 0) + c.get("overdue", 0)),
    }


def _per10k(f: dict, kpi: str) -> str:
    return _("%(n)s among %(m)s members") % {
        "n": fmt(f.get(kpi, {}).get("total")),
        "m": fmt(f.get("members", {}).get("members_end")),
    }


def _sum(kpi: str, *keys: str):
    return lambda f: sum(f[kpi].get(k, 0) for k in keys) if kpi in f else None


S_VISITS, S_DATA, S_SAT = gettext_lazy("Visits"), gettext_lazy("Customer file"), gettext_lazy("Satisfaction")
S_TICKETS, S_CMP = gettext_lazy("Fault tickets"), gettext_lazy("Complaints and consultations")
S_RET, S_CREDIT, S_PEN = gettext_lazy("Retention"), gettext_lazy("Credit control"), gettext_lazy("Penalties")

FIGURES: list[Figure] = [
    Figure(
        S_VISITS,
        gettext_lazy("Visit compliance (groups and contacts)"),
        lambda f: _metric(f, "visit_rate"),
        "%",
        "visits_groups",
        "overdue",
        _visit_detail,
        "visit_rate",
        True,
    ),
    Figure(
        S_VISITS,
        gettext_lazy("Group visits done"),
        _g("visits_groups", "rate"),
        "%",
        "visits_groups",
        "overdue",
        _of("visits_groups", "done", "total"),
    ),
    Figure(
        S_VISITS,
        gettext_lazy("Contact visits done"),
        _g("visits_contacts", "rate"),
        "%",
        "visits_contacts",
        "overdue",
        _of("visits_contacts", "done", "total"),
    ),
    Figure(S_VISITS, gettext_lazy("Visits logged"), _g("visits", "total"), "", "visits"),
    Figure(
        S_DATA,
        gettext_lazy("Contact coverage (CT-2 minimum met)"),
        _g("contact_coverage", "rate"),
        "%",
        "contact_coverage",
        "below_minimum",
        _of("contact_coverage", "meets_minimum", "total"),
        headline=True,
    ),
    Figure(
        S_DATA,
        gettext_lazy("Groups with a primary contact"),
        _g("contact_coverage", "primary_rate"),
        "%",
        "contact_coverage",
        "no_primary",
        _of("contact_coverage", "has_primary", "total"),
    ),
    Figure(
        S_DATA,
        gettext_lazy("Core-field completeness"),
        _g("core_fields", "rate"),
        "%",
        "core_fields",
        "incomplete",
        _of("core_fields", "complete", "total"),
        headline=True,
    ),
    Figure(S_SAT, gettext_lazy("Surveys sent"), _g("surveys", "sent"), "", "surveys"),
    Figure(
        S_SAT,
        gettext_lazy("Surveys answered"),
        _g("surveys", "answered_rate"),
        "%",
        "surveys",
        "unanswered",
        _of("surveys", "answered", "sent"),
    ),
    Figure(
        S_SAT,
        gettext_lazy("Satisfied (1 or 2)"),
        _g("surveys", "satisfied_rate"),
        "%",
        "surveys",
        "dissatisfied",
        _of("surveys", "satisfied", "answered"),
        "satisfied_rate",
        True,
    ),
    Figure(
        S_SAT,
        gettext_lazy("Satisfaction repairs on time"),
        _g("repairs", "rate"),
        "%",
        "repairs",
        "late",
        _of("repairs", "on_time", "total"),
        "repairs_rate",
        True,
    ),
    Figure(S_TICKETS, gettext_lazy("Fault tickets opened"), _g("tickets", "total"), "", "tickets"),
    Figure(
        S_TICKETS,
        gettext_lazy("SLA met"),
        _g("sla", "rate"),
        "%",
        "sla",
        "breach",
        _of("sla", "met", "total"),
        "sla_rate",
        True,
    ),
    Figure(
        S_TICKETS,
        gettext_lazy("Mean time to restore"),
        _g("sla", "mttr_hours"),
        pgettext_lazy("unit: hours", "h"),
        "sla",
        "",
        lambda f: _("%(n)s restored") % {"n": fmt(f.get("sla", {}).get("total"))},
        headline=True,
    ),
    Figure(
        S_TICKETS,
        gettext_lazy("Joint fault visits (A/B)"),
        _g("joint_visits", "rate"),
        "%",
        "joint_visits",
        "not_participated",
        _of("joint_visits", "attended", "total"),
        "joint_rate",
        True,
    ),
    Figure(S_TICKETS, gettext_lazy("Misroutes"), _g("ticket_events", "misroutes"), "", "ticket_events", "misroute"),
    Figure(
        S_TICKETS, gettext_lazy("SLA escalations"), _g("ticket_events", "escalations"), "", "ticket_events", "escalated"
    ),
    Figure(
        S_CMP,
        gettext_lazy("Complaints answered in time"),
        _g("complaints", "rate"),
        "%",
        "complaints",
        "late",
        _of("complaints", "in_time", "total"),
        "complaints_rate",
        True,
    ),
    Figure(
        S_CMP,
        gettext_lazy("Consultations answered in time"),
        _g("consultations", "rate"),
        "%",
        "consultations",
        "late",
        _of("consultations", "in_time", "total"),
    ),
    Figure(
        S_CMP,
        gettext_lazy("Complaints per 10 000 members"),
        _g("cross", "complaints_per_10k"),
        "",
        "complaints",
        "",
        lambda f: _per10k(f, "complaints"),
        headline=True,
    ),
    Figure(
        S_CMP,
        gettext_lazy("Fault reports per 10 000 members"),
        _g("cross", "faults_per_10k"),
        "",
        "tickets",
        "",
        lambda f: _per10k(f, "tickets"),
        headline=True,
    ),
    Figure(
        S_RET,
        gettext_lazy("Group retention rate (members now ÷ 3 months ago)"),
        _g("members", "retention_rate"),
        "%",
        "members",
        "gone",
        _of("members", "members_end", "members_3m"),
        headline=True,
    ),
    Figure(S_RET, gettext_lazy("Members at the end of the month"), _g("members", "members_end"), "", "members", "now"),
    Figure(S_RET, gettext_lazy("Groups churned"), _g("churn", "churned"), "", "churn", "churned", headline=True),
    Figure(S_RET, gettext_lazy("Retention alerts raised"), _g("alerts", "raised"), "", "alerts", "raised"),
    Figure(S_RET, gettext_lazy("Alerts open at the end of the month"), _g("alerts", "open"), "", "alerts", "open"),
    Figure(S_RET, gettext_lazy("Alerts overdue"), _g("alerts", "overdue"), "", "alerts", "overdue", headline=True),
    Figure(
        S_RET,
        gettext_lazy("Alerts retained (retained ÷ retained + lost)"),
        _g("alerts", "retained_rate"),
        "%",
        "alerts",
        "lost",
        _of("alerts", "retained", "closed"),
    ),
    Figure(
        S_CREDIT,
        gettext_lazy("Arrears at the end of the month (CNY)"),
        _g("arrears", "amount"),
        "",
        "arrears",
        "",
        lambda f: _("%(n)s accounts") % {"n": fmt(f.get("arrears", {}).get("accounts"))},
    ),
    Figure(
        S_CREDIT,
        gettext_lazy("Suspensions (full and half)"),
        _sum("credit", "a_suspend", "a_half_suspend"),
        "",
        "credit",
        "suspend",
        headline=True,
    ),
    Figure(
        S_CREDIT,
        gettext_lazy("Emergency resumes"),
        _g("credit", "a_emergency_resume"),
        "",
        "credit",
        "emergency_resume",
    ),
    Figure(
        S_PEN,
        gettext_lazy("Penalty points"),
        _g("penalties", "points_sum"),
        "",
        "penalties",
        "",
        lambda f: _("%(n)s entries") % {"n": fmt(f.get("penalties", {}).get("entries"))},
        "penalty_points",
        True,
    ),
    Figure(S_PEN, gettext_lazy("Money penalties (CNY)"), _g("penalties", "money_sum"), "", "penalties"),
]


def _metric(f: dict, code: str):
    from .definitions import RANK_BY_CODE

    return RANK_BY_CODE[code].value(f)


def figure_rows(report: Report, links: Links) -> list[dict]:
    """The headline figures with value, detail, link and target, for the cards and the summary."""
    out = []
    for fig in FIGURES:
        kpi = KPI_BY_CODE.get(fig.kpi)
        available = kpi is None or kpi.available()
        value = fig.value(report.figures) if available else None
        target = report.targets.get(fig.target) if fig.target else None
        met = None
        if target is not None and value is not None:
            met = value >= target
        out.append(
            {
                "fig": fig,
                "section": str(fig.section),
                "label": str(fig.label),
                "value": value,
                "text": fmt(value, fig.unit),
                "available": available,
                "detail": fig.detail(report.figures) if (fig.detail and available) else "",
                "url": links.records(fig.kpi, fig.part) if fig.kpi else None,
                "target": target,
                "met": met,
            }
        )
    return out


# ---- the tables ------------------------------------------------------------------------------


def summary_table(report: Report, links: Links) -> Table:
    t = Table(
        "summary",
        _("Figures"),
        [_("Area"), _("Indicator"), _("Value"), _("Detail"), pgettext("KPI target", "Target")],
    )
    for r in figure_rows(report, links):
        t.rows.append(
            [
                Cell(r["section"]),
                Cell(r["label"]),
                Cell(r["value"], r["url"], unit=r["fig"].unit),
                Cell(r["detail"]),
                Cell(
                    r["target"],
                    unit="%",
                    cls="" if r["met"] is None else ("text-success" if r["met"] else "text-danger"),
                ),
            ]
        )
    return t


def _column(who, what) -> str:
    return pgettext("table column: whose figure, which figure", "%(who)s: %(what)s") % {"who": who, "what": what}


def compliance_table(report: Report, links: Links) -> Table:
    t = Table(
        "compliance",
        _("Visit compliance by class"),
        [
            _("Class"),
            *[_column(_("Groups"), STATUS_LABELS[s]) for s in STATUSES],
            _("Groups: rate"),
            *[_column(_("Contacts"), STATUS_LABELS[s]) for s in STATUSES],
            _("Contacts: rate"),
        ],
    )
    for g in [*GRADES, ""]:
        row = [Cell(g or _("All"))]
        for code in ("visits_groups", "visits_contacts"):
            c = report.figures.get(code, {})
            for s in STATUSES:
                n = c.get(f"{g}_{s}" if g else s, 0)
                row.append(Cell(n, links.records(code, s, grade=g), "text-danger" if s == "overdue" and n else ""))
            row.append(Cell(c.get(f"{g}_rate" if g else "rate"), unit="%"))
        t.rows.append(row)
    return t


def tickets_table(report: Report, links: Links) -> Table:
    kpi = KPI_BY_CODE["tickets"]
    c = report.figures.get("tickets", {})
    t = Table("tickets", _("Fault tickets opened in the month, by state"), [_("State"), _("Tickets")])
    for code, label in kpi.parts.items():
        n = c.get(f"s_{code}", 0)
        if n:
            t.rows.append([Cell(str(label)), Cell(n, links.records("tickets", code))])
    t.rows.append([Cell(_("All")), Cell(c.get("total", 0), links.records("tickets"))])
    return t


def penalties_table(report: Report, links: Links) -> Table:
    kpi = KPI_BY_CODE["penalties"]
    c = report.figures.get("penalties", {})
    t = Table("penalties", _("Penalties by rule"), [_("Rule"), _("Entries")])
    for code, label in kpi.parts.items():
        t.rows.append([Cell(str(label)), Cell(c.get(f"r_{code}", 0), links.records("penalties", code))])
    t.rows.append([Cell(_("Points")), Cell(c.get("points_sum", 0))])
    t.rows.append([Cell(_("Money (CNY)")), Cell(c.get("money_sum", 0))])
    return t


def arrears_table(report: Report, links: Links) -> Table | None:
    if "arrears" not in report.figures:
        return None
    c = report.figures["arrears"]
    t = Table("arrears", _("Arrears by age (month-end snapshot)"), [_("Age"), _("Accounts"), _("Amount (CNY)")])
    for code, _lo, _hi, label in ARREARS_BUCKETS:
        t.rows.append(
            [
                Cell(str(label)),
                Cell(c.get(f"n_{code}", 0), links.records("arrears", code)),
                Cell(float(c.get(f"amt_{code}", 0))),
            ]
        )
    t.rows.append(
        [Cell(_("All")), Cell(c.get("accounts", 0), links.records("arrears")), Cell(float(c.get("amount", 0)))]
    )
    if report.window.live:
        t.note = _("The arrears snapshot is taken when the month is closed.")
    return t


def credit_table(report: Report, links: Links) -> Table | None:
    if "credit" not in report.figures:
        return None
    kpi = KPI_BY_CODE["credit"]
    c = report.figures["credit"]
    t = Table("credit", _("Credit-control work orders"), [_("Action"), _("Orders")])
    labels = kpi.parts
    for a in CREDIT_ACTIONS:
        t.rows.append([Cell(str(labels.get(a, a))), Cell(c.get(f"a_{a}", 0), links.records("credit", a))])
    return t


def alerts_table(report: Report, links: Links) -> Table | None:
    if "alerts" not in report.figures:
        return None
    kpi = KPI_BY_CODE["alerts"]
    c = report.figures["alerts"]
    t = Table("alerts", _("Retention alerts"), [_("Alerts"), pgettext("count of records", "Number")])
    for code, label in kpi.parts.items():
        t.rows.append([Cell(str(label)), Cell(c.get(code, 0), links.records("alerts", code))])
    t.rows.append([Cell(_("Retained rate")), Cell(c.get("retained_rate"), unit="%")])
    return t


def _rank_columns() -> list[str]:
    return [str(m.label) for m in RANK_METRICS]


def _metric_cells(metrics: dict) -> list[Cell]:
    return [Cell(metrics.get(m.code), unit=m.unit) for m in RANK_METRICS]


def nodes_table(report: Report, links: Links, which: str) -> Table:
    rows = report.units if which == "units" else report.branches
    title = _("Ranking of units") if which == "units" else _("Ranking of branches")
    t = Table(which, title, [_("Rank"), _("Unit") if which == "units" else _("Branch"), *_rank_columns()])
    ordered = sorted(rows, key=_node_key(report.rank_by))
    for i, r in enumerate(ordered, 1):
        t.rows.append([Cell(i), Cell(r.label, links.dashboard(scope=r.node.code)), *_metric_cells(r.metrics)])
    return t


def _node_key(metric: str):
    from .compute import _sort_key

    return _sort_key(metric)


def people_table(
    report: Report, links: Links, rows: Iterable, *, start: int = 0, key: str = "people", title: str | None = None
) -> Table:
    t = Table(key, title or _("Ranking of account managers"), [_("Rank"), _("Account manager"), *_rank_columns()])
    for i, r in enumerate(rows, start + 1):
        t.rows.append([Cell(i), Cell(r.label, links.scorecard(r.key)), *_metric_cells(r.metrics)])
    return t


def trend_table(report: Report) -> Table:
    t = Table(
        "trend",
        _("Trend by month"),
        [
            _("Month"),
            _("Figures"),
            *_rank_columns(),
            _("Fault tickets"),
            _("Complaints per 10 000 members"),
            _("Fault reports per 10 000 members"),
        ],
    )
    for m in report.trend:
        if "visit_rate" not in m:
            t.rows.append(
                [
                    Cell(m["month"]),
                    Cell(_("not closed"), cls="text-muted"),
                    *[Cell(None) for _m in RANK_METRICS],
                    Cell(None),
                    Cell(None),
                    Cell(None),
                ]
            )
            continue
        state = _("frozen") if m["closed"] else _("live")
        t.rows.append(
            [
                Cell(m["month"]),
                Cell(state),
                *_metric_cells(m),
                Cell(m.get("tickets")),
                Cell(m.get("complaints_per_10k")),
                Cell(m.get("faults_per_10k")),
            ]
        )
    return t


def report_tables(report: Report, links: Links, *, people_rows: int = 10) -> dict[str, Table]:
    tables = {
        "summary": summary_table(report, links),
        "compliance": compliance_table(report, links),
        "tickets": tickets_table(report, links),
        "penalties": penalties_table(report, links),
    }
    for fn in (alerts_table, arrears_table, credit_table):
        t = fn(report, links)
        if t is not None:
            tables[t.key] = t
    if report.scope.person is None:
        if report.branches:
            tables["branches"] = nodes_table(report, links, "branches")
        if report.units:
            tables["units"] = nodes_table(report, links, "units")
        if report.people is not None:
            count = report.people.count
            if count <= 2 * people_rows:
                tables["people"] = people_table(report, links, report.people.slice(0, count))
            else:
                tables["people"] = people_table(
                    report,
                    links,
                    report.people.top(people_rows),
                    title=_("Account managers: the first %(n)d") % {"n": people_rows},
                )
                tables["people_bottom"] = people_table(
                    report,
                    links,
                    report.people.bottom(people_rows),
                    start=count - people_rows,
                    key="people_bottom",
                    title=_("Account managers: the last %(n)d") % {"n": people_rows},
                )
    tables["trend"] = trend_table(report)
    return tables


# ---- Excel -----------------------------------------------------------------------------------


def workbook(tables: Iterable[Table], *, heading: str) -> bytes:
    """One sheet per table: a heading line, the column titles, the rows (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from portal.spreadsheet import write_row  # formula-like text stays text (issue 12 item 7)

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for t in tables:
        name = _sheet_name(t.title or t.key, used)
        ws = wb.create_sheet(name)
        write_row(ws, [heading])
        ws["A1"].font = Font(bold=True)
        write_row(ws, list(t.columns))
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in t.rows:
            write_row(ws, [_excel_value(c) for c in row])
        if t.note:
            ws.append([])
            write_row(ws, [t.note])
        for i, _col in enumerate(t.columns, 1):
            ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = 18
    if not wb.sheetnames:
        wb.create_sheet("-")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _excel_value(c: Cell | Any):
    v = c.value if isinstance(c, Cell) else c
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return v
    return str(v)


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:28] or "sheet"
    name, i = base, 2
    while name in used:
        name, i = f"{base[:25]} {i}", i + 1
    used.add(name)
    return name
