"""API for the customer file: the same selectors, scopes and services as the pages."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.scoping import WRITE, can
from portal.api.params import Choice, FilterParamsMixin, Id, Text

from .. import services
from ..models import Contact, GroupCustomer, Member, VipTier
from ..scopes import CONTACT_SCOPE, GROUP_SCOPE, MEMBER_SCOPE, SITE_SCOPE
from ..selectors import (
    GROUP_ORDERINGS,
    QUALITY_PROBLEMS,
    GroupFilters,
    contact_list_for_user,
    group_list_for_user,
    groups_in_scope,
    member_list_for_user,
    sites_in_scope,
)
from ..services.ownership import may_own
from .serializers import (
    ContactSerializer,
    GroupSerializer,
    GroupStatusSerializer,
    MemberSerializer,
    MemberUpsertSerializer,
    SiteSerializer,
    UpsertResultSerializer,
)


class GroupListParams(serializers.Serializer):
    q = Text("name, pinyin or initials substring, phone or code")
    grade = Choice(GroupCustomer.Grade.choices)
    status = Choice(GroupCustomer.Status.choices)
    unit = Id()
    am = Id()
    industry = Id()
    problem = Choice(["any", *QUALITY_PROBLEMS])
    order = Choice(list(GROUP_ORDERINGS))


class ContactListParams(serializers.Serializer):
    q = Text()
    type = Choice(Contact.Type.choices)
    group = Id()
    all = serializers.BooleanField(required=False, default=False, help_text="include departed contacts")


class GroupParam(serializers.Serializer):
    group = Id()


class MemberListParams(serializers.Serializer):
    group = Id()
    q = Text()
    vip = Choice(["any", *VipTier.values])
    status = Choice(Member.Status.choices)


def _model_errors(e: DjangoValidationError):
    return ValidationError(e.message_dict if hasattr(e, "error_dict") else {"non_field_errors": e.messages})


class _Writes:
    def _run(self, fn):
        try:
            return fn()
        except DjangoValidationError as e:
            raise _model_errors(e) from None

    def _reread(self, obj):
        """The written row as the caller now sees it. A write can take a row out of the writer's scope
        (a counterpart AM hands the contact to a colleague): then the answer is the saved row masked,
        as for anyone who does not own it (ORG-4) — not a 500 from `.get()` (issue 12 item 6)."""
        found = self.get_queryset().filter(pk=obj.pk).first()
        if found is None:
            obj.owned = False
            return obj
        return found


class GroupViewSet(FilterParamsMixin, _Writes, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Group customers in the caller's scope (ORG-3)."""

    serializer_class = GroupSerializer
    filter_backends = []  # the selector applies the same filters as the portfolio page
    filter_serializer_class = GroupListParams

    def get_queryset(self):
        if self.action != "list":
            return groups_in_scope(self.request.user).select_related("unit", "account_manager")
        f = GroupFilters(**{"order": "name", **getattr(self, "filters", {})})
        return group_list_for_user(self.request.user, f)

    def perform_create(self, serializer):
        d = serializer.validated_data
        if not self.request.user.has_role("am", "leader", "manager", "admin") or not may_own(
                self.request.user, d["unit"], d["account_manager"]):
            raise PermissionDenied("You may not create groups for this unit or AM.")
        serializer.instance = self._run(lambda: services.group_create(by=self.request.user, **d))

    def perform_update(self, serializer):
        group = serializer.instance
        if not can(self.request.user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("You may read this group but not change it.")
        serializer.instance = self._run(
            lambda: services.group_update(group=group, by=self.request.user, **serializer.validated_data))

    @extend_schema(request=GroupStatusSerializer, responses=GroupSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Change the status (GC-2): prospect → active (needs the core fields) → churned."""
        group = self.get_object()
        if not can(request.user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("You may read this group but not change it.")
        s = GroupStatusSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        group = self._run(lambda: services.group_change_status(group=group, by=request.user, **s.validated_data))
        return Response(GroupSerializer(group, context={"request": request}).data)

    @extend_schema(methods=["GET"], responses=ContactSerializer(many=True),
                   parameters=[OpenApiParameter("all", bool, description="include departed contacts")])
    @extend_schema(methods=["POST"], request=ContactSerializer, responses={201: ContactSerializer})
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        """The group's contacts (GET) or a new contact (POST)."""
        group = self.get_object()
        if request.method == "GET":
            qs = contact_list_for_user(request.user, group=group,
                                       include_departed=request.query_params.get("all") in ("1", "true"))
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(ContactSerializer(page, many=True).data)
        if not can(request.user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("You may read this group but not change it.")
        s = ContactSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        contact = self._run(lambda: services.contact_create(group=group, by=request.user, **s.validated_data))
        contact = contact_list_for_user(request.user, include_departed=True).get(pk=contact.pk)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ContactViewSet(FilterParamsMixin, _Writes, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Contacts in scope; `mobile` and `birthday` are masked unless the caller owns the contact (ORG-4)."""

    serializer_class = ContactSerializer
    filter_backends = []
    filter_serializer_class = ContactListParams

    def get_queryset(self):
        f = self.filter_value
        qs = contact_list_for_user(self.request.user, q=f("q", ""), type=f("type", ""),
                                   include_departed=self.action != "list" or f("all", False))
        if f("group"):
            qs = qs.filter(group_id=f("group"))
        return qs

    def perform_update(self, serializer):
        contact = serializer.instance
        if not can(self.request.user, contact, CONTACT_SCOPE, WRITE):
            raise PermissionDenied("You may read this contact but not change it.")
        contact = self._run(lambda: services.contact_update(contact=contact, by=self.request.user,
                                                            **serializer.validated_data))
        serializer.instance = self._reread(contact)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """Personal data in clear, audit-logged (ORG-4)."""
        return Response(services.contact_reveal(contact=self.get_object(), by=request.user, request=request))


class SiteViewSet(FilterParamsMixin, _Writes, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Sites and their local AM/MM (the three-in-one table, GC-5)."""

    serializer_class = SiteSerializer
    filter_backends = []
    filter_serializer_class = GroupParam

    def get_queryset(self):
        qs = sites_in_scope(self.request.user).order_by("group__name", "name")
        if self.filter_value("group"):
            qs = qs.filter(group_id=self.filter_value("group"))
        return qs

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        group = d.pop("group")
        if not can(self.request.user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("You may not add sites to this group.")
        serializer.instance = self._run(lambda: services.site_create(group=group, by=self.request.user, **d))

    def perform_update(self, serializer):
        site = serializer.instance
        if not can(self.request.user, site, SITE_SCOPE, WRITE):
            raise PermissionDenied("You may read this site but not change it.")
        serializer.instance = self._run(
            lambda: services.site_update(site=site, by=self.request.user, **serializer.validated_data))


class MemberViewSet(FilterParamsMixin, _Writes, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Members (subscribers) of groups in scope; bulk upsert by mobile number for the billing feed."""

    serializer_class = MemberSerializer
    filter_backends = []
    filter_serializer_class = MemberListParams

    def get_queryset(self):
        f = self.filter_value
        qs = member_list_for_user(self.request.user, q=f("q", ""), vip=f("vip", ""), status=f("status", ""))
        if f("group"):
            qs = qs.filter(group_id=f("group"))
        return qs

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        group = d.pop("group")
        if not can(self.request.user, group, GROUP_SCOPE, WRITE):
            raise PermissionDenied("You may not add members to this group.")
        m = self._run(lambda: services.member_create(group=group, by=self.request.user, **d))
        serializer.instance = self._reread(m)

    def perform_update(self, serializer):
        member = serializer.instance
        if not can(self.request.user, member, MEMBER_SCOPE, WRITE):
            raise PermissionDenied("You may read this member but not change it.")
        member = self._run(lambda: services.member_update(member=member, by=self.request.user,
                                                          **serializer.validated_data))
        serializer.instance = self._reread(member)

    @extend_schema(request=MemberUpsertSerializer, responses=UpsertResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Create or update members by mobile number; all rows or none (400 lists each bad row)."""
        s = MemberUpsertSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        if not request.user.has_role("am", "leader", "manager", "admin"):
            raise PermissionDenied("Your role cannot write members.")
        result = services.members_bulk_upsert(rows=s.validated_data["members"], by=request.user,
                                              allowed_groups=groups_in_scope(request.user, WRITE))
        return Response(result)
