"""People, roles and the organisation tree (SPEC ORG-1, ORG-2)."""
from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnit(models.Model):
    """A node of the tree province → branch (city) → unit (county/district) (ORG-1)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        BRANCH = "branch", _("Branch")
        UNIT = "unit", _("Unit")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Derived on save, so that scoping needs no recursive query: the branch a node belongs to
    # (itself for a branch, none for the province).
    branch = models.ForeignKey(
        "self", verbose_name=_("branch"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    _PARENT_LEVEL = {Level.PROVINCE: None, Level.BRANCH: Level.PROVINCE, Level.UNIT: Level.BRANCH}

    def clean(self) -> None:
        expected = self._PARENT_LEVEL[self.level]
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A province has no parent.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {"parent": _("The parent of a %(level)s must be a %(expected)s.")
                 % {"level": self.get_level_display(), "expected": OrgUnit.Level(expected).label}}
            )

    def save(self, *args, **kwargs):
        if self.level == self.Level.BRANCH:
            self.branch = None if self.pk is None else self
        elif self.level == self.Level.UNIT:
            self.branch = self.parent
        else:
            self.branch = None
        super().save(*args, **kwargs)
        if self.level == self.Level.BRANCH and self.branch_id != self.pk:
            OrgUnit.objects.filter(pk=self.pk).update(branch=self.pk)
            self.branch_id = self.pk

    @property
    def path(self) -> str:
        node, names = self, []
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class Role(models.Model):
    """A role as data (ORG-2); a user may hold several."""

    class Code(models.TextChoices):
        ACCOUNT_MANAGER = "am", _("Account manager")
        MAINTENANCE_MANAGER = "mm", _("Maintenance manager")
        AGENT = "agent", _("Call-centre agent")
        GROUP_LEADER = "leader", _("Group leader")
        DEPT_MANAGER = "manager", _("Group-department manager")
        QUALITY = "quality", _("Quality desk")
        ANALYST = "analyst", _("Province analyst")
        ADMIN = "admin", _("Administrator")

    code = models.CharField(_("code"), max_length=16, choices=Code.choices, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(self.Code(self.code).label)


class User(AbstractUser):
    """A member of staff. Custom from day one; every user belongs to one organisation node (ORG-1)."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # A new password (set_password, by any path) revokes every API token of the user.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .signals import tokens_revoke

            tokens_revoke(user=self)

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        if "role_codes_csv" in self.__dict__:  # read with the user (accounts.backends), no query
            codes = {c for c in (self.role_codes_csv or "").split(",") if c}
        else:
            codes = set(self.roles.values_list("code", flat=True))
        if self.is_superuser:
            codes.add(Role.Code.ADMIN)
        return frozenset(codes)

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.Code.ADMIN)
