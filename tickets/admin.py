from django.contrib import admin

from .models import LedgerEntry


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("month", "person", "branch", "rule", "points", "money", "reversed_at")
    list_filter = ("rule", "month")
    search_fields = ("person__username", "note")
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]
