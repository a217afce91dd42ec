"""Benchmark (issue 5): the SLA sweep over 100 000 open tickets and the ticket queue pages.

    .venv/bin/python bench/tickets.py [--scale 500] [--open 100000] [--sample 5000] [--quick] [--json out.json]

1. Makes sure the benchmark database holds --open open tickets (numbers BT…): bulk-inserted in
   batches of 5 000, spread over every site, 40 % dispatched / 35 % acknowledged / 25 % on site,
   30 % of them opened 5–72 h ago (so their clocks ran out) and the rest in the last 25 minutes.
2. `tickets.sla.sla_sweep(now=…)`: breach stamps reset, then two runs with the same `now` — the
   first stamps the breaches and writes the escalation events, the second must change nothing;
   seconds for both (median of --reps pairs). `now` is one minute after the newest BT ticket was
   opened, so the share of run-out clocks does not drift with the age of the benchmark data.
3. The naive approach, `tickets.sla.sla_sweep_python_loop()` (every open ticket loaded, each breach
   saved and logged one row at a time, autocommit), on a --sample of the BT tickets (a contiguous
   id range of randomly mixed tickets, the stamps reset first), extrapolated linearly to all open
   tickets; the ratio is extrapolated naive time / first sweep run.
4. The queue pages with those tickets: manager1's unit board `/tickets/?queue=open` (also with
   breached=1), mm1's `/tickets/` (their open tickets), am1's and agent1's default queues: median
   server time through the test Client and the query count.

The benchmark's own escalation events and SMS rows are deleted at each reset, so repeated runs do
not grow the database; the tickets stay (a second run reuses them) with the last sweep's stamps.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PageTimer, emit, format_row, parser, row, setup_django  # noqa: E402

PREFIX = "BT"
BREACH_FIELDS = ("acknowledge_breached_at", "on_site_breached_at", "restore_breached_at")


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--open", type=int, default=None, help="open tickets (default 100 000; quick 5 000)")
    p.add_argument("--sample", type=int, default=None, help="tickets for the Python loop (default 5 000; quick 500)")
    p.add_argument("--reps", type=int, default=None, help="sweep pairs to time (default 3; quick 1)")
    args = p.parse_args()
    setup_django(sms_backend="memory")
    n_open = args.open or (5_000 if args.quick else 100_000)
    sample = args.sample or (500 if args.quick else 5_000)
    reps = args.reps or (1 if args.quick else 3)
    runs = args.runs or (5 if args.quick else 20)

    rows: list[dict] = []
    t0 = time.monotonic()
    made = ensure_open_tickets(n_open)
    from tickets.models import Ticket

    open_now = Ticket.objects.filter(status__in=["dispatched", "acknowledged", "on_site"]).count()
    print(f"  open tickets: {open_now:,} ({made:,} inserted in {time.monotonic() - t0:.1f} s); "
          f"all tickets: {Ticket.objects.count():,}", flush=True)

    # 3 first (it only touches the sample), so the database is left as the real sweep leaves it.
    now = clock()
    t_loop, n_loop, n_sample = python_loop(sample, now)
    loop_per_ticket = t_loop / n_sample
    print(f"  python loop: {n_sample:,} open tickets, {n_loop:,} breaches in {t_loop:.2f} s", flush=True)

    firsts, seconds, changes, counts = [], [], [], {}
    for _ in range(reps):
        reset_all()
        vacuum()
        # Both runs of a pair judge the clocks at the same instant: a later `now` would rightly find
        # the tickets whose clocks ran out in between (the first run takes many seconds).
        t1, counts = timed_sweep(now)
        t2, again = timed_sweep(now)
        firsts.append(t1)
        seconds.append(t2)
        changed = sum(v for k, v in again.items() if k.endswith("_breaches") or k == "escalation_sms")
        changes.append(changed)
        print(f"  sla_sweep: first {t1:.2f} s {counts}; second {t2:.2f} s, changed {changed}", flush=True)
    first, second = sorted(firsts)[len(firsts) // 2], sorted(seconds)[len(seconds) // 2]
    breaches = sum(v for k, v in counts.items() if k.endswith("_breaches"))
    rows.append(row("tickets", f"sla_sweep, first run ({open_now:,} open tickets)", round(first, 2), "s",
                    note=f"{breaches:,} breaches stamped, {counts.get('escalation_sms', 0)} digest SMS; "
                         f"median of {reps}"))
    rows.append(row("tickets", "sla_sweep, second run, same now (must change nothing)", round(second, 2), "s",
                    ok=max(changes) == 0, target="0 changes", note=f"changes per pair: {changes}"))
    naive_total = loop_per_ticket * open_now
    rows.append(row("tickets", "sla_sweep_python_loop, extrapolated", round(naive_total, 1), "s",
                    note=f"measured {t_loop:.2f} s on {n_sample:,} tickets ({n_loop:,} breaches) × "
                         f"{open_now / n_sample:.0f}"))
    rows.append(row("tickets", "ratio python loop / sla_sweep (first run)", naive_total / first, "x"))
    for r in rows:
        print("  " + format_row(r), flush=True)

    vacuum()
    timer = PageTimer(runs=runs)
    pages = [
        ("manager1", "unit board, all open", "/tickets/?queue=open"),
        ("manager1", "unit board, open + breached", "/tickets/?queue=open&breached=1"),
        ("mm1", "my open tickets (default queue)", "/tickets/"),
        ("am1", "my open tickets (default queue)", "/tickets/"),
        ("agent1", "reported by me (default queue)", "/tickets/"),
    ]
    for username, label, url in pages:
        m = timer.measure(username, url)
        r = row("tickets", f"{username}: {label} {url}", round(m["median_ms"], 1), "ms", queries=m["queries"],
                note=f"p90 {m['p90_ms']:.0f} ms; slowest SQL {m['slowest_s'] * 1000:.0f} ms")
        print("  " + format_row(r), flush=True)
        if m["median_ms"] > 100:
            print(f"     slowest SQL: {m['slowest_sql'][:600]}")
        rows.append(r)
    emit(rows, args.json, echo=False)


# ---- the tickets --------------------------------------------------------------------------------
def ensure_open_tickets(n: int) -> int:
    """Bulk-insert open BT… tickets until there are n of them; returns how many were inserted."""
    from django.db.models import F
    from django.utils import timezone

    from accounts.models import User
    from groupclients.models import Product, Site
    from tickets.models import Ticket

    have = Ticket.objects.filter(number__startswith=PREFIX).count()
    if have >= n:
        return 0
    rnd = random.Random(55 + have)
    agent = User.objects.get(username="agent1")
    products = list(Product.objects.values_list("pk", flat=True))
    sites = list(Site.objects.order_by("pk").values_list("pk", "group_id", "unit_id", "local_am_id", "local_mm_id",
                                                         "group__account_manager_id"))
    rnd.shuffle(sites)
    now = timezone.now()
    statuses = ["dispatched"] * 40 + ["acknowledged"] * 35 + ["on_site"] * 25
    batch: list[Ticket] = []
    for i in range(have, n):
        site_id, group_id, unit_id, am_id, mm_id, home_am_id = sites[i % len(sites)]
        status = rnd.choice(statuses)
        late = rnd.random() < 0.30
        opened = now - (dt.timedelta(minutes=rnd.randint(300, 72 * 60)) if late
                        else dt.timedelta(minutes=rnd.randint(0, 25)))
        severity = rnd.choice(["critical", "major", "major", "minor", "minor", "minor"])
        restore_h = {"critical": 4, "major": 8, "minor": 24}[severity]
        by_am = rnd.random() < 0.2
        batch.append(Ticket(
            number=f"{PREFIX}{i:09d}", group_id=group_id, site_id=site_id, unit_id=unit_id,
            product_id=rnd.choice(products), severity=severity, description="基准测试：专线中断",
            reporter_name="客户", callback_number=f"139{i:08d}", channel="am" if by_am else "call_centre",
            opened_by_id=home_am_id if by_am else agent.pk, status=status,
            account_manager_id=am_id, maintenance_manager_id=mm_id, home_am_id=home_am_id,
            dispatched_at=opened, acknowledge_due=opened + dt.timedelta(minutes=30),
            on_site_due=opened + dt.timedelta(hours=4), restore_due=opened + dt.timedelta(hours=restore_h),
            acknowledged_at=opened + dt.timedelta(minutes=10) if status != "dispatched" else None,
            on_site_at=opened + dt.timedelta(minutes=60) if status == "on_site" else None,
        ))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    if batch:
        Ticket.objects.bulk_create(batch)
    # opened_at is auto_now_add: one set-based UPDATE moves it back to the dispatch time
    Ticket.objects.filter(number__startswith=PREFIX, opened_at__gt=F("dispatched_at")).update(
        opened_at=F("dispatched_at"))
    vacuum()
    return n - have


def vacuum() -> None:
    """VACUUM ANALYZE the ticket tables. The benchmark resets and re-stamps tens of thousands of
    tickets per pair of sweeps — churn a production table does not see — so it cleans up after
    itself the way autovacuum would between real sweeps. (VACUUM cannot remove row versions that
    another session's long-open transaction may still see.)"""
    from django.db import connection

    from tickets.models import Ticket, TicketEvent

    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}, {TicketEvent._meta.db_table}")


