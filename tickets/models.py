"""Fault tickets, complaints, SLA — and the performance ledger (SPEC PEN-1)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LedgerEntry(models.Model):
    """One points or money entry against a person or a branch for a month (PEN-1).

    Each entry names the rule that fired and the record that caused it; the unique constraint on
    (rule, source, person, branch) makes every writer idempotent. A disputed entry is reversed by
    the quality desk with a reason, never deleted.
    """

    class Rule(models.TextChoices):
        MISSED_REPAIR = "missed_repair", _("Satisfaction repair not done in time")
        AM_ABSENT = "am_absent", _("AM absent from a joint fault visit")
        MM_NOT_NOTIFIED = "mm_not_notified", _("MM did not notify the AM")
        WRONG_RECORD = "wrong_record", _("Wrong record entry")
        UNRECORDED_COMPLAINT = "unrecorded_complaint", _("Unrecorded complaint escalated")

    month = models.DateField(_("month"), db_index=True)  # first day of the month
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="ledger_entries")
    branch = models.ForeignKey("accounts.OrgUnit", verbose_name=_("branch"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="ledger_entries")
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, default=0)
    money = models.DecimalField(_("money (CNY)"), max_digits=10, decimal_places=2, default=0)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64)
    source = GenericForeignKey("source_type", "source_id")
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reversal_reason = models.CharField(_("reason for reversal"), max_length=300, blank=True)

    class Meta:
        ordering = ["-month", "-created_at"]
        verbose_name = _("performance ledger entry")
        verbose_name_plural = _("performance ledger")
        constraints = [
            models.UniqueConstraint(fields=["rule", "source_type", "source_id", "person"],
                                    condition=Q(person__isnull=False), name="ledger_once_per_person"),
            models.UniqueConstraint(fields=["rule", "source_type", "source_id", "branch"],
                                    condition=Q(person__isnull=True), name="ledger_once_per_branch"),
        ]

    def __str__(self) -> str:
        who = self.person or self.branch
        return f"{self.month:%Y-%m} {who} {self.get_rule_display()}"
