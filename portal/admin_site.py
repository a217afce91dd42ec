"""The admin site is for administrators only (role `admin`), not for every staff flag."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# SPEC CFG-1: every table an administrator sets policy with, in the order of the index's first
# section. They belong to different apps; on the index they are shown together, under one heading,
# instead of scattered among the data each app keeps. An app's own page (/admin/<app>/) still lists
# them with their app.
POLICY_MODELS = (
    "portal.policyvalue",  # thresholds, deadlines, quotas, penalties: headings of their own inside
    "visits.visitfrequency",
    "tickets.slarule",
    "groupclients.contactminimum",
    "sms.smstemplate",
    "portal.workdayoverride",
    "django_celery_beat.periodictask",  # scheduled-job times
    "django_celery_beat.crontabschedule",
)


class PortalAdminSite(admin.AdminSite):
    site_header = _("Group-customer portal administration")
    site_title = _("Portal administration")
    index_title = _("Policy, people and data repair")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_staff and user.has_role("admin"))

    def index(self, request, extra_context=None):
        """The index shows what has failed (issue 13 item 6): failed or late jobs, an old outbox, a
        gateway refusing messages, beat silent — the database-side checks of /health/."""
        from portal.health import problems

        return super().index(request, {**(extra_context or {}), "health_problems": problems()})

    def get_app_list(self, request, app_label=None):
        """The usual list, with the policy tables moved into a first section "Policy configuration"."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        found: dict[str, dict] = {}
        rest = []
        for app in app_list:
            kept = []
            for entry in app["models"]:
                label = entry["model"]._meta.label_lower
                if label in POLICY_MODELS:
                    found[label] = entry
                else:
                    kept.append(entry)
            if kept:
                rest.append({**app, "models": kept})
        if not found:
            return app_list
        models = [found[label] for label in POLICY_MODELS if label in found]
        section = {
            "name": _("Policy configuration"),
            "app_label": "policy",
            "app_url": next((m["admin_url"] for m in models if m["admin_url"]), ""),
            "has_module_perms": True,
            "models": models,
        }
        return [section, *rest]


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
