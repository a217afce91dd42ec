"""Start-up checks of the SMS settings (issue 13 item 4, SPEC SMS-1).

A worker's claim on a chunk of outbox rows lasts SMS_SENDING_TIMEOUT_SECONDS; after that the
rows count as abandoned (they turn "unknown", services._expire_claims). If a healthy chunk can
take longer than that — ceil(SMS_FLUSH_CHUNK / KANNEL_CONCURRENCY) sends one after the other per
thread, each up to KANNEL_TIMEOUT to connect plus KANNEL_TIMEOUT to read — a live worker's rows
would be taken from it mid-send. `manage.py check` (and runserver, migrate) report sms.E001 for
such settings, and outbox_flush refuses to send with them (ImproperlyConfigured), so a worker
started with them sends nothing rather than something twice.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.checks import Error, register


def slowest_chunk_seconds() -> float:
    """The longest a healthy flush can hold one chunk's claim against a slow Kannel."""
    rounds = math.ceil(max(1, settings.SMS_FLUSH_CHUNK) / max(1, settings.KANNEL_CONCURRENCY))
    return rounds * 2 * float(settings.KANNEL_TIMEOUT)  # connect + read time-out per send


@register("sms")
def check_sending_timeout(app_configs=None, **kwargs):
    errors = []
    if settings.SMS_BACKEND != "kannel":
        return errors
    slowest = slowest_chunk_seconds()
    if settings.SMS_SENDING_TIMEOUT_SECONDS <= slowest:
        errors.append(
            Error(
                f"SMS_SENDING_TIMEOUT_SECONDS ({settings.SMS_SENDING_TIMEOUT_SECONDS}) must exceed the "
                f"slowest outbox chunk, {slowest:g} s = ceil(SMS_FLUSH_CHUNK {settings.SMS_FLUSH_CHUNK} / "
                f"KANNEL_CONCURRENCY {settings.KANNEL_CONCURRENCY}) x 2 x KANNEL_TIMEOUT "
                f"{settings.KANNEL_TIMEOUT:g} s: a worker still sending would lose its rows.",
                hint="Raise SMS_SENDING_TIMEOUT_SECONDS, or lower SMS_FLUSH_CHUNK or KANNEL_TIMEOUT, "
                "or raise KANNEL_CONCURRENCY.",
                id="sms.E001",
            )
        )
    return errors
