"""Pages: the supervisors' dashboard, drill-down lists, rankings, Excel exports, the AM scorecard and
the administrators' monthly-close page. Every page resolves the scope first (ORG-3) and takes its
numbers from `kpi_report`, the function the API uses too."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from accounts.models import Role, User
from portal.audit import audit_log
from portal.exceptions import ApplicationError
from portal.models import AuditEvent

from . import charts
from .closing import month_close, month_reopen
from .compute import kpi_report
from .definitions import KPI_BY_CODE, RANK_BY_CODE, RANK_METRICS, STATUS_LABELS, _Compliance
from .models import KpiMonth
from .periods import Window, add_months, current_month, parse_month, previous_month
from .policies import TARGET_KEYS
from .scope import Scope, nodes_within, resolve_scope, top_node
from .tables import Links, Table, figure_rows, people_table, report_tables, workbook

R = Role.Code
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROW_LIMIT = 50_000


def _month(request, default: dt.date) -> dt.date:
    raw = request.GET.get("month")
    if not raw:
        return default
    m = parse_month(raw)
    if m is None or m > current_month():
        raise Http404(_("Choose a month up to the current one, as YYYY-MM."))
    return m


def _am_param(request) -> str | None:
    """An AM without a supervisor role always looks at their own records."""
    am = request.GET.get("am") or None
    if top_node(request.user) is None and request.user.has_role(R.ACCOUNT_MANAGER):
        if am not in (None, str(request.user.pk)):
            raise PermissionDenied(_("You can only see your own figures."))
        return str(request.user.pk)
    return am


def _xlsx(request, tables: list[Table], *, name: str, heading: str, target: str, rows: int) -> HttpResponse:
    audit_log(
        action=AuditEvent.Action.EXPORT, request=request, target_type=target, rows=rows, query=request.GET.urlencode()
    )
    resp = HttpResponse(workbook(tables, heading=heading), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return resp


def _heading(report) -> str:
    state = pgettext("monthly close", "closed") if report.closed else _("live")
    return f"{report.scope} · {report.window.label} · {state}"


def _charts(report, links: Links) -> dict:
    out = {}
    trend = [m for m in report.trend]
    labels = [m["month"][2:] for m in trend]
    series = [
        charts.Series(str(m.label), [t.get(m.code) for t in trend], charts.SERIES_COLOURS[i])
        for i, m in enumerate(RANK_METRICS)
        if m.unit == "%" and m.code in ("visit_rate", "satisfied_rate", "sla_rate", "joint_rate", "complaints_rate")
    ]
    out["trend"] = charts.line_chart(labels, series, title=_("Trend by month (%)"))
    colours = {"done": charts.GREEN, "due": charts.ORANGE, "overdue": charts.RED}
    rows = []
    for code, who in (("visits_groups", _("Groups")), ("visits_contacts", _("Contacts"))):
        c = report.figures.get(code, {})
        for g in ("A", "B", "C"):
            rows.append(
                (
                    f"{who} {g}",
                    [
                        charts.Segment(
                            str(STATUS_LABELS[s]), c.get(f"{g}_{s}", 0), colours[s], links.records(code, s, grade=g)
                        )
                        for s in colours
                    ],
                )
            )
    out["compliance"] = charts.stacked_bars(rows, title=_("Visit compliance by class"))
    t = report.figures.get("tickets", {})
    tk = KPI_BY_CODE["tickets"]
    palette = [
        charts.BLUE,
        charts.TEAL,
        charts.PURPLE,
        charts.ORANGE,
        charts.GREEN,
        "#6610f2",
        "#0dcaf0",
        "#198754",
        charts.RED,
        charts.GREY,
    ]
    segs = [
        charts.Segment(str(label), t.get(f"s_{code}", 0), palette[i % len(palette)], links.records("tickets", code))
        for i, (code, label) in enumerate(tk.parts.items())
    ]
    out["tickets"] = charts.stacked_bars([(_("Tickets"), segs)], title=_("Fault tickets by state"))
    ranking = report.units or report.branches
    if ranking:
        metric = RANK_BY_CODE[report.rank_by]
        out["units"] = charts.bars(
            [(r.label, r.metrics.get(report.rank_by), links.dashboard(scope=r.node.code)) for r in ranking[:40]],
            title=str(metric.label),
            unit=metric.unit,
            x_max=100 if metric.unit == "%" else None,
        )
    return out


@login_required
def dashboard(request):
    """KPI-1: a supervisor's figures for a unit, branch or the province and a month (default: last month)."""
    scope = resolve_scope(request.user, request.GET.get("scope"))
    if scope.person is not None:
        raise PermissionDenied
    report = kpi_report(scope, _month(request, previous_month()), rank_by=request.GET.get("rank", "visit_rate"))
    links = Links(report)
    tables = report_tables(report, links)
    figs = figure_rows(report, links)
    months = [add_months(current_month(), -i) for i in range(0, 13)]
    if report.window.month not in months:  # an older month, reached with ‹: the picker shows it too
        months.append(report.window.month)
    closed = set(
        KpiMonth.objects.filter(month__in=months, status=KpiMonth.Status.CLOSED).values_list("month", flat=True)
    )
    return render(
        request,
        "kpi/dashboard.html",
        {
            "report": report,
            "links": links,
            "tables": tables,
            "figures": figs,
            "headline": [f for f in figs if f["fig"].headline],
            "charts": _charts(report, links),
            "sections": _sections(figs),
            "nodes": nodes_within(top_node(request.user)),
            "months": [{"value": f"{m:%Y-%m}", "closed": m in closed} for m in months],
            "rank_metrics": RANK_METRICS,
            "export_all": _export_url("all", report),
            "export_urls": {k: _export_url(k, report) for k in tables},
            "prev_month": f"{add_months(report.window.month, -1):%Y-%m}",
            "next_month": f"{add_months(report.window.month, 1):%Y-%m}" if not report.window.live else "",
            "full_ranking": f"{reverse('kpi-ranking')}?"
            + urlencode({"scope": scope.node.code, "month": report.window.label, "rank": report.rank_by}),
        },
    )


