"""Fault tickets, complaints, SLA — and the performance ledger (SPEC PEN-1)."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# ---- fault tickets (TKT-1..9) -------------------------------------------------------------------
class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")




class SlaRule(models.Model):
    """TKT-8: product × severity → acknowledge, on-site and restore targets. A row without a product
    is the default for every product without its own row."""

    product = models.ForeignKey("groupclients.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.CASCADE, help_text=_("Empty: every product without its own row."))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (minutes)"))
    on_site_minutes = models.PositiveIntegerField(_("on site within (minutes)"), null=True, blank=True,
                                                  help_text=_("Empty: by the end of the next working day."))
    restore_minutes = models.PositiveIntegerField(_("restore within (minutes)"))

    class Meta:
        ordering = ["product", "severity"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA table")
        constraints = [
            models.UniqueConstraint(fields=["product", "severity"], name="sla_product_severity"),
            models.UniqueConstraint(fields=["severity"], condition=Q(product__isnull=True), name="sla_default"),
        ]

    # A month: anything longer is a typo (hours or days typed as minutes), not a service level.
    MAX_MINUTES = 30 * 24 * 60

    def __str__(self) -> str:
        return f"{self.product or _('any product')} · {self.get_severity_display()}"

    def clean(self) -> None:
        """CFG-1 rules for a row: every target at least a minute and at most a month, and the clocks
        in the order the work happens — acknowledge ≤ on site ≤ restore. An empty on-site target
        (end of the next working day) is not a fixed number of minutes, so only acknowledge ≤
        restore is checked then. Field validation (a whole number ≥ 0) runs before this, so a
        value may still be missing here."""
        errors: dict[str, list] = {}
        labels = {"acknowledge_minutes": pgettext_lazy("SLA target", "acknowledge"),
                  "on_site_minutes": pgettext_lazy("SLA target", "on site"),
                  "restore_minutes": pgettext_lazy("SLA target", "restore")}
        for name in labels:
            value = getattr(self, name)
            if value is None:
                continue
            if value < 1:
                errors.setdefault(name, []).append(ValidationError(
                    _("A target of zero minutes cannot be met; enter at least 1 minute."), code="min_value"))
            elif value > self.MAX_MINUTES:
                errors.setdefault(name, []).append(ValidationError(
                    _("At most %(max)d minutes (30 days); is this a number of hours or days?"),
                    code="max_value", params={"max": self.MAX_MINUTES}))
        if not errors:
            ack, on_site, restore = self.acknowledge_minutes, self.on_site_minutes, self.restore_minutes
            order = [("acknowledge_minutes", ack), ("on_site_minutes", on_site), ("restore_minutes", restore)]
            known = [(name, v) for name, v in order if v is not None]
            for j, (later, b) in enumerate(known):
                first, a = next(((n, v) for n, v in known[:j] if v > b), (None, None))
                if first is not None:  # one message per field, naming the first earlier target it undercuts
                    errors[later] = [ValidationError(
                        _("The %(later)s target (%(b)d min) cannot be shorter than the %(first)s target "
                          "(%(a)d min)."),
                        code="order", params={"later": labels[later], "first": labels[first], "a": a, "b": b})]
        if errors:
            raise ValidationError(errors)


class FaultCause(models.TextChoices):
    LINE = "line", _("Line / fibre cut")
    EQUIPMENT = "equipment", _("Equipment failure")
    POWER = "power", _("Power")
    CONFIG = "config", _("Configuration")
    CUSTOMER = "customer", _("Customer side")
    OTHER = "other", _("Other")


class Ticket(models.Model):
    """A fault report worked by three parties: the caller's contact, the local AM and the local MM."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DISPATCHED = "dispatched", _("Dispatched")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ON_SITE = "on_site", _("On site")
        REPAIRED = "repaired", _("Repaired")
        AM_LOGGED = "am_logged", _("AM log done")
        RATED = "rated", _("Customer rated")
        CLOSED = "closed", _("Closed")
        MISROUTED = "misrouted", _("Misrouted")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        CALL_CENTRE = "call_centre", _("Call centre (10086)")
        AM = "am", _("Account manager on the customer's behalf")

    class Participation(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        ATTENDED = "attended", _("AM attended with the MM")
        SUBSTITUTE = "substitute", _("Substitute attended (leader / department manager)")
        PHONE = "phone", _("AM joined by phone, revisit due")
        NONE = "none", _("AM did not participate")

    OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.ON_SITE, Status.MISROUTED)

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), on_delete=models.PROTECT,
                              related_name="tickets")
    site = models.ForeignKey("groupclients.Site", verbose_name=_("site"), on_delete=models.PROTECT,
                             related_name="tickets")
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="tickets")  # the site's unit at dispatch (TKT-2)
    product = models.ForeignKey("groupclients.Product", verbose_name=_("product"), on_delete=models.PROTECT)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, db_index=True)
    description = models.TextField(_("description"))
    reporter_name = models.CharField(_("reporter"), max_length=50)
    callback_number = models.CharField(_("callback number"), max_length=20)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="opened_tickets")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("local AM"), null=True,
                                        on_delete=models.PROTECT, related_name="am_tickets")
    maintenance_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("local MM"), null=True,
                                            on_delete=models.PROTECT, related_name="mm_tickets")
    home_am = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("group's AM (informed)"), null=True,
                                on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site"), null=True, blank=True)
    repaired_at = models.DateTimeField(_("repaired"), null=True, blank=True)
    am_logged_at = models.DateTimeField(_("AM log done"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # SLA clocks (TKT-8), set at dispatch from the SLA table
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    on_site_due = models.DateTimeField(_("on site by"), null=True, blank=True)
    restore_due = models.DateTimeField(_("restore by"), null=True, blank=True)
    acknowledge_breached_at = models.DateTimeField(null=True, blank=True)
    on_site_breached_at = models.DateTimeField(null=True, blank=True)
    restore_breached_at = models.DateTimeField(null=True, blank=True)
    # joint visit (TKT-5)
    participation = models.CharField(_("AM participation"), max_length=12, choices=Participation.choices,
                                     blank=True, default="")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("substitute"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revisit_due = models.DateTimeField(_("phone participation: revisit by"), null=True, blank=True)
    revisit_visit = models.ForeignKey("visits.VisitLog", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    revisit_missed = models.BooleanField(_("revisit missed"), default=False)
    # the MM's record (TKT-6)
    mm_cause = models.CharField(_("cause (MM)"), max_length=12, choices=FaultCause.choices, blank=True)
    mm_repair = models.CharField(_("repair (MM)"), max_length=300, blank=True)
    mm_am_present = models.BooleanField(_("AM came (MM says)"), null=True, blank=True)
    mm_notified_am = models.BooleanField(_("MM notified the AM"), null=True, blank=True)
    # the AM's record (TKT-6): a visit log of kind fault joint visit
    am_visit = models.ForeignKey("visits.VisitLog", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="fault_tickets")
    am_cause = models.CharField(_("cause (AM)"), max_length=12, choices=FaultCause.choices, blank=True)
    # misrouting (TKT-4)
    misroute_count = models.PositiveSmallIntegerField(_("misroutes"), default=0)
    misroute_note = models.CharField(_("real location"), max_length=300, blank=True)
    # quality desk verification (TKT-6)
    needs_verification = models.BooleanField(_("needs verification"), default=False, db_index=True)
    verification_note = models.CharField(_("verification"), max_length=300, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    rating = models.PositiveSmallIntegerField(_("customer rating"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("fault ticket")
        verbose_name_plural = _("fault tickets")
        indexes = [
            models.Index(fields=["status", "acknowledge_due"]),
            models.Index(fields=["status", "on_site_due"]),
            models.Index(fields=["status", "restore_due"]),
            models.Index(fields=["account_manager", "status"]),
            models.Index(fields=["maintenance_manager", "status"]),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def breached(self) -> bool:
        return bool(self.acknowledge_breached_at or self.on_site_breached_at or self.restore_breached_at)


class TicketEvent(models.Model):
    """TKT-3: every transition and escalation — timestamped, attributed, never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["action", "at"])]


# ---- complaints and consultations (CMP-1..4) ------------------------------------------------------
class Complaint(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        COMPLAINT = "complaint", _("Complaint")

    class Channel(models.TextChoices):
        VISIT = "visit", _("During a visit")
        PHONE = "phone", _("By phone to the AM")
        CALL_CENTRE = "call_centre", _("Call centre (10086)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered, callback pending")
        CLOSED = "closed", _("Closed")

    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), on_delete=models.PROTECT,
                              related_name="complaints")
    contact = models.ForeignKey("groupclients.Contact", verbose_name=_("key person or contact"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="recorded_complaints")
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                        on_delete=models.PROTECT, related_name="complaints")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_on_spot = models.BooleanField(_("resolved on the spot"), default=False)
    on_spot_due = models.DateTimeField(_("on-the-spot target"), null=True, blank=True)
    answer_due = models.DateTimeField(_("answer by"))
    answer_max_due = models.DateTimeField(_("answer at the latest by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    callback_at = models.DateTimeField(_("callback"), null=True, blank=True)
    callback_note = models.CharField(_("callback note"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    escalated_unrecorded = models.BooleanField(_("escalated without the AM having recorded it"), default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint or consultation")
        verbose_name_plural = _("complaints and consultations")

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.answer_due
