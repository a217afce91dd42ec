"""API for the billing feed, credit control and retention alerts (issue 6, item 5)."""
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import WRITE, get_in_scope, scope_queryset
from portal.api.params import Choice, FilterParamsMixin, Id
from portal.ids import is_id

from ...scopes import ACCOUNT_SCOPE, ALERT_SCOPE, ORDER_SCOPE
from ..models import BillingAccount, CreditOrder, RetentionAlert
from ..services import billing, credit, retention


def _feed(user):
    if not user.has_role("admin"):
        raise PermissionDenied("The billing feed is written by the billing system's integration account (admin).")


class AccountSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    group = serializers.CharField(source="group.code", default=None, read_only=True)

    class Meta:
        model = BillingAccount
        fields = ["id", "external_id", "group", "kind", "status", "status_since", "balance", "cash_balance",
                  "noncash_balance", "balance_valid_until", "amount_due", "due_date", "credit_level", "enrolled",
                  "exempt", "exempt_reason", "grace_until", "delay_until", "package_role"]


class AccountRowSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    group = serializers.CharField(required=False, help_text="group code")
    kind = serializers.ChoiceField(choices=BillingAccount.Kind.choices)
    cash_balance = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    noncash_balance = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    noncash_expires_on = serializers.DateField(required=False, allow_null=True)
    balance_valid_until = serializers.DateField(required=False, allow_null=True)
    amount_due = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    arrears_since = serializers.DateField(required=False, allow_null=True)
    instalment_end = serializers.DateField(required=False, allow_null=True)
    credit_level = serializers.IntegerField(required=False, min_value=0)
    enrolled = serializers.BooleanField(required=False)
    exempt = serializers.BooleanField(required=False)
    exempt_reason = serializers.CharField(required=False, allow_blank=True)
    package = serializers.CharField(required=False, allow_blank=True)
    package_kind = serializers.ChoiceField(choices=[("tight", "tight"), ("loose", "loose")], required=False)
    package_role = serializers.ChoiceField(choices=[("", ""), ("base", "base"), ("addon", "addon")], required=False)
    members = serializers.ListField(child=serializers.CharField(), required=False, help_text="member mobiles")


class AccountsBulkSerializer(serializers.Serializer):
    accounts = AccountRowSerializer(many=True)


class UsageRowSerializer(serializers.Serializer):
    mobile = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    revenue = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    minutes = serializers.IntegerField(required=False)
    outgoing_calls = serializers.IntegerField(required=False)
    data_mb = serializers.IntegerField(required=False)
    forwarding_days = serializers.IntegerField(required=False)
    competitor_hotline_seconds = serializers.IntegerField(required=False)


class UsageBulkSerializer(serializers.Serializer):
    usage = UsageRowSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    upserted = serializers.IntegerField(required=False)


class PaymentSerializer(serializers.Serializer):
    account = serializers.CharField(help_text="account id or external id")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    external_id = serializers.CharField(required=False, help_text="the billing system's payment id (idempotency)")
    # bounded: an unbounded number overflowed the date arithmetic (issue 12 item 6)
    validity_days = serializers.IntegerField(required=False, min_value=0, max_value=3660, default=0,
                                             help_text="days of balance validity (at most ten years)")


class OrderSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.external_id")

    class Meta:
        model = CreditOrder
        fields = ["id", "account", "action", "rule", "reason", "created_at", "by"]


class AlertSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)
    member_mobile = serializers.SerializerMethodField()

    class Meta:
        model = RetentionAlert
        fields = ["id", "type", "level", "group", "group_name", "member", "member_mobile", "contact", "period",
                  "evidence", "assigned_am", "due_at", "status", "outcome", "created_at", "closed_at"]

    def get_member_mobile(self, obj) -> str | None:
        from accounts.masking import mask_mobile

        return mask_mobile(obj.member.mobile) if obj.member_id else None


class ActSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["call", "visit", "offer", "note"])
    note = serializers.CharField()


class CloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["retained", "lost", "not_risk"])
    outcome = serializers.CharField()


class ResumeSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DelaySerializer(serializers.Serializer):
    until = serializers.DateTimeField()
    reason = serializers.CharField()


class AccountListParams(serializers.Serializer):
    status = Choice(BillingAccount.Status.choices)
    group = Id()


class OrderListParams(serializers.Serializer):
    action = Choice(CreditOrder.Action.choices)


class AlertListParams(serializers.Serializer):
    status = Choice(RetentionAlert.Status.choices)
    level = serializers.ChoiceField(choices=[1, 2], required=False)
    type = Choice(RetentionAlert.Type.choices)


class AccountViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Billing accounts in scope; POST a list to `billing/accounts/bulk/` (idempotent by external id)."""

    serializer_class = AccountSerializer
    filter_backends = []
    filter_serializer_class = AccountListParams

    def get_queryset(self):
        qs = scope_queryset(self.request.user, BillingAccount.objects.select_related("group"), ACCOUNT_SCOPE)
        filters = getattr(self, "filters", {})
        if "status" in filters:
            qs = qs.filter(status=filters["status"])
        if "group" in filters:
            qs = qs.filter(group_id=filters["group"])
        return qs.order_by("external_id")

    @extend_schema(request=AccountsBulkSerializer, responses={200: CountsSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        _feed(request.user)
        ser = AccountsBulkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(billing.accounts_bulk_upsert(rows=ser.validated_data["accounts"], by=request.user))

    @extend_schema(request=ResumeSerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"], url_path="emergency-resume")
    def emergency_resume(self, request, pk=None):
        a = get_in_scope(request.user, BillingAccount.objects.all(), ACCOUNT_SCOPE, WRITE, pk=pk)
        ser = ResumeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(AccountSerializer(credit.emergency_resume(account=a, by=request.user,
                                                                  **ser.validated_data)).data)

    @extend_schema(request=DelaySerializer, responses=AccountSerializer)
    @action(detail=True, methods=["post"])
    def delay(self, request, pk=None):
        a = get_in_scope(request.user, BillingAccount.objects.all(), ACCOUNT_SCOPE, WRITE, pk=pk)
        ser = DelaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(AccountSerializer(credit.suspension_delay(account=a, by=request.user,
                                                                  **ser.validated_data)).data)


class PaymentView(APIView):
    """A payment or recharge: applied once per external id, and the account resumes at once when paid up."""

    @extend_schema(request=PaymentSerializer, responses={201: AccountSerializer, 200: AccountSerializer})
    def post(self, request):
        _feed(request.user)
        ser = PaymentSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        key = str(d["account"])
        account = BillingAccount.objects.filter(Q(external_id=key) | Q(pk=int(key) if is_id(key) else None)).first()
        if account is None:
            raise NotFound("No such billing account.")
        _payment, created = credit.payment_record(account=account, amount=d["amount"],
                                                  external_id=d.get("external_id"),
                                                  validity_days=d.get("validity_days", 0), by=request.user)
        account.refresh_from_db()
        return Response(AccountSerializer(account).data, status=status.HTTP_201_CREATED if created else 200)


class UsageView(APIView):
    @extend_schema(request=UsageBulkSerializer, responses={200: CountsSerializer})
    def post(self, request):
        """Monthly usage per member (RET-1), bulk upsert by (mobile, month)."""
        _feed(request.user)
        ser = UsageBulkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(billing.usage_bulk_upsert(rows=ser.validated_data["usage"]))


class OrderViewSet(FilterParamsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Credit-control work orders (CC-10) in scope."""

    serializer_class = OrderSerializer
    filter_backends = []
    filter_serializer_class = OrderListParams

    def get_queryset(self):
        qs = scope_queryset(self.request.user, CreditOrder.objects.select_related("account"), ORDER_SCOPE)
        if self.filter_value("action"):
            qs = qs.filter(action=self.filter_value("action"))
        return qs


class AlertViewSet(FilterParamsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Retention alerts (RET-3): the AM's inbox, sorted by level then due date."""

    serializer_class = AlertSerializer
    filter_backends = []
    filter_serializer_class = AlertListParams

    def get_queryset(self):
        qs = scope_queryset(self.request.user, RetentionAlert.objects.select_related("group", "member"), ALERT_SCOPE)
        filters = getattr(self, "filters", {})
        for f in ("status", "level", "type"):
            if f in filters:
                qs = qs.filter(**{f: filters[f]})
        return qs.order_by("level", "due_at", "pk")

    def _alert(self, request, pk):
        return get_in_scope(request.user, RetentionAlert.objects.all(), ALERT_SCOPE, WRITE, pk=pk)

    @extend_schema(request=ActSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        ser = ActSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = self._alert(request, pk)
        retention.alert_act(alert=a, by=request.user, **ser.validated_data)
        a.refresh_from_db()
        return Response(AlertSerializer(a).data)

    @extend_schema(request=CloseSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        ser = CloseSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        a = retention.alert_close(alert=self._alert(request, pk), by=request.user, **ser.validated_data)
        return Response(AlertSerializer(a).data)
