"""Benchmark (issue 6): the credit-control sweep and the monthly retention scan at province scale.

    .venv/bin/python bench/credit_retention.py [--sample 20000] [--quick] [--explain] [--json out.json]

Against the seeded benchmark database (DATABASE_URL, default gcportal_bench; `seed_demo --scale 500`
= 1 000 000 members, one billing account each, 4 months of usage = 4 000 000 usage rows). From
bench/run.py: `import credit_retention; credit_retention.run()` (returns the figures as a dict),
or as a script like the other modules (`--json` writes the result rows).

1. Reset (set-based, deterministic by account id, so every run starts from the same state):
   per 1 000 accounts — 50 active in arrears (postpaid: unpaid after the due date; prepaid:
   negative balance), 10 half-suspended for 2 days and still in arrears, 30 suspended for more
   than 90 days, 5 suspended but paid up, 5 exempt and in arrears, 30 with a bill / validity end
   within the reminder window; the rest active and paid up. Deletes every CreditOrder,
   RetentionAlert (+ AlertAction) and the credit-control SMS in the outbox, then VACUUM ANALYZE.
2. Credit control: `run_job("credit_control")` (portal.jobruns) timed (per rule too), then a second run
   that must change nothing (all counts 0, CreditOrder count unchanged). Target ≤ 60 s.
3. Retention: `run_job("retention_monthly", month=<last complete month>)` timed (member and
   group rules separately too), then a second run that must raise no new alert. Target ≤ 60 s.
4. Comparisons. Naive: `credit_control_python_loop` (per-account ORM loop, half-suspension rule)
   on a 20 000-account id range, and a per-member ORM loop for the retention member rules (4
   usage rows per member loaded through the ORM, the same rule code, one get_or_create per alert)
   on a 20 000-member id range; both in autocommit like a naive job would run, extrapolated
   linearly to the whole table, the sample then restored. Floor: the bare UPDATE of every credit
   rule with the app's own WHERE (the querysets the sweep builds, captured without running it),
   in one transaction rolled back; for retention a bare INSERT … SELECT of the member candidate
   rows (MEMBER_SCAN_SQL) and of the group rows (GROUP_SQL) into temp tables.
   "x naive" = naive seconds ÷ our seconds (speed-up); "x floor" = our seconds ÷ floor seconds.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, parser, row, setup_django  # noqa: E402

TARGET_S = 60.0
SAMPLE = 20_000
BENCH = "credit_retention"


# ---- the reset ----------------------------------------------------------------------------------
# bucket = (id * 7919) % 1000: deterministic and evenly spread (any 1 000 consecutive ids hold every
# bucket once), so an id-range sample has the same mix as the whole table.
RESET_SQL = """
WITH s AS (
    SELECT id, kind, (id * 7919) %% 1000 AS b FROM groupclients_billingaccount WHERE id BETWEEN %(lo)s AND %(hi)s
), t AS (
    SELECT id, kind, CASE WHEN b < 50 THEN 'arrears' WHEN b < 60 THEN 'half' WHEN b < 90 THEN 'old_susp'
                          WHEN b < 95 THEN 'paid_susp' WHEN b < 100 THEN 'exempt' WHEN b < 130 THEN 'due_soon'
                          ELSE 'paid' END AS st
    FROM s
), v AS (
    SELECT id,
        CASE st WHEN 'half' THEN 'half_suspended' WHEN 'old_susp' THEN 'suspended' WHEN 'paid_susp' THEN 'suspended'
                ELSE 'active' END AS status,
        CASE st WHEN 'half' THEN %(now)s::timestamptz - interval '2 days'
                WHEN 'old_susp' THEN %(now)s::timestamptz - (91 + id %% 200) * interval '1 day'
                WHEN 'paid_susp' THEN %(now)s::timestamptz - interval '10 days' END AS status_since,
        CASE WHEN kind <> 'prepaid' THEN 0::numeric
             WHEN st IN ('arrears', 'half', 'old_susp', 'exempt') THEN -(1 + id %% 30)::numeric
             ELSE (5 + id %% 300)::numeric END AS cash_balance,
        CASE WHEN kind <> 'prepaid' THEN NULL::date
             WHEN st = 'due_soon' THEN %(today)s::date + (1 + id %% 3)::int
             ELSE %(today)s::date + (30 + id %% 300)::int END AS balance_valid_until,
        CASE WHEN kind = 'prepaid' THEN 0::numeric
             WHEN st IN ('arrears', 'half', 'old_susp', 'exempt') THEN (50 + id %% 500)::numeric
             WHEN st = 'due_soon' THEN (30 + id %% 300)::numeric
             ELSE 0::numeric END AS amount_due,
        CASE WHEN kind = 'prepaid' THEN NULL::date
             WHEN st = 'old_susp' THEN %(today)s::date - (100 + id %% 200)::int
             WHEN st IN ('arrears', 'half', 'exempt') THEN %(today)s::date - (3 + id %% 20)::int
             WHEN st = 'due_soon' THEN %(today)s::date + (1 + id %% 3)::int
             ELSE %(today)s::date + (10 + id %% 20)::int END AS due_date,
        st
    FROM t
), w AS (
    SELECT v.*, CASE WHEN st IN ('arrears', 'half', 'old_susp', 'exempt') AND due_date IS NOT NULL THEN due_date
                END AS arrears_since,
           st = 'exempt' AS exempt, CASE WHEN st = 'exempt' THEN 'bench: exempt (strategic)' ELSE '' END AS exempt_reason
    FROM v
)
UPDATE groupclients_billingaccount a SET
    status = w.status, status_since = w.status_since, cash_balance = w.cash_balance, noncash_balance = 0,
    noncash_expires_on = NULL, balance_valid_until = w.balance_valid_until, amount_due = w.amount_due,
    due_date = w.due_date, arrears_since = w.arrears_since, instalment_end = NULL, credit_level = 1,
    enrolled = TRUE, exempt = w.exempt, exempt_reason = w.exempt_reason, exempt_approver_id = NULL,
    package_id = NULL, package_role = '', discount_cancelled = FALSE, reminded_for = NULL, grace_until = NULL,
    delay_until = NULL, updated_at = %(now)s
