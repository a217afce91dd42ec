from rest_framework import serializers

from accounts.masking import mask_date, mask_mobile
from portal.api.fields import CodeOrIdField, MaskableDateField

from ..forms import CHANNELS
from ..models import Contact, GroupCustomer, Industry, Member, OrganisationType, Product, Site
from ..scopes import sees_financials


class GroupSerializer(serializers.ModelSerializer):
    # GC-3: a list from the controlled channels (was a free JSON value: `null` reached the database)
    preferred_channels = serializers.ListField(child=serializers.ChoiceField(choices=CHANNELS), required=False)
    # reference data by code or id (issue 12 item 12)
    org_type = CodeOrIdField(queryset=OrganisationType.objects.all(), required=False, allow_null=True)
    industry = CodeOrIdField(queryset=Industry.objects.all(), required=False, allow_null=True)
    account_manager_username = serializers.CharField(source="account_manager.username", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    data_quality = serializers.SerializerMethodField()

    class Meta:
        model = GroupCustomer
        fields = ["id", "code", "name", "org_type", "address", "phone", "industry", "employee_count",
                  "annual_revenue", "grade", "status", "unit", "unit_code", "account_manager",
                  "account_manager_username", "anniversary", "postcode", "website", "preferred_channels",
                  "member_cap", "registered_capital", "annual_profit", "telecom_budget", "mobile_count",
                  "informatisation_notes", "data_quality", "created_at", "updated_at"]
        read_only_fields = ["code", "status", "created_at", "updated_at"]
        extra_kwargs = {"org_type": {"required": False}, "industry": {"required": False}}

    def get_data_quality(self, obj) -> dict:
        return {"core_incomplete": obj.core_incomplete, "below_contact_minimum": obj.below_contact_minimum,
                "no_primary_contact": obj.no_primary_contact,
                "contacts_without_counterpart": obj.contacts_without_counterpart}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not sees_financials(request.user):
            for f in GroupCustomer.FINANCIAL_FIELDS:
                data.pop(f, None)  # call-centre agents see no financial data (ORG-3)
        return data

    def validate(self, attrs):
        # run the model's own checks (GC-1) on the would-be instance
        return attrs


class GroupStatusSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=GroupCustomer.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ContactSerializer(serializers.ModelSerializer):
    masked = serializers.SerializerMethodField()
    birthday = MaskableDateField(required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "group", "name", "type", "is_primary", "department", "post", "mobile", "office_phone",
                  "email", "birthday", "counterpart", "counterpart_level", "do_not_disturb", "no_surveys",
                  "vip_tier", "vip_designated", "is_gotone", "status", "masked", "created_at", "updated_at"]
        read_only_fields = ["group", "created_at", "updated_at"]

    def get_masked(self, obj) -> bool:
        return not bool(getattr(obj, "owned", False))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not getattr(instance, "owned", False):  # ORG-4: masked for those who do not own the record
            data["mobile"] = mask_mobile(instance.mobile)
            data["birthday"] = mask_date(instance.birthday) or None
        return data


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "group", "name", "address", "unit", "local_am", "local_mm", "is_headquarters"]


class MemberSerializer(serializers.ModelSerializer):
    product = CodeOrIdField(queryset=Product.objects.all(), required=False, allow_null=True)
    class Meta:
        model = Member
        fields = ["id", "group", "mobile", "name", "product", "vip_tier", "billing_type", "contact", "status",
                  "joined_on", "left_on", "external_id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not getattr(instance, "owned", False):
            data["mobile"] = mask_mobile(instance.mobile)
        return data


class MemberUpsertRowSerializer(serializers.Serializer):
    mobile = serializers.CharField()
    group = serializers.CharField(help_text="group id or code")
    name = serializers.CharField(required=False, allow_blank=True)
    product = serializers.CharField(required=False, allow_blank=True, help_text="product code")
    vip_tier = serializers.CharField(required=False, allow_blank=True)
    billing_type = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    external_id = serializers.CharField(required=False, allow_blank=True)


class MemberUpsertSerializer(serializers.Serializer):
    members = MemberUpsertRowSerializer(many=True)


class UpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
