"""Benchmark (issue 4, the part without Kannel): visit logs → survey SMS → replies.

    .venv/bin/python bench/visits.py [--visits 10000] [--replies 1000] [--naive 1000] [--quick] [--json out.json]

With SMS_BACKEND=memory on the seeded benchmark database:
1. --visits visit logs saved one by one through `visits.services.visit_log_create` (each its own
   transaction, as a page or the API does it: validation, history, last-visit dates, one survey and
   one outbox row per contact met) for as many different groups, one active contact each:
   visits/s and survey SMS queued/s.
2. The outbox flushed through the memory backend: the first --naive rows the naive way (one
   transaction per row: SELECT … FOR UPDATE, send, save), the rest with `outbox_flush` (claims in
   chunks, one UPDATE per chunk): messages/s each and the ratio.
3. --replies replies (a realistic mix: 1–4, full-width digits, 非常满意/较好/一般/很差 with noise,
   unparseable texts; 一般/很差 open repair cases) through the inbound endpoint
   /api/v1/sms/inbound/ with the test Client, as Kannel's get-url calls it (GET, secret from
   settings.SMS_INBOUND_SECRET): replies/s.
Then everything the benchmark made is deleted again (unless --keep), so the database does not grow
from run to run (the groups' and contacts' last-visit dates stay moved to today).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, format_row, parser, row, setup_django  # noqa: E402

MARK = "基准测试"  # every visit this benchmark saves starts its notes with this
REPLY_TEXTS = ["1", "1", "非常满意", "2", "较好，谢谢", "１", "满意 1", "2 服务不错", "一般", "3",
               "很差，网络经常断", "4", "好的收到", "？", "回复：2", "２"]


def main() -> None:
    p = parser(__doc__.split("\n")[0])
    p.add_argument("--visits", type=int, default=None, help="visit logs to save (default 10 000; quick 500)")
    p.add_argument("--replies", type=int, default=None, help="inbound replies (default 1 000; quick 100)")
    p.add_argument("--naive", type=int, default=None, help="outbox rows flushed row by row (default 1 000; quick 100)")
    p.add_argument("--keep", action="store_true", help="keep the visits, surveys and messages made")
    args = p.parse_args()
    setup_django(sms_backend="memory")
    n_visits = args.visits or (500 if args.quick else 10_000)
    n_replies = min(args.replies or (100 if args.quick else 1_000), n_visits)
    n_naive = min(args.naive or (100 if args.quick else 1_000), n_visits // 2)

    from django.conf import settings

    from visits.models import VisitLog

    assert settings.SMS_BACKEND == "memory", settings.SMS_BACKEND
    first_visit = (VisitLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    run_id = time.strftime("%Y%m%d%H%M%S")
    rows: list[dict] = []
    try:
        plan = pick_visits(n_visits)
        rows += save_visits(plan, first_visit)
        rows += flush(n_naive, first_visit)
        rows += replies(plan[:n_replies], run_id, first_visit)
    finally:
        if not args.keep:
            t0 = time.monotonic()
            cleanup(first_visit, run_id)
            print(f"  cleaned up in {time.monotonic() - t0:.1f} s", flush=True)
    emit(rows, args.json, echo=False)


def pick_visits(n: int) -> list[tuple]:
    """(group, account manager, contact) for n different active groups spread over the province."""
    from groupclients.models import Contact, GroupCustomer

    ids = list(GroupCustomer.objects.filter(status="active").order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // n)
    chosen = ids[::step][:n]
    contact_for: dict[int, Contact] = {}
    for c in (Contact.objects.filter(group_id__in=chosen, status=Contact.Status.ACTIVE, no_surveys=False)
              .order_by("group_id", "-is_primary", "pk")):
        contact_for.setdefault(c.group_id, c)
    groups = GroupCustomer.objects.filter(pk__in=list(contact_for)).select_related("unit", "account_manager")
    plan = [(g, g.account_manager, contact_for[g.pk]) for g in groups.order_by("pk")]
    if len(plan) < n:
        print(f"  only {len(plan)} groups with a contact to survey (wanted {n})")
    return plan


def save_visits(plan: list[tuple], first_visit: int) -> list[dict]:
    import datetime as dt

    from django.utils import timezone

    from visits.services import visit_log_create

    today = timezone.localdate()
    t0 = time.perf_counter()
    for group, am, contact in plan:
        started = timezone.now() - dt.timedelta(hours=2)
        visit_log_create(group=group, by=am, contacts=[contact], kind="routine", purposes=["relationship", "service"],
                         notes=f"{MARK}：季度回访，了解专线使用情况。", started_at=started,
                         ended_at=started + dt.timedelta(hours=1), next_visit_on=today + dt.timedelta(days=30))
    elapsed = time.perf_counter() - t0
    queued = own_outbox(first_visit).count()
    out = [
        row("visits", f"{len(plan):,} visit logs via visit_log_create", len(plan) / elapsed, "visits/s",
            note=f"{elapsed:.1f} s, {elapsed / len(plan) * 1000:.1f} ms each"),
        row("visits", f"survey SMS queued in the same transactions ({queued:,})", queued / elapsed, "msg/s",
            ok=queued == len(plan), target=f"{len(plan):,} queued"),
    ]
    for r in out:
        print("  " + format_row(r), flush=True)
    return out


def own_outbox(first_visit: int):
    """The outbox rows this run queued: those of its surveys and of the repair cases they opened.
    Other benchmarks may share the database and queue SMS of their own meanwhile; those are never
    flushed or deleted here."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from portal.sms.models import OutboxMessage
    from visits.models import RepairCase, Survey

    surveys = Survey.objects.filter(visit_id__gte=first_visit, visit__notes__startswith=MARK)
    cases = RepairCase.objects.filter(survey__in=surveys)
    ct = ContentType.objects.get_for_models(Survey, RepairCase)
    survey_ids = [str(pk) for pk in surveys.values_list("pk", flat=True)]
    case_ids = [str(pk) for pk in cases.values_list("pk", flat=True)]
    return OutboxMessage.objects.filter(Q(content_type=ct[Survey], object_id__in=survey_ids)
                                        | Q(content_type=ct[RepairCase], object_id__in=case_ids))