FROM w
WHERE a.id = w.id AND (
    a.status, a.status_since, a.cash_balance, a.noncash_balance, a.noncash_expires_on, a.balance_valid_until,
    a.amount_due, a.due_date, a.arrears_since, a.instalment_end, a.credit_level, a.enrolled, a.exempt,
    a.exempt_reason, a.exempt_approver_id, a.package_id, a.package_role, a.discount_cancelled, a.reminded_for,
    a.grace_until, a.delay_until
) IS DISTINCT FROM (
    w.status, w.status_since, w.cash_balance, 0::numeric, NULL::date, w.balance_valid_until,
    w.amount_due, w.due_date, w.arrears_since, NULL::date, 1::smallint, TRUE, w.exempt,
    w.exempt_reason::varchar, NULL::bigint, NULL::bigint, ''::varchar, FALSE, NULL::date,
    NULL::timestamptz, NULL::timestamptz)
"""


def _sql(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _one(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def reset_accounts(now: dt.datetime, today: dt.date, lo: int = 0, hi: int = 2**62) -> int:
    return _sql(RESET_SQL, {"now": now, "today": today, "lo": lo, "hi": hi})


def clear_outputs() -> None:
    """Work orders, alerts and the credit-control SMS of earlier runs (so runs are comparable)."""
    _sql("TRUNCATE groupclients_creditorder")
    _sql("TRUNCATE groupclients_alertaction, groupclients_retentionalert")
    _sql("DELETE FROM sms_outboxmessage WHERE dedupe_key LIKE 'credit-%%'")


def vacuum(*tables: str) -> None:
    for t in tables:
        _sql(f"VACUUM ANALYZE {t}")


def id_range(table: str, size: int) -> tuple[int, int, int]:
    """(lo, hi, total): `size` consecutive ids from the middle of the table."""
    total = _one(f"SELECT count(*) FROM {table}")[0]
    size = min(size, total)
    start = max(0, total // 2 - size // 2)
    lo = _one(f"SELECT id FROM {table} ORDER BY id OFFSET %s LIMIT 1", [start])[0]
    hi = _one(f"SELECT id FROM {table} ORDER BY id OFFSET %s LIMIT 1", [start + size - 1])[0]
    return lo, hi, total


# ---- credit control -----------------------------------------------------------------------------
class _StepTimer:
    """Wraps groupclients.billing.services.credit._step to time each rule inside the real job."""

    def __init__(self, credit):
        self.credit, self.orig, self.steps = credit, credit._step, []

    def __enter__(self):
        def timed(**kw):
            t0 = time.perf_counter()
            n = self.orig(**kw)
            self.steps.append((kw["name"], time.perf_counter() - t0, n))
            return n
        self.credit._step = timed
        return self

    def __exit__(self, *exc):
        self.credit._step = self.orig

    def by_name(self) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {}
        for name, s, n in self.steps:
            s0, n0 = out.get(name, (0.0, 0))
            out[name] = (s0 + s, n0 + n)
        return out


def capture_rules(now: dt.datetime) -> list[tuple[str, object, dict]]:
    """The (name, queryset, update) of every rule, exactly as credit_control_sweep builds them, without
    running anything (its _step replaced by a recorder)."""
    from groupclients.billing.services import credit

    captured = []
    orig = credit._step
    credit._step = lambda **kw: captured.append((kw["name"], kw["qs"], kw["update"])) or 0
    try:
        credit.credit_control_sweep(now=now)
    finally:
        credit._step = orig
    return captured


class _Rollback(Exception):
    pass


def credit_floor(now: dt.datetime) -> dict:
    """Bare UPDATE per rule, same WHERE as the app, in sequence, in one transaction rolled back."""
    from django.db import transaction

    out = {"steps": {}, "seconds": 0.0, "rows": 0}
    rules = capture_rules(now)
    try:
        with transaction.atomic():
            for name, qs, update in rules:
                t0 = time.perf_counter()
                n = qs.update(**update)
                s = time.perf_counter() - t0
                s0, n0 = out["steps"].get(name, (0.0, 0))
                out["steps"][name] = (s0 + s, n0 + n)
                out["seconds"] += s
                out["rows"] += n
            raise _Rollback
    except _Rollback:
        pass
    return out


def credit_naive(now: dt.datetime, lo: int, hi: int) -> dict:
    """credit_control_python_loop restricted to accounts lo..hi (autocommit: one save + one INSERT per
    account, as a naive job would run); the caller restores the range afterwards."""
    from groupclients.billing.models import BillingAccount
    from groupclients.billing.services import credit

    class _Sample:  # what the loop sees as BillingAccount: the same manager, limited to the id range
        class objects:  # noqa: N801
            @staticmethod
            def filter(*args, **kwargs):
                return BillingAccount.objects.filter(pk__range=(lo, hi)).filter(*args, **kwargs)

    t0 = time.perf_counter()
    credit.BillingAccount = _Sample
    try:
        n = credit.credit_control_python_loop(now=now)
    finally:
        credit.BillingAccount = BillingAccount
    return {"seconds": time.perf_counter() - t0, "rows": n,
            "accounts": BillingAccount.objects.filter(pk__range=(lo, hi)).count()}


def _zero(counts: dict) -> bool:
    return all(v == 0 for k, v in counts.items() if isinstance(v, int) and k != "job_run")


def bench_credit(*, sample: int, explain: bool) -> dict:
    from django.db.models import Count
    from django.utils import timezone

    from groupclients.billing.models import BillingAccount, CreditOrder
    from groupclients.billing.services import credit
    from portal.jobruns import run_job

    now = timezone.now()
    today = timezone.localtime(now).date()
    out: dict = {}
    t0 = time.perf_counter()
    out["reset_rows"] = reset_accounts(now, today)
    clear_outputs()
    vacuum("groupclients_billingaccount", "groupclients_creditorder", "groupclients_retentionalert",
           "sms_outboxmessage")
    out["reset_seconds"] = time.perf_counter() - t0
    out["accounts"] = BillingAccount.objects.count()
    state = dict(BillingAccount.objects.values_list("status").annotate(n=Count("id")).order_by())
    out["state_before"] = state
    print(f"  reset: {out['reset_rows']:,} accounts rewritten in {out['reset_seconds']:.1f} s; state {state}",
          flush=True)

    # (b) floor: the same rules as bare UPDATEs, rolled back
    out["floor"] = credit_floor(now)
    print(f"  floor: bare UPDATEs {out['floor']['seconds']:.2f} s, {out['floor']['rows']:,} rows "
          f"{ {k: (round(s, 2), n) for k, (s, n) in out['floor']['steps'].items()} }", flush=True)

    # (a) naive loop on an id range, then that range restored
    lo, hi, total = id_range("groupclients_billingaccount", sample)
    nv = credit_naive(now, lo, hi)
    CreditOrder.objects.filter(rule="loop").delete()
    restored = reset_accounts(now, today, lo, hi)
    nv["extrapolated"] = nv["seconds"] * total / max(nv["accounts"], 1)
    out["naive"] = nv
    print(f"  naive: python loop over {nv['accounts']:,} accounts (ids {lo}..{hi}) {nv['seconds']:.1f} s, "
          f"{nv['rows']:,} half-suspended → {nv['extrapolated']:.0f} s extrapolated to {total:,}; "
          f"{restored:,} restored", flush=True)
    vacuum("groupclients_billingaccount", "groupclients_creditorder")

    if explain:
        explain_credit(now)

    # the job, twice
    with _StepTimer(credit) as st:
        t0 = time.perf_counter()
        first = run_job("credit_control")
        out["seconds"] = time.perf_counter() - t0
    out["first"], out["steps"] = first, st.by_name()
    orders = CreditOrder.objects.count()
    print(f"  run 1: {out['seconds']:.1f} s {first}", flush=True)
    print(f"         per rule: { {k: (round(s, 2), n) for k, (s, n) in out['steps'].items()} }", flush=True)
    t0 = time.perf_counter()
    second = run_job("credit_control")
    out["seconds_2"] = time.perf_counter() - t0
    out["second"] = second
    out["orders"], out["orders_after_2"] = orders, CreditOrder.objects.count()
    out["idempotent"] = "skipped" not in second and _zero(second) and out["orders"] == out["orders_after_2"]
    out["exempt_touched"] = BillingAccount.objects.filter(exempt=True).exclude(status="active").count()
    print(f"  run 2: {out['seconds_2']:.1f} s {second}; work orders {orders:,} → {out['orders_after_2']:,}; "
          f"exempt accounts moved: {out['exempt_touched']}", flush=True)
    return out


def explain_credit(now: dt.datetime) -> None:
    """EXPLAIN ANALYZE the statements of the half-suspension rule (first batch)."""
    from django.db import transaction

    for name, qs, update in capture_rules(now):
        if name != "half":
            continue
        try:
            with transaction.atomic():
                batch = qs.order_by("pk").select_for_update(skip_locked=True, of=("self",))[:5000]
                print(f"\n  EXPLAIN half-suspension batch SELECT:\n{batch.explain(analyze=True, buffers=True)}\n")
                print(f"  EXPLAIN half-suspension as one UPDATE:\n"
                      f"{_explain_update(qs, update)}\n", flush=True)
                raise _Rollback
        except _Rollback:
            pass


def _explain_update(qs, update) -> str:
    from django.db import connection
    from django.db.models.sql.subqueries import UpdateQuery

    q = qs.query.chain(UpdateQuery)
    q.add_update_values(update)
    sql, params = q.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cur.fetchall())


# ---- retention ----------------------------------------------------------------------------------
def last_complete_month() -> tuple[dt.date, str]:
    from django.utils import timezone

    from groupclients.billing.models import UsageMonth
    from groupclients.billing.services.retention import add_months

    month = add_months(timezone.localdate().replace(day=1), -1)
    if UsageMonth.objects.filter(month=month).exists():
        return month, ""
    latest = UsageMonth.objects.order_by("-month").values_list("month", flat=True).first()
    return latest, f"no usage for {month:%Y-%m} (seeded earlier): scanning the latest month {latest:%Y-%m}"


def _avg(rows: list, field: str):
    from decimal import Decimal

    return sum((Decimal(getattr(u, field)) for u in rows), Decimal(0)) / len(rows) if rows else None


def retention_naive(month: dt.date, lo: int, hi: int) -> dict:
    """The naive monthly member scan: one ORM query per member for its 4 usage rows, the averages and
    comparisons in Python (the app's own rule function), one get_or_create per alert, autocommit."""
    from django.utils import timezone

    from groupclients.billing.models import RetentionAlert, UsageMonth
    from groupclients.billing.services import retention
    from groupclients.models import Member

    t0 = time.perf_counter()
    t = retention._thresholds()
    due = retention._Due(timezone.now())
    prev_from = retention.add_months(month, -3)
    period = month.strftime("%Y-%m")
    members = alerts = 0
    for m in (Member.objects.filter(pk__range=(lo, hi), status="active").exclude(group__status="churned")
              .select_related("group")):
        usage = list(UsageMonth.objects.filter(member=m, month__gte=prev_from, month__lte=month).order_by("month"))
        members += 1
        cur = next((u for u in usage if u.month == month), None)
        if cur is None:
            continue
        prev = [u for u in usage if u.month < month]
        row_ = (m.pk, m.group_id, m.vip_tier, m.contact_id, m.group.account_manager_id, cur.revenue, cur.minutes,
                cur.data_mb, cur.outgoing_calls, cur.forwarding_days, cur.competitor_hotline_seconds,
                _avg(prev, "revenue"), _avg(prev, "minutes"), _avg(prev, "data_mb"))
        for type_, evidence in retention._member_rules(row_, t):
            level = 1 if (m.vip_tier or type_ == RetentionAlert.Type.COMPETITOR_HOTLINE) else 2
            _obj, created = RetentionAlert.objects.get_or_create(
                type=type_, subject_key=f"m:{m.pk}", period=period,
                defaults={"level": level, "group_id": m.group_id, "member_id": m.pk, "contact_id": m.contact_id,
                          "evidence": {**evidence, "vip": m.vip_tier or None},
                          "assigned_am_id": m.group.account_manager_id, "due_at": due(level)})
            alerts += created
    return {"seconds": time.perf_counter() - t0, "members": members, "rows": alerts}


def retention_floor(month: dt.date) -> dict:
    """Bare INSERT … SELECT of the candidate rows into temp tables (member scan SQL; group SQL)."""
    from groupclients.billing.services import retention
    from groupclients.billing.services.retention import GROUP_SQL, MEMBER_SCAN_SQL, add_months

    t = retention._thresholds()
    mp = {"month": month, "prev_from": add_months(month, -3), "fwd": t["fwd"], "hotline": t["hotline"],
          "rev_keep": t["rev_keep"], "mou_keep": t["mou_keep"], "data_keep": t["data_keep"]}
    gp = {"month": month, "prev_from": add_months(month, -3), "then": add_months(month, -2) - dt.timedelta(days=1),
          "fwd": t["fwd"]}
    out = {}
    for key, sql, params in (("members", MEMBER_SCAN_SQL, mp), ("groups", GROUP_SQL, gp)):
        _sql("DROP TABLE IF EXISTS bench_floor")
        _sql(f"CREATE TEMP TABLE bench_floor AS {sql} WITH NO DATA", params)
        t0 = time.perf_counter()
        n = _sql(f"INSERT INTO bench_floor {sql}", params)
        out[key] = (time.perf_counter() - t0, n)
        _sql("DROP TABLE bench_floor")
    return out


class _ScanTimer:
    """Wraps retention_scan_members / retention_scan_groups (as groupclients.billing.jobs calls them) to time each."""

    def __init__(self, retention):
        self.r, self.times = retention, {}
        self.orig = {n: getattr(retention, n) for n in ("retention_scan_members", "retention_scan_groups")}

    def __enter__(self):
        for n, fn in self.orig.items():
            def timed(*a, _fn=fn, _n=n, **kw):
                t0 = time.perf_counter()
                try:
                    return _fn(*a, **kw)
                finally:
                    self.times[_n] = time.perf_counter() - t0
            setattr(self.r, n, timed)
        return self

    def __exit__(self, *exc):
        for n, fn in self.orig.items():
            setattr(self.r, n, fn)


def bench_retention(*, sample: int, explain: bool) -> dict:
    from groupclients.billing.models import RetentionAlert
    from groupclients.billing.services import retention
    from portal.jobruns import run_job

    out: dict = {}
    month, note = last_complete_month()
    out["month"], out["month_note"] = month.isoformat(), note
    if note:
        print(f"  note: {note}")
    _sql("TRUNCATE groupclients_alertaction, groupclients_retentionalert")
    out["usage_rows"] = _one("SELECT count(*) FROM groupclients_usagemonth")[0]

    # (b) floor
    fl = retention_floor(month)
    out["floor"] = fl
    print(f"  floor: INSERT…SELECT member candidates {fl['members'][0]:.2f} s ({fl['members'][1]:,} rows); "
          f"group rows {fl['groups'][0]:.2f} s ({fl['groups'][1]:,} rows)", flush=True)

    # (a) naive on a member id range
    lo, hi, total = id_range("groupclients_member", sample)
    nv = retention_naive(month, lo, hi)
    nv["ids"] = _one("SELECT count(*) FROM groupclients_member WHERE id BETWEEN %s AND %s", [lo, hi])[0]
    nv["extrapolated"] = nv["seconds"] * total / max(nv["ids"], 1)
    nv["total_members"] = total
    out["naive"] = nv
    _sql("TRUNCATE groupclients_alertaction, groupclients_retentionalert")
    vacuum("groupclients_retentionalert")
    print(f"  naive: per-member loop over ids {lo}..{hi} ({nv['members']:,} active members) {nv['seconds']:.1f} s, "
          f"{nv['rows']:,} alerts → {nv['extrapolated']:.0f} s extrapolated to {total:,} members", flush=True)

    if explain:
        explain_retention(month)

    with _ScanTimer(retention) as st:
        t0 = time.perf_counter()
        first = run_job("retention_monthly", month=month)
        out["seconds"] = time.perf_counter() - t0
    out["first"], out["scan_seconds"] = first, dict(st.times)
    alerts = RetentionAlert.objects.count()
    print(f"  run 1: {out['seconds']:.1f} s (members {st.times.get('retention_scan_members', 0):.1f} s, groups "
          f"{st.times.get('retention_scan_groups', 0):.1f} s) {first}", flush=True)
    t0 = time.perf_counter()
    second = run_job("retention_monthly", month=month)
    out["seconds_2"] = time.perf_counter() - t0
    out["second"] = second
    out["alerts"], out["alerts_after_2"] = alerts, RetentionAlert.objects.count()
    out["idempotent"] = ("skipped" not in second and second.get("member_alerts_new") == 0
                         and second.get("group_alerts_new") == 0 and alerts == out["alerts_after_2"])
    print(f"  run 2: {out['seconds_2']:.1f} s {second}; alerts {alerts:,} → {out['alerts_after_2']:,}", flush=True)
    return out


def explain_retention(month: dt.date) -> None:
    from groupclients.billing.services import retention
    from groupclients.billing.services.retention import GROUP_SQL, MEMBER_SCAN_SQL, add_months

    t = retention._thresholds()
    mp = {"month": month, "prev_from": add_months(month, -3), "fwd": t["fwd"], "hotline": t["hotline"],
          "rev_keep": t["rev_keep"], "mou_keep": t["mou_keep"], "data_keep": t["data_keep"]}
    gp = {"month": month, "prev_from": add_months(month, -3), "then": add_months(month, -2) - dt.timedelta(days=1),
          "fwd": t["fwd"]}
    from django.db import connection

    for label, sql, params in (("MEMBER_SCAN_SQL", MEMBER_SCAN_SQL, mp), ("GROUP_SQL", GROUP_SQL, gp)):
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"\n  EXPLAIN {label}:\n" + "\n".join(r[0] for r in cur.fetchall()) + "\n", flush=True)


