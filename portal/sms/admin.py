"""Admin: templates are edited here (SPEC SMS-4); the outbox and inbound messages are for looking
and for re-sending failed messages, not for editing."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import InboundMessage, OutboxMessage, SmsTemplate
from .rendering import sms_parts
from .services import outbox_retry, sms_template_delete, sms_template_save


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "text", "parts", "updated_at")
    search_fields = ("key", "name", "text")
    readonly_fields = ("updated_at",)

    @admin.display(description=_("SMS parts"))
    def parts(self, obj):
        return sms_parts(obj.text)

    def get_readonly_fields(self, request, obj=None):
        # Code refers to templates by key: the key of an existing template cannot change.
        return ("key", "updated_at") if obj else ("updated_at",)

    def save_model(self, request, obj, form, change):
        sms_template_save(template=obj, by=request.user, request=request)

    def delete_model(self, request, obj):
        # Deleting a template row restores its built-in default text (portal.sms.defaults).
        sms_template_delete(template=obj, by=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            sms_template_delete(template=obj, by=request.user, request=request)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "to",
        "short_text",
        "template_key",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "delivered_at",
    )
    list_filter = ("status", "kind", "template_key")
    search_fields = ("to", "text", "dedupe_key", "gateway_ref")
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 40 else obj.text[:40] + "…"

    @admin.action(description=_("Send the selected failed messages again"))
    def retry(self, request, queryset):
        count = outbox_retry(ids=list(queryset.values_list("id", flat=True)))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", count) % count,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("%d already sent or in progress: left alone (never sent twice).") % skipped,
                messages.WARNING,
            )


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "sender", "receiver", "text", "handled", "handler")
    list_filter = ("handled", "handler")
    search_fields = ("sender", "text", "message_id")
    date_hierarchy = "received_at"
