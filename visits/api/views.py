"""API: visits (creating one queues the surveys exactly like the page), surveys, repair cases."""
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.scoping import WRITE, can
from groupclients.scopes import GROUP_SCOPE
from portal.api.params import Choice, FilterParamsMixin, Id

from .. import services
from ..models import RepairCase, Survey, VisitLog
from ..selectors import repairs_in_scope, survey_list_for_user, visit_list_for_user
from .serializers import RepairCaseSerializer, SurveySerializer, VisitSerializer


class VisitListParams(serializers.Serializer):
    group = Id()
    kind = Choice(VisitLog.Kind.choices)
    am = Id()


class SurveyListParams(serializers.Serializer):
    status = Choice(Survey.Status.choices)
    score = serializers.IntegerField(required=False, min_value=1, max_value=4)
    group = Id()


class RepairListParams(serializers.Serializer):
    status = Choice(RepairCase.Status.choices)


class VisitViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    filter_backends = []
    filter_serializer_class = VisitListParams

    def get_queryset(self):
        return visit_list_for_user(self.request.user, **getattr(self, "filters", {})).prefetch_related(
            "companions", "surveys")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        group = d.pop("group")
        user = self.request.user
        if not user.has_role("am", "admin") or not can(user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("Only the group's account manager logs visits to it.")
        serializer.instance = services.visit_log_create(
            group=group, by=user, contacts=d.pop("contacts"), companions=d.pop("companions", []),
            kind=d.pop("kind", "routine"), notes=d.pop("notes"), started_at=d.pop("started_at"),
            next_visit_on=d.pop("next_visit_on"), purposes=d.pop("purposes", []), **d)


class SurveyViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SurveySerializer
    filter_backends = []
    filter_serializer_class = SurveyListParams

    def get_queryset(self):
        return survey_list_for_user(self.request.user, **getattr(self, "filters", {}))


class RepairCaseViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = RepairCaseSerializer
    filter_backends = []
    filter_serializer_class = RepairListParams

    def get_queryset(self):
        qs = repairs_in_scope(self.request.user).order_by("due_at")
        if self.filter_value("status"):
            qs = qs.filter(status=self.filter_value("status"))
        return qs
