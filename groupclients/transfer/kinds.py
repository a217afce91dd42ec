"""The four kinds of the customer file an import can hold (groups, sites, contacts, members): the
columns of each, how a row becomes an object (validated, ORG-3 scope and the ownership rules of
`services.ownership`) and how it is saved (through the services). Other kinds register here
(`register_kind`): the billing feeds, from `groupclients.billing.feeds`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User

from ..models import Contact, GroupCustomer, Industry, Member, OrganisationType, Product, Site
from ..services.ownership import group_ownership_check, site_check
from .cells import Col, RowError, _bool, _choice, _date, _decimal, _int, _resolve, _text


class Lookups:
    """Reference data resolved once per import, not once per row."""

    def __init__(self, user: User, writable_groups):
        self.user = user
        self.org_types = {**{o.code: o for o in OrganisationType.objects.all()},
                          **{o.name: o for o in OrganisationType.objects.all()}}
        self.industries = {**{o.code: o for o in Industry.objects.all()}, **{o.name: o for o in Industry.objects.all()}}
        self.products = {**{o.code: o for o in Product.objects.all()}, **{o.name: o for o in Product.objects.all()}}
        self.units = {u.code: u for u in OrgUnit.objects.filter(level=OrgUnit.Level.UNIT)}
        self.writable_groups = writable_groups
        self._users: dict[str, User | None] = {}
        self._groups: dict[str, GroupCustomer | None] = {}

    def ref(self, table: dict, v: Any, field: str, required: bool = True):
        s = _text(v)
        if not s:
            if required:
                raise RowError({field: [_("This field is required.")]})
            return None
        if s not in table:
            raise RowError({field: [_("Unknown %(f)s: %(v)s") % {"f": field, "v": s}]})
        return table[s]

    def user_with_role(self, v: Any, field: str, role: str) -> User:
        s = _text(v)
        if not s:
            raise RowError({field: [_("This field is required.")]})
        if s not in self._users:
            self._users[s] = User.objects.filter(username=s, is_active=True).first()
        u = self._users[s]
        if u is None or not u.has_role(role):
            raise RowError({field: [_("No active user %(v)s with the role %(r)s.") % {"v": s, "r": role}]})
        return u

    def group(self, v: Any, field: str = "group_code") -> GroupCustomer:
        s = _text(v)
        if not s:
            raise RowError({field: [_("This field is required.")]})
        if s not in self._groups:
            self._groups[s] = self.writable_groups.filter(code=s).first()
        g = self._groups[s]
        if g is None:
            raise RowError({field: [_("No group %(v)s that you may change.") % {"v": s}]})
        return g


def _may_own(user: User, unit: OrgUnit, am: User) -> bool:
    """May this user create a group in this unit for this AM? (the one rule: services.ownership)"""
    from ..services.ownership import may_own

    return may_own(user, unit, am)


def _ownership_row_check(check: Callable[[], None], columns: dict[str, str]) -> None:
    """The services' ownership rules (issue 12 item 2) as a row error naming the sheet's column."""
    from portal.exceptions import ApplicationError

    try:
        check()
    except ApplicationError as e:
        errs = e.extra.get("errors") or {"code": [e.message]}
        raise RowError({columns.get(k, k): v for k, v in errs.items()}) from None


class Kind:
    key: str
    columns: list[Col]
    unique_key: Callable[[dict], str]

    def build(self, row: dict, lk: Lookups) -> tuple[Any, bool]:
        raise NotImplementedError

    def save(self, obj: Any, is_new: bool, by: User) -> None:
        raise NotImplementedError


class GroupsKind(Kind):
    key = "groups"
    columns = [
        Col("code", "集团编码", "Group code", False, "G00001234"),
        Col("name", "集团名称", "Name", True, "杭州示例科技有限公司"),
        Col("org_type", "单位类型", "Organisation type", False, "enterprise"),
        Col("address", "地址", "Address", False, "杭州市西湖区文三路 1 号"),
        Col("phone", "电话", "Phone", False, "0571-88880000"),
        Col("industry", "行业", "Industry", False, "it"),
        Col("employee_count", "员工数", "Employees", False, 350),
        Col("annual_revenue", "年营业额(万元)", "Annual revenue (10k CNY)", False, 12000),
        Col("grade", "集团类别", "Class", True, "B"),
        Col("status", "状态", "Status", False, "prospect"),
        Col("unit_code", "所属营销单元编码", "Unit code", True, "ZJ-HZ-XH"),
        Col("am_username", "客户经理账号", "AM username", True, "am1"),
    ]

    def build(self, row, lk):
        code = _text(row.get("code"))
        existing = GroupCustomer.objects.filter(code=code).first() if code else None
        if existing is not None and not lk.writable_groups.filter(pk=existing.pk).exists():
            raise RowError({"code": [_("Group %(v)s exists but is outside your scope.") % {"v": code}]})
        values, errors = _resolve((
            ("org_type", lambda: lk.ref(lk.org_types, row.get("org_type"), "org_type", False)),
            ("industry", lambda: lk.ref(lk.industries, row.get("industry"), "industry", False)),
            ("employee_count", lambda: _int(row.get("employee_count"), "employee_count")),
            ("annual_revenue", lambda: _decimal(row.get("annual_revenue"), "annual_revenue")),
            ("grade", lambda: _choice(row.get("grade"), GroupCustomer.Grade.choices, "grade")),
            ("unit", lambda: lk.ref(lk.units, row.get("unit_code"), "unit_code")),
            ("account_manager", lambda: lk.user_with_role(row.get("am_username"), "am_username", "am")),
        ))
        values["name"] = _text(row.get("name"))
        values["address"] = _text(row.get("address"))
        values["phone"] = _text(row.get("phone"))
        status = _text(row.get("status"))
        if errors:
            raise RowError(errors)
        if existing is None and not _may_own(lk.user, values["unit"], values["account_manager"]):
            raise RowError({"am_username": [_("You may not create groups for this unit or AM.")]})
        if existing is not None:
            _ownership_row_check(lambda: group_ownership_check(
                by=lk.user, group=existing, unit=values["unit"], account_manager=values["account_manager"]),
                {"unit": "unit_code", "account_manager": "am_username"})
        obj = existing or GroupCustomer(code=code or "")
        for k, v in values.items():
            setattr(obj, k, v)
        if existing is None:
            obj.status = _choice(status, GroupCustomer.Status.choices, "status", GroupCustomer.Status.PROSPECT)
        elif status and _choice(status, GroupCustomer.Status.choices, "status") != existing.status:
            raise RowError({"status": [_("Change the status of an existing group on its page (GC-2).")]})
        try:
            obj.full_clean(exclude=["code"] if not code else None, validate_unique=bool(code) and existing is None)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, existing is None

    def save(self, obj, is_new, by):
        from ..services import group_create, group_update

        fields = {f: getattr(obj, f) for f in ("name", "org_type", "industry", "address", "phone",
                                                "employee_count", "annual_revenue", "grade", "unit",
                                                "account_manager")}
        if is_new:
            if obj.code:
                fields["code"] = obj.code
            group_create(by=by, status=obj.status, **fields)
        else:
            group_update(group=GroupCustomer.objects.get(pk=obj.pk), by=by, **fields)


class SitesKind(Kind):
    key = "sites"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("name", "站点名称", "Site name", True, "滨江分部"),
        Col("address", "地址", "Address", False, "杭州市滨江区江南大道 100 号"),
        Col("unit_code", "营销单元编码", "Unit code", True, "ZJ-HZ-BJ"),
        Col("local_am", "属地客户经理账号", "Local AM username", True, "am1"),
        Col("local_mm", "属地维护经理账号", "Local MM username", True, "mm1"),
        Col("is_headquarters", "是否总部", "Headquarters", False, "否"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("unit", lambda: lk.ref(lk.units, row.get("unit_code"), "unit_code")),
            ("local_am", lambda: lk.user_with_role(row.get("local_am"), "local_am", "am")),
            ("local_mm", lambda: lk.user_with_role(row.get("local_mm"), "local_mm", "mm")),
        ))
        if errors:
            raise RowError(errors)
        name = _text(row.get("name"))
        obj = Site.objects.filter(group=values["group"], name=name).first() if name else None
        is_new = obj is None
        _ownership_row_check(lambda: site_check(by=lk.user, site=None if is_new else obj, group=values["group"],
                                                fields=values), {"unit": "unit_code"})
        obj = obj or Site()
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name, obj.address, obj.is_headquarters = name, _text(row.get("address")), _bool(row.get("is_headquarters"))
        try:
            obj.full_clean()
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        obj.save()


class ContactsKind(Kind):
    key = "contacts"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("name", "姓名", "Name", True, "张三"),
        Col("type", "类型", "Type", True, "contact"),
        Col("is_primary", "首要联系人", "Primary contact", False, "是"),
        Col("department", "部门", "Department", False, "信息中心"),
        Col("post", "职务", "Post", False, "主任"),
        Col("mobile", "手机号码", "Mobile", True, "13812345678"),
        Col("birthday", "生日", "Birthday", False, "1980-05-01"),
        Col("counterpart", "我方对口人账号", "Counterpart username", False, "am1"),
        Col("counterpart_level", "对口层级", "Counterpart level", False, "am"),
        Col("do_not_disturb", "免打扰", "Do not disturb", False, "否"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("type", lambda: _choice(row.get("type"), Contact.Type.choices, "type")),
            ("birthday", lambda: _date(row.get("birthday"), "birthday")),
            ("counterpart_level", lambda: _choice(row.get("counterpart_level"), Contact.CounterpartLevel.choices,
                                                  "counterpart_level", "")),
        ))
        cp = _text(row.get("counterpart"))
        if cp:
            u = User.objects.filter(username=cp, is_active=True).first()
            if u is None:
                errors["counterpart"] = [_("No active user %(v)s.") % {"v": cp}]
            values["counterpart"] = u
        if errors:
            raise RowError(errors)
        mobile = _text(row.get("mobile"))
        obj = Contact.objects.filter(group=values["group"], mobile=mobile).first() if mobile else None
        is_new = obj is None
        obj = obj or Contact()
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name, obj.mobile = _text(row.get("name")), mobile
        obj.department, obj.post = _text(row.get("department")), _text(row.get("post"))
        obj.is_primary, obj.do_not_disturb = _bool(row.get("is_primary")), _bool(row.get("do_not_disturb"))
        try:
            obj.full_clean(validate_constraints=False)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        from ..services import contact_create, contact_update

        fields = {f: getattr(obj, f) for f in ("name", "type", "is_primary", "department", "post", "mobile",
                                                "birthday", "counterpart", "counterpart_level", "do_not_disturb")}
        if is_new:
            contact_create(group=obj.group, by=by, **fields)
        else:
            contact_update(contact=Contact.objects.get(pk=obj.pk), by=by, note="import", **fields)


class MembersKind(Kind):
    key = "members"
    columns = [
        Col("group_code", "集团编码", "Group code", True, "G00001234"),
        Col("mobile", "手机号码", "Mobile", True, "13912345678"),
        Col("name", "姓名", "Name", False, "李四"),
        Col("product", "产品编码", "Product code", False, "vnet"),
        Col("vip_tier", "VIP等级", "VIP tier", False, "gold"),
        Col("billing_type", "付费类型", "Billing type", False, "postpaid"),
        Col("status", "状态", "Status", False, "active"),
    ]

    def build(self, row, lk):
        values, errors = _resolve((
            ("group", lambda: lk.group(row.get("group_code"))),
            ("product", lambda: lk.ref(lk.products, row.get("product"), "product", False)),
            ("vip_tier", lambda: _choice(row.get("vip_tier"), Contact._meta.get_field("vip_tier").choices,
                                         "vip_tier", "")),
            ("billing_type", lambda: _choice(row.get("billing_type"), Member.BillingType.choices, "billing_type",
                                             Member.BillingType.POSTPAID)),
            ("status", lambda: _choice(row.get("status"), Member.Status.choices, "status", Member.Status.ACTIVE)),
        ))
        if errors:
            raise RowError(errors)
        mobile = _text(row.get("mobile"))
        obj = Member.objects.filter(mobile=mobile).first() if mobile else None
        if obj is not None and not lk.writable_groups.filter(pk=obj.group_id).exists():
            raise RowError({"mobile": [_("This number belongs to a group outside your scope.")]})
        is_new = obj is None
        obj = obj or Member(mobile=mobile)
        for k, v in values.items():
            setattr(obj, k, v)
        obj.name = _text(row.get("name"))
        try:
            obj.full_clean(validate_unique=is_new)
        except ValidationError as e:
            raise RowError(e.message_dict) from None
        return obj, is_new

    def save(self, obj, is_new, by):
        obj.save()


KINDS: dict[str, Kind] = {k.key: k for k in (
    GroupsKind(), SitesKind(), ContactsKind(), MembersKind(),
)}


def register_kind(kind: Kind) -> None:
    """Another part of the app adds an import kind (the billing feeds: groupclients.billing.feeds)."""
    KINDS[kind.key] = kind