def _sections(figs: list[dict]) -> list[tuple[str, list[dict]]]:
    out: dict[str, list[dict]] = {}
    for f in figs:
        out.setdefault(f["section"], []).append(f)
    return list(out.items())


def _export_url(table: str, report) -> str:
    params = {"scope": report.scope.node.code, "month": report.window.label, "rank": report.rank_by}
    if report.scope.person is not None:
        params["am"] = report.scope.person.pk
    return f"{reverse('kpi-export', args=[table])}?{urlencode(params)}"


@login_required
def export(request, table: str):
    """Any table of the dashboard or the scorecard as Excel (`all`: every table, one sheet each)."""
    am = _am_param(request)
    scope = resolve_scope(request.user, request.GET.get("scope"), am=am)
    report = kpi_report(scope, _month(request, previous_month()), rank_by=request.GET.get("rank", "visit_rate"))
    links = Links(report)
    tables = report_tables(report, links)
    if table == "people_all" and report.people is not None:
        chosen = [people_table(report, links, report.people.slice(0, report.people.count))]
    elif table == "all":
        chosen = list(tables.values())
    elif table in tables:
        chosen = [tables[table]]
    else:
        raise Http404
    return _xlsx(
        request,
        chosen,
        name=f"kpi-{table}-{report.window.label}",
        heading=_heading(report),
        target=f"kpi.{table}",
        rows=sum(len(t.rows) for t in chosen),
    )


