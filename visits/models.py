"""Visits, the visit-frequency policy, SMS satisfaction surveys and satisfaction repair
(SPEC VIS-1..5, SAT-1..6)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class VisitTarget(models.TextChoices):
    GROUP = "group", _("The group (on-site visit)")
    PRIMARY = "primary", _("Primary contact")
    DECISION_MAKER = "decision_maker", _("Top decision-maker")
    DEPT_HEAD = "dept_head", _("Department head")
    CONTACT = "contact", _("Other contacts")
    OTHER_DECISION_MAKER = "other_decision_maker", _("Other decision-maker")


class VisitFrequency(models.Model):
    """VIS-1: the policy table class × target → period in calendar months (1 = monthly, 2 = Jan–Feb, …)."""

    grade = models.CharField(_("class"), max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    target = models.CharField(_("who"), max_length=24, choices=VisitTarget.choices)
    period_months = models.PositiveSmallIntegerField(
        _("period (months)"), validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 = every calendar month; 2 = every two calendar months (Jan–Feb, Mar–Apr, …); "
                    "must divide 12."))

    class Meta:
        ordering = ["grade", "target"]
        unique_together = [("grade", "target")]
        verbose_name = _("visit frequency")
        verbose_name_plural = _("visit frequency policy")

    def __str__(self) -> str:
        return f"{self.grade} · {self.get_target_display()}: {self.period_months}"

    def clean(self) -> None:
        if self.period_months and 12 % self.period_months:
            raise ValidationError({"period_months": _("The period must divide the year: 1, 2, 3, 4, 6 or 12.")})


class VisitLog(models.Model):
    """VIS-2: one on-site visit."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine visit")
        FIRST = "first", _("First visit to a prospect")
        REMEDIAL = "remedial", _("Remedial revisit (satisfaction repair)")
        FAULT_JOINT = "fault_joint", _("Fault joint visit")
        PROJECT_SURVEY = "project_survey", _("Project survey")
        PROJECT_ACCEPTANCE = "project_acceptance", _("Project acceptance")
        PROJECT_INSPECTION = "project_inspection", _("Project first inspection")

    class Purpose(models.TextChoices):
        RELATIONSHIP = "relationship", _("Relationship")
        OPPORTUNITY = "opportunity", _("Business opportunity")
        COMPETITOR = "competitor", _("Competitor intelligence")
        PROMOTION = "promotion", _("Product promotion")
        SERVICE = "service", _("Service request")
        COMPLAINT = "complaint", _("Complaint")

    PROJECT_KINDS = (Kind.PROJECT_SURVEY, Kind.PROJECT_ACCEPTANCE, Kind.PROJECT_INSPECTION)

    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), on_delete=models.PROTECT,
                              related_name="visits")
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                        on_delete=models.PROTECT, related_name="visits")
    contacts = models.ManyToManyField("groupclients.Contact", verbose_name=_("contacts met"), related_name="visits")
    companions = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("companions"), blank=True,
                                        related_name="accompanied_visits")
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROUTINE)
    purposes = models.JSONField(_("purposes"), default=list)
    notes = models.TextField(_("notes"))
    next_visit_on = models.DateField(_("next visit"))
    # VIS-4: project milestones
    acceptance_passed = models.BooleanField(_("acceptance passed"), null=True, blank=True)
    nonconformity_open = models.BooleanField(_("non-conformity open"), default=False)
    # TKT-6: the AM's record of a fault joint visit
    fault_cause = models.CharField(_("fault cause"), max_length=300, blank=True)
    fault_repair = models.CharField(_("repair done"), max_length=300, blank=True)
    customer_assessment = models.CharField(_("customer's assessment"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[contacts, companions])

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("visit log")
        verbose_name_plural = _("visit logs")
        indexes = [models.Index(fields=["account_manager", "-started_at"]),
                   models.Index(fields=["group", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.group} {self.started_at:%Y-%m-%d}"


class VisitAttachment(models.Model):
    """VIS-4: photos or scans (acceptance needs at least one)."""

    visit = models.ForeignKey(VisitLog, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="visits/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class PlannedVisit(models.Model):
    """VIS-5: a visit the AM plans ahead."""

    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_visits")
    group = models.ForeignKey("groupclients.GroupCustomer", verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="planned_visits")
    planned_on = models.DateField(_("planned for"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    done_by = models.ForeignKey(VisitLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["planned_on"]
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")


class Survey(models.Model):
    """SAT-1/2: one satisfaction SMS to one person about one visit (or one ticket, TKT-7)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Waiting for reply")
        ANSWERED = "answered", _("Answered")
        UNANSWERED = "unanswered", _("No reply")

    class Score(models.IntegerChoices):
        VERY_SATISFIED = 1, _("1 Very satisfied")
        GOOD = 2, _("2 Good")
        FAIR = 3, _("3 Fair")
        POOR = 4, _("4 Poor")

    DISSATISFIED = (Score.FAIR, Score.POOR)

    visit = models.ForeignKey(VisitLog, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys")
    ticket_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # TKT-7 (tickets app)
    group = models.ForeignKey("groupclients.GroupCustomer", on_delete=models.PROTECT, related_name="surveys")
    contact = models.ForeignKey("groupclients.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="surveys")
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mobile = models.CharField(_("mobile"), max_length=20, db_index=True)
    # Sent from the service number plus this extension; the reply to it comes back to the same
    # extension and answers this survey, not another one open for the mobile (issue 16 item 3).
    extension = models.CharField(_("sender extension"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT,
                              db_index=True)
    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices, null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("reply window ends"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            # SAT-1: never twice for the same visit and contact
            models.UniqueConstraint(fields=["visit", "contact"], condition=Q(visit__isnull=False),
                                    name="one_survey_per_visit_contact"),
        ]
        indexes = [models.Index(fields=["mobile", "status", "-sent_at"])]

    @property
    def dissatisfied(self) -> bool:
        return self.score in self.DISSATISFIED


class SurveyReply(models.Model):
    """Every reply text as received, parsed or not (SAT-2: never dropped)."""

    survey = models.ForeignKey(Survey, null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    sender = models.CharField(_("from"), max_length=20)
    text = models.TextField(_("text"))
    parsed_score = models.PositiveSmallIntegerField(_("parsed score"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    inbound_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # A reply the reader could not settle is read by the AM's supervisor (issue 16 item 2): the
    # score they set (None with settled_at set: "not an answer"), who, and when.
    settled_score = models.PositiveSmallIntegerField(_("score set by a person"), null=True, blank=True,
                                                     choices=Survey.Score.choices)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("read by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["survey"], name="reply_to_read",
                                condition=models.Q(parsed_score__isnull=True, settled_at__isnull=True))]


class RepairCase(models.Model):
    """SAT-3..6: a dissatisfied reply to repair with a supervisor on site within 2 working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        OVERDUE = "overdue", _("Overdue")
        CLOSED = "closed", _("Repaired")

    survey = models.OneToOneField(Survey, on_delete=models.PROTECT, related_name="repair_case")
    group = models.ForeignKey("groupclients.GroupCustomer", on_delete=models.PROTECT, related_name="repair_cases")
    account_manager = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"),
                                        on_delete=models.PROTECT, related_name="repair_cases")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), null=True,
                                   on_delete=models.PROTECT, related_name="supervised_repairs")
    branch = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    due_at = models.DateTimeField(_("due"), db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by_visit = models.ForeignKey(VisitLog, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="closed_repairs")

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("satisfaction repair case")
        verbose_name_plural = _("satisfaction repair cases")
