"""API: `GET /api/v1/kpi/?scope=<org code>&month=YYYY-MM[&am=<user id>][&rank=<metric>]` — the figures the
dashboard shows, from the same function (`kpi_report`), in the caller's scope (ORG-3: 403 outside it)."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.params import FilterParamsMixin

from ..compute import kpi_report
from ..periods import current_month, parse_month, previous_month
from ..scope import resolve_scope, top_node
from .serializers import KpiParamsSerializer, KpiReportSerializer


class KpiView(FilterParamsMixin, APIView):
    filter_serializer_class = KpiParamsSerializer  # validated and documented once (portal.api.params)

    @extend_schema(responses=KpiReportSerializer)
    def get(self, request):
        f = self.filters
        month = previous_month()
        if f.get("month"):
            month = parse_month(f["month"])
            if month is None or month > current_month():
                raise ValidationError({"month": "YYYY-MM, not after the current month"})
        am = str(f["am"]) if f.get("am") else None
        if am is None and top_node(request.user) is None and request.user.has_role("am"):
            am = str(request.user.pk)
        scope = resolve_scope(request.user, f.get("scope") or None, am=am)
        people = f.get("people", 20)
        report = kpi_report(scope, month, rank_by=f.get("rank", "visit_rate"))
        return Response(report.as_dict(people=people))
