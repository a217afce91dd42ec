"""The admin site is for administrators only (role `admin`), not for every staff flag."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("Group-customer portal administration")
    site_title = _("Portal administration")
    index_title = _("Policy, people and data repair")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_staff and user.has_role("admin"))


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
