"""Billing accounts, usage, payments, credit-control work orders and retention alerts
(SPEC RET-1..7, CC-1..10). Imported by groupclients.models."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Package(models.Model):
    """CC-7: a combined package. Tight: the base products suspend and resume together (同停同复).
    Loose: a bundle that is dissolved when its base is disconnected."""

    class Kind(models.TextChoices):
        TIGHT = "tight", _("Tightly shared")
        LOOSE = "loose", _("Loose bundle")

    external_id = models.CharField(_("billing id"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    dissolved_at = models.DateTimeField(_("dissolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("combined package")
        verbose_name_plural = _("combined packages")

    def __str__(self) -> str:
        return self.name or self.external_id


class BillingAccount(models.Model):
    """CC-1: a billing account as the billing system sends it, plus the credit-control state."""

    class Kind(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        POSTPAID = "postpaid", _("Postpaid")
        POSTPAID_PREPAY = "postpaid_prepay", _("Postpaid with prepayment")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("billing account status", "Active")
        HALF_SUSPENDED = "half_suspended", _("Half-suspended (outgoing barred)")
        SUSPENDED = "suspended", _("Suspended")
        DISCONNECTED = "disconnected", _("Disconnected")

    class PackageRole(models.TextChoices):
        NONE = "", _("Not in a package")
        BASE = "base", _("Base product")
        ADDON = "addon", _("Add-on")

    external_id = models.CharField(_("billing id"), max_length=40, unique=True)
    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="billing_accounts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    cash_balance = models.DecimalField(_("cash balance"), max_digits=12, decimal_places=2, default=Decimal(0))
    noncash_balance = models.DecimalField(_("bonus (non-cash) balance"), max_digits=12, decimal_places=2,
                                          default=Decimal(0))
    noncash_expires_on = models.DateField(_("bonus expires"), null=True, blank=True)
    balance_valid_until = models.DateField(_("balance valid until"), null=True, blank=True)
    amount_due = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2, default=Decimal(0))
    due_date = models.DateField(_("payment due"), null=True, blank=True)
    arrears_since = models.DateField(_("in arrears since"), null=True, blank=True)
    instalment_end = models.DateField(_("instalments end"), null=True, blank=True)
    credit_level = models.PositiveSmallIntegerField(_("credit level"), default=1)
    enrolled = models.BooleanField(_("enrolled in credit control"), default=True)
    exempt = models.BooleanField(_("exempt from suspension and dunning"), default=False)
    exempt_approver = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("exemption approved by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    exempt_reason = models.CharField(_("exemption reason"), max_length=200, blank=True)
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")
    package_role = models.CharField(_("role in package"), max_length=5, choices=PackageRole.choices, blank=True,
                                    default="")
    discount_cancelled = models.BooleanField(_("add-on discount cancelled"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_since = models.DateTimeField(_("status since"), null=True, blank=True)
    reminded_for = models.DateField(_("reminder sent for"), null=True, blank=True)
    grace_until = models.DateTimeField(_("emergency-resume grace until"), null=True, blank=True)
    delay_until = models.DateTimeField(_("suspension delayed until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "status_since"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(exempt=True) | ~Q(exempt_reason=""), name="exempt_needs_reason"),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def balance(self) -> Decimal:
        return self.cash_balance + self.noncash_balance


class UsageMonth(models.Model):
    """RET-1: one member's usage for one month, from the billing system."""

    member = models.ForeignKey("groupclients.Member", on_delete=models.CASCADE, related_name="usage")
    month = models.DateField(_("month"))  # first day
    revenue = models.DecimalField(_("revenue (ARPU)"), max_digits=10, decimal_places=2, default=Decimal(0))
    minutes = models.PositiveIntegerField(_("minutes (MOU)"), default=0)
    outgoing_calls = models.PositiveIntegerField(_("outgoing calls"), default=0)
    data_mb = models.PositiveIntegerField(_("data (MB)"), default=0)
    forwarding_days = models.PositiveSmallIntegerField(_("days forwarded to another operator"), default=0)
    competitor_hotline_seconds = models.PositiveIntegerField(_("longest call with a competitor's hotline (s)"),
                                                             default=0)

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="usage_member_month")]
        indexes = [models.Index(fields=["month", "member"])]


