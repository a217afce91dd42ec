"""API: tickets with one POST endpoint per transition (409 when refused), complaints, the ledger."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import User
from accounts.scoping import WRITE, get_in_scope
from groupclients.models import GroupCustomer
from groupclients.scopes import GROUP_SCOPE
from portal.api.params import Choice, FilterParamsMixin, Id, Text

from .. import complaints as complaint_services
from .. import workflow as wf
from ..models import Complaint, LedgerEntry, Severity, Ticket
from ..personal_data import ticket_reveal, with_callback_owned
from ..scopes import COMPLAINT_SCOPE, LEDGER_SCOPE, TICKET_SCOPE
from ..selectors import complaints_in_scope, ledger_in_scope, ticket_list_for_user
from ..services import ledger_reverse
from . import serializers as s


class TicketListParams(serializers.Serializer):
    queue = Choice(["mine", "reported", "open", "misrouted", "verification", "all"])
    status = Choice(Ticket.Status.choices)
    severity = Choice(Severity.choices)
    group = Id()
    q = Text()
    breached = serializers.BooleanField(required=False, default=False)


class ComplaintListParams(serializers.Serializer):
    status = Choice(Complaint.Status.choices)


class LedgerListParams(serializers.Serializer):
    month = serializers.RegexField(r"^([0-9]{4}(-(0[1-9]|1[0-2]))?)?$", required=False, allow_blank=True,
                                   help_text="YYYY-MM (or YYYY)")
    person = Id()


class TicketViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    """Fault tickets in the caller's scope (ORG-3). Each transition is `POST tickets/{id}/<name>/`."""

    serializer_class = s.TicketSerializer
    filter_backends = []
    filter_serializer_class = TicketListParams

    def get_serializer_class(self):
        return s.TicketDetailSerializer if self.action == "retrieve" else s.TicketSerializer

    def get_queryset(self):
        qs = ticket_list_for_user(self.request.user, **getattr(self, "filters", {}))
        qs = with_callback_owned(qs, self.request.user)
        return qs.prefetch_related("events__by") if self.action == "retrieve" else qs

    def perform_create(self, serializer):
        d = serializer.validated_data
        group = get_in_scope(self.request.user, GroupCustomer.objects.all(), GROUP_SCOPE, pk=d["group"].pk)
        serializer.instance = wf.ticket_open(by=self.request.user, **{**d, "group": group})

    def _transition(self, request, pk, fn, ser_class=None, **extra):
        ticket = get_in_scope(request.user, Ticket.objects.all(), TICKET_SCOPE, WRITE, pk=pk)
        data = {}
        if ser_class is not None:
            ser = ser_class(data=request.data)
            ser.is_valid(raise_exception=True)
            data = dict(ser.validated_data)
        ticket = fn(ticket=ticket, by=request.user, **data, **extra)
        ticket = Ticket.objects.get(pk=ticket.pk)
        return Response(s.TicketSerializer(ticket, context=self.get_serializer_context()).data)

    @extend_schema(request=s.NoteSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_acknowledge, s.NoteSerializer)

    @extend_schema(request=s.NoteSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_arrive, s.NoteSerializer)

    @extend_schema(request=s.RepairSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_repair, s.RepairSerializer)

    @extend_schema(request=s.AmLogSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"], url_path="am-log")
    def am_log(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_am_log, s.AmLogSerializer)

    @extend_schema(request=s.ParticipationSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def participation(self, request, pk=None):
        ser = s.ParticipationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = dict(ser.validated_data)
        sub = d.pop("substitute", None)
        substitute = get_object_or_404(User, pk=sub) if sub else None
        ticket = get_in_scope(request.user, Ticket.objects.all(), TICKET_SCOPE, WRITE, pk=pk)
        ticket = wf.ticket_set_participation(ticket=ticket, by=request.user, substitute=substitute, **d)
        return Response(s.TicketSerializer(ticket, context=self.get_serializer_context()).data)

    @extend_schema(request=s.MisrouteSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def misroute(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_misroute, s.MisrouteSerializer)

    @extend_schema(request=s.RedispatchSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def redispatch(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_redispatch, s.RedispatchSerializer)

    @extend_schema(request=s.NoteSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_close, s.NoteSerializer)

    @extend_schema(request=s.CancelSerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_cancel, s.CancelSerializer)

    @extend_schema(request=s.VerifySerializer, responses=s.TicketSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._transition(request, pk, wf.ticket_verify, s.VerifySerializer)

    @extend_schema(request=None, responses=inline_serializer(
        "TicketReveal", {"callback_number": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The callback number in clear for a non-owner, audit-logged (ORG-4)."""
        ticket = get_in_scope(request.user, Ticket.objects.all(), TICKET_SCOPE, pk=pk)
        return Response(ticket_reveal(ticket=ticket, by=request.user, request=request))


class ComplaintViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Consultations and complaints (CMP-1..4)."""

    serializer_class = s.ComplaintSerializer
    filter_backends = []
    filter_serializer_class = ComplaintListParams

    def get_queryset(self):
        qs = complaints_in_scope(self.request.user)
        if self.filter_value("status"):
            qs = qs.filter(status=self.filter_value("status"))
        return qs

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        if not self.request.user.has_role("am", "agent", "quality", "admin"):
            raise PermissionDenied("Your role cannot record complaints.")
        group = get_in_scope(self.request.user, GroupCustomer.objects.all(), GROUP_SCOPE, pk=d.pop("group").pk)
        answer = d.pop("answer_text", "")
        serializer.instance = complaint_services.complaint_record(group=group, by=self.request.user, answer=answer,
                                                                  **d)

    def _act(self, request, pk, fn, ser_class=s.TextSerializer, **kw):
        c = get_in_scope(request.user, Complaint.objects.all(), COMPLAINT_SCOPE, WRITE, pk=pk)
        ser = ser_class(data=request.data)
        ser.is_valid(raise_exception=True)
        c = fn(complaint=c, by=request.user, **{k: ser.validated_data[v] for k, v in kw.items()})
        return Response(s.ComplaintSerializer(c).data)

    @extend_schema(request=s.TextSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._act(request, pk, complaint_services.complaint_answer, answer="text")

    @extend_schema(request=s.TextSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        return self._act(request, pk, complaint_services.complaint_callback, note="text")

    @extend_schema(request=None, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, pk, complaint_services.complaint_close)

    @extend_schema(request=s.EscalateSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._act(request, pk, complaint_services.complaint_escalate, s.EscalateSerializer,
                         unrecorded="unrecorded")


class LedgerViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The performance ledger (PEN-1): supervisors see their people's entries."""

    serializer_class = s.LedgerEntrySerializer
    filter_backends = []
    filter_serializer_class = LedgerListParams

    def get_queryset(self):
        qs = ledger_in_scope(self.request.user)
        if self.filter_value("month"):
            qs = qs.filter(month__startswith=self.filter_value("month"))
        if self.filter_value("person"):
            qs = qs.filter(person_id=self.filter_value("person"))
        return qs

    @extend_schema(request=s.ReverseSerializer, responses=s.LedgerEntrySerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = get_in_scope(request.user, LedgerEntry.objects.all(), LEDGER_SCOPE, WRITE, pk=pk)
        ser = s.ReverseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = ledger_reverse(entry=entry, by=request.user, reason=ser.validated_data["reason"])
        return Response(s.LedgerEntrySerializer(entry).data, status=status.HTTP_200_OK)