def reset_all() -> None:
    """Forget every breach of the BT tickets: stamps cleared, the sweep's events and SMS deleted."""
    from django.db import transaction

    from portal.sms.models import OutboxMessage
    from tickets.models import Ticket, TicketEvent

    bench = Ticket.objects.filter(number__startswith=PREFIX)
    with transaction.atomic():
        TicketEvent.objects.filter(action="escalated", ticket__number__startswith=PREFIX).delete()
        bench.exclude(acknowledge_breached_at=None, on_site_breached_at=None, restore_breached_at=None).update(
            **dict.fromkeys(BREACH_FIELDS))
        OutboxMessage.objects.filter(dedupe_key__startswith="sla:").delete()


def timed_sweep(now) -> tuple[float, dict]:
    from tickets.sla import sla_sweep

    t0 = time.perf_counter()
    counts = sla_sweep(now=now)
    return time.perf_counter() - t0, counts


def clock():
    """The instant the sweeps judge the clocks at: one minute after the newest BT ticket was
    opened, so the share of clocks that have run out is the one built in (30 % late) however long
    ago the tickets were inserted."""
    from django.db.models import Max

    from tickets.models import Ticket

    newest = Ticket.objects.filter(number__startswith=PREFIX).aggregate(m=Max("dispatched_at"))["m"]
    return newest + dt.timedelta(minutes=1)


