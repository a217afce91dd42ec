"""API: token, the current user, the staff directory and the organisation tree."""
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.params import FilterParamsMixin, Text
from portal.api.throttling import ClientScopedRateThrottle
from portal.audit import audit_log
from portal.models import AuditEvent

from ..models import OrgUnit
from ..selectors import orgunits_visible_to, user_list_for
from ..signals import tokens_revoke
from ..twofactor import token_code_check
from .serializers import OrgUnitSerializer, TokenRequestSerializer, TokenResponseSerializer, UserSerializer


class TokenView(APIView):
    """Exchange username and password (and `otp`, the authenticator code, when the account uses a
    second factor) for an API token that expires after API_TOKEN_TTL_HOURS and dies at the user's
    logout or password change. Repeated failures lock the username + address out (429)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, auth=[])
    def post(self, request):
        ser = TokenRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(django_request, username=ser.validated_data["username"],
                            password=ser.validated_data["password"])
        if getattr(django_request, "axes_locked_out", False):
            msg = _("Too many failed attempts; this account is locked for a while.")
            return Response({"detail": msg, "message": msg}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            msg = _("Unable to log in with the provided credentials.")
            return Response({"detail": msg, "message": msg}, status=status.HTTP_400_BAD_REQUEST)
        token_code_check(user, ser.validated_data.get("otp"))
        instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
        audit_log(action=AuditEvent.Action.TOKEN_ISSUED, actor=user, request=django_request)
        return Response({"token": token, "expiry": instance.expiry})


class TokenLogoutView(APIView):
    """Revoke every API token of the caller (all devices), like logging out of the web."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class UserListParams(serializers.Serializer):
    q = Text("name or user name")


class UserListView(FilterParamsMixin, generics.ListAPIView):
    """Staff in the caller's scope (ORG-3)."""

    serializer_class = UserSerializer
    ordering_fields = ["username"]
    filter_serializer_class = UserListParams

    def get_queryset(self):
        return user_list_for(self.request.user, search=self.filter_value("q", ""))


class OrgUnitListView(generics.ListAPIView):
    serializer_class = OrgUnitSerializer
    queryset = OrgUnit.objects.none()  # for the schema; get_queryset scopes the real one
    pagination_class = None

    def get_queryset(self):
        return orgunits_visible_to(self.request.user)
