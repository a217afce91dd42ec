from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import KpiMonth


@admin.register(KpiMonth)
class KpiMonthAdmin(admin.ModelAdmin):
    """Read-only: months are closed by the job and reopened on the monthly-close page, which audits."""

    list_display = ["month", "status", "closed_at", "closed_by", "reopened_at", "reopen_reason", "seconds", "page"]
    readonly_fields = [f.name for f in KpiMonth._meta.fields]

    @admin.display(description=_("close or reopen"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("kpi-months"), _("Monthly close"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