# ---- report -------------------------------------------------------------------------------------
def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a and b else None


def table(c: dict, r: dict) -> list[dict]:
    """Figure, seconds, rows, x naive, x floor — as a list of dicts."""
    half_s, half_n = c["steps"].get("half", (0.0, 0))
    floor_half_s, floor_half_n = c["floor"]["steps"].get("half", (0.0, 0))
    credit_rows = sum(v for k, v in c["first"].items() if isinstance(v, int) and k != "job_run")
    members_s = r["scan_seconds"].get("retention_scan_members")
    groups_s = r["scan_seconds"].get("retention_scan_groups")
    fm_s, fm_n = r["floor"]["members"]
    fg_s, fg_n = r["floor"]["groups"]
    cn, rn = c["naive"], r["naive"]
    return [
        {"figure": "credit: sweep, job run 1 (all rules)", "seconds": c["seconds"], "rows": credit_rows,
         "x_naive": _ratio(cn["extrapolated"], c["seconds"]), "x_floor": _ratio(c["seconds"], c["floor"]["seconds"]),
         "target": True},
        {"figure": "credit:   half-suspension rule in the sweep", "seconds": half_s, "rows": half_n,
         "x_naive": _ratio(cn["extrapolated"], half_s), "x_floor": _ratio(half_s, floor_half_s)},
        {"figure": "credit: sweep, run 2 (must change nothing)", "seconds": c["seconds_2"],
         "rows": sum(v for k, v in c["second"].items() if isinstance(v, int) and k != "job_run")},
        {"figure": f"credit: naive loop, {cn['accounts']:,} accounts (half rule)", "seconds": cn["seconds"],
         "rows": cn["rows"]},
        {"figure": "credit: naive loop extrapolated to all accounts", "seconds": cn["extrapolated"],
         "rows": round(cn["rows"] * c["accounts"] / max(cn["accounts"], 1))},
        {"figure": "credit: floor, bare UPDATE per rule (rolled back)", "seconds": c["floor"]["seconds"],
         "rows": c["floor"]["rows"]},
        {"figure": "credit:   floor, half-suspension UPDATE", "seconds": floor_half_s, "rows": floor_half_n},
        {"figure": "retention: monthly scan, job run 1", "seconds": r["seconds"],
         "rows": (r["first"].get("member_alerts_new") or 0) + (r["first"].get("group_alerts_new") or 0),
         "x_naive": _ratio(rn["extrapolated"], r["seconds"]), "x_floor": _ratio(r["seconds"], fm_s + fg_s),
         "target": True},
        {"figure": "retention:   member rules", "seconds": members_s, "rows": r["first"].get("member_alerts_new"),
         "x_naive": _ratio(rn["extrapolated"], members_s), "x_floor": _ratio(members_s, fm_s)},
        {"figure": "retention:   group rules", "seconds": groups_s, "rows": r["first"].get("group_alerts_new"),
         "x_floor": _ratio(groups_s, fg_s)},
        {"figure": "retention: monthly scan, run 2 (no new alert)", "seconds": r["seconds_2"],
         "rows": (r["second"].get("member_alerts_new") or 0) + (r["second"].get("group_alerts_new") or 0)},
        {"figure": f"retention: naive loop, {rn['ids']:,} member ids", "seconds": rn["seconds"],
         "rows": rn["rows"]},
        {"figure": "retention: naive loop extrapolated to all members", "seconds": rn["extrapolated"],
         "rows": round(rn["rows"] * rn["total_members"] / max(rn["ids"], 1))},
        {"figure": "retention: floor, INSERT…SELECT member candidates", "seconds": fm_s, "rows": fm_n},
        {"figure": "retention: floor, INSERT…SELECT group rows", "seconds": fg_s, "rows": fg_n},
    ]


