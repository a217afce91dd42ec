from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CompetitorContract,
    Contact,
    ContactMinimum,
    GroupCustomer,
    ImportJob,
    Industry,
    Member,
    OrganisationType,
    Product,
    Site,
    Subscription,
)


@admin.register(OrganisationType, Industry)
class ControlledListAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "sort")
    list_editable = ("name", "active", "sort")
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(ControlledListAdmin):
    list_display = ("code", "name", "category", "active", "sort")


@admin.register(ContactMinimum)
class ContactMinimumAdmin(admin.ModelAdmin):
    """CT-2 policy rows. Saving recomputes the data-quality flags of every group."""

    list_display = ("grade", "contact_type", "minimum")
    list_editable = ("minimum",)
    list_filter = ("grade",)

    def _refresh(self, request):
        from .tasks import refresh_quality_all

        refresh_quality_all.delay()
        messages.info(request, _("Data-quality flags are being recomputed for every group."))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._refresh(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._refresh(request)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    autocomplete_fields = ("local_am", "local_mm", "unit")


@admin.register(GroupCustomer)
class GroupCustomerAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "grade", "status", "unit", "account_manager", "core_incomplete")
    list_filter = ("grade", "status", "unit__branch", "core_incomplete", "below_contact_minimum")
    search_fields = ("code", "name", "search_text", "phone")
    autocomplete_fields = ("unit", "account_manager")
    list_select_related = ("unit", "account_manager")
    inlines = [SiteInline]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "group", "type", "is_primary", "vip_tier", "vip_designated", "status")
    list_filter = ("type", "vip_tier", "vip_designated", "status")
    search_fields = ("name", "mobile", "group__name")
    autocomplete_fields = ("group", "counterpart")
    list_select_related = ("group",)


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("mobile", "name", "group", "vip_tier", "billing_type", "status")
    list_filter = ("vip_tier", "billing_type", "status")
    search_fields = ("mobile", "name", "group__name")
    autocomplete_fields = ("group", "contact")
    list_select_related = ("group",)


admin.site.register(Subscription)
admin.site.register(CompetitorContract)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "kind", "status", "total_rows", "created_by", "created_at")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportJob._meta.fields]
