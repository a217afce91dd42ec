"""Fixed lists a ticket names by code (issue 12 item 12): fault causes (TKT-6) and severities (TKT-8)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import FaultCause, Severity


class ChoiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


def _choices(choices) -> list[dict]:
    return [{"code": value, "name": str(label)} for value, label in choices.choices if value]


class FaultCauseListView(APIView):
    """The fault causes an MM or AM records on a ticket (TKT-6)."""

    @extend_schema(responses=ChoiceSerializer(many=True))
    def get(self, request):
        return Response(_choices(FaultCause))


class SeverityListView(APIView):
    """Ticket severities; each has its SLA (TKT-8)."""

    @extend_schema(responses=ChoiceSerializer(many=True))
    def get(self, request):
        return Response(_choices(Severity))
