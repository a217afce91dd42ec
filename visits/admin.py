"""Admin: the visit frequency table (SPEC VIS-1, CFG-1) — class × who → period in calendar months.

The rows are complete from the start (migration 0002 seeds every class × who), so administrators
only change periods: no adding or deleting rows. Every change goes through `visit_frequency_set`,
which validates and audit-logs it."""

from django.contrib import admin

from .models import VisitFrequency
from .services import visit_frequency_set


@admin.register(VisitFrequency)
class VisitFrequencyAdmin(admin.ModelAdmin):
    list_display = ("grade", "target", "period_months")
    list_editable = ("period_months",)
    list_filter = ("grade",)
    fields = ("grade", "target", "period_months")
    readonly_fields = ("grade", "target")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        visit_frequency_set(row=obj, period_months=obj.period_months, by=request.user, request=request)
