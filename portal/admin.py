from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import policy as policy_registry
from . import workday_import, workdays
from .models import AuditEvent, PolicyValue, WorkdayOverride


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "target_type", "target_id", "ip")
    list_filter = ("action",)
    search_fields = ("username", "target_id", "ip")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---- policy values (SPEC CFG-1) --------------------------------------------------------------


@admin.register(PolicyValue)
class PolicyValueAdmin(admin.ModelAdmin):
    """Every registered policy key under its heading, each editable through `policy_set`.

    The stock changelist would list only the overrides (the rows); an administrator needs to see
    every value in force with its default, so the list and the edit page are views of our own.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are declared in code; a value is set from the list

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # "reset to default" on the edit page, audited

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist"),
            path("<str:key>/", self.admin_site.admin_view(self.edit_view), name=f"{prefix}_edit"),
        ]

    def _context(self, request: HttpRequest, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "calendar_warning": workdays.missing_arrangement_warning(),
            **extra,
        }

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        rows = {pv.key: pv for pv in PolicyValue.objects.select_related("updated_by")}
        values = policy_registry.current_values()
        groups = []
        for group, defs in policy_registry.grouped_definitions():
            if not defs:
                continue
            groups.append({
                "group": group,
                "items": [
                    {
                        "d": d,
                        "current": d.display(values[d.key]),
                        "default": d.display(d.default),
                        "overridden": values[d.key] != d.default,
                        "row": rows.get(d.key),
                        "url": reverse("admin:portal_policyvalue_edit", args=[d.key]),
                    }
                    for d in defs
                ],
            })
        context = self._context(
            request, title=gettext("Policy values"), groups=groups,
            workday_overrides_url=reverse("admin:portal_workdayoverride_changelist"),
            **(extra_context or {}),
        )
        return TemplateResponse(request, "admin/portal/policyvalue/policy_list.html", context)

    def edit_view(self, request: HttpRequest, key: str) -> HttpResponse:
        try:
            d = policy_registry.definition(key)
        except KeyError:
            raise Http404(f"no policy key {key!r}") from None
        can_change = self.has_change_permission(request)
        if not (can_change or self.has_view_permission(request)):
            raise PermissionDenied
        current = policy_registry.policy(key)
        form_class = type("PolicyValueForm", (forms.Form,), {"value": d.form_field()})
        list_url = reverse("admin:portal_policyvalue_changelist")
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            if "_reset" in request.POST:
                policy_registry.policy_reset(key=key, by=request.user, request=request)
                messages.success(request, gettext("%(key)s is back to its default.") % {"key": key})
                return HttpResponseRedirect(f"{list_url}#{key}")
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    policy_registry.policy_set(
                        key=key, value=form.cleaned_data["value"], by=request.user, request=request
                    )
                except ValidationError as exc:
                    form.add_error("value", exc)
                else:
                    messages.success(request, gettext("%(key)s saved.") % {"key": key})
                    return HttpResponseRedirect(f"{list_url}#{key}")
        else:
            form = form_class(initial={"value": current})
        history = AuditEvent.objects.filter(
            action=AuditEvent.Action.POLICY_CHANGED, target_type="policy", target_id=key
        )[:10]
        context = self._context(
            request, title=d.label, d=d, form=form, can_change=can_change,
            current=d.display(current), default=d.display(d.default), overridden=current != d.default,
            row=PolicyValue.objects.select_related("updated_by").filter(key=key).first(),
            history=history, list_url=list_url,
        )
        return TemplateResponse(request, "admin/portal/policyvalue/policy_edit.html", context)


# ---- working-day calendar overrides (SPEC SAT-3) ---------------------------------------------


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """Days an administrator rules on, above chinesecalendar; saving and deleting go through the services."""

    list_display = ("date", "weekday", "is_workday", "without_override", "note", "updated_by", "updated_at")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)
    fields = ("date", "is_workday", "note")
    list_select_related = ("updated_by",)
    change_list_template = "admin/portal/workdayoverride/change_list.html"

    def get_urls(self):
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="portal_workdayoverride_import")]
        return extra + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Issue 16 item 6: upload a year's arrangement (CSV), preview it, then apply it (audited)."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": gettext("Import a year's holiday arrangement"), "plan": None, "text": ""}
        if request.method == "POST":
            text = request.POST.get("text", "")
            upload = request.FILES.get("file")
            if upload is not None:
                if upload.size > 256 * 1024:
                    messages.error(request, gettext("The file is too large for a calendar (256 KB at most)."))
                    return TemplateResponse(request, "admin/portal/workdayoverride/import.html", context)
                try:
                    text = workday_import.decode(upload.read())
                except ValueError as exc:
                    messages.error(request, str(exc))
                    return TemplateResponse(request, "admin/portal/workdayoverride/import.html", context)
            plan = workday_import.plan_from_text(text)
            if request.POST.get("apply") == "1" and upload is None:
                if plan.ok:
                    changed = workday_import.plan_apply(plan, by=request.user, request=request)
                    messages.success(request, gettext("Applied %(rows)d days for %(years)s (%(changed)d changed).") % {
                        "rows": len(plan.rows), "years": ", ".join(map(str, plan.years)), "changed": changed})
                    return HttpResponseRedirect(reverse(f"{self.admin_site.name}:portal_workdayoverride_changelist"))
                messages.error(request, gettext("The file has errors: nothing was applied."))
            context.update(plan=plan, text=text)
        return TemplateResponse(request, "admin/portal/workdayoverride/import.html", context)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        # The date is the row's identity (one override per day): delete and add instead of moving it.
        return ("date",) if obj else ()

    @admin.display(description=_("weekday"))
    def weekday(self, obj: WorkdayOverride) -> str:
        return date_format(obj.date, "l")

    @admin.display(description=_("without this override"))
    def without_override(self, obj: WorkdayOverride) -> str:
        return gettext("working day") if workdays.published_is_workday(obj.date) else gettext("day off")

    def save_model(self, request: HttpRequest, obj: WorkdayOverride, form, change: bool) -> None:
        saved = workdays.workday_override_set(
            day=obj.date, is_workday=obj.is_workday, note=obj.note, by=request.user, request=request
        )
        obj.pk, obj.updated_by, obj.updated_at = saved.pk, saved.updated_by, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: WorkdayOverride) -> None:
        workdays.workday_override_delete(day=obj.date, by=request.user, request=request)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for day in queryset.values_list("date", flat=True):
            workdays.workday_override_delete(day=day, by=request.user, request=request)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "GET":
            warning = workdays.missing_arrangement_warning()
            if warning:
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)

    def get_model_perms(self, request: HttpRequest) -> dict:
        """The usual perms, plus the missing-calendar warning when building the admin index.

        The admin index gets no context hook short of subclassing the site; the model's entry in
        `app_list` carries this dict, and templates/admin/index.html shows the warning from it.
        """
        perms = super().get_model_perms(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == f"{self.admin_site.name}:index":
            if not hasattr(request, "_calendar_warning"):  # index and sidebar both ask: one query
                request._calendar_warning = workdays.missing_arrangement_warning()
            perms["calendar_warning"] = request._calendar_warning
        return perms


from .models import JobRun  # noqa: E402


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "started_at", "finished_at", "status", "counts")
    list_filter = ("name", "status")
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False
