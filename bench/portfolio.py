"""Benchmark (issue 3): the portfolio list, a search and the customer file page at province scale.

    .venv/bin/python bench/portfolio.py [--scale 500] [--runs 20] [--quick] [--json out.json]

Against the seeded benchmark database (bench/run.py prepares it). For am1 (own portfolio),
manager1 (the 杭州 branch) and analyst1 (the whole province): median server time over --runs
requests through Django's test Client after 3 warm-up requests, and the SQL query count of one
more request (CaptureQueriesContext). Target: ≤ 100 ms median and ≤ 15 queries, at page size 25
and 100.

Comparison: the data-quality filter (`?problem=any`) reads derived columns that the services keep
on each group (core_incomplete, below_contact_minimum, no_primary_contact,
contacts_without_counterpart). The naive approach it replaces computes the same flags per group at
query time — counting each group's active contacts by type against the CT-2 minimums, an EXISTS
for the primary contact, a count of contacts without counterpart — then filters, counts and takes
the first page. Both are timed as querysets (count + first 25 rows), same scope, same order.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PageTimer, emit, format_row, median_time, parser, row, setup_django  # noqa: E402

TARGET_MS, TARGET_Q = 100, 15
USERS = ("am1", "manager1", "analyst1")


def main() -> None:
    args = parser(__doc__.split("\n")[0]).parse_args()
    setup_django()
    runs = args.runs or (5 if args.quick else 20)
    timer = PageTimer(runs=runs)
    rows = []
    searches = pick_searches()
    for username in USERS:
        for label, url in pages_for(username, searches):
            m = timer.measure(username, url)
            ok = m["median_ms"] <= TARGET_MS and m["queries"] <= TARGET_Q
            r = row("portfolio", f"{username}: {label}", round(m["median_ms"], 1), "ms", queries=m["queries"],
                    target=f"≤{TARGET_MS} ms, ≤{TARGET_Q} q", ok=ok, note=f"p90 {m['p90_ms']:.0f} ms")
            if not ok:
                r["note"] += f"; slowest SQL {m['slowest_s'] * 1000:.0f} ms: {m['slowest_sql'][:160]}"
            rows.append(r)
            print("  " + format_row(r), flush=True)
    comparison = naive_comparison(runs=max(3, runs // 2))
    emit(comparison, None)
    emit(rows + comparison, args.json, echo=False)


def pick_searches() -> dict[str, str]:
    """Search terms taken from real rows: part of a Chinese name, full pinyin of part of a name, the
    pinyin initials, part of a phone number and a group code. All from one mid-province group that
    is not in am1's portfolio, plus am1's own group for am1."""
    from pypinyin import lazy_pinyin

    from groupclients.models import GroupCustomer

    g = GroupCustomer.objects.filter(phone__gt="").order_by("pk")[GroupCustomer.objects.count() // 2]
    core = g.name[2:5]  # after the city, e.g. 王工作 in 杭州王工作科技有限公司
    return {
        "name": core,
        "pinyin": "".join(lazy_pinyin(core)),
        "phone": g.phone.split("-")[-1][:6],
        "code": g.code,
    }


def pages_for(username: str, searches: dict[str, str]) -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    from accounts.models import User
    from groupclients.selectors import groups_in_scope

    user = User.objects.get(username=username)
    scoped = groups_in_scope(user)
    # a customer file with the most data in scope: an A-class group (two sites, VIP contacts)
    detail = scoped.filter(grade="A").order_by("pk").first() or scoped.order_by("pk").first()
    q = searches
    if username == "am1":
        own = scoped.order_by("pk").first()
        q = {**searches, "name": own.name[2:5], "code": own.code,
             "phone": own.phone.split("-")[-1][:6] if own.phone else searches["phone"]}
    last_page = max(1, -(-scoped.count() // 25))
    pages = [
        ("list, page size 25", "/groups/"),
        ("list, page size 100", "/groups/?per_page=100"),
        (f"list, last page {last_page} (size 25)", f"/groups/?page={last_page}"),
        ("list, filter problem=any (size 100)", "/groups/?problem=any&per_page=100"),
    ]
    for kind in ("name", "pinyin", "phone", "code"):
        pages.append((f"search by {kind} {q[kind]!r} (size 25)", "/groups/?" + urlencode({"q": q[kind]})))
    pages.append((f"search by name {q['name']!r} (size 100)", "/groups/?" + urlencode({"q": q["name"],
                                                                                        "per_page": 100})))
    pages.append((f"customer file {detail.code} (class {detail.grade})", f"/groups/{detail.pk}/"))
    return pages


# ---- naive comparison ---------------------------------------------------------------------------
def naive_problem_queryset(user):
    """The data-quality filter computed per row at query time (what the derived columns replace)."""
    from django.db.models import BooleanField, Case, Count, Exists, IntegerField, OuterRef, Q, Value, When

    from groupclients.models import Contact
    from groupclients.selectors import groups_in_scope
    from groupclients.services.quality import contact_minimums

    active = Q(contacts__status=Contact.Status.ACTIVE)
    qs = groups_in_scope(user).select_related("unit", "account_manager", "industry", "org_type").annotate(
        n_decision=Count("contacts", filter=active & Q(contacts__type="decision_maker")),
        n_dept=Count("contacts", filter=active & Q(contacts__type="dept_head")),
        n_contact=Count("contacts", filter=active & Q(contacts__type="contact")),
        n_no_counterpart=Count("contacts", filter=active & Q(contacts__counterpart__isnull=True)),
        has_primary=Exists(Contact.objects.filter(group=OuterRef("pk"), status=Contact.Status.ACTIVE,
                                                  is_primary=True)),
    )
    minimums = contact_minimums()
    below_any = None
    for grade, need in minimums.items():
        per_grade = None
        for ctype, n in need.items():
            field = {"decision_maker": "n_decision", "dept_head": "n_dept", "contact": "n_contact"}.get(ctype)
            if field is None or n <= 0:
                continue
            cond = Q(**{f"{field}__lt": n})
            per_grade = cond if per_grade is None else per_grade | cond
        if per_grade is not None:
            grade_q = Q(grade=grade) & per_grade
            below_any = grade_q if below_any is None else below_any | grade_q
    below = below_any if below_any is not None else Q(pk__in=[])
    qs = qs.annotate(
        below_min=Case(When(below, then=Value(True)), default=Value(False), output_field=BooleanField()),
        nc=Case(When(n_no_counterpart__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    problem = Q(core_incomplete=True) | Q(below_min=True) | Q(has_primary=False) | Q(nc=1)
    return qs.filter(problem).order_by("name", "pk")


def naive_comparison(*, runs: int) -> list[dict]:
    from accounts.models import User
    from groupclients.selectors import GroupFilters, group_list_for_user

    rows = []
    for username in USERS:
        user = User.objects.get(username=username)
        derived = group_list_for_user(user, GroupFilters(problem="any"))
        naive = naive_problem_queryset(user)

        def page(qs):
            return qs.count(), list(qs[:25])

        n_derived, first_derived = page(derived)
        n_naive, first_naive = page(naive)
        same = n_derived == n_naive and [g.pk for g in first_derived] == [g.pk for g in first_naive]
        t_derived = median_time(lambda qs=derived: page(qs), runs=runs, warmup=1)
        t_naive = median_time(lambda qs=naive: page(qs), runs=3, warmup=1)
        rows.append(row(
            "portfolio", f"{username}: problem=any, derived columns vs per-row counting", t_naive / t_derived, "x",
            note=f"derived {t_derived * 1000:.0f} ms vs naive {t_naive * 1000:.0f} ms (count + 25 rows, "
                 f"{n_derived:,} groups{'' if same else f'; MISMATCH naive {n_naive:,}'})",
        ))
    return rows


if __name__ == "__main__":
    main()
