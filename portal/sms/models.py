"""Outbox, inbound messages and templates of the SMS gateway (SPEC SMS-1..4).

Write through `portal.sms.services`; these classes hold no behaviour beyond validation.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsTemplate(models.Model):
    """An administrator-editable message text (SPEC SMS-4).

    The text uses Django template syntax without HTML escaping, e.g. `{{ name }}，您好`: the
    variables come from the caller's `context`; a missing variable renders as an empty string.
    (Django templates, not str.format: an administrator's text cannot reach attributes such as
    `{0.__class__}` of the objects passed in.)
    """

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("When the message is sent and which variables the text may use."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return f"{self.key} {self.name}".strip()

    def clean(self) -> None:
        from .rendering import compile_template

        try:
            compile_template(self.text)
        except Exception as exc:  # TemplateSyntaxError and friends
            raise ValidationError({"text": str(exc)}) from exc


class OutboxMessage(models.Model):
    """One outgoing SMS (SPEC SMS-1): written in the business transaction, sent by the worker.

    pending → sending (claimed by one worker) → sent (gateway accepted) → delivered (DLR);
    failed after the last attempt or on a permanent error / failure report.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        MARKETING = "marketing", _("Marketing")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    to = models.CharField(_("recipient"), max_length=20, db_index=True)
    # The number it leaves from: blank is the service number (SMS_SENDER); a survey goes out from
    # the service number plus its extension, so the reply finds its own survey (issue 16 item 3).
    sender = models.CharField(_("sender"), max_length=21, blank=True)
    text = models.TextField(_("text"))
    template_key = models.CharField(_("template"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # Which flush run holds the row: result writes are conditional on it, so a worker that lost
    # its claim (timeout) cannot overwrite what another worker or a delivery report wrote.
    claim_token = models.UUIDField(_("claim token"), null=True, blank=True, editable=False)
    gateway_ref = models.CharField(_("gateway reference"), max_length=100, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    dlr_type = models.PositiveSmallIntegerField(_("last delivery report type"), null=True, blank=True)
    # NULL, not "": the unique constraint applies only to rows that have a key.
    dedupe_key = models.CharField(  # noqa: DJ001
        _("deduplication key"),
        max_length=200,
        null=True,
        blank=True,
        help_text=_("The same business event never queues twice: one row per key."),
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("related type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_id = models.CharField(_("related id"), max_length=64, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing SMS")
        verbose_name_plural = _("outgoing SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="sms_outbox_dedupe_key_uniq",
            ),
        ]
        indexes = [
            # The worker's claim query: due pending rows, and stuck sending rows.
            models.Index(fields=["status", "next_attempt_at"], name="sms_outbox_due_idx"),
            models.Index(fields=["content_type", "object_id"], name="sms_outbox_related_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} → {self.to} [{self.status}]"


class InboundMessage(models.Model):
    """One SMS received from a subscriber (SPEC SMS-3), stored before any handler sees it."""

    # NULL when Kannel gave no id: unique only among the ids it did give.
    message_id = models.CharField(  # noqa: DJ001
        _("gateway message id"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Kannel's id (%I); a second delivery with the same id is the same message."),
    )
    sender = models.CharField(_("sender"), max_length=20, db_index=True)
    receiver = models.CharField(_("receiver"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    handled = models.BooleanField(_("handled"), default=False)
    handler = models.CharField(_("handler"), max_length=200, blank=True)
    error = models.TextField(_("handler error"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("incoming SMS")
        verbose_name_plural = _("incoming SMS")

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:30]}"
