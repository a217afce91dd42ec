"""Every state change of the SMS gateway (SPEC SMS-1..4).

- `sms_queue` writes an outbox row in the caller's transaction; a flush is enqueued on commit.
- `outbox_flush` claims due rows with a conditional UPDATE, sends them, records the outcome.
- `sms_record_dlr` applies a Kannel delivery report; `sms_receive` stores an incoming SMS and
  hands it to the registered handlers (`portal.sms.inbound`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import ApplicationError
from portal.policy import policy
from portal.workdays import CHINA_TZ

from .backends import BaseBackend, OutgoingSms, SendResult, get_backend
from .defaults import CUSTOMER_TEMPLATES, DEFAULT_TEXTS, QUIET_TEMPLATES
from .inbound import registered_handlers
from .models import InboundMessage, OutboxMessage, SmsTemplate
from .numbers import clean_number, normalise_mobile
from .rendering import render_text, sms_parts

logger = logging.getLogger("portal.sms")

Status = OutboxMessage.Status

# Kannel delivery-report types (the %d of a dlr-url).
DLR_DELIVERED, DLR_UNDELIVERABLE, DLR_BUFFERED, DLR_SMSC_ACK, DLR_SMSC_REJECT = 1, 2, 4, 8, 16


# ---- queueing -------------------------------------------------------------------------------
def template_text(key: str) -> str:
    """The raw text of template `key`: the administrator's row, else the built-in default of that key
    (portal.sms.defaults); ApplicationError for an unknown key. One query; a job rendering a batch
    reads it once and calls render_text per message."""
    text = SmsTemplate.objects.filter(key=key).values_list("text", flat=True).first()
    text = text if text is not None else DEFAULT_TEXTS.get(key)
    if text is None:
        raise ApplicationError(_("Unknown SMS template: %(key)s") % {"key": key})
    return text


def template_context(key: str, context: dict | None = None) -> dict:
    """`context` plus what every text of that audience carries: customer texts end with the
    operator's signature (issue 16 item 5)."""
    context = dict(context or {})
    if key in CUSTOMER_TEMPLATES:
        context.setdefault("signature", policy("sms.customer_signature"))
    return context


def template_render(*, key: str, context: dict | None = None) -> str:
    """The text of template `key` with `context` filled in."""
    return render_text(template_text(key), template_context(key, context))


def quiet_hours_release(at: dt.datetime, *, key: str = "", kind: str = "") -> dt.datetime:
    """When a message queued at `at` may leave: surveys and care messages (and marketing) queued in
    quiet hours (policy sms.quiet_from_hour … sms.quiet_until_hour, Beijing time) wait until they
    end; everything else leaves at once (issue 16 item 4)."""
    if not settings.SMS_QUIET_HOURS or (key not in QUIET_TEMPLATES and kind != OutboxMessage.Kind.MARKETING):
        return at
    start, end = int(policy("sms.quiet_from_hour")), int(policy("sms.quiet_until_hour"))
    if start == end:
        return at
    local = timezone.localtime(at, CHINA_TZ)
    hour = local.hour
    quiet = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return at
    release = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