class Payment(models.Model):
    """A payment (postpaid) or recharge (prepaid); idempotent by the billing system's id."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        RECHARGE = "recharge", _("Recharge")

    external_id = models.CharField(_("billing id"), max_length=60, unique=True)
    account = models.ForeignKey(BillingAccount, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    validity_days = models.PositiveIntegerField(_("validity added (days)"), default=0)
    paid_at = models.DateTimeField(_("paid"))

    class Meta:
        ordering = ["-paid_at"]
        verbose_name = _("payment or recharge")
        verbose_name_plural = _("payments and recharges")


class CreditOrder(models.Model):
    """CC-10: every credit-control action is a work order naming the rule that fired."""

    class Action(models.TextChoices):
        REMINDER = "reminder", _("Reminder SMS")
        HALF_SUSPEND = "half_suspend", _("Half-suspension")
        SUSPEND = "suspend", _("Suspension")
        RESUME = "resume", _("Resume")
        DISCONNECT = "disconnect", _("Disconnect work order")
        EMERGENCY_RESUME = "emergency_resume", _("Emergency resume")
        DELAY = "delay", _("Suspension delayed")
        BONUS_VOID = "bonus_void", _("Expired bonus voided")
        DISCOUNT_CANCEL = "discount_cancel", _("Add-on discount cancelled")
        PACKAGE_DISSOLVE = "package_dissolve", _("Bundle dissolved")

    account = models.ForeignKey(BillingAccount, on_delete=models.PROTECT, related_name="orders")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    rule = models.CharField(_("rule"), max_length=60)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    job_run = models.ForeignKey("portal.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credit-control work order")
        verbose_name_plural = _("credit-control work orders")


class ArrearsSnapshot(models.Model):
    """CC-9: month-end arrears ageing, frozen."""

    month = models.DateField(_("month"))
    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="snapshots")
    group = models.ForeignKey("groupclients.GroupCustomer", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16)
    amount_due = models.DecimalField(max_digits=12, decimal_places=2)
    ageing_months = models.PositiveSmallIntegerField(default=0)
    overdue_days = models.PositiveIntegerField(default=0)
    counted_on_network = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "account"], name="arrears_once_per_month")]
        verbose_name = _("arrears snapshot")


class RetentionAlert(models.Model):
    """RET-2/RET-3/RET-5: a warning that a member, key person or group may leave."""

    class Type(models.TextChoices):
        ZERO_CHARGE = "zero_charge", _("Zero-charge month")
        ARPU_DROP = "arpu_drop", _("Revenue (ARPU) drop")
        MOU_DROP = "mou_drop", _("Minutes (MOU) drop")
        DATA_DROP = "data_drop", _("Data drop")
        NO_OUTGOING = "no_outgoing", _("No outgoing calls")
        FORWARDING = "forwarding", _("Calls forwarded to another operator")
        COMPETITOR_HOTLINE = "competitor_hotline", _("Call with a competitor's hotline")
        SUSPENDED_RETAINED = "suspended_retained", _("Suspended with number retention")
        PAYMENT_DUE = "payment_due", _("Payment about to go overdue")
        GROUP_RETENTION = "group_retention", _("Group retention rate low")
        GROUP_REVENUE_DROP = "group_revenue_drop", _("Group revenue drop")
        BULK_FORWARDING = "bulk_forwarding", _("Bulk forwarding in the group")
        CONTRACT_EXPIRING = "contract_expiring", _("Competitor contract expiring")
        VIP_NEW = "vip_new", _("New or upgraded VIP")
        ARREARS_HIGH_VALUE = "arrears_high_value", _("High-value member about to be suspended")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RETAINED = "retained", _("Retained")
        LOST = "lost", _("Lost")
        NOT_RISK = "not_risk", _("Not a risk")

    CLOSED = (Status.RETAINED, Status.LOST, Status.NOT_RISK)

    type = models.CharField(_("type"), max_length=24, choices=Type.choices, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=[(1, _("Level 1")), (2, _("Level 2"))])
    subject_key = models.CharField(max_length=40)  # m:<member> | g:<group> | c:<contract> — the merge key
    period = models.CharField(_("period"), max_length=10)  # YYYY-MM or YYYY-MM-DD
    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="alerts")
    member = models.ForeignKey("groupclients.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="alerts")
    contact = models.ForeignKey("groupclients.Contact", verbose_name=_("key person"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="alerts")
    evidence = models.JSONField(_("evidence"), default=dict)
    assigned_am = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                    on_delete=models.PROTECT, related_name="retention_alerts")
    due_at = models.DateTimeField(_("due"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["level", "due_at"]
        verbose_name = _("retention alert")
        verbose_name_plural = _("retention alerts")
        constraints = [models.UniqueConstraint(fields=["type", "subject_key", "period"], name="alert_merge_key")]
        indexes = [models.Index(fields=["assigned_am", "status", "level", "due_at"])]


class AlertAction(models.Model):
    alert = models.ForeignKey(RetentionAlert, on_delete=models.CASCADE, related_name="actions")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("action"), max_length=20, choices=[
        ("call", _("Phone call")), ("visit", _("Visit")), ("offer", _("Retention offer")), ("note", _("Note")),
        ("status", _("Status change"))])
    note = models.TextField(_("note"))

    class Meta:
        ordering = ["at", "id"]
