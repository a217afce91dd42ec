"""Benchmark (issue 4, through the real gateway): N visit logs saved → N survey SMS accepted by Kannel.

    .venv/bin/python bench/visits_kannel.py [--visits 10000] [--quick] [--json out.json]

Starts bearerbox + smsbox + fakesmsc (tests/sms/kannel.py, the repository's deploy/kannel/kannel.conf
on free ports), points the portal at it (SMS_BACKEND=kannel, delivery reports off so nothing waits
on a portal server), saves --visits visit logs one by one through `visits.services.visit_log_create`
for as many groups (one contact each, each visit its own transaction), flushes the outbox with
`outbox_flush` until it is empty, and waits until fakesmsc has every survey. Prints the time to save,
the time until Kannel accepted everything and until the last handset got its SMS, and messages/s;
the ratio is against Kannel's own sendsms rate measured on the same run with bare HTTP requests
(the floor: what the gateway takes when nothing else happens). Then it deletes what it made.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, format_row, parser, row, setup_django  # noqa: E402


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--visits", type=int, default=None, help="visit logs (default 10 000; quick 300)")
    args = p.parse_args()
    n = args.visits or (300 if args.quick else 10000)
    setup_django(sms_backend="kannel")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from groupclients.models import Contact
    from portal.sms.models import OutboxMessage
    from portal.sms.services import outbox_flush
    from tests.sms.kannel import KannelHarness, kannel_available
    from visits.models import Survey, VisitLog
    from visits.services import visit_log_create

    ok, why = kannel_available()
    if not ok:
        sys.exit(f"bench: {why}")
    plan = []
    seen = set()
    for c in (Contact.objects.filter(status="active", no_surveys=False, group__status="active")
              .select_related("group", "group__account_manager").order_by("pk").iterator(chunk_size=2000)):
        if c.group_id in seen:
            continue
        seen.add(c.group_id)
        plan.append(c)
        if len(plan) >= n:
            break
    if len(plan) < n:
        sys.exit(f"bench: only {len(plan)} groups with a contact; seed a larger province")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, KannelHarness(workdir=Path(tmp), portal_url="http://127.0.0.1:9",
                                                             secret=settings.SMS_INBOUND_SECRET) as k:
        settings.KANNEL_SENDSMS_URL, settings.KANNEL_USERNAME = k.sendsms_url, k.username
        settings.KANNEL_PASSWORD, settings.KANNEL_DLR_MASK = k.password, 0
        # the floor: bare sendsms requests, one connection each, no portal in the way
        floor_n = min(500, n)
        t = time.perf_counter()
        for i in range(floor_n):
            q = urllib.parse.urlencode({"username": k.username, "password": k.password, "from": "10086",
                                        "to": f"1390000{i:04d}", "text": "满意度调查", "charset": "UTF-8", "coding": 2})
            urllib.request.urlopen(f"{k.sendsms_url}?{q}", timeout=10).read()
        floor_rate = floor_n / (time.perf_counter() - t)
        k.wait_received(floor_n, timeout=120)
        first_outbox = (OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first_visit = (VisitLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        started = time.perf_counter()
        now = timezone.now()
        for c in plan:
            with transaction.atomic():
                visit_log_create(group=c.group, by=c.group.account_manager, contacts=[c], kind="routine",
                                 purposes=["relationship"], notes="bench", started_at=now - dt.timedelta(hours=1),
                                 next_visit_on=timezone.localdate() + dt.timedelta(days=30))
        saved = time.perf_counter() - started
        while OutboxMessage.objects.filter(pk__gte=first_outbox, status="pending").exists():
            outbox_flush()
        accepted = time.perf_counter() - started
        k.wait_received(floor_n + n, timeout=600)
        delivered = time.perf_counter() - started
        sent = OutboxMessage.objects.filter(pk__gte=first_outbox, status__in=["sent", "delivered"]).count()
        rows += [
            row("visits_kannel", f"{n} visit logs saved (surveys queued in the same transaction)", n / saved, "visits/s"),
            row("visits_kannel", f"{n} survey SMS accepted by Kannel (save + flush)", accepted, "s",
                note=f"{sent} sent, {n / accepted:.0f} msg/s end to end"),
            row("visits_kannel", f"last of {n} surveys received at fakesmsc", delivered, "s",
                note=f"{n / delivered:.0f} msg/s; gateway floor (bare sendsms) {floor_rate:.0f} msg/s; "
                     f"ratio portal/floor {n / delivered / floor_rate:.2f}"),
        ]
        Survey.objects.filter(visit_id__gte=first_visit).delete()
        VisitLog.objects.filter(pk__gte=first_visit).delete()
        OutboxMessage.objects.filter(pk__gte=first_outbox).delete()
    for r in rows:
        print(format_row(r))
    emit(rows, args.json, echo=False)


if __name__ == "__main__":
    main()
