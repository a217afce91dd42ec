"""Thin Celery task: the outbox flush lives in services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="portal.sms.tasks.flush_outbox")
def flush_outbox(limit: int | None = None) -> dict:
    from .services import outbox_flush

    return outbox_flush(limit=limit)