@login_required
def records(request, code: str):
    """The records behind a figure, in the user's scope: e.g. the overdue groups of one AM."""
    kpi = KPI_BY_CODE.get(code)
    if kpi is None or not kpi.available():
        raise Http404
    am = _am_param(request)
    scope = resolve_scope(request.user, request.GET.get("scope"), am=am)
    month = _month(request, previous_month())
    w = Window.for_month(month)
    part = request.GET.get("part", "")
    if part and part not in kpi.parts:
        raise Http404
    extra = {}
    if isinstance(kpi, _Compliance):
        extra["grade"] = request.GET.get("grade", "")
    qs = kpi.records(w, scope, part, user=request.user, **extra)
    columns = kpi.columns()
    title = f"{kpi.title}" + (f" · {kpi.parts[part]}" if part else "")
    if request.GET.get("format") == "xlsx":
        rows = list(qs[:EXPORT_ROW_LIMIT])
        from .tables import Cell

        t = Table(
            code, str(kpi.title), [str(c.header) for c in columns], [[Cell(c.value(o)) for c in columns] for o in rows]
        )
        return _xlsx(
            request,
            [t],
            name=f"kpi-{code}-{w.label}",
            heading=f"{scope} · {w.label} · {title}",
            target=f"kpi.records.{code}",
            rows=len(rows),
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [[(c.value(o), c.url(o) if c.url else None) for c in columns] for o in page]
    ams = []
    if scope.person is None and kpi.person_path and top_node(request.user) is not None:
        ams = _ams_for(scope)
    state = KpiMonth.objects.filter(month=w.month, status=KpiMonth.Status.CLOSED).first()
    return render(
        request,
        "kpi/records.html",
        {
            "kpi": kpi,
            "title": title,
            "scope": scope,
            "window": w,
            "part": part,
            "columns": columns,
            "rows": rows,
            "page": page,
            "ams": ams,
            "grade": extra.get("grade", ""),
            "closed": state,
            "parts": list(kpi.parts.items()),
            "is_compliance": isinstance(kpi, _Compliance),
            "back": _back_url(request, scope, w),
            "export_url": f"{request.path}?{_replace(request.GET, format='xlsx', page=None)}",
        },
    )


def _ams_for(scope: Scope) -> list[User]:
    qs = User.objects.filter(roles__code="am", is_active=True).order_by("display_name", "username")
    if scope.unit_ids is not None:
        qs = qs.filter(unit__in=scope.unit_ids)
    return list(qs[:500])


def _replace(query, **changes) -> str:
    q = query.copy()
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    return q.urlencode()


def _back_url(request, scope: Scope, w: Window) -> str:
    if scope.person is not None:
        return f"{reverse('kpi-scorecard')}?{urlencode({'am': scope.person.pk, 'month': w.label})}"
    return f"{reverse('kpi-dashboard')}?{urlencode({'scope': scope.node.code, 'month': w.label})}"


@login_required
def ranking(request):
    """The full ranking of the scope's account managers, by one figure."""
    scope = resolve_scope(request.user, request.GET.get("scope"))
    if scope.person is not None:
        raise PermissionDenied
    report = kpi_report(
        scope, _month(request, previous_month()), rank_by=request.GET.get("rank", "visit_rate"), trend=False
    )
    links = Links(report)
    paginator = Paginator(range(report.people.count), 50)
    page = paginator.get_page(request.GET.get("page"))
    rows = report.people.slice(page.start_index() - 1, page.end_index()) if report.people.count else []
    table = people_table(report, links, rows, start=page.start_index() - 1 if report.people.count else 0)
    return render(
        request,
        "kpi/ranking.html",
        {
            "report": report,
            "table": table,
            "page": page,
            "rank_metrics": RANK_METRICS,
            "export_url": _export_url("people_all", report),
            "back": f"{reverse('kpi-dashboard')}?{urlencode({'scope': scope.node.code, 'month': report.window.label})}",
        },
    )


@login_required
def scorecard(request):
    """An AM's own figures this month against the policy targets, what is overdue, their ledger."""
    am = request.GET.get("am") or None
    if am is None:
        if not request.user.has_role(R.ACCOUNT_MANAGER):
            raise PermissionDenied(_("Choose an account manager."))
        am = str(request.user.pk)
    if top_node(request.user) is None and am != str(request.user.pk):
        raise PermissionDenied(_("You can only see your own figures."))
    scope = resolve_scope(request.user, None, am=am)
    report = kpi_report(scope, _month(request, current_month()))
    links = Links(report)
    w = report.window
    figs = figure_rows(report, links)
    targets = [f for f in figs if f["fig"].target]
    overdue = []
    for code, part, label in (
        ("visits_groups", "overdue", _("Group visits overdue")),
        ("visits_contacts", "overdue", _("Contact visits overdue")),
        ("repairs", "late", _("Satisfaction repairs late")),
        ("complaints", "late", _("Complaints answered late or not yet")),
        ("alerts", "overdue", _("Retention alerts overdue")),
    ):
        kpi = KPI_BY_CODE[code]
        if not kpi.available():
            continue
        qs = kpi.records(w, scope, part, user=request.user)
        items = list(qs[:10])
        overdue.append(
            {
                "code": code,
                "label": label,
                "count": qs.count(),
                "url": links.records(code, part),
                "columns": kpi.columns(),
                "rows": [[(c.value(o), c.url(o) if c.url else None) for c in kpi.columns()] for o in items],
            }
        )
    from tickets.models import LedgerEntry

    ledger = LedgerEntry.objects.filter(person=scope.person, month=w.month).select_related("reversed_by")
    if scope.unit_ids is not None:
        ledger = ledger.filter(person__unit__in=scope.unit_ids)
    tables = report_tables(report, links)
    return render(
        request,
        "kpi/scorecard.html",
        {
            "report": report,
            "person": scope.person,
            "targets": targets,
            "overdue": overdue,
            "ledger": ledger,
            "figures": figs,
            "sections": _sections(figs),
            "tables": tables,
            "export_all": _export_url("all", report),
            "target_keys": TARGET_KEYS,
            "prev_month": f"{add_months(w.month, -1):%Y-%m}",
            "next_month": f"{add_months(w.month, 1):%Y-%m}" if not w.live else "",
        },
    )


@login_required
@require_POST
def refresh(request):
    """Recount an open month's figures now (otherwise they are recounted every few minutes)."""
    if top_node(request.user) is None and not request.user.has_role(R.ACCOUNT_MANAGER):
        raise PermissionDenied
    month = parse_month(request.POST.get("month", "")) or current_month()
    if month > current_month():
        raise Http404
    if not KpiMonth.objects.filter(month=month, status=KpiMonth.Status.CLOSED).exists():
        from .closing import month_count

        month_count(month, force=True)
        messages.success(request, _("Recounted."))
    nxt = request.POST.get("next", "")
    if not nxt.startswith("/kpi/"):
        nxt = reverse("kpi-dashboard")
    return redirect(nxt)


# ---- the monthly close (administrators) ---------------------------------------------------------


def _admin_only(request):
    if not request.user.is_administrator:
        raise PermissionDenied(_("Only administrators close and reopen months."))


@login_required
def months(request):
    _admin_only(request)
    now = current_month()
    months = [add_months(now, -i) for i in range(0, 25)]
    states = {s.month: s for s in KpiMonth.objects.filter(month__in=months).select_related("closed_by", "reopened_by")}
    rows = [{"month": m, "label": f"{m:%Y-%m}", "state": states.get(m), "current": m == now} for m in months]
    history = AuditEvent.objects.filter(target_type="kpi.kpimonth").order_by("-at")[:20]
    return render(request, "kpi/months.html", {"rows": rows, "history": history})


@login_required
@require_POST
def month_action(request, month: str, action: str):
    _admin_only(request)
    m = parse_month(month)
    if m is None:
        return HttpResponseBadRequest()
    try:
        if action == "close":
            result = month_close(month=m, by=request.user, request=request)
            if result.get("already_closed"):
                messages.info(request, _("%(m)s was already closed; nothing changed.") % {"m": month})
            else:
                messages.success(
                    request,
                    _("%(m)s closed: %(n)d snapshot rows in %(s)s s.")
                    % {"m": month, "n": result["snapshot_rows"], "s": result["seconds"]},
                )
        elif action == "reopen":
            month_reopen(month=m, by=request.user, reason=request.POST.get("reason", ""), request=request)
            messages.success(
                request, _("%(m)s reopened; its figures are live until it is closed again.") % {"m": month}
            )
        else:
            raise Http404
    except ApplicationError as e:
        messages.error(request, e.message)
    except Exception as e:  # the lock of a concurrent close
        if e.__class__.__name__ != "JobSkipped":
            raise
        messages.error(request, _("Another monthly close is running; try again in a moment."))
    return redirect("kpi-months")