def python_loop(sample: int, now) -> tuple[float, int, int]:
    """sla_sweep_python_loop on `sample` BT tickets only: the module's Ticket is swapped, for the
    call, for a stand-in whose manager filters to that id range."""
    from django.db import transaction

    import tickets.sla as sla
    from tickets.models import Ticket, TicketEvent

    ids = list(Ticket.objects.filter(number__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)[:sample])
    lo, hi = ids[0], ids[-1]
    in_sample = Ticket.objects.filter(pk__range=(lo, hi))
    with transaction.atomic():
        TicketEvent.objects.filter(action="escalated", ticket__in=in_sample).delete()
        in_sample.update(**dict.fromkeys(BREACH_FIELDS))

    class SampleManager:
        @staticmethod
        def filter(*args, **kwargs):
            return Ticket.objects.filter(pk__range=(lo, hi)).filter(*args, **kwargs)

    class SampleTicket:
        objects = SampleManager

    n_open = in_sample.filter(status__in=["dispatched", "acknowledged", "on_site"]).count()
    real = sla.Ticket
    sla.Ticket = SampleTicket
    try:
        t0 = time.perf_counter()
        n = sla.sla_sweep_python_loop(now=now)
        elapsed = time.perf_counter() - t0
    finally:
        sla.Ticket = real
    return elapsed, n, n_open


if __name__ == "__main__":
    main()
