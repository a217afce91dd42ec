"""Benchmark (issue 7): the KPI dashboard and the monthly close (JOB-7) on PostgreSQL.

    .venv/bin/python bench/kpi.py [--scale 500] [--quick] [--runs N] [--json out.json]

Runs against a database already seeded with `seed_demo --scale N` (bench/run.py prepares one; alone,
set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/gcportal_kpibench).

1. The monthly close of last month, `portal.kpi.closing.month_close`: every KPI counted for the whole
   province grouped by unit and person, the arrears snapshot service, the snapshot rows written. A
   month already closed is reopened first (as an administrator would, audited) so the close really
   runs; a second run right after must be a no-op. Target ≤ 120 s.
2. analyst1's province dashboard for last month, now closed (read from the snapshot):
   `/kpi/?scope=<province>&month=<last month>` — median server time through the test Client and
   the query count. Target ≤ 150 ms.
3. The same page for the current month, computed live from the records. Target ≤ 1 s.
4. For information: the API for the closed month, manager1's branch dashboard for the current month,
   and a drill-down page (the overdue groups of the province, first page).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PageTimer, emit, parser, row, setup_django  # noqa: E402


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    args = p.parse_args()
    setup_django(sms_backend="memory")
    runs = args.runs or (5 if args.quick else 20)


    from accounts.models import User
    from groupclients.models import GroupCustomer, Member
    from portal.demo import analyze_project_tables
    from portal.kpi.closing import month_close, month_reopen
    from portal.kpi.models import KpiMonth, KpiSnapshot
    from portal.kpi.periods import current_month, previous_month
    from portal.kpi.scope import province_root
    from visits.models import VisitLog

    rows: list[dict] = []
    last, now = previous_month(), current_month()
    root = province_root()
    print(
        f"  data: {GroupCustomer.objects.count():,} groups, {VisitLog.objects.count():,} visits, "
        f"{Member.objects.count():,} members; AMs: {User.objects.filter(roles__code='am').count():,}",
        flush=True,
    )

    # 1. the monthly close
    admin = User.objects.get(username="admin")
    state = KpiMonth.objects.filter(month=last).first()
    if state is not None and state.status != KpiMonth.Status.OPEN:
        month_reopen(month=last, by=admin, reason="benchmark: close again")
    analyze_project_tables()
    t0 = time.perf_counter()
    result = month_close(month=last)
    close_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = month_close(month=last)
    second_s = time.perf_counter() - t1
    snap_rows = KpiSnapshot.objects.filter(month=last).count()
    rows.append(
        row(
            "kpi",
            f"monthly close {last:%Y-%m} (province)",
            round(close_s, 1),
            "s",
            target="≤ 120 s",
            ok=close_s <= 120,
            note=f"{snap_rows:,} snapshot rows; arrears {result.get('arrears')}",
        )
    )
    rows.append(
        row(
            "kpi",
            "monthly close, second run (no-op)",
            round(second_s * 1000, 1),
            "ms",
            target="already closed",
            ok=bool(again.get("already_closed")),
        )
    )

    # 2–4. pages
    timer = PageTimer(runs=runs)
    cases = [
        ("analyst1", f"/kpi/?scope={root.code}&month={last:%Y-%m}", "province dashboard, closed month", 150),
        ("analyst1", f"/kpi/?scope={root.code}&month={now:%Y-%m}", "province dashboard, current month (live)", 1000),
        ("analyst1", f"/api/v1/kpi/?scope={root.code}&month={last:%Y-%m}", "API kpi/, province, closed month", None),
        ("manager1", f"/kpi/?month={now:%Y-%m}", "branch dashboard (manager1), current month", None),
        (
            "analyst1",
            f"/kpi/records/visits_groups/?scope={root.code}&month={last:%Y-%m}&part=overdue",
            "drill-down: overdue groups, province, closed month",
            None,
        ),
    ]
    for user, url, label, target_ms in cases:
        runs_here = runs if target_ms != 1000 else max(3, runs // 4)
        timer.runs = runs_here
        m = timer.measure(user, url)
        ok = None if target_ms is None else m["median_ms"] <= target_ms
        rows.append(
            row(
                "kpi",
                label,
                round(m["median_ms"], 1),
                "ms",
                queries=m["queries"],
                target=f"≤ {target_ms} ms" if target_ms else "",
                ok=ok,
                note=f"p90 {m['p90_ms']:.0f} ms; slowest query {m['slowest_s'] * 1000:.0f} ms; median of {runs_here}",
            )
        )
    emit(rows, args.json)


if __name__ == "__main__":
    main()
