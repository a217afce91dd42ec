from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, Role, User
from .services import user_set_roles


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "branch")
    list_filter = ("level", "branch")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "description")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False  # the eight roles of ORG-2 are fixed; code checks them by code

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "unit", "role_list", "is_active", "last_login")
    list_filter = ("roles", "unit__branch", "is_active")
    search_fields = ("username", "display_name", "mobile", "employee_no")
    autocomplete_fields = ("unit",)
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Portal"), {"fields": ("display_name", "unit", "roles", "mobile", "employee_no")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Portal"), {"fields": ("display_name", "unit", "roles")}),
    )
    filter_horizontal = ("roles", "groups", "user_permissions")

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(str(r) for r in obj.roles.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit").prefetch_related("roles")

    def save_related(self, request, form, formsets, change):
        # Roles go through the service so the admin flags and the audit log follow them.
        roles = [r.code for r in form.cleaned_data.get("roles", [])]
        super().save_related(request, form, formsets, change)
        user_set_roles(user=form.instance, roles=roles, by=request.user, request=request)
