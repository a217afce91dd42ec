"""Group customers and everything on their file (SPEC GC-1..8, CT-1..6, RET-7)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .pinyin import search_text_for

# Dates on a customer file (anniversary, birthday) lie between this and today (issue 12 item 10).
EARLIEST_DATE = dt.date(1900, 1, 1)

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812345678."))
phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", _("Enter a phone number (digits, spaces, + - ( ) only)."))


# ---- controlled lists (GC-1, GC-6), administrator-editable ----------------------------------
class ControlledList(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class OrganisationType(ControlledList):
    class Meta(ControlledList.Meta):
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")


class Industry(ControlledList):
    class Meta(ControlledList.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class Product(ControlledList):
    """Our products a group can subscribe to (V-network, internet line, …) (GC-6)."""

    category = models.CharField(_("category"), max_length=32, blank=True)

    class Meta(ControlledList.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")


# ---- group customers -----------------------------------------------------------------------
class GroupCustomer(models.Model):
    class Grade(models.TextChoices):
        A = "A", _("Class A")
        B = "B", _("Class B")
        C = "C", _("Class C")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        CHURNED = "churned", _("Churned")

    # GC-2: allowed status changes; each one leaves a GroupStatusChange row.
    TRANSITIONS = {
        Status.PROSPECT: {Status.ACTIVE, Status.CHURNED},
        Status.ACTIVE: {Status.CHURNED},
        Status.CHURNED: {Status.ACTIVE},
    }
    CORE_FIELDS = ("name", "org_type", "address", "phone", "industry", "employee_count", "annual_revenue")
    FINANCIAL_FIELDS = ("annual_revenue", "registered_capital", "annual_profit", "telecom_budget")

    code = models.CharField(_("group code"), max_length=32, unique=True)
    # core fields (GC-1); blank allowed only while a prospect
    name = models.CharField(_("name"), max_length=200)
    org_type = models.ForeignKey(OrganisationType, verbose_name=_("organisation type"), null=True, blank=True,
                                 on_delete=models.PROTECT)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.PROTECT)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue (10k CNY)"), max_digits=14, decimal_places=2,
                                         null=True, blank=True, validators=[MinValueValidator(0)])
    grade = models.CharField(_("class"), max_length=1, choices=Grade.choices, default=Grade.C, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT,
                              db_index=True)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("owning unit"), on_delete=models.PROTECT,
                             related_name="groups", limit_choices_to={"level": "unit"})
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                        on_delete=models.PROTECT, related_name="owned_groups")
    # other profile data (GC-3)
    anniversary = models.DateField(_("anniversary"), null=True, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True,
                                validators=[RegexValidator(r"^\d{6}$", _("A postcode has 6 digits."))])
    website = models.URLField(_("website"), blank=True)
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    member_cap = models.PositiveIntegerField(_("member cap"), null=True, blank=True)
    registered_capital = models.DecimalField(_("registered capital (10k CNY)"), max_digits=14, decimal_places=2,
                                             null=True, blank=True)
    annual_profit = models.DecimalField(_("annual profit (10k CNY)"), max_digits=14, decimal_places=2,
                                        null=True, blank=True)
    telecom_budget = models.DecimalField(_("telecom budget (10k CNY)"), max_digits=14, decimal_places=2,
                                         null=True, blank=True)
    mobile_count = models.PositiveIntegerField(_("number of mobiles"), null=True, blank=True)
    informatisation_notes = models.TextField(_("informatisation notes"), blank=True)
    # derived: kept by services so lists can filter on data quality without per-row counting
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    core_incomplete = models.BooleanField(_("core fields missing"), default=True, editable=False)
    below_contact_minimum = models.BooleanField(_("below contact minimum"), default=True, editable=False)
    no_primary_contact = models.BooleanField(_("no primary contact"), default=True, editable=False)
    contacts_without_counterpart = models.PositiveIntegerField(_("contacts without counterpart"), default=0,
                                                                editable=False)
    # derived: the date of the latest on-site visit (VIS-3), kept by the visit services
    last_visited_on = models.DateField(_("last visit"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text", "core_incomplete", "below_contact_minimum",
                                                 "no_primary_contact", "contacts_without_counterpart",
                                                 "last_visited_on", "updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("group customer")
        verbose_name_plural = _("group customers")
        indexes = [
            models.Index(fields=["account_manager", "name"]),
            models.Index(fields=["unit", "name"]),
            models.Index(fields=["phone"]),
            # The province-wide portfolio is ordered by name: walk this index, no sort (issue 3).
            models.Index(fields=["name", "id"], name="groupclients_group_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def missing_core_fields(self) -> list[str]:
        missing = []
        for f in self.CORE_FIELDS:
            value = getattr(self, f + "_id" if f in ("org_type", "industry") else f)
            if value in (None, ""):
                missing.append(f)
        return missing

    def clean(self) -> None:
        if self.status != self.Status.PROSPECT:
            missing = self.missing_core_fields()
            if missing:
                raise ValidationError(
                    {f: _("Required for a group that is not a prospect (GC-1).") for f in missing}
                )
        if self.unit_id and self.unit.level != "unit":
            raise ValidationError({"unit": _("A group belongs to a unit, not a branch or province.")})
        errors = {}
        # issue 12 item 10: amounts that cannot be negative (a profit can: a loss)
        for f in ("annual_revenue", "registered_capital", "telecom_budget"):
            if getattr(self, f) is not None and getattr(self, f) < 0:
                errors[f] = _("Cannot be negative.")
        if self.anniversary and not (EARLIEST_DATE <= self.anniversary <= dt.date.today()):
            errors["anniversary"] = _("Give a date between %(a)s and today.") % {"a": EARLIEST_DATE.isoformat()}
        if errors:
            raise ValidationError(errors)

    def refresh_derived(self) -> None:
        """Derived columns, also called before bulk writes (which skip save())."""
        self.search_text = search_text_for(self.name, self.code, self.phone)
        self.core_incomplete = bool(self.missing_core_fields())

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)


class GroupStatusChange(models.Model):
    """GC-2: every status change, who made it and why."""

    group = models.ForeignKey(GroupCustomer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=10, choices=GroupCustomer.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=GroupCustomer.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class CompetitorContract(models.Model):
    """GC-4: what a competitor supplies to the group, and until when."""

    class Operator(models.TextChoices):
        TELECOM = "telecom", _("China Telecom")
        UNICOM = "unicom", _("China Unicom")
        BROADNET = "broadnet", _("China Broadnet")
        OTHER = "other", _("Other")

    class Category(models.TextChoices):
        FIXED = "fixed", _("Fixed line")
        MOBILE = "mobile", _("Mobile")
        INTERNET = "internet", _("Internet")
        DATA_LINE = "data_line", _("Data line")
        ICT = "ict", _("ICT")

    group = models.ForeignKey(GroupCustomer, on_delete=models.CASCADE, related_name="competitor_contracts")
    operator = models.CharField(_("operator"), max_length=10, choices=Operator.choices)
    category = models.CharField(_("product"), max_length=10, choices=Category.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    tariff = models.CharField(_("tariff"), max_length=100, blank=True)
    start_on = models.DateField(_("contract start"), null=True, blank=True)
    end_on = models.DateField(_("contract end"), null=True, blank=True, db_index=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["end_on"]
        verbose_name = _("competitor contract")
        verbose_name_plural = _("competitor contracts")

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("The contract cannot end before it starts.")})


class Site(models.Model):
    """GC-5: a location of the group in some unit, with its local AM and MM (three-in-one table)."""

    group = models.ForeignKey(GroupCustomer, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("site name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="sites", limit_choices_to={"level": "unit"})
    local_am = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("local AM"), on_delete=models.PROTECT,
                                 related_name="local_am_sites")
    local_mm = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("local MM"), on_delete=models.PROTECT,
                                 related_name="local_mm_sites")
    is_headquarters = models.BooleanField(_("headquarters"), default=False)

    class Meta:
        ordering = ["-is_headquarters", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.group.name} · {self.name}" if self.group_id else self.name

    def clean(self) -> None:
        if self.unit_id and self.unit.level != "unit":
            raise ValidationError({"unit": _("A site belongs to a unit.")})
        if self.local_am_id and not self.local_am.has_role("am"):
            raise ValidationError({"local_am": _("The local AM must have the account manager role.")})
        if self.local_mm_id and not self.local_mm.has_role("mm"):
            raise ValidationError({"local_mm": _("The local MM must have the maintenance manager role.")})


class Subscription(models.Model):
    """GC-6: a product the group takes from us."""

    group = models.ForeignKey(GroupCustomer, on_delete=models.CASCADE, related_name="subscriptions")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    bandwidth = models.CharField(_("bandwidth"), max_length=30, blank=True)
    monthly_fee = models.DecimalField(_("monthly fee (CNY)"), max_digits=12, decimal_places=2, default=0,
                                      validators=[MinValueValidator(0)])
    started_on = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["product__sort"]
        verbose_name = _("subscribed product")
        verbose_name_plural = _("subscribed products")


class Opportunity(models.Model):
    """GC-7: a business opportunity; a supervisor decides to pursue or drop it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        PURSUE = "pursue", _("Pursue")
        DROP = "drop", _("Drop")

    class Importance(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    group = models.ForeignKey(GroupCustomer, on_delete=models.CASCADE, related_name="opportunities")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("product category"), max_length=20, choices=CompetitorContract.Category.choices)
    employees = models.PositiveIntegerField(_("employees concerned"), null=True, blank=True)
    expected_sales = models.DecimalField(_("expected sales (10k CNY)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True)
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices,
                                  default=Importance.MEDIUM)
    source = models.CharField(_("source"), max_length=100, blank=True)
    need = models.TextField(_("customer need"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("project team"), blank=True,
                                  related_name="opportunities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("business opportunity")
        verbose_name_plural = _("business opportunities")

    def __str__(self) -> str:
        return self.title


class OpportunityUpdate(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(_("progress"))

    class Meta:
        ordering = ["-at"]


class VipTier(models.TextChoices):
    NONE = "", _("Not VIP")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    DIAMOND = "diamond", _("Diamond")


class Contact(models.Model):
    """A key person or contact at a group (CT-1..6)."""

    class Type(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Top decision-maker")
        DEPT_HEAD = "dept_head", _("Department head")
        CONTACT = "contact", _("Contact")
        OTHER_DECISION_MAKER = "other_decision_maker", _("Other decision-maker")

    class CounterpartLevel(models.TextChoices):
        CHIEF_AM = "chief_am", _("Chief account manager")
        MIDDLE_MANAGER = "middle_manager", _("Middle manager")
        AM = "am", _("Account manager")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In post")
        DEPARTED = "departed", _("Left the group")
        RETIRED = "retired", _("Retired")

    group = models.ForeignKey(GroupCustomer, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    type = models.CharField(_("type"), max_length=24, choices=Type.choices, db_index=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    department = models.CharField(_("department"), max_length=100, blank=True)
    post = models.CharField(_("post"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[mobile_validator], db_index=True)
    office_phone = models.CharField(_("office phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    counterpart = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("our counterpart"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="counterpart_contacts")
    counterpart_level = models.CharField(_("counterpart level"), max_length=16, choices=CounterpartLevel.choices,
                                         blank=True)
    do_not_disturb = models.BooleanField(_("do not disturb (marketing SMS)"), default=False)
    no_surveys = models.BooleanField(_("no satisfaction surveys"), default=False)
    vip_tier = models.CharField(_("VIP tier"), max_length=10, choices=VipTier.choices, blank=True, default="")
    vip_designated = models.BooleanField(_("designated VIP"), default=False)
    is_gotone = models.BooleanField(_("GoTone subscriber"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    last_visited_on = models.DateField(_("last visit"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_visited_on"])

    class Meta:
        ordering = ["group", "type", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            # CT-1: at most one primary contact per group
            models.UniqueConstraint(fields=["group"], condition=Q(is_primary=True), name="one_primary_contact"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.is_primary and self.type != self.Type.CONTACT:
            errors["is_primary"] = _("Only a contact of type 'Contact' can be the primary contact.")
        if self.is_primary and self.status != self.Status.ACTIVE:
            errors["is_primary"] = _("A contact who has left cannot be the primary contact.")
        if self.birthday and not (EARLIEST_DATE <= self.birthday <= dt.date.today()):
            errors["birthday"] = _("Give a birthday between %(a)s and today.") % {"a": EARLIEST_DATE.isoformat()}
        if self.counterpart_id and not self.counterpart_level:
            errors["counterpart_level"] = _("Say whether the counterpart is a chief AM, middle manager or AM.")
        if errors:
            raise ValidationError(errors)


class ContactCareer(models.Model):
    """CT-3: changes of post, employer or retirement, recorded rather than overwritten."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="career")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    change = models.CharField(_("change"), max_length=20)  # post | department | status
    old_value = models.CharField(_("before"), max_length=100, blank=True)
    new_value = models.CharField(_("after"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class Member(models.Model):
    """A subscriber (mobile line) of a group, optionally a key person's own line (RET-7)."""

    class BillingType(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        POSTPAID = "postpaid", _("Postpaid")
        POSTPAID_PREPAY = "postpaid_prepay", _("Postpaid with prepayment")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("member status", "Active")
        LEFT = "left", pgettext_lazy("member status", "Left")

    group = models.ForeignKey(GroupCustomer, on_delete=models.PROTECT, related_name="members")
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, validators=[mobile_validator])
    name = models.CharField(_("name"), max_length=50, blank=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT)
    vip_tier = models.CharField(_("VIP tier"), max_length=10, choices=VipTier.choices, blank=True, default="",
                                db_index=True)
    billing_type = models.CharField(_("billing account type"), max_length=16, choices=BillingType.choices,
                                    default=BillingType.POSTPAID)
    contact = models.ForeignKey(Contact, verbose_name=_("key person"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="lines")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)
    external_id = models.CharField(_("billing id"), max_length=40, blank=True)
    account = models.ForeignKey("groupclients.BillingAccount", verbose_name=_("billing account"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="members")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["group", "mobile"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return self.mobile

    def clean(self) -> None:
        if self.contact_id and self.group_id and self.contact.group_id != self.group_id:
            raise ValidationError({"contact": _("The key person must belong to the same group.")})


class ContactMinimum(models.Model):
    """CT-2: the lower limit of key persons per class and type (policy rows, defaults in the SPEC)."""

    grade = models.CharField(_("class"), max_length=1, choices=GroupCustomer.Grade.choices)
    contact_type = models.CharField(_("contact type"), max_length=24, choices=Contact.Type.choices)
    minimum = models.PositiveIntegerField(_("minimum"))

    class Meta:
        ordering = ["grade", "contact_type"]
        unique_together = [("grade", "contact_type")]
        verbose_name = _("contact minimum")
        verbose_name_plural = _("contact minimums")

    # Far above any class's real needs: a larger number is a typo, and would flag every group.
    MAX_MINIMUM = 50

    def __str__(self) -> str:
        return f"{self.grade} · {self.get_contact_type_display()} ≥ {self.minimum}"

    def clean(self) -> None:
        # ≥ 0 is the field's own validator (PositiveIntegerField); this adds the upper bound.
        if self.minimum is not None and self.minimum > self.MAX_MINIMUM:
            raise ValidationError({"minimum": ValidationError(
                _("At most %(max)d; 0 means no minimum for this type."), code="max_value",
                params={"max": self.MAX_MINIMUM})})


class ImportJob(models.Model):
    """GC-8: one spreadsheet import: a dry run that lists every bad row, then an all-or-nothing apply."""

    class Kind(models.TextChoices):
        GROUPS = "groups", _("Groups")
        SITES = "sites", _("Sites")
        CONTACTS = "contacts", _("Contacts")
        MEMBERS = "members", _("Members")
        ACCOUNTS = "accounts", _("Billing accounts")
        USAGE = "usage", _("Monthly usage")
        PAYMENTS = "payments", _("Payments and recharges")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has errors — nothing applied")
        VALID = "valid", _("Checked — ready to apply")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed — nothing applied")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")


from .billing.models import (  # noqa: E402,F401  (billing and retention live in their own module)
    AlertAction,
    ArrearsSnapshot,
    BillingAccount,
    CreditOrder,
    Package,
    Payment,
    RetentionAlert,
    UsageMonth,
)
