from django import forms
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
from .services import contact_minimum_set


@admin.register(OrganisationType, Industry)
class ControlledListAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active", "sort")
    list_editable = ("name", "active", "sort")
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(ControlledListAdmin):
    list_display = ("code", "name", "category", "active", "sort")


class ContactMinimumForm(forms.ModelForm):
    class Meta:
        model = ContactMinimum
        fields = ("grade", "contact_type", "minimum")
        help_texts = {  # on the form, not the model, so that wording changes need no migration
            "minimum": _("The fewest active key persons of this type a group of this class must have; "
                         "groups below it appear on the data-quality list. 0 means no minimum."),
        }


@admin.register(ContactMinimum)
class ContactMinimumAdmin(admin.ModelAdmin):
    """CT-2 policy rows, written through `contact_minimum_set` (validated, audit-logged); saving
    recomputes the data-quality flags of every group.

    No deleting: a deleted row would silently fall back to the SPEC default, so an administrator
    sets 0 to drop a minimum instead."""

    form = ContactMinimumForm
    list_display = ("grade", "contact_type", "minimum")
    list_editable = ("minimum",)
    list_filter = ("grade",)

    def get_readonly_fields(self, request, obj=None):
        return ("grade", "contact_type") if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        contact_minimum_set(row=obj, minimum=obj.minimum, by=request.user, request=request)
        if not change or "minimum" in form.changed_data:
            messages.info(request, _("Data-quality flags are being recomputed for every group."))


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
