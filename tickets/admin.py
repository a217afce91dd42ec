"""Admin: the SLA table (SPEC TKT-8, CFG-1) and the performance ledger (PEN-1, read-only).

SLA rows are written only through `sla_rule_save` / `sla_rule_delete`, which validate and
audit-log every change (the pattern of visits/admin.py). The three default rows (no product)
are seeded by migration 0003 and can be changed but not deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from portal.exceptions import ApplicationError

from .models import LedgerEntry, SlaRule
from .services import sla_rule_delete, sla_rule_save

SLA_HELP = {
    # Help texts live on the form, not the model, so that wording changes need no migration.
    "product": _("Empty: the default for every product without its own row. A product's own row "
                 "overrides the default for that product."),
    "acknowledge_minutes": _("Minutes from dispatch until the maintenance manager acknowledges the ticket."),
    "on_site_minutes": _("Minutes from dispatch until someone is on site. Empty: by the end of the next "
                         "working day."),
    "restore_minutes": _("Minutes from dispatch until service is restored. Targets must be in order: "
                         "acknowledge ≤ on site ≤ restore. A change applies to tickets dispatched from "
                         "then on; running clocks keep their deadlines."),
}


class SlaRuleForm(forms.ModelForm):
    class Meta:
        model = SlaRule
        fields = ("product", "severity", "acknowledge_minutes", "on_site_minutes", "restore_minutes")
        help_texts = SLA_HELP


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    form = SlaRuleForm
    list_display = ("product_label", "severity", "acknowledge_minutes", "on_site_minutes", "restore_minutes")
    list_display_links = ("product_label",)
    list_editable = ("acknowledge_minutes", "on_site_minutes", "restore_minutes")
    list_filter = ("severity", "product")
    list_select_related = ("product",)
    ordering = (F("product__sort").asc(nulls_first=True), "product__name", "severity")

    @admin.display(description=_("product"), ordering="product__sort")
    def product_label(self, obj: SlaRule):
        return obj.product or _("any product (default)")

    def get_readonly_fields(self, request, obj=None):
        # Product and severity are the row's identity; add a row for another product instead.
        return ("product", "severity") if obj else ()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.product_id is None:
            return False  # the default of a severity: without it new tickets would have no SLA
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        sla_rule_save(rule=obj, by=request.user, request=request)

    def delete_model(self, request, obj):
        sla_rule_delete(rule=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            try:
                sla_rule_delete(rule=rule, by=request.user, request=request)
            except ApplicationError as exc:
                messages.error(request, f"{rule}: {exc.message}")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("month", "person", "branch", "rule", "points", "money", "reversed_at")
    list_filter = ("rule", "month")
    search_fields = ("person__username", "note")
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]