def print_table(lines: list[dict]) -> None:
    print(f"\n{'figure':<52} {'seconds':>9} {'rows':>10} {'x naive':>8} {'x floor':>8}  target")
    for ln in lines:
        s = ln["seconds"]
        verdict = ""
        if ln.get("target"):
            verdict = f"≤ {TARGET_S:.0f} s " + ("ok" if s is not None and s <= TARGET_S else "MISSED")
        print(f"{ln['figure']:<52} {s if s is not None else float('nan'):>9.2f} "
              f"{ln['rows'] if ln['rows'] is not None else '—':>10} "
              f"{(str(ln['x_naive']) + 'x') if ln.get('x_naive') else '':>8} "
              f"{(str(ln['x_floor']) + 'x') if ln.get('x_floor') else '':>8}  {verdict}")
    print("x naive = naive seconds ÷ these seconds (speed-up); x floor = these seconds ÷ bare SQL seconds")


def as_rows(lines: list[dict], c: dict, r: dict) -> list[dict]:
    """The result rows in bench/_common.py's format, for bench/run.py."""
    rows = []
    for ln in lines:
        target = f"≤{TARGET_S:.0f} s" if ln.get("target") else ""
        ok = (ln["seconds"] is not None and ln["seconds"] <= TARGET_S) if ln.get("target") else None
        note = ", ".join(p for p in (f"{ln['rows']:,} rows" if ln["rows"] is not None else "",
                                     f"{ln['x_naive']}x faster than naive" if ln.get("x_naive") else "",
                                     f"{ln['x_floor']}x the floor" if ln.get("x_floor") else "") if p)
        rows.append(row(BENCH, ln["figure"], round(ln["seconds"], 2) if ln["seconds"] is not None else None, "s",
                        target=target, ok=ok, note=note))
    rows.append(row(BENCH, "credit: second run changes nothing", None, "", ok=c["idempotent"],
                    note=f"counts {c['second']}; work orders {c['orders']:,} → {c['orders_after_2']:,}"))
    rows.append(row(BENCH, "retention: second run raises no alert", None, "", ok=r["idempotent"],
                    note=f"alerts {r['alerts']:,} → {r['alerts_after_2']:,}"))
    return rows