@transaction.atomic
def sms_queue(
    *,
    to: str,
    template: str | SmsTemplate | None = None,
    text: str | None = None,
    context: dict[str, Any] | None = None,
    related: models.Model | None = None,
    dedupe_key: str | None = None,
    kind: str = OutboxMessage.Kind.SERVICE,
    sender: str = "",
) -> OutboxMessage:
    """Put one SMS in the outbox, in the caller's transaction (SPEC SMS-1).

    Give a template key (rendered now with `context`, so a later edit of the template does not
    change queued messages) or a text (rendered only when a context is given). Nothing is sent
    here: after the transaction commits, a Celery task flushes the outbox; if the broker is down
    the every-minute job does. When the transaction rolls back, the row goes with it.
    With a `dedupe_key` the same business event queues at most once: a second call returns the
    existing row.
    """
    if (template is None) == (text is None):
        raise ApplicationError(_("Give either an SMS template or a text."))
    number = normalise_mobile(to)
    if template is not None:
        key = template.key if isinstance(template, SmsTemplate) else str(template)
        body = template_render(key=key, context=context)
    else:
        key = ""
        body = render_text(text, context) if context else str(text).strip()
    if not body:
        raise ApplicationError(_("The SMS text is empty."))
    if sms_parts(body) > settings.KANNEL_MAX_MESSAGES:
        raise ApplicationError(
            _("The SMS is too long: %(parts)d parts, at most %(max)d.")
            % {"parts": sms_parts(body), "max": settings.KANNEL_MAX_MESSAGES}
        )
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    row = OutboxMessage(
        to=number,
        sender=sender,
        text=body,
        template_key=key,
        kind=kind,
        dedupe_key=dedupe_key or None,
        next_attempt_at=quiet_hours_release(timezone.now(), key=key, kind=kind),
    )
    if related is not None:
        row.content_type = ContentType.objects.get_for_model(related)
        row.object_id = str(related.pk)
    row.full_clean(validate_constraints=False)  # dedupe_key: checked above and by the index below
    try:
        with transaction.atomic():  # savepoint: a lost race on dedupe_key leaves the caller usable
            row.save()
    except IntegrityError:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first() if dedupe_key else None
        if existing is None:
            raise
        return existing
    _flush_after_commit()
    return row


def _enqueue_flush() -> None:
    from .tasks import flush_outbox

    try:
        flush_outbox.delay()
    except Exception:  # broker down: the rows are safe in the outbox; the minute job sends them
        logger.warning("Could not enqueue the SMS outbox flush; the scheduled job will send.", exc_info=True)


def _flush_after_commit() -> None:
    """One flush per transaction, however many messages it queued."""
    connection = transaction.get_connection()
    # Django keeps (savepoint ids, callable, robust) tuples here until commit; skip a duplicate.
    if connection.in_atomic_block and any(
        entry[1] is _enqueue_flush for entry in getattr(connection, "run_on_commit", [])
    ):
        return
    transaction.on_commit(_enqueue_flush)


@transaction.atomic
def outbox_retry(*, ids: list[int]) -> int:
    """Send failed (or waiting) rows again now, with a fresh attempt budget. Sent rows are never
    re-sent. Returns how many rows were re-queued."""
    count = OutboxMessage.objects.filter(id__in=ids, status__in=[Status.FAILED, Status.PENDING]).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token=None,
    )
    if count:
        _flush_after_commit()
    return count