def flush(n_naive: int, first_visit: int) -> list[dict]:
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from portal.sms import backends
    from portal.sms.backends import OutgoingSms, get_backend
    from portal.sms.models import OutboxMessage
    from portal.sms.services import outbox_flush

    Status = OutboxMessage.Status
    backends.memory_clear()
    mine = own_outbox(first_visit).filter(status=Status.PENDING)
    ids = list(mine.order_by("pk").values_list("pk", flat=True))
    naive_ids, batch_ids = ids[:n_naive], ids[n_naive:]
    # outbox_flush takes the due rows oldest next_attempt_at first: dating this run's rows back puts
    # them at the head of the queue, so a flush limited to their number sends exactly them.
    head = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    if OutboxMessage.objects.filter(next_attempt_at__lte=head, status__in=[Status.PENDING, Status.SENDING]).exists():
        raise SystemExit("visits: outbox rows due before 2000 exist; cannot flush only this run's rows")
    OutboxMessage.objects.filter(pk__in=batch_ids).update(next_attempt_at=head)
    # Other writers' due rows make every claim slower (the claim query sorts all due rows): say so.
    backlog = OutboxMessage.objects.filter(status=Status.PENDING).exclude(pk__in=ids).count()
    backend = get_backend()
    t0 = time.perf_counter()
    for pk in naive_ids:
        with transaction.atomic():
            msg = OutboxMessage.objects.select_for_update().get(pk=pk)
            backend.send(OutgoingSms(id=msg.pk, to=msg.to, text=msg.text))
            msg.status, msg.sent_at, msg.attempts = Status.SENT, timezone.now(), msg.attempts + 1
            msg.save(update_fields=["status", "sent_at", "attempts"])
    t_naive = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = outbox_flush(limit=len(batch_ids))
    t_batch = time.perf_counter() - t0
    sent = {m.id for m in backends.memory_outbox}
    backends.memory_clear()
    only_mine = sent == set(ids)
    naive_rate, batch_rate = len(naive_ids) / t_naive, counts["sent"] / t_batch
    out = [
        row("visits", f"outbox_flush, memory backend ({counts['sent']:,} rows)", batch_rate, "msg/s",
            ok=only_mine and not counts["failed"], target="all sent once",
            note=f"{t_batch:.2f} s; {counts}; {backlog:,} other pending rows in the outbox"
                 + ("" if only_mine else "; NOT exactly this run's rows")),
        row("visits", f"naive flush, one transaction per row ({len(naive_ids):,} rows)", naive_rate, "msg/s",
            note=f"{t_naive:.2f} s"),
        row("visits", "ratio outbox_flush / naive row-by-row flush", batch_rate / naive_rate, "x"),
    ]
    for r in out:
        print("  " + format_row(r), flush=True)
    return out


