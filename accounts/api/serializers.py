from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import OrgUnit, Role, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False, max_length=12,
        help_text=_("The 6-digit authenticator code; required when the account uses a second factor."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as `Authorization: Token <token>`."))
    expiry = serializers.DateTimeField(
        allow_null=True, help_text=_("When the token stops working (API_TOKEN_TTL_HOURS after issue)."),
    )


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level", "parent", "branch"]


class RoleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Role
        fields = ["code", "name"]


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    unit = OrgUnitSerializer(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "roles", "unit"]

    def get_roles(self, obj) -> list[str]:
        return sorted(r.code for r in obj.roles.all())