# ---- sending --------------------------------------------------------------------------------
def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed attempt: base, 2×base, 4×base … capped."""
    seconds = settings.SMS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.SMS_RETRY_MAX_SECONDS))


def _due(now) -> Q:
    stale = now - timedelta(seconds=settings.SMS_SENDING_TIMEOUT_SECONDS)
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale)


def _due_ids(size: int, now) -> list[int]:
    return list(
        OutboxMessage.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:size]
    )


def _claim_ids(ids: list[int], now) -> tuple[uuid.UUID, list[OutboxMessage]]:
    """Flip those of `ids` that are still due to "sending" for this worker.

    The UPDATE repeats the due condition: PostgreSQL re-checks it on a row another worker has
    just updated (and skips it), SQLite runs one writer at a time; either way each row is
    claimed by one worker only. The token tells this worker which rows it got.
    """
    token = uuid.uuid4()
    claimed = OutboxMessage.objects.filter(_due(now), id__in=ids).update(
        status=Status.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return token, []
    rows = OutboxMessage.objects.filter(claim_token=token).order_by("id").only("id", "to", "text", "attempts")
    return token, list(rows)


def _claim(size: int) -> tuple[uuid.UUID | None, list[OutboxMessage]]:
    """Take up to `size` due rows (pending and due, or stuck in "sending" past the timeout)."""
    for _attempt in range(10):
        now = timezone.now()
        ids = _due_ids(size, now)
        if not ids:
            return None, []
        token, rows = _claim_ids(ids, now)
        if rows:
            return token, rows
        # Another worker took exactly these rows between our SELECT and UPDATE: look again.
    return None, []


def _record(token: uuid.UUID, rows: list[OutboxMessage], results: list[SendResult], counts: Counter) -> None:
    now = timezone.now()
    mine = OutboxMessage.objects.filter(claim_token=token, status=Status.SENDING)
    accepted = [
        row.id for row, result in zip(rows, results, strict=True) if result.ok and not result.gateway_ref
    ]
    if accepted:
        mine.filter(id__in=accepted).update(status=Status.SENT, sent_at=now, last_error="")
    for row, result in zip(rows, results, strict=True):
        if result.ok and result.gateway_ref:
            mine.filter(id=row.id).update(
                status=Status.SENT, sent_at=now, last_error="", gateway_ref=result.gateway_ref
            )
        elif not result.ok:
            if result.retryable and row.attempts < settings.SMS_MAX_ATTEMPTS:
                mine.filter(id=row.id).update(
                    status=Status.PENDING,
                    last_error=result.error[:2000],
                    next_attempt_at=now + retry_delay(row.attempts),
                )
                counts["retried"] += 1
            else:
                mine.filter(id=row.id).update(status=Status.FAILED, last_error=result.error[:2000])
                counts["failed"] += 1
                logger.error("SMS #%s to %s failed for good: %s", row.id, row.to, result.error)
    counts["sent"] += sum(1 for result in results if result.ok)


def outbox_flush(*, limit: int | None = None, backend: BaseBackend | None = None) -> dict[str, int]:
    """Send what is due in the outbox (SPEC SMS-1); returns counts.

    Claims rows in chunks (pending and due, or stuck in "sending" past SMS_SENDING_TIMEOUT), sends
    each chunk through the backend, then marks every row sent, or pending again with exponential
    back-off, or failed after SMS_MAX_ATTEMPTS / on a permanent error. Each row is claimed by one
    worker only and its result is written only while that claim holds, so two flushes never send
    the same row. When a whole chunk fails with retryable errors the gateway is down: the run stops
    there instead of spending an attempt of every other row.
    """
    limit = limit or settings.SMS_FLUSH_LIMIT
    counts: Counter = Counter(claimed=0, sent=0, retried=0, failed=0)
    own_backend = backend is None
    backend = backend or get_backend()
    try:
        while counts["claimed"] < limit:
            token, rows = _claim(min(settings.SMS_FLUSH_CHUNK, limit - counts["claimed"]))
            if not rows:
                break
            counts["claimed"] += len(rows)
            batch = [
                OutgoingSms(id=row.id, to=row.to, text=row.text, sender=row.sender or settings.SMS_SENDER)
                for row in rows
            ]
            results = backend.send_many(batch)
            _record(token, rows, results, counts)
            if all(not r.ok and r.retryable for r in results):
                logger.warning("SMS gateway unavailable (%s); outbox flush stops.", results[0].error)
                break
    finally:
        if own_backend:
            backend.close()
    return dict(counts)


# ---- delivery reports -----------------------------------------------------------------------
def sms_record_dlr(
    *, outbox_id: int, dlr_type: int, gateway_ref: str = "", reply: str = ""
) -> OutboxMessage | None:
    """Apply one Kannel delivery report to its outbox row (SPEC SMS-3); None for an unknown row.

    1 delivered → delivered; 2 undeliverable / 16 rejected → failed (unless already delivered);
    8 accepted by the SMSC / 4 buffered → sent. Reports may arrive in any order (Kannel fetches
    them in parallel): each status change is one UPDATE conditional on the current status, so a
    late "accepted" never undoes "delivered". A report for a row still "sending" or waiting for a
    retry (the worker died or timed out after the gateway took it) marks it sent, so it is not
    sent again. A report that changes nothing writes nothing (the DLR endpoint is the busiest
    writer after the flush).
    """
    now = timezone.now()
    qs = OutboxMessage.objects.filter(pk=outbox_id)
    seen: dict[str, Any] = {"dlr_type": dlr_type}
    if gateway_ref:
        seen["gateway_ref"] = gateway_ref[:100]
    if dlr_type & DLR_DELIVERED:
        updated = qs.exclude(status=Status.DELIVERED).update(
            status=Status.DELIVERED,
            delivered_at=now,
            sent_at=Coalesce("sent_at", Value(now)),
            last_error="",
            **seen,
        )
    elif dlr_type & (DLR_UNDELIVERABLE | DLR_SMSC_REJECT):
        what = "undeliverable" if dlr_type & DLR_UNDELIVERABLE else "rejected by the SMSC"
        updated = qs.exclude(status=Status.DELIVERED).update(
            status=Status.FAILED, last_error=f"Delivery report {dlr_type} ({what}): {reply}"[:2000], **seen
        )
    elif dlr_type & (DLR_SMSC_ACK | DLR_BUFFERED):
        updated = qs.filter(status__in=[Status.PENDING, Status.SENDING]).update(
            status=Status.SENT, sent_at=Coalesce("sent_at", Value(now)), **seen
        )
    else:
        logger.warning("Delivery report of unknown type %s for outbox row %s", dlr_type, outbox_id)
        updated = 0
    if not updated and gateway_ref:
        # No status change, but the SMSC's message id may be news (it often comes with type 8).
        updated = qs.exclude(gateway_ref=seen["gateway_ref"]).update(**seen)
    row = qs.first()
    if row is None:
        logger.warning("Delivery report for unknown outbox row %s (type %s)", outbox_id, dlr_type)
    return row


# ---- incoming -------------------------------------------------------------------------------
@transaction.atomic
def sms_receive(
    *, sender: str, receiver: str = "", text: str = "", message_id: str | None = None
) -> InboundMessage:
    """Store one incoming SMS and pass it to the registered handlers (SPEC SMS-3).

    Idempotent on `message_id`: a second delivery of the same id returns the stored row and runs
    no handler (a concurrent duplicate waits on the unique index until the first commits).
    The message is kept whatever the handlers do — handled, unhandled, or with a handler error —
    so a reply nobody understood is never dropped.
    """
    message_id = (message_id or "").strip() or None
    if message_id:
        existing = InboundMessage.objects.filter(message_id=message_id).first()
        if existing is not None:
            return existing
    message = InboundMessage(
        message_id=message_id,
        sender=clean_number(sender)[:20],
        receiver=clean_number(receiver)[:20],
        text=text or "",
        received_at=timezone.now(),
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        existing = InboundMessage.objects.filter(message_id=message_id).first() if message_id else None
        if existing is None:
            raise
        return existing
    _dispatch(message)
    return message


def _dispatch(message: InboundMessage) -> None:
    errors = []
    for name, handler in registered_handlers():
        try:
            with transaction.atomic():
                took = handler(message)
        except Exception as exc:  # one broken handler must not lose the message or block the others
            logger.exception("Inbound SMS handler %s failed on message %s", name, message.pk)
            errors.append(f"{name}: {exc!r}")
            continue
        if took:
            message.handled, message.handler = True, name
            break
    message.error = "\n".join(errors)[:4000]
    message.save(update_fields=["handled", "handler", "error"])


# ---- templates ------------------------------------------------------------------------------
@transaction.atomic
def sms_template_save(*, template: SmsTemplate, by=None, request=None) -> SmsTemplate:
    """Validate and save an administrator's template; audit-logged (SPEC CFG-1, SMS-4)."""
    from portal.audit import audit_log

    template.full_clean()
    template.save()
    audit_log(
        action="policy_changed",
        actor=by,
        request=request,
        target=template,
        key=template.key,
        text=template.text,
    )
    return template


@transaction.atomic
def sms_template_delete(*, template: SmsTemplate, by=None, request=None) -> None:
    """Remove an administrator's template row; a built-in key falls back to its default text."""
    from portal.audit import audit_log

    audit_log(
        action="policy_changed", actor=by, request=request, target=template, key=template.key, deleted=True
    )
    template.delete()
