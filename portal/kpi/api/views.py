"""API: `GET /api/v1/kpi/?scope=<org code>&month=YYYY-MM[&am=<user id>][&rank=<metric>]` — the figures the
dashboard shows, from the same function (`kpi_report`), in the caller's scope (ORG-3: 403 outside it)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..compute import kpi_report
from ..definitions import RANK_BY_CODE
from ..periods import current_month, parse_month, previous_month
from ..scope import resolve_scope, top_node


class KpiView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, description="organisation unit code (default: your widest scope)"),
            OpenApiParameter("month", str, description="YYYY-MM (default: last month)"),
            OpenApiParameter("am", int, description="one account manager's figures (the scorecard)"),
            OpenApiParameter("rank", str, enum=list(RANK_BY_CODE), description="what AMs and units are ranked by"),
            OpenApiParameter("people", int, description="how many ranked AMs to return (default 20, at most 500)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        p = request.query_params
        month = previous_month()
        if p.get("month"):
            month = parse_month(p["month"])
            if month is None or month > current_month():
                raise ValidationError({"month": "YYYY-MM, not after the current month"})
        am = p.get("am") or None
        if am is None and top_node(request.user) is None and request.user.has_role("am"):
            am = str(request.user.pk)
        scope = resolve_scope(request.user, p.get("scope") or None, am=am)
        try:
            people = max(0, min(int(p.get("people", 20)), 500))
        except ValueError:
            raise ValidationError({"people": "a number"}) from None
        report = kpi_report(scope, month, rank_by=p.get("rank", "visit_rate"))
        return Response(report.as_dict(people=people))