def run(scale: int | None = None, *, sample: int = SAMPLE, explain: bool = False, quick: bool = False) -> dict:
    """Run both benchmarks against the seeded database; print and return the figures."""
    from django.apps import apps

    if not apps.ready:
        setup_django()
    if quick:
        sample = min(sample, 2_000)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench: PostgreSQL only")
    accounts = _one("SELECT count(*) FROM groupclients_billingaccount")[0]
    if not accounts:
        sys.exit("bench: no billing accounts — seed first (seed_demo --scale 500)")
    for t in ("groupclients_usagemonth", "groupclients_member", "groupclients_groupcustomer"):
        if _one("SELECT last_analyze IS NULL AND last_autoanalyze IS NULL FROM pg_stat_user_tables "
                "WHERE relname = %s", [t])[0]:
            _sql(f"ANALYZE {t}")
    print(f"credit_retention: {connection.settings_dict['NAME']}, {accounts:,} billing accounts, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    print("\n== credit control", flush=True)
    c = bench_credit(sample=sample, explain=explain)
    print("\n== monthly retention scan", flush=True)
    r = bench_retention(sample=sample, explain=explain)
    lines = table(c, r)
    print_table(lines)
    print(f"credit second run changes nothing: {c['idempotent']}; retention second run raises nothing: "
          f"{r['idempotent']}")
    return {"credit": c, "retention": r, "table": lines, "rows": as_rows(lines, c, r),
            "load_after": os.getloadavg()[0]}


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--sample", type=int, default=SAMPLE, help="accounts / member ids in the naive loops (20000)")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the main statements before the runs")
    args = p.parse_args()
    setup_django()
    res = run(args.scale, sample=args.sample, explain=args.explain, quick=args.quick)
    emit(res["rows"], args.json, echo=False)


if __name__ == "__main__":
    main()
