from django.utils import timezone
from rest_framework import serializers

from groupclients.models import Contact

from ..models import RepairCase, Survey, SurveyReply, VisitLog


class VisitSerializer(serializers.ModelSerializer):
    contacts = serializers.PrimaryKeyRelatedField(many=True, queryset=Contact.objects.all())
    visited_at = serializers.DateTimeField(source="started_at")
    # VIS-2: at least one purpose (the model refuses an empty list; the schema now says so, issue 12 item 14)
    purposes = serializers.ListField(child=serializers.ChoiceField(choices=VisitLog.Purpose.choices),
                                     allow_empty=False)
    surveys_queued = serializers.SerializerMethodField()

    class Meta:
        model = VisitLog
        fields = ["id", "group", "account_manager", "contacts", "companions", "kind", "purposes", "notes",
                  "visited_at", "ended_at", "next_visit_on", "acceptance_passed", "nonconformity_open",
                  "fault_cause", "fault_repair", "customer_assessment", "surveys_queued", "created_at"]
        read_only_fields = ["account_manager", "created_at"]
        extra_kwargs = {"companions": {"required": False}}

    def get_surveys_queued(self, obj) -> int:
        return obj.surveys.count()


class SurveyReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyReply
        fields = ["text", "parsed_score", "received_at"]


class SurveySerializer(serializers.ModelSerializer):
    replies = SurveyReplySerializer(many=True, read_only=True)
    contact_name = serializers.CharField(source="contact.name", default="", read_only=True)

    class Meta:
        model = Survey
        fields = ["id", "visit", "ticket_id", "group", "contact", "contact_name", "status", "score", "sent_at",
                  "expires_at", "answered_at", "replies"]


class RepairCaseSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(source="survey.score", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RepairCase
        fields = ["id", "group", "survey", "score", "account_manager", "supervisor", "branch", "status", "opened_at",
                  "due_at", "overdue", "closed_at", "closed_by_visit"]

    def get_overdue(self, obj) -> bool:
        return obj.status == RepairCase.Status.OVERDUE or (obj.status == RepairCase.Status.OPEN
                                                            and obj.due_at < timezone.now())
