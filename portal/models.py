"""Portal-wide records: the security audit log."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One security-relevant event (SPEC ORG-4): logins, lock-outs, reveals of personal data, exports."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        TOKEN_ISSUED = "token_issued", _("API token issued")
        REVEAL = "reveal", _("Personal data revealed")
        EXPORT = "export", _("Data exported")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        POLICY_CHANGED = "policy_changed", _("Policy changed")
        ACCESS_DENIED = "access_denied", _("Access denied")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="audit_events",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"


class PolicyValue(models.Model):
    """An administrator's override of one registered policy value (SPEC CFG-1).

    Only overrides are stored: a key without a row has the default declared in `portal.policy`.
    Write through `portal.policy.policy_set` / `policy_reset`, which validate and audit.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    # JSON-native form of the typed value: int, bool, str, or a decimal as a string (no float rounding).
    value = models.JSONField(_("value"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("policy value")
        verbose_name_plural = _("policy values")

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class WorkdayOverride(models.Model):
    """An administrator's ruling on one day, above the published calendar (SPEC SAT-3, CFG-1).

    Used for years chinesecalendar does not know yet (enter the State Council's arrangement) and to
    correct any day. Write through `portal.workdays.workday_override_set` / `workday_override_delete`.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), default=False,
        help_text=_("Ticked: a working day (e.g. an adjusted weekend workday). Unticked: a day off."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'workday' if self.is_workday else 'day off'}"


class JobRun(models.Model):
    """One run of a scheduled job (JOB-4..7): when, how long, what it touched — visible to administrators."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (another run holds the lock)")

    name = models.CharField(_("job"), max_length=64, db_index=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