def replies(plan: list[tuple], run_id: str, first_visit: int) -> list[dict]:
    from django.conf import settings
    from django.test import Client

    from visits.models import RepairCase, Survey, SurveyReply

    c = Client()
    url = "/api/v1/sms/inbound/"
    secret = settings.SMS_INBOUND_SECRET
    surveys = Survey.objects.filter(visit_id__gte=first_visit, visit__notes__startswith=MARK)
    bad = 0
    t0 = time.perf_counter()
    for i, (_group, _am, contact) in enumerate(plan):
        response = c.get(url, {"from": contact.mobile, "to": settings.SMS_SENDER, "text": REPLY_TEXTS[i % len(REPLY_TEXTS)],
                               "id": f"bench-{run_id}-{i}", "secret": secret})
        bad += response.status_code != 200
    elapsed = time.perf_counter() - t0
    recorded = SurveyReply.objects.filter(survey__in=surveys).count()
    cases = RepairCase.objects.filter(survey__in=surveys).count()
    answered = surveys.filter(status=Survey.Status.ANSWERED).count()
    r = row("visits", f"{len(plan):,} replies via GET /api/v1/sms/inbound/", len(plan) / elapsed, "replies/s",
            ok=bad == 0 and recorded == len(plan), target="all recorded",
            note=f"{elapsed:.1f} s; {recorded:,} recorded, {answered:,} answered, {cases} repair cases opened"
                 + (f", {bad} non-200" if bad else ""))
    print("  " + format_row(r), flush=True)
    return [r]


def cleanup(first_visit: int, run_id: str) -> None:
    """Delete what this run made, set-based (the ORM's collector would send a signal and write a
    history row per visit): its outbox rows, repair cases, replies, surveys, the visits' contact
    links and history rows, the visits and its inbound messages — nothing another process made."""
    from django.db import connection, transaction

    from portal.sms.models import InboundMessage
    from visits.models import RepairCase, Survey, SurveyReply, VisitLog

    t = {m: m._meta.db_table for m in (RepairCase, Survey, SurveyReply, VisitLog, InboundMessage)}
    history = VisitLog.history.model
    history_m2m = [rel.related_model._meta.db_table for rel in history._meta.related_objects
                   if rel.one_to_many and rel.field.name == "history"]
    visits = f"SELECT id FROM {t[VisitLog]} WHERE id >= %s AND notes LIKE %s"
    surveys = f"SELECT id FROM {t[Survey]} WHERE visit_id IN ({visits})"
    args = [first_visit, MARK + "%"]
    with transaction.atomic():
        own_outbox(first_visit).delete()
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {t[RepairCase]} WHERE survey_id IN ({surveys})", args)
            cur.execute(f"DELETE FROM {t[SurveyReply]} WHERE survey_id IN ({surveys})", args)
            cur.execute(f"DELETE FROM {t[Survey]} WHERE visit_id IN ({visits})", args)
            for m2m in (VisitLog.contacts.through, VisitLog.companions.through):
                cur.execute(f"DELETE FROM {m2m._meta.db_table} WHERE visitlog_id IN ({visits})", args)
            hist = f"SELECT history_id FROM {history._meta.db_table} WHERE id >= %s AND notes LIKE %s"
            for table in history_m2m:
                cur.execute(f"DELETE FROM {table} WHERE history_id IN ({hist})", args)
            cur.execute(f"DELETE FROM {history._meta.db_table} WHERE id >= %s AND notes LIKE %s", args)
            cur.execute(f"DELETE FROM {t[VisitLog]} WHERE id >= %s AND notes LIKE %s", args)
            cur.execute(f"DELETE FROM {t[InboundMessage]} WHERE message_id LIKE %s", [f"bench-{run_id}-%"])


if __name__ == "__main__":
    main()
