"""API: visits (creating one queues the surveys exactly like the page), surveys, repair cases."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from accounts.scoping import WRITE, can
from groupclients.scopes import GROUP_SCOPE

from .. import services
from ..selectors import repairs_in_scope, survey_list_for_user, visit_list_for_user
from .serializers import RepairCaseSerializer, SurveySerializer, VisitSerializer


def _int(v):
    try:
        return int(v) if v not in (None, "") else None
    except ValueError:
        return None


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("group", int), OpenApiParameter("kind", str),
                                                   OpenApiParameter("am", int)]))
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    filter_backends = []

    def get_queryset(self):
        p = self.request.query_params
        return visit_list_for_user(self.request.user, kind=p.get("kind", ""), am=_int(p.get("am")),
                                   group=_int(p.get("group"))).prefetch_related("companions", "surveys")

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


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("score", int),
                                                   OpenApiParameter("group", int)]))
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SurveySerializer
    filter_backends = []

    def get_queryset(self):
        p = self.request.query_params
        return survey_list_for_user(self.request.user, status=p.get("status", ""), score=_int(p.get("score")),
                                    group=_int(p.get("group")))


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("status", str)]))
class RepairCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RepairCaseSerializer
    filter_backends = []

    def get_queryset(self):
        qs = repairs_in_scope(self.request.user).order_by("due_at")
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs
