"""The KPI answer, typed for the schema (issue 12 item 14): what `Report.as_dict` returns."""
from rest_framework import serializers

from ..definitions import RANK_METRICS


def _metric_fields() -> dict[str, serializers.Field]:
    return {m.code: serializers.FloatField(allow_null=True, required=False, help_text=str(m.label))
            for m in RANK_METRICS}


class KpiParamsSerializer(serializers.Serializer):
    # "" is "not given" in a query string (DRF's form semantics), so the schema allows it
    scope = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                  help_text="organisation unit code (default: your widest scope)")
    month = serializers.RegexField(r"^((19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2]))?$", required=False, allow_blank=True,
                                   help_text="YYYY-MM (default: last month)")
    am = serializers.IntegerField(required=False, min_value=1, help_text="one account manager's figures")
    rank = serializers.ChoiceField(choices=[m.code for m in RANK_METRICS], required=False,
                                   help_text="what AMs and units are ranked by")
    people = serializers.IntegerField(required=False, min_value=0, max_value=500,
                                      help_text="how many ranked AMs to return (default 20)")


class KpiPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class KpiScopeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    person = KpiPersonSerializer(allow_null=True)


KpiMetricsSerializer = type("KpiMetricsSerializer", (serializers.Serializer,), _metric_fields())
KpiRowSerializer = type("KpiRowSerializer", (serializers.Serializer,), {
    "id": serializers.IntegerField(), "name": serializers.CharField(), **_metric_fields()})
KpiTrendPointSerializer = type("KpiTrendPointSerializer", (serializers.Serializer,), {
    "month": serializers.CharField(help_text="YYYY-MM"),
    "closed": serializers.BooleanField(),
    "live": serializers.BooleanField(),
    **_metric_fields(),
    "tickets": serializers.IntegerField(required=False, allow_null=True),
    "complaints_per_10k": serializers.FloatField(required=False, allow_null=True),
    "faults_per_10k": serializers.FloatField(required=False, allow_null=True),
})


class KpiPeopleSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    top = KpiRowSerializer(many=True)


class KpiReportSerializer(serializers.Serializer):
    scope = KpiScopeSerializer()
    month = serializers.CharField(help_text="YYYY-MM")
    closed = serializers.BooleanField()
    source = serializers.CharField(help_text='"counted" while the month is open, "snapshot" once closed')
    closed_at = serializers.DateTimeField(allow_null=True)
    counted_at = serializers.DateTimeField(allow_null=True)
    figures = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        help_text="figure groups (visits_groups, surveys, sla, …), each mapping a figure to its number")
    metrics = KpiMetricsSerializer()
    targets = serializers.DictField(child=serializers.FloatField(allow_null=True))
    units = KpiRowSerializer(many=True)
    branches = KpiRowSerializer(many=True)
    trend = KpiTrendPointSerializer(many=True)
    rank_by = serializers.CharField()
    people = KpiPeopleSerializer(required=False)
