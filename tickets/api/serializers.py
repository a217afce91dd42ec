from rest_framework import serializers

from accounts.masking import mask_mobile
from groupclients.models import Contact, Product, Site
from portal.api.fields import CodeOrIdField

from ..models import Complaint, FaultCause, LedgerEntry, Severity, Ticket, TicketEvent
from ..personal_data import callback_owned


class TicketEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)

    class Meta:
        model = TicketEvent
        fields = ["at", "by", "action", "from_status", "to_status", "note", "data"]


class TicketSerializer(serializers.ModelSerializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    product = CodeOrIdField(queryset=Product.objects.all(), help_text="product code (GET /api/v1/products/) or id")
    product_code = serializers.CharField(source="product.code", read_only=True)
    account_manager_username = serializers.CharField(source="account_manager.username", read_only=True, default=None)
    maintenance_manager_username = serializers.CharField(source="maintenance_manager.username", read_only=True,
                                                         default=None)
    breached = serializers.BooleanField(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "group", "site", "unit", "product", "severity", "description", "reporter_name",
                  "callback_number", "channel", "status", "opened_by", "account_manager", "account_manager_username",
                  "maintenance_manager", "maintenance_manager_username", "home_am", "opened_at", "dispatched_at",
                  "acknowledged_at", "on_site_at", "repaired_at", "am_logged_at", "rated_at", "closed_at",
                  "acknowledge_due", "on_site_due", "restore_due", "breached", "participation", "revisit_due",
                  "mm_cause", "mm_repair", "mm_am_present", "mm_notified_am", "am_cause", "misroute_count",
                  "misroute_note", "needs_verification", "verification_note", "rating", "product_code"]
        read_only_fields = [f for f in fields if f not in ("group", "site", "product", "severity", "description",
                                                           "reporter_name", "callback_number")]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # ORG-4 (issue 12 item 4): masked for whoever does not own the ticket; no request → masked.
        request = self.context.get("request")
        if "callback_number" in data and not callback_owned(instance, getattr(request, "user", None)):
            data["callback_number"] = mask_mobile(instance.callback_number)
        return data


class TicketDetailSerializer(TicketSerializer):
    events = TicketEventSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = TicketSerializer.Meta.fields + ["events"]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RepairSerializer(serializers.Serializer):
    cause = serializers.ChoiceField(choices=FaultCause.choices)
    repair = serializers.CharField(max_length=300)
    am_present = serializers.BooleanField()
    notified_am = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AmLogSerializer(serializers.Serializer):
    cause = serializers.ChoiceField(choices=FaultCause.choices)
    repair = serializers.CharField(max_length=300)
    assessment = serializers.CharField(max_length=300)
    contacts = serializers.PrimaryKeyRelatedField(many=True, queryset=Contact.objects.all(), required=False)


class ParticipationSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=[c for c in Ticket.Participation.choices if c[0]])
    substitute = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MisrouteSerializer(serializers.Serializer):
    real_location = serializers.CharField(max_length=300)
    correct_site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)


class RedispatchSerializer(serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300)
    wrong_party = serializers.ChoiceField(choices=[("", "none"), ("am", "AM"), ("mm", "MM")], required=False,
                                          default="")


class ComplaintSerializer(serializers.ModelSerializer):
    agreed_answer_at = serializers.DateTimeField(required=False, allow_null=True, write_only=True)
    answer_text = serializers.CharField(required=False, allow_blank=True, write_only=True)
    answered_in_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Complaint
        fields = ["id", "group", "contact", "kind", "channel", "description", "received_at", "recorded_by",
                  "account_manager", "status", "resolved_on_spot", "on_spot_due", "answer_due", "answer_max_due",
                  "answered_at", "answer", "callback_at", "callback_note", "closed_at", "escalated",
                  "escalated_unrecorded", "answered_in_time", "agreed_answer_at", "answer_text"]
        read_only_fields = ["recorded_by", "account_manager", "status", "on_spot_due", "answer_due", "answer_max_due",
                            "answered_at", "answer", "callback_at", "callback_note", "closed_at"]
        extra_kwargs = {"received_at": {"required": False}}


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(TextSerializer):
    # CMP-4: true costs the AM 20 points; only the quality desk may say so (issue 12 item 3)
    unrecorded = serializers.BooleanField(required=False, default=False)


class LedgerEntrySerializer(serializers.ModelSerializer):
    person_username = serializers.CharField(source="person.username", default=None, read_only=True)
    source = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "month", "person", "person_username", "branch", "rule", "points", "money", "source", "note",
                  "created_at", "reversed_at", "reversal_reason"]

    def get_source(self, obj) -> dict:
        return {"type": obj.source_type.model, "id": obj.source_id}


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
