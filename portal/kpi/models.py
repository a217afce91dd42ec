"""The monthly close (JOB-7): which months are frozen, and the figures per scope.

A closed month's dashboard reads `KpiSnapshot` rows instead of counting records, so it is fast and
does not move when late records arrive. An open month (the current one) has provisional rows of the
same shape, recounted every few minutes, because counting 100 000 groups' obligations, 500 000
contacts and 1 000 000 members on every page view would not fit in a second.

Figures are stored as the raw counters of each KPI (numerators and denominators), never as rates
only: a rate is derived on reading, the same way for live and frozen months, so the two can never
disagree on how a figure is computed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KpiMonth(models.Model):
    """One calendar month's close state (JOB-7). No row = open."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open (computed live)")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed (frozen)")

    month = models.DateField(_("month"), unique=True)  # first day
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("last reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.CharField(_("reason for reopening"), max_length=300, blank=True)
    # the policy targets in force when the month was closed: a closed scorecard keeps its yardstick
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    counts = models.JSONField(_("what the close wrote"), default=dict, blank=True)
    seconds = models.FloatField(_("close took (s)"), null=True, blank=True)
    # An open month's snapshot rows are provisional: counted at this moment, recounted every few
    # minutes (kpi.live_refresh_seconds), replaced by the final ones when the month is closed.
    counted_at = models.DateTimeField(_("open month counted at"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("KPI month")
        verbose_name_plural = _("KPI months (monthly close)")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_status_display()}"

    def is_counted(self, max_age: int) -> bool:
        """An open month whose provisional rows are at most `max_age` seconds old."""
        from django.utils import timezone

        if self.counted_at is None or self.status != self.Status.OPEN:
            return self.status == self.Status.CLOSING and self.counted_at is not None  # the close replaces them
        return (timezone.now() - self.counted_at).total_seconds() <= max_age

    @property
    def is_frozen(self) -> bool:
        """Closing counts as frozen for writers (the ledger), so nothing slips in while the close runs."""
        return self.status in (self.Status.CLOSING, self.Status.CLOSED)


# The ranking columns: the figures supervisors sort people and units by, copied out of `data` so
# the database can sort ~10 000 AMs and return the first rows without decoding every JSON row.
RANK_FIELDS = (
    "visit_rate",
    "satisfied_rate",
    "repairs_rate",
    "joint_rate",
    "sla_rate",
    "complaints_rate",
    "penalty_points",
)


class KpiSnapshot(models.Model):
    """The frozen counters of one month for one scope: an organisation node (province, branch or
    unit) — `person` empty — or one person's records inside that node."""

    month = models.DateField(_("month"))
    org = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("organisation unit"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_am = models.BooleanField(default=False)  # the person held the AM role at the close (AM ranking)
    data = models.JSONField(default=dict)  # {kpi code: {counter: number}}; zero counters omitted
    visit_rate = models.FloatField(null=True)
    satisfied_rate = models.FloatField(null=True)
    repairs_rate = models.FloatField(null=True)
    joint_rate = models.FloatField(null=True)
    sla_rate = models.FloatField(null=True)
    complaints_rate = models.FloatField(null=True)
    penalty_points = models.FloatField(null=True)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "org", "person"], condition=Q(person__isnull=False), name="kpi_snapshot_person_once"
            ),
            models.UniqueConstraint(
                fields=["month", "org"], condition=Q(person__isnull=True), name="kpi_snapshot_org_once"
            ),
        ]
        indexes = [models.Index(fields=["month", "org", "is_am"]), models.Index(fields=["org", "person", "month"])]

    def __str__(self) -> str:
        who = f" · {self.person_id}" if self.person_id else ""
        return f"{self.month:%Y-%m} {self.org_id}{who}"

